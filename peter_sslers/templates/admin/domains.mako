<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Domains</%def>
<p>Filter: <a href="?active=1">active</a> | <a href="?active=0">inactive</a> | <a href="?">all</a></p>
${lib.domain_table(domains)}
${lib.pagination(pagination, 'admin:domains')}
