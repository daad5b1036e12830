<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">CA chains</%def>
<p><a href="${admin_prefix}/certificate-ca-chain/upload-chain">Upload a chain</a></p>
<ul>
% for ch in certificate_ca_chains:
  <li><a href="${admin_prefix}/certificate-ca-chain/${ch['id']}">${ch['id']}</a>: ${ch['display_name']} (${ch['chain_length']} certificates)</li>
% endfor
</ul>
${lib.pagination(pagination, 'admin:certificate_ca_chains')}
