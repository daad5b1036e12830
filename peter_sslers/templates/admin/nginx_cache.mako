<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%!
TITLES = {'nginx-cache-flush': 'nginx cache flush', 'nginx-status': 'nginx cache status', 'nginx-cache-expire': 'nginx cache expire'}
%>
<%def name="title()">${TITLES[operation]}${(': ' + context.get('target')['label']) if context.get('target') else ''}</%def>
<% target = context.get('target') %>
<p><a href="${admin_prefix}/api">API</a> &gt; ${TITLES[operation]}
% if target:
  &gt; <a href="${target['url']}">${target['label']}</a>
% endif
</p>
<p>${instructions}</p>
${lib.kv_table([(k, ', '.join(v) if isinstance(v, list) else v) for k, v in nginx_config.items()])}
% if not nginx_config['nginx.servers_pool']:
<div class="alert alert-warning" role="status">No nginx server is configured: set <code>nginx.servers_pool</code> in the ini file.</div>
% endif
% if result != 'instructions':
<% status = context.get('servers_status') %>
<div class="alert ${'alert-success' if result == 'success' else ('alert-warning' if result == 'partial' else 'alert-danger')}" role="status">
  Result: ${result}. ${len(status['success'])} of ${len(status['servers'])} servers answered with success.
</div>
<table class="table table-sm">
  <thead><tr><th>Server</th><th>Result</th><th>Detail</th></tr></thead>
  <tbody>
% for server, answer in status['servers'].items():
    <tr>
      <td><code>${server}</code></td>
      <td>${answer.get('result')}</td>
      <td>
%   if answer.get('error'):
        <span class="text-danger">${answer['error']}</span>
%   endif
%   if isinstance(answer.get('keys'), dict):
%     for kind in ('valid', 'invalid', 'autocert'):
        <div>${kind}: ${len(answer['keys'].get(kind) or [])} ${', '.join(answer['keys'].get(kind) or [])}</div>
%     endfor
%   endif
%   if isinstance(answer.get('domains'), dict):
%     for name, one in answer['domains'].items():
        <div><code>${name}</code>: ${one.get('result')} ${one.get('error', '')}</div>
%     endfor
%   elif answer.get('expired'):
        expired: ${answer['expired']}
%   endif
%   if answer.get('server_version'):
        <div class="text-muted small">${answer.get('server')} ${answer['server_version']}</div>
%   endif
      </td>
    </tr>
% endfor
  </tbody>
</table>
% endif
% if operation == 'nginx-status':
<form method="POST" action="${request.path}">${csrf_input()}<button type="submit" class="btn btn-secondary">Refresh</button></form>
% else:
<form method="POST" action="${request.path}">${csrf_input()}<button type="submit" class="btn btn-primary">${TITLES[operation].capitalize()}</button></form>
% endif
<p class="text-muted small">JSON: POST to <code>${request.path}.json</code>; the answer's <code>result</code> is success (every server), partial or error (none), with one entry per server.</p>
