<%inherit file="/base.mako"/>
<%def name="title()">Error ${status}</%def>
<div class="alert alert-danger" role="alert">
  <p><strong>${error}</strong></p>
% if form_errors:
  <ul>
  % for field, message in form_errors.items():
    <li><code>${field}</code>: ${message}</li>
  % endfor
  </ul>
% endif
</div>
