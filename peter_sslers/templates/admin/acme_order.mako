<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% o = acme_order %>
<%def name="title()">AcmeOrder ${acme_order['id']}</%def>
<p><a href="${admin_prefix}/acme-orders">ACME orders</a> &gt; ${o['id']}</p>
${lib.notice()}
${lib.kv_table([("Names", ', '.join(o['domain_names'])), ("Names on dns-01", ', '.join(o['domain_names_dns01'])), ("Status", o['status']), ("Processing", o['processing_status']), ("Next step", o['next_step']), ("Type", o['order_type']), ("Strategy", o['processing_strategy']), ("Key cycling", o['private_key_cycle']), ("Key technology", o['private_key_technology']), ("Auto-renew", o['is_auto_renew']), ("Profile", o['profile']), ("Replaces (ARI)", o['replaces']), ("Order URL", o['order_url']), ("Created", o['timestamp_created']), ("Updated", o['timestamp_updated']), ("Expires", o['timestamp_expires']), ("Finalized", o['timestamp_finalized']), ("Note", o['note'])])}
% if o['problem']:
<div class="alert alert-danger">Last problem: ${o['problem']}</div>
% endif
<h2>Related</h2>
<ul>
  <li>ACME account: <a href="${admin_prefix}/acme-account/${o['acme_account_id']}">${o['acme_account_id']}</a></li>
  <li>Unique FQDN set: <a href="${admin_prefix}/unique-fqdn-set/${o['unique_fqdn_set_id']}">${o['unique_fqdn_set_id']}</a></li>
% if o['private_key_id']:
  <li>Private key: <a href="${admin_prefix}/private-key/${o['private_key_id']}">${o['private_key_id']}</a></li>
% endif
% if o['certificate_request_id']:
  <li>Certificate request: <a href="${admin_prefix}/certificate-request/${o['certificate_request_id']}">${o['certificate_request_id']}</a></li>
% endif
% if o['certificate_signed_id']:
  <li>Certificate: <a href="${admin_prefix}/certificate-signed/${o['certificate_signed_id']}">${o['certificate_signed_id']}</a></li>
% endif
% if o['acme_order_id__retry_of']:
  <li>Retry of order <a href="${admin_prefix}/acme-order/${o['acme_order_id__retry_of']}">${o['acme_order_id__retry_of']}</a></li>
% endif
% if o['acme_order_id__renewal_of']:
  <li>Renewal of order <a href="${admin_prefix}/acme-order/${o['acme_order_id__renewal_of']}">${o['acme_order_id__renewal_of']}</a></li>
% endif
</ul>
<h2>Actions</h2>
<% base = admin_prefix + '/acme-order/' + o['id'] %>
<ul>
% if o['next_step']:
  <li>${lib.post_form(base + '/advance', 'Next step: ' + o['next_step'], {'step': 'auto'})}
      ${lib.post_form(base + '/process', 'Process to the end', None, 'btn-secondary')}</li>
% endif
% if o['order_url']:
  <li>${lib.post_form(base + '/sync', 'Sync with the ACME server', None, 'btn-secondary')}</li>
% endif
% if o['status'] == 'ready':
  <li>${lib.post_form(base + '/finalize', 'Finalize')}</li>
% endif
% if o['status'] == 'pending':
  <li>${lib.post_form(base + '/complete-challenges', 'Complete the challenges')}
      ${lib.post_form(base + '/deactivate-authorizations', 'Deactivate pending authorizations', None, 'btn-warning')}</li>
% endif
% if o['status'] == 'valid' and not o['certificate_signed_id']:
  <li>${lib.post_form(base + '/download', 'Download the certificate')}</li>
% endif
% if o['status'] in ('invalid', 'deactivated', 'expired'):
  <li>${lib.post_form(base + '/retry', 'Retry as a new order')}</li>
% elif o['status'] != 'valid':
  <li>${lib.post_form(base + '/mark-invalid', 'Mark invalid', None, 'btn-warning')}</li>
% endif
  <li>${lib.post_form(base + '/renew-now', 'Renew now (new order)', None, 'btn-secondary')}</li>
  <li>${lib.post_form(base + '/auto-renew', 'Turn auto-renew ' + ('off' if o['is_auto_renew'] else 'on'), {'is_auto_renew': '0' if o['is_auto_renew'] else '1'}, 'btn-secondary')}</li>
</ul>
<h2>Authorizations</h2>
<table class="table table-sm">
  <thead><tr><th>id</th><th>Name</th><th>Status</th><th>Expires</th></tr></thead>
  <tbody>
% for a in acme_authorizations:
    <tr><td><a href="${admin_prefix}/acme-authorization/${a['id']}">${a['id']}</a></td><td>${a['domain_name']}</td><td>${fmt(a['status'])}</td><td>${fmt(a['timestamp_expires'])}</td></tr>
% endfor
  </tbody>
</table>
<h2>Challenges</h2>
<table class="table table-sm">
  <thead><tr><th>id</th><th>Type</th><th>Status</th><th>Token</th><th>Polls</th></tr></thead>
  <tbody>
% for c in acme_challenges:
    <tr><td><a href="${admin_prefix}/acme-challenge/${c['id']}">${c['id']}</a></td><td>${fmt(c['challenge_type'])}</td><td>${fmt(c['status'])}</td><td><code>${c['token']}</code></td><td>${c['count_polls']}</td></tr>
% endfor
  </tbody>
</table>
<h2>ACME exchanges</h2>
<ul>
% for e in acme_event_logs:
  <li><a href="${admin_prefix}/acme-event-log/${e['id']}">${e['id']}</a> ${fmt(e['timestamp_event'])} ${e['acme_event']} ${e['status_code'] or ''} ${fmt(e['result'])}</li>
% endfor
</ul>
${lib.json_note(base + '.json')}
