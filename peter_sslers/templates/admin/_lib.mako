<%doc>Building blocks for admin pages: notices, key/value tables, listings, pagination, forms.</%doc>

<%def name="notice()">
% if request.params.get('result') == 'success' and request.params.get('operation'):
<div class="alert alert-success" role="status">Done: ${request.params['operation']}</div>
% endif
</%def>

<%def name="kv_table(rows)">
<table class="table table-sm w-auto">
  <tbody>
  % for label, value in rows:
    <tr><th scope="row">${label}</th><td>${fmt(value)}</td></tr>
  % endfor
  </tbody>
</table>
</%def>

<%def name="pagination(pager, route_name, **kw)">
% if pager['pages'] > 1:
<nav aria-label="pages"><p>Page ${pager['page']} of ${pager['pages']} (${pager['total']} in all).
%   if pager['page'] > 1:
  <a href="${request.route_path(route_name, _query=dict(request.GET, page=pager['page'] - 1), **kw)}">Previous page</a>
%   endif
%   if pager['page'] < pager['pages']:
  <a href="${request.route_path(route_name, _query=dict(request.GET, page=pager['page'] + 1), **kw)}">Next page</a>
%   endif
</p></nav>
% else:
<p>${pager['total']} in all.</p>
% endif
</%def>

<%def name="post_form(action, label, fields=None, button_class='btn-primary')">
<form method="POST" action="${action}" class="d-inline">${csrf_input()}
% for name, value in (fields or {}).items():
  <input type="hidden" name="${name}" value="${value}">
% endfor
  <button type="submit" class="btn btn-sm ${button_class}">${label}</button>
</form>
</%def>

<%def name="downloads(base, names)">
<p>Download:
% for name in names:
  <a class="btn btn-sm btn-outline-secondary" href="${base}/${name}">${name}</a>
% endfor
</p>
</%def>

<%def name="json_note(path)">
<p class="text-muted small">JSON: <code>${path}</code></p>
</%def>

<%def name="cert_table(certs)">
% if certs:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Not after</th><th>Active</th><th>Single</th><th>Serial</th><th>Subject</th></tr></thead>
  <tbody>
  % for c in certs:
    <tr>
      <td><a href="${admin_prefix}/certificate-signed/${c['id']}">${c['id']}</a></td>
      <td>${fmt(c['timestamp_not_after'])}</td>
      <td>${'revoked' if c['is_revoked'] else fmt(c['is_active'])}</td>
      <td>${fmt(c['is_single_domain'])}</td>
      <td><code>${c['serial']}</code></td>
      <td>${c['cert_subject']}</td>
    </tr>
  % endfor
  </tbody>
</table>
% else:
<p>No certificates.</p>
% endif
</%def>

<%def name="domain_table(domains)">
% if domains:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Domain</th><th>Active</th><th>Latest single</th><th>Latest multi</th></tr></thead>
  <tbody>
  % for d in domains:
    <tr>
      <td><a href="${admin_prefix}/domain/${d['id']}">${d['id']}</a></td>
      <td><a href="${admin_prefix}/domain/${d['id']}">${d['domain_name']}</a></td>
      <td>${fmt(d['is_active'])}</td>
      <td>
      % if d['certificate_signed_id__latest_single']:
        <a href="${admin_prefix}/certificate-signed/${d['certificate_signed_id__latest_single']}">${d['certificate_signed_id__latest_single']}</a>
      % endif
      </td>
      <td>
      % if d['certificate_signed_id__latest_multi']:
        <a href="${admin_prefix}/certificate-signed/${d['certificate_signed_id__latest_multi']}">${d['certificate_signed_id__latest_multi']}</a>
      % endif
      </td>
    </tr>
  % endfor
  </tbody>
</table>
% else:
<p>No domains.</p>
% endif
</%def>

<%def name="set_table(sets)">
% if sets:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Names</th><th>Domains</th></tr></thead>
  <tbody>
  % for s in sets:
    <tr>
      <td><a href="${admin_prefix}/unique-fqdn-set/${s['id']}">${s['id']}</a></td>
      <td>${s['count_domains']}</td>
      <td>${', '.join(s.get('domain_names', []))}</td>
    </tr>
  % endfor
  </tbody>
</table>
% else:
<p>No unique FQDN sets.</p>
% endif
</%def>

<%def name="order_table(orders)">
% if orders:
<table class="table table-sm">
  <thead><tr><th>id</th><th>Status</th><th>Type</th><th>Account</th><th>Created</th></tr></thead>
  <tbody>
  % for o in orders:
    <tr><td>${o['id']}</td><td>${fmt(o['status'])}</td><td>${fmt(o['order_type'])}</td>
        <td><a href="${admin_prefix}/acme-account/${o['acme_account_id']}">${o['acme_account_id']}</a></td>
        <td>${fmt(o['timestamp_created'])}</td></tr>
  % endfor
  </tbody>
</table>
% else:
<p>No ACME orders.</p>
% endif
</%def>

<%def name="cache_parts(parts)">
## the "redis" / "nginx" parts of an operation's answer (write-through, expiry), if any
% for name in ('redis', 'nginx'):
%   if parts.get(name):
<% part = parts[name] %>
<div class="alert ${'alert-info' if part.get('result') == 'success' else 'alert-warning'}" role="status">
  ${name.capitalize()}: ${part.get('result')}\
%     if part.get('domains') is not None:
, ${part.get('domains')} domains\
%     endif
%     if part.get('error'):
: ${part.get('error')}\
%     endif
.
</div>
%   endif
% endfor
</%def>
