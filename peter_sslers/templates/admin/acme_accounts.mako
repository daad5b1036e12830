<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">ACME accounts</%def>
<p><a href="${admin_prefix}/acme-account/new">New account</a> | <a href="${admin_prefix}/acme-account/upload">Upload an account</a> | <a href="${admin_prefix}/acme-account-keys">Account keys</a> | <a href="${admin_prefix}/acme-servers">ACME servers</a></p>
% if acme_accounts:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>Contact</th><th>Server</th><th>Status</th><th>Active</th><th>Account URL</th></tr></thead>
  <tbody>
% for a in acme_accounts:
    <tr><td><a href="${admin_prefix}/acme-account/${a['id']}">${a['id']}</a></td><td>${a['contact'] or ''}</td>
        <td>${a['acme_server_id']}</td><td>${fmt(a['status'])}</td><td>${fmt(a['is_active'])}</td><td>${a['account_url'] or ''}</td></tr>
% endfor
  </tbody>
</table>
% else:
<p>No ACME accounts.</p>
% endif
${lib.pagination(pagination, 'admin:acme_accounts')}
