<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">ACME authorizations</%def>
<p>Filter: <a href="?status=pending">pending</a> | <a href="?status=valid">valid</a> | <a href="?">all</a></p>
<ul>
% for a in acme_authorizations:
  <li><a href="${admin_prefix}/acme-authorization/${a['id']}">${a['id']}</a>: ${a['domain_name']} ${fmt(a['status'])}</li>
% endfor
</ul>
${lib.pagination(pagination, 'admin:acme_authorizations')}
