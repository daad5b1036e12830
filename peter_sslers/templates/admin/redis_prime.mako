<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">Redis prime</%def>
<p><a href="${admin_prefix}/api">API</a> &gt; Redis prime</p>
<p>${instructions}</p>
${lib.kv_table([(k, 'not set' if v is None else v) for k, v in redis_config.items()])}
% if not redis_config['redis.url']:
<div class="alert alert-warning" role="status">Redis is not configured: set <code>redis.url</code> in the ini file.</div>
% endif
% if result == 'success':
<div class="alert alert-success" role="status">Done in ${context.get('seconds')} s.</div>
${lib.kv_table([(key.replace('_', ' ').capitalize(), context.get(key)) for key in ('prime_style', 'domains_primed', 'domains_skipped', 'certificates_written', 'private_keys_written', 'chains_written', 'batches', 'seconds')])}
<p class="text-muted small">Skipped: active domains with no usable (active, unrevoked) certificate.
  Style 2 counts the certificates, keys and chains written inside the <code>d2:</code> hashes.</p>
% endif
<form method="POST" action="${request.route_path('admin:api:redis_prime')}">${csrf_input()}<button type="submit" class="btn btn-primary">Prime Redis</button></form>
<p class="text-muted small">From the command line: <code>curl -X POST ${request.route_url('admin:api:redis_prime|json')}</code></p>
