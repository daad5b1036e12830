<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Notifications</%def>
${lib.notice()}
<p>Every notification sent or attempted, newest first. The same notification is not sent again
within <code>notify.min_interval_seconds</code> of a successful send.
Filter with ?notification_type=certificate_expiring|renewal_failed|acme_account_problem|rate_limited, result=success|failure.
% if applied_filters:
Filtered by: ${', '.join(k + '=' + v for k, v in applied_filters.items())}. <a href="${request.path}">Clear</a>
% endif
</p>
<p><a class="btn btn-sm btn-outline-primary" href="${admin_prefix}/api/notify">Run the checks now</a></p>
% if notifications:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Sent</th><th>Type</th><th>Channel</th><th>Target</th><th>Result</th><th>Summary</th></tr></thead>
  <tbody>
% for n in notifications:
    <tr><td>${n['id']}</td><td>${fmt(n['timestamp_sent'])}</td>
        <td><a href="?notification_type=${n['notification_type']}">${n['notification_type']}</a></td>
        <td>${n['channel']}</td><td>${n['target']}</td>
        <td>${fmt(n['result'])}${(': ' + n['error_text']) if n['error_text'] else ''}</td>
        <td>${(n['payload'] or {}).get('summary', '')}</td></tr>
% endfor
  </tbody>
</table>
% else:
<p>No notifications recorded.</p>
% endif
${lib.pagination(pagination, 'admin:notifications')}
