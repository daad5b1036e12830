<%inherit file="/base.mako"/>
<%! from peter_sslers.lib import charts %>
<%def name="title()">Dashboard</%def>

<h2>Needs attention</h2>
% if attention:
<ul class="list-group mb-3">
  % for item in attention:
  <li class="list-group-item list-group-item-${item['level']}">${item['count']} ${item['message']}</li>
  % endfor
</ul>
% else:
<p>Nothing needs attention.</p>
% endif

<h2 id="expirations">Expirations in the next ${len(expirations_by_week)} weeks</h2>
<div class="row align-items-start">
<figure class="col-lg-8 mb-2">
${charts.expirations_histogram(expirations_by_week) | n}
<figcaption class="text-muted small">Active certificates by the week their validity ends (weeks start at midnight UTC).</figcaption>
</figure>
<div class="col-lg-4">
<table class="table table-sm table-striped w-auto small" aria-describedby="expirations">
  <thead><tr><th scope="col">Week starting</th><th scope="col">Certificates expiring</th></tr></thead>
  <tbody>
% for week in expirations_by_week:
    <tr><td>${week['week_start'].isoformat()}</td><td>${week['count']}</td></tr>
% endfor
  </tbody>
</table>
</div>
</div>

<h2>Counts</h2>
<table class="table table-sm table-striped w-auto">
  <thead><tr><th>What</th><th>Count</th></tr></thead>
  <tbody>
% for label, key in (("Domains", "domains"), ("Domains (active)", "domains_active"), ("Unique FQDN sets", "unique_fqdn_sets"), ("Certificates signed", "certificates_signed"), ("Certificates (active)", "certificates_active"), ("Active, expiring within 7 days", "certificates_expiring_7d"), ("Active, expiring within 30 days", "certificates_expiring_30d"), ("Active but expired", "certificates_expired_active"), ("CA certificates", "certificate_cas"), ("Certificate requests", "certificate_requests"), ("Private keys", "private_keys"), ("ACME accounts", "acme_accounts"), ("ACME orders", "acme_orders"), ("ACME orders (in progress)", "acme_orders_active"), ("ACME orders (invalid)", "acme_orders_invalid"), ("Domain queue", "queue_domains"), ("Renewal queue", "queue_certificates"), ("Renewal queue (failed)", "queue_certificates_failed")):
    <tr><td>${label}</td><td>${counts[key]}</td></tr>
% endfor
  </tbody>
</table>

<h2>Recent operations</h2>
% if recent_operations:
<table class="table table-sm">
  <thead><tr><th>id</th><th>When</th><th>Event</th></tr></thead>
  <tbody>
  % for event in recent_operations:
    <tr><td>${event['id']}</td><td>${event['timestamp_event'].strftime('%Y-%m-%d %H:%M:%S')}</td><td>${event['event_type']}</td></tr>
  % endfor
  </tbody>
</table>
% else:
<p>No operations recorded yet.</p>
% endif

<p class="text-muted small">peter_sslers ${version}</p>
