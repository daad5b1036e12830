<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% c = acme_challenge %>
<%def name="title()">AcmeChallenge ${acme_challenge['id']}</%def>
<p><a href="${admin_prefix}/acme-challenges">ACME challenges</a> &gt; ${c['id']}</p>
${lib.kv_table([("Type", c['challenge_type']), ("Status", c['status']), ("Token", c['token']), ("Key authorization", c['keyauthorization']), ("URL", c['challenge_url']), ("Polls", c['count_polls']), ("Updated", c['timestamp_updated'])])}
% if c['acme_authorization_id']:
<p>Authorization: <a href="${admin_prefix}/acme-authorization/${c['acme_authorization_id']}">${c['acme_authorization_id']}</a></p>
% endif
<h2>Requests for this challenge</h2>
<ul>
% for p in polls:
  <li>${fmt(p['timestamp_polled'])} from ${p['remote_ip_address']}</li>
% endfor
</ul>
