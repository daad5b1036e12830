<%doc>A multipart upload form built from the view's form_fields; also the page for instructions.</%doc>
<%inherit file="/base.mako"/>
<%def name="title()">${self.attr.heading}</%def>
<%def name="field_input(name, help)">
  <div class="mb-2">
    <label class="form-label" for="${name}"><code>${name}</code></label>
  % if name.endswith('_file') or name.endswith('_json'):
    <input class="form-control" type="file" id="${name}" name="${name}">
  % else:
    <input class="form-control" type="text" id="${name}" name="${name}">
  % endif
    <div class="form-text">${help}</div>
  </div>
</%def>
<p>${instructions}</p>
<form method="POST" enctype="multipart/form-data" action="${request.path}">${csrf_input()}
% for name, help in form_fields.items():
${field_input(name, help)}
% endfor
  <button type="submit" class="btn btn-primary">Upload</button>
</form>
% if context.get('example'):
<p>From the command line (JSON answer): <code>${context.get('example')}</code></p>
% endif
