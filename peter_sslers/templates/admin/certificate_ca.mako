<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% ca = certificate_ca %>
<%def name="title()">CertificateCA ${certificate_ca['id']}: ${certificate_ca['display_name']}</%def>
<p><a href="${admin_prefix}/certificate-cas">CA certificates</a> &gt; ${ca['id']}</p>
${lib.notice()}
${lib.kv_table([("id", ca['id']), ("Subject", ca['cert_subject']), ("Issuer", ca['cert_issuer']), ("Self-signed", ca['is_self_signed']), ("Not before", ca['timestamp_not_before']), ("Not after", ca['timestamp_not_after']), ("SHA-1", ca['fingerprint_sha1']), ("SHA-256", ca['fingerprint_sha256']), ("Key technology", ca['key_technology']), ("Issuer URI (AIA)", ca['cert_issuer_uri']), ("Issuer reconciled", ca['cert_issuer__reconciled']), ("Downloaded from", ', '.join(ca['reconciled_uris'])), ("Preference slot", preference_slot)])}
% if ca['cert_issuer__certificate_ca_id']:
<p>Issuer: <a href="${admin_prefix}/certificate-ca/${ca['cert_issuer__certificate_ca_id']}">CertificateCA ${ca['cert_issuer__certificate_ca_id']}</a></p>
% endif
<% base = admin_prefix + '/certificate-ca/' + ca['id'] %>
${lib.downloads(base, ['cert.pem', 'cert.pem.txt', 'cert.cer', 'cert.crt', 'cert.der'])}
<h2>Actions</h2>
% if preference_slot:
<p>In the preference list at slot ${preference_slot}.</p>
${lib.post_form(admin_prefix + '/certificate-ca/preferences', 'Remove from preference list', {'action': 'delete', 'certificate_ca_id': ca['id']}, 'btn-warning')}
% else:
${lib.post_form(admin_prefix + '/certificate-ca/preferences', 'Add to preference list', {'action': 'add', 'certificate_ca_id': ca['id']})}
% endif
<h2>Chains with this certificate</h2>
<ul>
% for ch in certificate_ca_chains:
  <li><a href="${admin_prefix}/certificate-ca-chain/${ch['id']}">${ch['id']}: ${ch['display_name']}</a></li>
% endfor
</ul>
${lib.json_note(base + '.json')}
