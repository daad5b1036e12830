<%doc>The shared layout: Bootstrap served locally, a plain navigation that reads well in Lynx.</%doc>
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${self.title()} - peter_sslers</title>
% if request.registry["app_settings"].enable_views_admin:
<link rel="stylesheet" href="${admin_prefix}/static/bootstrap/css/bootstrap.min.css">
<link rel="stylesheet" href="${admin_prefix}/static/app/app.css">
% endif
</head>
<body>
<header class="navbar navbar-expand bg-dark navbar-dark mb-3 px-3">
  <a class="navbar-brand" href="${admin_prefix}/">peter_sslers</a>
  <span class="badge bg-secondary">${environment}</span>
% if request.registry["app_settings"].enable_views_admin:
  <nav>
    <ul class="navbar-nav">
      <li class="nav-item"><a class="nav-link" href="${admin_prefix}/">Dashboard</a></li>
      <li class="nav-item"><a class="nav-link" href="${admin_prefix}/settings">Settings</a></li>
      <li class="nav-item"><a class="nav-link" href="${admin_prefix}/help">Help</a></li>
    </ul>
  </nav>
% endif
</header>
<main class="container-fluid px-4">
<h1>${self.title()}</h1>
${next.body()}
</main>
<footer class="container-fluid px-4 mt-4 text-muted small">
  <p>JSON: ${request.path_url | h}${'' if request.path.endswith('.json') else ('index.json' if request.path.endswith('/') else '.json')}</p>
</footer>
</body>
</html>
<%def name="title()">peter_sslers</%def>
