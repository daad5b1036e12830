<%inherit file="/base.mako"/>
<%def name="title()">${operation.replace('_', ' ')}</%def>
<div class="alert alert-${'success' if result == 'success' else 'danger'}">Result: ${result}</div>
<table class="table table-sm w-auto">
% for key, value in context.kwargs.items():
%   if key not in ('result', 'operation', 'request', 'req', 'context', 'renderer_name', 'renderer_info', 'view', 'admin_prefix', 'environment', 'fmt'):
  <tr><th>${key}</th><td><pre class="pem">${value}</pre></td></tr>
%   endif
% endfor
</table>
<p><a href="${admin_prefix}/queue-domains">Domain queue</a> | <a href="${admin_prefix}/queue-certificates">Renewal queue</a></p>
