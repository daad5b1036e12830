<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Certificate requests</%def>
<p><a href="${admin_prefix}/certificate-request/upload">Upload a CSR</a></p>
<ul>
% for c in certificate_requests:
  <li><a href="${admin_prefix}/certificate-request/${c['id']}">${c['id']}</a>: ${', '.join(c['domain_names'])} (${fmt(c['source'])}, ${fmt(c['timestamp_created'])})</li>
% endfor
</ul>
${lib.pagination(pagination, 'admin:certificate_requests')}
