<%inherit file="/base.mako"/>
<%def name="title()">${action.replace('_', ' ').capitalize()}</%def>
<p>${instructions}</p>
<form method="POST" action="${request.path}">${csrf_input()}
% for name, help in form_fields.items():
  <div class="mb-2">
    <label class="form-label" for="${name}"><code>${name}</code></label>
    <input class="form-control" type="text" id="${name}" name="${name}">
    <div class="form-text">${help}</div>
  </div>
% endfor
  <button type="submit" class="btn btn-primary">${action.replace('_', ' ').capitalize()}</button>
</form>
<p class="text-muted small">JSON: POST to <code>${request.path}.json</code></p>
