<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Operations log</%def>
% if operations_events:
<table class="table table-sm table-striped">
  <thead><tr><th>id</th><th>When</th><th>Event</th></tr></thead>
  <tbody>
% for e in operations_events:
    <tr><td><a href="${admin_prefix}/operations-event/${e['id']}">${e['id']}</a></td><td>${fmt(e['timestamp_event'])}</td>
        <td><a href="?event_type=${e['event_type']}">${e['event_type']}</a></td></tr>
% endfor
  </tbody>
</table>
% else:
<p>No operations recorded.</p>
% endif
${lib.pagination(pagination, 'admin:operations_events')}
