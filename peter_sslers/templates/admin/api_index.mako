<%inherit file="/base.mako"/>
<%def name="title()">API</%def>
<%
    areas = {}
    for route in routes:
        areas.setdefault(route['area'], []).append(route)
%>
<p>Every admin page has a <code>.json</code> twin; ${count} JSON routes in all, listed below by area.
POST-only routes answer GET with instructions and their form fields. Errors are
<code>{"result": "error", "status": ..., "error": ..., "form_errors": {...}}</code> with a 4xx status.</p>
<p>Machine-readable: <a href="${openapi}">OpenAPI document (openapi.json)</a>.</p>
<nav aria-label="API areas"><p>Areas:
% for area in areas:
  <a href="#area-${area}">${area}</a>${'' if loop.last else ','}
% endfor
</p></nav>
% for area, members in areas.items():
<section class="mb-4" id="area-${area}">
<h2>${area} (${len(members)})</h2>
%   for route in members:
<article class="mb-3">
<h3 class="h6"><code>${' '.join(route['methods']) or 'no view'} ${route['path']}</code></h3>
%     if route['instructions']:
<p>${route['instructions']}</p>
%     endif
<ul class="list-unstyled small mb-1">
  <li>Route: <code>${route['name']}</code></li>
%     for param in route['path_parameters']:
  <li>Path parameter <code>${param['name']}</code>: ${param['type']}${(' (' + ', '.join(param['enum']) + ')') if param.get('enum') else ''}</li>
%     endfor
%     for name, text in route['query_parameters'].items():
  <li>Query parameter <code>${name}</code>: ${text}</li>
%     endfor
%     for name, text in route['form_fields'].items():
  <li>Form field <code>${name}</code>: ${text}</li>
%     endfor
</ul>
<p class="small mb-0">Example: <code>${route['example']}</code></p>
</article>
%   endfor
</section>
% endfor
% if file_routes:
<section class="mb-4" id="downloads">
<h2>Downloads (${len(file_routes)})</h2>
<ul class="small">
%   for route in file_routes:
  <li><code>${' '.join(route['methods'])} ${route['path']}</code>
%     for param in route['path_parameters']:
%       if param.get('enum'):
    (<code>${param['name']}</code>: ${', '.join(param['enum'])})
%       endif
%     endfor
  </li>
%   endfor
</ul>
</section>
% endif
