<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Unique FQDN set ${unique_fqdn_set['id']}</%def>
<p><a href="${admin_prefix}/unique-fqdn-sets">Unique FQDN sets</a> &gt; ${unique_fqdn_set['id']}</p>
${lib.kv_table([("id", unique_fqdn_set['id']), ("Names", unique_fqdn_set['count_domains']), ("Created", unique_fqdn_set['timestamp_created'])])}
<h2>Domains</h2>
${lib.domain_table(domains)}
<h2>Certificates</h2>
${lib.cert_table(certificates_signed)}
<h2>ACME orders</h2>
${lib.order_table(acme_orders)}
