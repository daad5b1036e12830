<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">ACME orders: ${state}</%def>
<p><a href="${admin_prefix}/acme-order/new">New order</a> | Show: <a href="?state=active">active</a> | <a href="?state=finished">finished</a> | <a href="?state=all">all</a>
 | <a href="${admin_prefix}/acme-authorizations">authorizations</a> | <a href="${admin_prefix}/acme-challenges">challenges</a></p>
% if acme_orders:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Status</th><th>Processing</th><th>Type</th><th>Names</th><th>Certificate</th><th>Next step</th><th>Created</th></tr></thead>
  <tbody>
% for o in acme_orders:
    <tr><td><a href="${admin_prefix}/acme-order/${o['id']}">${o['id']}</a></td><td>${fmt(o['status'])}</td><td>${fmt(o['processing_status'])}</td>
        <td>${fmt(o['order_type'])}</td><td>${', '.join(o['domain_names'])}</td>
        <td>
% if o['certificate_signed_id']:
          <a href="${admin_prefix}/certificate-signed/${o['certificate_signed_id']}">${o['certificate_signed_id']}</a>
% endif
        </td><td>${o['next_step'] or ''}</td><td>${fmt(o['timestamp_created'])}</td></tr>
% endfor
  </tbody>
</table>
% else:
<p>No orders.</p>
% endif
${lib.pagination(pagination, 'admin:acme_orders')}
