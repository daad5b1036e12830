<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">ACME event log</%def>
<p>Every exchange with an ACME server. Filter with ?acme_server_id=, acme_account_id=, acme_order_id=, acme_event=, result=success|failure.
% if applied_filters:
Filtered by: ${', '.join(k + '=' + v for k, v in applied_filters.items())}. <a href="${request.path}">Clear</a>
% endif
</p>
% if acme_event_logs:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>When</th><th>Event</th><th>Result</th><th>Status</th><th>Problem</th><th>ms</th><th>Account</th><th>Order</th></tr></thead>
  <tbody>
% for e in acme_event_logs:
    <tr><td><a href="${admin_prefix}/acme-event-log/${e['id']}">${e['id']}</a></td><td>${fmt(e['timestamp_event'])}</td>
        <td>${e['acme_event']}</td><td>${fmt(e['result'])}</td><td>${e['status_code'] or ''}</td><td>${e['problem_type'] or ''}</td>
        <td>${fmt(e['elapsed_ms'])}</td><td>${e['acme_account_id'] or ''}</td><td>${e['acme_order_id'] or ''}</td></tr>
% endfor
  </tbody>
</table>
% else:
<p>No exchanges recorded.</p>
% endif
${lib.pagination(pagination, 'admin:acme_event_logs')}
