<%inherit file="/base.mako"/>
<%def name="title()">New acme-flow</%def>
<p>${instructions}</p>
<form method="POST" action="${request.path}">${csrf_input()}
  <div class="mb-2"><label class="form-label" for="challenges">Challenges: <code>domain token keyauthorization</code>, one per line</label>
    <textarea class="form-control" id="challenges" name="challenges" rows="6"></textarea></div>
  <div class="mb-2"><label class="form-label" for="challenge_type">Challenge type</label>
    <select class="form-select" id="challenge_type" name="challenge_type"><option>http-01</option><option>dns-01</option></select></div>
  <div class="mb-2"><label class="form-label" for="note">Note</label><input class="form-control" type="text" id="note" name="note"></div>
  <button type="submit" class="btn btn-primary">Create</button>
</form>
