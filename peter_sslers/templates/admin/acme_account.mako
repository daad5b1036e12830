<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% a = acme_account %>
<%def name="title()">AcmeAccount ${acme_account['id']}</%def>
<p><a href="${admin_prefix}/acme-accounts">ACME accounts</a> &gt; ${a['id']}</p>
${lib.notice()}
${lib.kv_table([("id", a['id']), ("Server", acme_server['name'] + ' (' + acme_server['directory_url'] + ')'), ("Contact", a['contact']), ("Account URL", a['account_url']), ("Status", a['status']), ("Active", a['is_active']), ("Default key cycle for orders", a['order_default_private_key_cycle']), ("Default key technology for orders", a['order_default_private_key_technology']), ("Created", a['timestamp_created']), ("Last authenticated", a['timestamp_last_authenticated'])])}
<h2>Actions</h2>
<% base = admin_prefix + '/acme-account/' + a['id'] %>
<ul>
  <li>${lib.post_form(base + '/authenticate', 'Check on the server')} checks the account and stores its status.</li>
% if not a['account_url']:
  <li><a href="${base}/register">Register or find on the server</a></li>
% endif
  <li><a href="${base}/update-contact">Change the contact</a></li>
  <li><a href="${base}/edit-defaults">Change the order defaults</a></li>
  <li><a href="${base}/key-rollover">Roll over the account key</a></li>
  <li>${lib.post_form(base + '/deactivate-pending-authorizations', 'Deactivate pending authorizations', None, 'btn-warning')}</li>
% if a['status'] != 'deactivated':
  <li><a href="${base}/deactivate">Deactivate the account (permanent)</a></li>
% endif
  <li><a href="${admin_prefix}/acme-event-logs?acme_account_id=${a['id']}">ACME event log of this account</a></li>
</ul>
<h2>Account keys</h2>
<ul>
% for k in acme_account_keys:
  <li><a href="${admin_prefix}/acme-account-key/${k['id']}">${k['id']}</a>: ${fmt(k['key_technology'])}, ${'active' if k['is_active'] else 'retired'}, thumbprint <code>${k['jwk_thumbprint']}</code></li>
% endfor
</ul>
<h2>Private keys owned by this account</h2>
<ul>
% for k in private_keys_owned:
  <li><a href="${admin_prefix}/private-key/${k['id']}">${k['id']}</a> ${fmt(k['private_key_type'])} ${k['cycle_period'] or ''}</li>
% endfor
</ul>
${lib.json_note(admin_prefix + '/acme-account/' + a['id'] + '.json')}
