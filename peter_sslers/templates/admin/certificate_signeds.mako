<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Certificates signed: ${state}</%def>
<p>Show:
% for s in ('all', 'active', 'expiring', 'expired', 'inactive'):
  <a href="?state=${s}">${s}</a>${'' if loop.last else ' |'}
% endfor
  | <a href="${admin_prefix}/certificate-signed/upload">Upload a certificate</a></p>
% if state == 'expiring':
<form method="GET"><input type="hidden" name="state" value="expiring">
  <label>Expiring within <input type="number" name="days" value="${days}" min="1" size="4"> days</label>
  <button type="submit" class="btn btn-sm btn-secondary">Show</button></form>
% endif
${lib.cert_table(certificates_signed)}
${lib.pagination(pagination, 'admin:certificate_signeds')}
