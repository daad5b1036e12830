<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% k = private_key %>
<%def name="title()">PrivateKey ${private_key['id']}</%def>
<p><a href="${admin_prefix}/private-keys">Private keys</a> &gt; ${k['id']}</p>
${lib.notice()}
${lib.kv_table([("id", k['id']), ("Technology", k['key_technology']), ("SPKI SHA-256", k['spki_sha256']), ("PEM MD5", k['key_pem_md5']), ("Source", k['source']), ("Type", k['private_key_type']), ("Cycle period", k['cycle_period']), ("Owner account", k['acme_account_id__owner']), ("Active", k['is_active']), ("Compromised", k['is_compromised']), ("Created", k['timestamp_created'])])}
<% base = admin_prefix + '/private-key/' + k['id'] %>
${lib.downloads(base, ['key.pem', 'key.pem.txt', 'key.key'])}
<h2>Actions</h2>
% if not k['is_compromised']:
%   if k['is_active']:
${lib.post_form(base + '/mark', 'Deactivate', {'action': 'inactive'}, 'btn-warning')}
%   else:
${lib.post_form(base + '/mark', 'Activate', {'action': 'active'})}
%   endif
${lib.post_form(base + '/mark', 'Mark compromised (permanent)', {'action': 'compromised'}, 'btn-danger')}
% else:
<p>Compromised: this key is never used again.</p>
% endif
<h2>Certificates using this key</h2>
${lib.cert_table(certificates_signed)}
${lib.json_note(base + '.json')}
