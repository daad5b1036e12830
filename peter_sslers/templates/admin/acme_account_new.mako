<%inherit file="/base.mako"/>
<%def name="title()">New ACME account</%def>
<p>${instructions}</p>
<form method="POST" action="${request.path}">${csrf_input()}
  <div class="mb-2"><label class="form-label" for="acme_server_id">ACME server</label>
    <select class="form-select" id="acme_server_id" name="acme_server_id">
% for s in acme_servers:
      <option value="${s['id']}" ${'selected' if s['is_default'] else ''}>${s['name']} (${s['directory_url']})</option>
% endfor
    </select></div>
  <div class="mb-2"><label class="form-label" for="contact">Contact email</label>
    <input class="form-control" type="email" id="contact" name="contact"></div>
  <div class="mb-2"><label class="form-label" for="key_technology">Account key</label>
    <select class="form-select" id="key_technology" name="key_technology">
% for t in ('EC_P256', 'EC_P384', 'RSA_2048', 'RSA_3072', 'RSA_4096'):
      <option value="${t}">${t}</option>
% endfor
    </select></div>
  <div class="mb-2"><label class="form-label" for="private_key_cycle">Orders: private key cycling</label>
    <select class="form-select" id="private_key_cycle" name="private_key_cycle">
% for c in ('single_certificate', 'account_daily', 'account_weekly', 'global_daily', 'global_weekly'):
      <option value="${c}">${c}</option>
% endfor
    </select></div>
  <div class="mb-2"><label class="form-label" for="private_key_technology">Orders: key technology</label>
    <select class="form-select" id="private_key_technology" name="private_key_technology">
% for t in ('RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_P256', 'EC_P384'):
      <option value="${t}">${t}</option>
% endfor
    </select></div>
  <div class="mb-2"><label class="form-label" for="eab_kid">EAB key id (if the server needs one)</label>
    <input class="form-control" type="text" id="eab_kid" name="eab_kid">
    <label class="form-label" for="eab_hmac_key">EAB HMAC key</label>
    <input class="form-control" type="text" id="eab_hmac_key" name="eab_hmac_key"></div>
  <div class="form-check mb-2"><input class="form-check-input" type="checkbox" id="tos_agreed" name="tos_agreed" value="1">
    <label class="form-check-label" for="tos_agreed">I agree to the server's terms of service</label></div>
  <button type="submit" class="btn btn-primary">Create and register</button>
</form>
<p class="text-muted small">JSON: POST to <code>${request.path}.json</code> with the fields: ${', '.join(form_fields)}</p>
