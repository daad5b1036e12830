<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Domain queue</%def>
<p><a href="${admin_prefix}/queue-domains/add">Queue domains</a> | <a href="${admin_prefix}/queue-domains/process">Process a batch</a>
 | Show: <a href="?status=queued">queued</a> | <a href="?status=done">done</a> | <a href="?status=failed">failed</a> | <a href="?">all</a></p>
% if queue_domains:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Domain</th><th>Status</th><th>Order</th><th>Queued</th><th>Error</th></tr></thead>
  <tbody>
% for q in queue_domains:
    <tr><td>${q['id']}</td><td>${q['domain_name']}</td><td>${fmt(q['status'])}</td>
        <td>
% if q['acme_order_id']:
          <a href="${admin_prefix}/acme-order/${q['acme_order_id']}">${q['acme_order_id']}</a>
% endif
        </td><td>${fmt(q['timestamp_created'])}</td><td>${q['last_error'] or ''}</td></tr>
% endfor
  </tbody>
</table>
% else:
<p>The domain queue is empty.</p>
% endif
${lib.pagination(pagination, 'admin:queue_domains')}
