<%inherit file="/base.mako"/>
<%def name="title()">DNS providers</%def>
<p><a href="${admin_prefix}/dns-provider/new">Add a DNS provider</a></p>
% if dns_providers:
<ul>
% for p in dns_providers:
  <li><a href="${admin_prefix}/dns-provider/${p['id']}">${p['name']}</a> (${p['provider_type']}) ${'active' if p['is_active'] else 'inactive'}</li>
% endfor
</ul>
% else:
<p>No DNS providers: dns-01 challenges need one.</p>
% endif
