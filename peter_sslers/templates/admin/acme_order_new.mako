<%inherit file="/base.mako"/>
<%def name="title()">New ACME order</%def>
<p>${instructions}</p>
% if not acme_accounts:
<p class="alert alert-warning">No active ACME account: <a href="${admin_prefix}/acme-account/new">create one</a> first.</p>
% endif
<form method="POST" action="${request.path}" enctype="multipart/form-data">${csrf_input()}
  <div class="mb-2"><label class="form-label" for="acme_account_id">ACME account</label>
    <select class="form-select" id="acme_account_id" name="acme_account_id">
% for a in acme_accounts:
      <option value="${a['id']}">${a['id']}: ${a['contact'] or '(no contact)'} on server ${a['acme_server_id']}</option>
% endfor
    </select></div>
  <div class="mb-2"><label class="form-label" for="domain_names_http01">Names validated with http-01</label>
    <textarea class="form-control" id="domain_names_http01" name="domain_names_http01" rows="3"></textarea></div>
  <div class="mb-2"><label class="form-label" for="domain_names_dns01">Names validated with dns-01 (wildcards go here)</label>
    <textarea class="form-control" id="domain_names_dns01" name="domain_names_dns01" rows="2"></textarea></div>
  <div class="mb-2"><label class="form-label" for="dns_provider_id">DNS provider (for dns-01)</label>
    <select class="form-select" id="dns_provider_id" name="dns_provider_id"><option value="">none</option>
% for p in dns_providers:
      <option value="${p['id']}">${p['name']} (${p['provider_type']})</option>
% endfor
    </select></div>
  <fieldset class="mb-2"><legend class="fs-6">Private key</legend>
% for value, label in (('account_default', "the account's default strategy"), ('generate', 'generate by a strategy'), ('existing', 'an existing key'), ('upload', 'upload a key')):
    <div class="form-check"><input class="form-check-input" type="radio" name="private_key_option" id="pk_${value}" value="${value}" ${'checked' if value == 'account_default' else ''}>
      <label class="form-check-label" for="pk_${value}">${label}</label></div>
% endfor
    <label class="form-label" for="private_key_cycle">Strategy (with generate)</label>
    <select class="form-select" id="private_key_cycle" name="private_key_cycle">
% for c in ('single_certificate', 'account_daily', 'account_weekly', 'global_daily', 'global_weekly'):
      <option value="${c}">${c}</option>
% endfor
    </select>
    <label class="form-label" for="private_key_technology">Key technology</label>
    <select class="form-select" id="private_key_technology" name="private_key_technology"><option value="">the account's default</option>
% for t in ('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384'):
      <option value="${t}">${t}</option>
% endfor
    </select>
    <label class="form-label" for="private_key_id">Existing key id</label>
    <input class="form-control" type="text" id="private_key_id" name="private_key_id">
    <label class="form-label" for="private_key_file">Key file (PEM)</label>
    <input class="form-control" type="file" id="private_key_file" name="private_key_file">
  </fieldset>
  <fieldset class="mb-2"><legend class="fs-6">Processing</legend>
% for value, label in (('process_single', 'process in a single request'), ('process_multi', 'process in multiple requests'), ('create_order', 'create the order only')):
    <div class="form-check"><input class="form-check-input" type="radio" name="processing_strategy" id="ps_${value}" value="${value}" ${'checked' if value == 'process_single' else ''}>
      <label class="form-check-label" for="ps_${value}">${label}</label></div>
% endfor
  </fieldset>
  <div class="mb-2"><label class="form-label" for="profile">Profile (if the server offers profiles)</label>
    <input class="form-control" type="text" id="profile" name="profile"></div>
  <div class="form-check mb-2"><input class="form-check-input" type="checkbox" id="precheck" name="precheck" value="1">
    <label class="form-check-label" for="precheck">Pre-check challenges before the server validates</label></div>
  <div class="mb-2"><label class="form-label" for="note">Note</label>
    <input class="form-control" type="text" id="note" name="note"></div>
  <button type="submit" class="btn btn-primary">Create order</button>
</form>
<p class="text-muted small">JSON: POST to <code>${request.path}.json</code>; fields: ${', '.join(form_fields)}</p>
