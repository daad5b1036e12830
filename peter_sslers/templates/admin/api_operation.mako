<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">${operation}</%def>
<p>${instructions}</p>
% if result == 'success':
<div class="alert alert-success" role="status">Done.
% for key in ('domains_updated', 'certificates_deactivated', 'reconciled', 'failed'):
%   if key in context.keys():
  ${key.replace('_', ' ')}: ${context.get(key)}.
%   endif
% endfor
</div>
${lib.cache_parts({name: context.get(name) for name in ('redis', 'nginx')})}
% if context.get('results'):
<ul>
% for r in context.get('results'):
  <li>CertificateCA ${r['certificate_ca_id']} from <code>${r['uri']}</code>: ${r['result']} ${r.get('error', '')}</li>
% endfor
</ul>
% endif
% endif
<form method="POST" action="${request.path}">${csrf_input()}<button type="submit" class="btn btn-primary">Run ${operation}</button></form>
<p class="text-muted small">From the command line: <code>prequest -m POST example_development.ini ${request.path}.json</code></p>
