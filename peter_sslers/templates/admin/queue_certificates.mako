<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Renewal queue</%def>
<p><a href="${admin_prefix}/queue-certificates/update">Update (queue what is due)</a> | <a href="${admin_prefix}/queue-certificates/process">Process</a>
 | Show: <a href="?status=queued">queued</a> | <a href="?status=done">done</a> | <a href="?status=failed">failed</a> | <a href="?">all</a></p>
% if queue_certificates:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Status</th><th>Certificate</th><th>New order</th><th>Attempts</th><th>Not before</th><th>Error</th></tr></thead>
  <tbody>
% for q in queue_certificates:
    <tr><td><a href="${admin_prefix}/queue-certificate/${q['id']}">${q['id']}</a></td><td>${fmt(q['status'])}</td>
        <td>
% if q['certificate_signed_id']:
          <a href="${admin_prefix}/certificate-signed/${q['certificate_signed_id']}">${q['certificate_signed_id']}</a>
% endif
        </td><td>
% if q['acme_order_id__generated']:
          <a href="${admin_prefix}/acme-order/${q['acme_order_id__generated']}">${q['acme_order_id__generated']}</a>
% endif
        </td><td>${q['attempts']}</td><td>${fmt(q['timestamp_not_before'])}</td><td>${q['last_error'] or ''}</td></tr>
% endfor
  </tbody>
</table>
% else:
<p>The renewal queue is empty.</p>
% endif
${lib.pagination(pagination, 'admin:queue_certificates')}
