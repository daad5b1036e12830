<%inherit file="/base.mako"/>
<%def name="title()">Process the renewal queue</%def>
<%def name="head_extra()">
% if refresh_url:
<meta http-equiv="refresh" content="1;url=${refresh_url}">
% endif
</%def>
% if result == 'instructions':
<p>Each press renews one queued certificate; the page then reloads itself until the queue is empty.</p>
% else:
<h2>Processed</h2>
<ul>
%   for item in processed:
  <li>Item ${item['id']}: ${item['result']} ${item.get('error', '')}
%     if item.get('certificate_signed_id'):
    <a href="${admin_prefix}/certificate-signed/${item['certificate_signed_id']}">certificate ${item['certificate_signed_id']}</a>
%     endif
  </li>
%   endfor
</ul>
%   if not processed:
<p>Nothing was due.</p>
%   endif
<p>${remaining} item(s) remain${' — continuing…' if refresh_url else '.'}</p>
% endif
<form method="POST" action="${request.path}">${csrf_input()}<button type="submit" class="btn btn-primary">Process one item</button></form>
<p><a href="${request.path}?continue=1">Process until the queue is empty</a> (reloads itself)</p>
<p class="text-muted small">cron: <code>prequest -m POST CONFIG.ini ${request.path}.json</code> (add <code>?limit=N</code> for a worker batch)</p>
