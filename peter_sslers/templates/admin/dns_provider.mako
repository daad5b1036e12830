<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% p = dns_provider %>
<%def name="title()">DNS provider ${dns_provider['name']}</%def>
<p><a href="${admin_prefix}/dns-providers">DNS providers</a> &gt; ${p['id']}</p>
${lib.notice()}
${lib.kv_table([("Name", p['name']), ("Type", p['provider_type']), ("Active", p['is_active']), ("Created", p['timestamp_created'])] + [("config: " + k, v) for k, v in p['config'].items()])}
${lib.post_form(admin_prefix + '/dns-provider/' + p['id'] + '/mark', 'Deactivate' if p['is_active'] else 'Activate', {'action': 'inactive' if p['is_active'] else 'active'}, 'btn-secondary')}
