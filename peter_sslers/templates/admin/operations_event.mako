<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% e = operations_event %>
<%def name="title()">OperationsEvent ${operations_event['id']}</%def>
<p><a href="${admin_prefix}/operations-events">Operations log</a> &gt; ${e['id']}</p>
${lib.kv_table([("When", e['timestamp_event']), ("Event", e['event_type'])])}
<pre class="pem">${e['payload']}</pre>
<h2>Objects</h2>
<ul>
% for o in objects:
  <li>${o['object_type']} ${o['object_id']}: ${o['event_status']}</li>
% endfor
</ul>
