<%inherit file="/base.mako"/>
<%namespace name="lib" file="/admin/_lib.mako"/>
<%def name="title()">CA preference list</%def>
${lib.notice()}
<p>${instructions}</p>
% if preferences:
<table class="table table-sm">
  <thead><tr><th>Slot</th><th>CA certificate</th><th>SHA-1</th><th>Move</th></tr></thead>
  <tbody>
% for p in preferences:
    <tr><td>${p['slot']}</td>
        <td><a href="${admin_prefix}/certificate-ca/${p['certificate_ca']['id']}">${p['certificate_ca']['display_name']}</a></td>
        <td><code>${p['certificate_ca']['fingerprint_sha1']}</code></td>
        <td>${lib.post_form(request.path, 'Up', {'action': 'up', 'certificate_ca_id': p['certificate_ca']['id']}, 'btn-secondary')}
            ${lib.post_form(request.path, 'Down', {'action': 'down', 'certificate_ca_id': p['certificate_ca']['id']}, 'btn-secondary')}
            ${lib.post_form(request.path, 'Remove', {'action': 'delete', 'certificate_ca_id': p['certificate_ca']['id']}, 'btn-warning')}</td></tr>
% endfor
  </tbody>
</table>
% else:
<p>The list is empty: each certificate's default chain is the one its ACME server marked default.</p>
% endif
<h2>Add a CA</h2>
<form method="POST" action="${request.path}">${csrf_input()}
  <input type="hidden" name="action" value="add">
  <label>CertificateCA id <input type="text" name="certificate_ca_id" size="6"></label>
  <label>or SHA-1 fingerprint <input type="text" name="fingerprint_sha1" size="42"></label>
  <button type="submit" class="btn btn-sm btn-primary">Add</button>
</form>
