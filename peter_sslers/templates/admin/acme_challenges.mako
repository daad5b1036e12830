<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">ACME challenges</%def>
<ul>
% for c in acme_challenges:
  <li><a href="${admin_prefix}/acme-challenge/${c['id']}">${c['id']}</a> ${fmt(c['challenge_type'])} ${fmt(c['status'])} polls: ${c['count_polls']}</li>
% endfor
</ul>
${lib.pagination(pagination, 'admin:acme_challenges')}
