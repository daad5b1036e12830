<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<% e = acme_event_log %>
<%def name="title()">AcmeEventLog ${acme_event_log['id']}</%def>
<p><a href="${admin_prefix}/acme-event-logs">ACME event log</a> &gt; ${e['id']}</p>
${lib.kv_table([("When", e['timestamp_event']), ("Event", e['acme_event']), ("Result", e['result']), ("Request", (e['method'] or '') + ' ' + (e['url'] or '')), ("Status", e['status_code']), ("Problem", e['problem_type']), ("Error", e['error_text']), ("Elapsed ms", e['elapsed_ms']), ("Server", e['acme_server_id']), ("Account", e['acme_account_id']), ("Order", e['acme_order_id']), ("Authorization", e['acme_authorization_id']), ("Challenge", e['acme_challenge_id'])])}
<h2>Request payload</h2>
<pre class="pem">${e['request_json'] or ''}</pre>
<h2>Response</h2>
<pre class="pem">${e['response_json'] or ''}</pre>
