<%inherit file="/base.mako"/>
<%def name="title()">ACME servers</%def>
<%namespace name="lib" file="/admin/_lib.mako"/>
${lib.notice()}
<table class="table table-sm">
  <thead><tr><th>id</th><th>Name</th><th>Directory</th><th>Default</th><th>ARI</th><th>Profiles</th><th>CA bundle</th><th>Check</th></tr></thead>
  <tbody>
% for s in acme_servers:
    <tr><td>${s['id']}</td><td>${s['name']}</td><td><code>${s['directory_url']}</code></td><td>${fmt(s['is_default'])}</td>
        <td>${fmt(s['is_supports_ari'])}</td><td>${fmt(s['is_supports_profiles'])}</td><td>${fmt(s['has_ca_bundle'])}</td>
        <td><form method="POST" action="${admin_prefix}/acme-server/${s['id']}/check">${csrf_input()}<button type="submit" class="btn btn-sm btn-secondary">Check directory</button></form></td></tr>
% endfor
  </tbody>
</table>
