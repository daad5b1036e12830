<%doc>The shared layout: Bootstrap served locally, a plain navigation that reads well in Lynx.
Pages outside the admin prefix (public error pages) show nothing of the admin.</%doc>
<%
    in_admin = request.registry["app_settings"].enable_views_admin and (
        request.path == admin_prefix or request.path.startswith(admin_prefix + "/"))
%>
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${self.title()} - peter_sslers</title>
${self.head_extra()}
% if in_admin:
<link rel="stylesheet" href="${admin_prefix}/static/bootstrap/css/bootstrap.min.css">
<link rel="stylesheet" href="${admin_prefix}/static/app/app.css">
% endif
</head>
<body>
<header class="navbar navbar-expand bg-dark navbar-dark mb-3 px-3">
% if in_admin:
  <a class="navbar-brand" href="${admin_prefix}/">peter_sslers</a>
% else:
  <span class="navbar-brand">peter_sslers</span>
% endif
  <span class="badge bg-secondary">${environment}</span>
% if in_admin:
  <nav aria-label="areas">
    <ul class="navbar-nav flex-wrap">
% for path, label in (('/', 'Dashboard'), ('/domains', 'Domains'), ('/certificate-signeds', 'Certificates'), ('/acme-orders', 'Orders'), ('/acme-accounts', 'Accounts'), ('/private-keys', 'Keys'), ('/certificate-requests', 'CSRs'), ('/certificate-cas', 'CAs'), ('/unique-fqdn-sets', 'Sets'), ('/queue-domains', 'Domain queue'), ('/queue-certificates', 'Renewals'), ('/dns-providers', 'DNS'), ('/acme-event-logs', 'ACME log'), ('/operations-events', 'Operations'), ('/notifications', 'Notifications'), ('/search', 'Search'), ('/api', 'API'), ('/settings', 'Settings'), ('/help', 'Help')):
      <li class="nav-item"><a class="nav-link" href="${admin_prefix}${path}">${label}</a></li>
% endfor
    </ul>
  </nav>
% endif
</header>
<main class="container-fluid px-4">
<h1>${self.title()}</h1>
${next.body()}
</main>
<footer class="container-fluid px-4 mt-4 text-muted small">
% if in_admin:
  <p>JSON: ${request.path_url | h}${'' if request.path.endswith('.json') else ('index.json' if request.path.endswith('/') else '.json')}</p>
% endif
</footer>
</body>
</html>
<%def name="title()">peter_sslers</%def>
<%def name="head_extra()"></%def>
