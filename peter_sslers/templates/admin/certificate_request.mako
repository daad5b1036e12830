<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% c = certificate_request %>
<%def name="title()">CertificateRequest ${certificate_request['id']}</%def>
<p><a href="${admin_prefix}/certificate-requests">Certificate requests</a> &gt; ${c['id']}</p>
${lib.notice()}
${lib.kv_table([("id", c['id']), ("Domains", ', '.join(domain_names)), ("SPKI SHA-256", c['spki_sha256']), ("Source", c['source']), ("Created", c['timestamp_created'])])}
<ul>
% if c['private_key_id']:
  <li>Private key: <a href="${admin_prefix}/private-key/${c['private_key_id']}">${c['private_key_id']}</a></li>
% endif
  <li>Unique FQDN set: <a href="${admin_prefix}/unique-fqdn-set/${c['unique_fqdn_set_id']}">${c['unique_fqdn_set_id']}</a></li>
</ul>
${lib.downloads(admin_prefix + '/certificate-request/' + c['id'], ['csr.pem', 'csr.pem.txt', 'csr.csr'])}
<h2>Certificates from this request</h2>
${lib.cert_table(certificates_signed)}
