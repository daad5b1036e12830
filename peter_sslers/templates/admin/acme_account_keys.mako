<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">ACME account keys</%def>
<ul>
% for k in acme_account_keys:
  <li><a href="${admin_prefix}/acme-account-key/${k['id']}">${k['id']}</a>: account <a href="${admin_prefix}/acme-account/${k['acme_account_id']}">${k['acme_account_id']}</a>, ${fmt(k['key_technology'])}, ${'active' if k['is_active'] else 'retired'}</li>
% endfor
</ul>
${lib.pagination(pagination, 'admin:acme_account_keys')}
