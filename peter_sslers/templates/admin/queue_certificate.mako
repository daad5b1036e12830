<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% q = queue_certificate %>
<%def name="title()">Renewal queue item ${queue_certificate['id']}</%def>
<p><a href="${admin_prefix}/queue-certificates">Renewal queue</a> &gt; ${q['id']}</p>
${lib.notice()}
${lib.kv_table([("Status", q['status']), ("Certificate", q['certificate_signed_id']), ("Source order", q['acme_order_id__source']), ("New order", q['acme_order_id__generated']), ("Account (custom)", q['acme_account_id']), ("Key cycle (custom)", q['private_key_cycle']), ("Attempts", q['attempts']), ("Last error", q['last_error']), ("Claimed by", q['claimed_by']), ("Queued", q['timestamp_created']), ("Not before", q['timestamp_not_before']), ("Processed", q['timestamp_processed'])])}
<% base = admin_prefix + '/queue-certificate/' + q['id'] + '/mark' %>
% if q['status'] in ('queued', 'failed'):
${lib.post_form(base, 'Cancel', {'action': 'cancel'}, 'btn-warning')}
% endif
% if q['status'] in ('failed', 'cancelled'):
${lib.post_form(base, 'Queue again', {'action': 'requeue'})}
% endif
