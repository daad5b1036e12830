<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">CA certificates</%def>
<p><a href="${admin_prefix}/certificate-ca/upload-cert">Upload a CA certificate</a> |
   <a href="${admin_prefix}/certificate-ca/preferences">Preference list</a> |
   <a href="${admin_prefix}/certificate-ca-chains">CA chains</a></p>
% if certificate_cas:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Name</th><th>Self-signed</th><th>Not after</th><th>SHA-1</th></tr></thead>
  <tbody>
% for ca in certificate_cas:
    <tr><td><a href="${admin_prefix}/certificate-ca/${ca['id']}">${ca['id']}</a></td><td>${ca['display_name']}</td>
        <td>${fmt(ca['is_self_signed'])}</td><td>${fmt(ca['timestamp_not_after'])}</td><td><code>${ca['fingerprint_sha1']}</code></td></tr>
% endfor
  </tbody>
</table>
% else:
<p>No CA certificates.</p>
% endif
${lib.pagination(pagination, 'admin:certificate_cas')}
