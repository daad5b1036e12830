<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% f = acme_flow %>
<%def name="title()">acme-flow ${acme_flow['id']}</%def>
<p><a href="${admin_prefix}/acme-flows">acme-flow</a> &gt; ${f['id']}</p>
${lib.notice()}
${lib.kv_table([("Active", f['is_active']), ("Note", f['note']), ("Created", f['timestamp_created']), ("Updated", f['timestamp_updated'])])}
<h2>Challenges</h2>
<table class="table table-sm">
  <thead><tr><th>id</th><th>Domain</th><th>Type</th><th>Token</th><th>Key authorization</th><th>Polls</th></tr></thead>
  <tbody>
% for c in f['challenges']:
    <tr><td>${c['id']}</td><td>${c['domain_name']}</td><td>${fmt(c['challenge_type'])}</td><td><code>${c['token']}</code></td><td><code>${c['keyauthorization']}</code></td><td>${c['count_polls']}</td></tr>
% endfor
  </tbody>
</table>
% if f['is_active']:
<% base = admin_prefix + '/acme-flow/' + f['id'] %>
<p><a href="${base}/add-challenge">Add a challenge</a> | <a href="${base}/edit-challenge">Edit a challenge</a></p>
${lib.post_form(base + '/deactivate', 'Deactivate', None, 'btn-warning')}
% endif
