<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">acme-flow</%def>
<p>Challenges of orders an external tool made; peter_sslers serves them on the public route.
 <a href="${admin_prefix}/acme-flow/new">New acme-flow</a></p>
<ul>
% for f in acme_flows:
  <li><a href="${admin_prefix}/acme-flow/${f['id']}">${f['id']}</a>: ${', '.join(c['domain_name'] for c in f['challenges'])} ${'' if f['is_active'] else '(deactivated)'}</li>
% endfor
</ul>
${lib.pagination(pagination, 'admin:acme_flows')}
