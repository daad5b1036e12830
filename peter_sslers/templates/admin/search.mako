<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Search</%def>
<form method="GET" action="${request.path}">
  <label>Domain (or prefix*), serial, SHA-1/SHA-256 fingerprint or SPKI SHA-256
    <input type="text" name="q" value="${q}" size="70"></label>
  <button type="submit" class="btn btn-sm btn-primary">Search</button>
</form>
% if result == 'success':
<h2>Domains</h2>
${lib.domain_table(context.get('domains'))}
<h2>Certificates</h2>
${lib.cert_table(context.get('certificates_signed'))}
<h2>Private keys</h2>
<ul>
% for k in context.get('private_keys'):
  <li><a href="${admin_prefix}/private-key/${k['id']}">${k['id']}</a> ${fmt(k['key_technology'])}</li>
% endfor
</ul>
<h2>CA certificates</h2>
<ul>
% for c in context.get('certificate_cas'):
  <li><a href="${admin_prefix}/certificate-ca/${c['id']}">${c['id']}</a> ${c['display_name']}</li>
% endfor
</ul>
% endif
