<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%! from peter_sslers.lib import charts %>
<%def name="title()">Domain ${domain['domain_name']}</%def>
<p><a href="${admin_prefix}/domains">Domains</a> &gt; ${domain['domain_name']}</p>
${lib.notice()}
${lib.kv_table([("id", domain['id']), ("Name", domain['domain_name']), ("Active", domain['is_active']), ("Latest single-name certificate", domain['certificate_signed_id__latest_single']), ("Latest multi-name certificate", domain['certificate_signed_id__latest_multi']), ("Created", domain['timestamp_created'])])}
<h2>Actions</h2>
% if domain['is_active']:
${lib.post_form(admin_prefix + '/domain/' + domain['id'] + '/mark', 'Deactivate', {'action': 'inactive'}, 'btn-warning')}
% else:
${lib.post_form(admin_prefix + '/domain/' + domain['id'] + '/mark', 'Activate', {'action': 'active'})}
% endif
<p>nginx payload: <a href="${admin_prefix}/domain/${domain['id']}/config.json">config.json</a> (<a href="${admin_prefix}/domain/${domain['id']}/config.json?idonly=1">ids only</a>)</p>
<h2>Certificates</h2>
% if certificates_signed:
<figure class="mb-2">
${charts.certificate_timeline(certificates_signed) | n}
<figcaption class="text-muted small">Validity of this domain's certificates, newest first; the dashed line is today.</figcaption>
</figure>
<h3 class="h6">Validity periods</h3>
<ul class="small">
%   for c in certificates_signed[:20]:
  <li><a href="${admin_prefix}/certificate-signed/${c['id']}">Certificate ${c['id']}</a>: ${c['timestamp_not_before'].strftime('%Y-%m-%d')} to ${c['timestamp_not_after'].strftime('%Y-%m-%d')} (${charts.certificate_state(c)})</li>
%   endfor
</ul>
% endif
${lib.cert_table(certificates_signed)}
<p><a href="${admin_prefix}/certificate-signeds?domain_id=${domain['id']}">All certificates for this domain</a></p>
<h2>Unique FQDN sets</h2>
${lib.set_table(unique_fqdn_sets)}
<h2>ACME orders</h2>
${lib.order_table(acme_orders)}
