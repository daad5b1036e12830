<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% a = acme_authorization %>
<%def name="title()">AcmeAuthorization ${acme_authorization['id']}</%def>
<p><a href="${admin_prefix}/acme-authorizations">ACME authorizations</a> &gt; ${a['id']}</p>
${lib.kv_table([("Name", a['domain_name']), ("Status", a['status']), ("Wildcard", a['is_wildcard']), ("URL", a['authorization_url']), ("Expires", a['timestamp_expires']), ("Updated", a['timestamp_updated']), ("Deactivated", a['timestamp_deactivated'])])}
<p>Orders:
% for i in acme_order_ids:
  <a href="${admin_prefix}/acme-order/${i}">${i}</a>
% endfor
</p>
<h2>Challenges</h2>
<ul>
% for c in acme_challenges:
  <li><a href="${admin_prefix}/acme-challenge/${c['id']}">${c['id']}</a> ${fmt(c['challenge_type'])} ${fmt(c['status'])}</li>
% endfor
</ul>
