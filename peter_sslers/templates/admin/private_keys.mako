<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Private keys</%def>
<p><a href="${admin_prefix}/private-key/upload">Upload a private key</a> | <a href="?compromised=1">compromised only</a></p>
% if private_keys:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Technology</th><th>Type</th><th>Source</th><th>Active</th><th>Compromised</th><th>Created</th></tr></thead>
  <tbody>
% for k in private_keys:
    <tr><td><a href="${admin_prefix}/private-key/${k['id']}">${k['id']}</a></td><td>${fmt(k['key_technology'])}</td>
        <td>${fmt(k['private_key_type'])}</td><td>${fmt(k['source'])}</td><td>${fmt(k['is_active'])}</td>
        <td>${fmt(k['is_compromised'])}</td><td>${fmt(k['timestamp_created'])}</td></tr>
% endfor
  </tbody>
</table>
% else:
<p>No private keys.</p>
% endif
${lib.pagination(pagination, 'admin:private_keys')}
