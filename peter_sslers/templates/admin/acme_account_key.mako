<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% k = acme_account_key %>
<%def name="title()">AcmeAccountKey ${acme_account_key['id']}</%def>
<p><a href="${admin_prefix}/acme-account-keys">ACME account keys</a> &gt; ${k['id']}</p>
${lib.kv_table([("id", k['id']), ("Account", k['acme_account_id']), ("Technology", k['key_technology']), ("SPKI SHA-256", k['spki_sha256']), ("JWK thumbprint", k['jwk_thumbprint']), ("Source", k['source']), ("Active", k['is_active']), ("Created", k['timestamp_created']), ("Retired", k['timestamp_deactivated'])])}
<p>Account: <a href="${admin_prefix}/acme-account/${k['acme_account_id']}">${k['acme_account_id']}</a></p>
${lib.downloads(admin_prefix + '/acme-account-key/' + k['id'], ['key.pem', 'key.pem.txt', 'key.key'])}
