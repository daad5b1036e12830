<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% ch = certificate_ca_chain %>
<%def name="title()">CertificateCAChain ${certificate_ca_chain['id']}</%def>
<p><a href="${admin_prefix}/certificate-ca-chains">CA chains</a> &gt; ${ch['id']}</p>
${lib.notice()}
${lib.kv_table([("id", ch['id']), ("Chain", ch['display_name']), ("Length", ch['chain_length']), ("Certificates using it", count_certificates_signed), ("SHA-256 of the PEM", ch['chain_pem_sha256'])])}
<h2>CA certificates, nearest the leaf first</h2>
<ol>
% for ca in certificate_cas:
  <li><a href="${admin_prefix}/certificate-ca/${ca['id']}">${ca['display_name']}</a> <code>${ca['fingerprint_sha1']}</code></li>
% endfor
</ol>
${lib.downloads(admin_prefix + '/certificate-ca-chain/' + ch['id'], ['chain.pem', 'chain.pem.txt'])}
${lib.json_note(admin_prefix + '/certificate-ca-chain/' + ch['id'] + '.json')}
