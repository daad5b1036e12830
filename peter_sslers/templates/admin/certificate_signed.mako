<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% c = certificate_signed %>
<%def name="title()">CertificateSigned ${certificate_signed['id']}</%def>
<p><a href="${admin_prefix}/certificate-signeds">Certificates signed</a> &gt; ${c['id']}</p>
${lib.notice()}
${lib.kv_table([("id", c['id']), ("Domains", ', '.join(domain_names)), ("Subject", c['cert_subject']), ("Issuer", c['cert_issuer']), ("Serial", c['serial']), ("Not before", c['timestamp_not_before']), ("Not after", c['timestamp_not_after']), ("Renew after", c['timestamp_renew_after']), ("Active", c['is_active']), ("Deactivated", c['is_deactivated']), ("Revoked", c['is_revoked']), ("Private key compromised", c['is_compromised_private_key']), ("SHA-1 fingerprint", c['fingerprint_sha1']), ("SHA-256 fingerprint", c['fingerprint_sha256']), ("SPKI SHA-256", c['spki_sha256']), ("ARI identifier", c['ari_identifier']), ("Key technology", c['key_technology']), ("Source", c['source'])])}
<h2>Related</h2>
<ul>
  <li>Private key: <a href="${admin_prefix}/private-key/${c['private_key_id']}">${c['private_key_id']}</a>${' (compromised)' if private_key['is_compromised'] else ''}</li>
  <li>Unique FQDN set: <a href="${admin_prefix}/unique-fqdn-set/${c['unique_fqdn_set_id']}">${c['unique_fqdn_set_id']}</a></li>
% if c['certificate_request_id']:
  <li>Certificate request: <a href="${admin_prefix}/certificate-request/${c['certificate_request_id']}">${c['certificate_request_id']}</a></li>
% endif
% if acme_order_id:
  <li>ACME order: ${acme_order_id}</li>
% endif
% for name in domain_names:
  <li>Domain: <a href="${admin_prefix}/domain/${name}">${name}</a></li>
% endfor
</ul>
<h2>Chains</h2>
% if certificate_ca_chains:
<table class="table table-sm">
  <thead><tr><th>Chain id</th><th>Chain</th><th>Default</th><th>Upstream default</th><th>CA certificates (id: SHA-1)</th><th>Download</th></tr></thead>
  <tbody>
% for ch in certificate_ca_chains:
    <tr><td><a href="${admin_prefix}/certificate-ca-chain/${ch['certificate_ca_chain_id']}">${ch['certificate_ca_chain_id']}</a></td>
        <td>${ch['display_name']}</td><td>${fmt(ch['is_default'])}</td><td>${fmt(ch['is_upstream_default'])}</td>
        <td>${'; '.join(ca['id'] + ': ' + (ca['fingerprint_sha1'] or '') for ca in ch['certificate_cas'])}</td>
        <td><a href="${admin_prefix}/certificate-signed/${c['id']}/via-certificate-ca-chain/${ch['certificate_ca_chain_id']}/chain.pem">chain.pem</a>
            <a href="${admin_prefix}/certificate-signed/${c['id']}/via-certificate-ca-chain/${ch['certificate_ca_chain_id']}/fullchain.pem">fullchain.pem</a></td></tr>
% endfor
  </tbody>
</table>
% else:
<p>No chain is known for this certificate.</p>
% endif
<h2>Downloads</h2>
<% base = admin_prefix + '/certificate-signed/' + c['id'] %>
${lib.downloads(base, ['cert.pem', 'cert.pem.txt', 'cert.cer', 'cert.crt', 'cert.der'])}
${lib.downloads(base, ['chain.pem', 'chain.pem.txt', 'fullchain.pem', 'fullchain.pem.txt'])}
${lib.downloads(base, ['privkey.pem', 'privkey.pem.txt', 'privkey.key', 'cert.p12', 'config.zip', 'config.json'])}
<h2>Actions</h2>
% if not c['is_revoked']:
%   if c['is_active']:
${lib.post_form(base + '/mark', 'Deactivate', {'action': 'inactive'}, 'btn-warning')}
%   else:
${lib.post_form(base + '/mark', 'Activate', {'action': 'active'})}
%   endif
${lib.post_form(base + '/mark', 'Mark revoked (permanent)', {'action': 'revoked'}, 'btn-danger')}
% else:
<p>Revoked: no further actions.</p>
% endif
${lib.json_note(base + '.json')}
