<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Unique FQDN sets</%def>
${lib.set_table(unique_fqdn_sets)}
${lib.pagination(pagination, 'admin:unique_fqdn_sets')}
