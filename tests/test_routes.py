"""The route table is asserted whole, and every registered route must be exercised by a test."""

from __future__ import annotations

import pytest
from pyramid.interfaces import IRoutesMapper

from tests import route_coverage

PREFIX = "/.well-known/admin"

EXPECTED_ROUTES = [
    ("public:acme_challenge", "/.well-known/acme-challenge/{token}"),
    ("public:whoami", "/.well-known/public/whoami"),
    ("admin:root", PREFIX),
    ("admin:dashboard|json", PREFIX + "/index.json"),
    ("admin:dashboard", PREFIX + "/"),
    ("admin:settings|json", PREFIX + "/settings.json"),
    ("admin:settings", PREFIX + "/settings"),
    ("admin:help|json", PREFIX + "/help.json"),
    ("admin:help", PREFIX + "/help"),
    ("admin:search|json", PREFIX + "/search.json"),
    ("admin:search", PREFIX + "/search"),
    ("admin:domains|json", PREFIX + "/domains.json"),
    ("admin:domains", PREFIX + "/domains"),
    ("admin:domain:focus|json", PREFIX + "/domain/{domain}.json"),
    ("admin:domain:focus", PREFIX + "/domain/{domain}"),
    ("admin:domain:config|json", PREFIX + "/domain/{domain}/config.json"),
    ("admin:domain:mark|json", PREFIX + "/domain/{domain}/mark.json"),
    ("admin:domain:mark", PREFIX + "/domain/{domain}/mark"),
    ("admin:unique_fqdn_sets|json", PREFIX + "/unique-fqdn-sets.json"),
    ("admin:unique_fqdn_sets", PREFIX + "/unique-fqdn-sets"),
    ("admin:unique_fqdn_set:focus|json", PREFIX + r"/unique-fqdn-set/{id:\d+}.json"),
    ("admin:unique_fqdn_set:focus", PREFIX + r"/unique-fqdn-set/{id:\d+}"),
    ("admin:certificate_signeds|json", PREFIX + "/certificate-signeds.json"),
    ("admin:certificate_signeds", PREFIX + "/certificate-signeds"),
    ("admin:certificate_signed:upload|json", PREFIX + "/certificate-signed/upload.json"),
    ("admin:certificate_signed:upload", PREFIX + "/certificate-signed/upload"),
    ("admin:certificate_signed:focus|json", PREFIX + r"/certificate-signed/{id:\d+}.json"),
    ("admin:certificate_signed:focus", PREFIX + r"/certificate-signed/{id:\d+}"),
    ("admin:certificate_signed:mark|json", PREFIX + r"/certificate-signed/{id:\d+}/mark.json"),
    ("admin:certificate_signed:mark", PREFIX + r"/certificate-signed/{id:\d+}/mark"),
    ("admin:certificate_signed:config|json", PREFIX + r"/certificate-signed/{id:\d+}/config.json"),
    ("admin:certificate_signed:config_zip", PREFIX + r"/certificate-signed/{id:\d+}/config.zip"),
    ("admin:certificate_signed:p12", PREFIX + r"/certificate-signed/{id:\d+}/cert.p12"),
    ("admin:certificate_signed:download", PREFIX + r"/certificate-signed/{id:\d+}/{filename:(cert|chain|fullchain|privkey)\.(pem|pem\.txt|cer|crt|der|key)}"),
    ("admin:certificate_signed:download_via_chain", PREFIX + r"/certificate-signed/{id:\d+}/via-certificate-ca-chain/{chain_id:\d+}/{filename:(chain|fullchain)\.(pem|pem\.txt)}"),
    ("admin:certificate_cas|json", PREFIX + "/certificate-cas.json"),
    ("admin:certificate_cas", PREFIX + "/certificate-cas"),
    ("admin:certificate_ca:upload_cert|json", PREFIX + "/certificate-ca/upload-cert.json"),
    ("admin:certificate_ca:upload_cert", PREFIX + "/certificate-ca/upload-cert"),
    ("admin:certificate_ca:preferences|json", PREFIX + "/certificate-ca/preferences.json"),
    ("admin:certificate_ca:preferences", PREFIX + "/certificate-ca/preferences"),
    ("admin:certificate_ca:focus|json", PREFIX + r"/certificate-ca/{id:\d+}.json"),
    ("admin:certificate_ca:focus", PREFIX + r"/certificate-ca/{id:\d+}"),
    ("admin:certificate_ca:download", PREFIX + r"/certificate-ca/{id:\d+}/{filename:cert\.(pem|pem\.txt|cer|crt|der)}"),
    ("admin:certificate_ca_chains|json", PREFIX + "/certificate-ca-chains.json"),
    ("admin:certificate_ca_chains", PREFIX + "/certificate-ca-chains"),
    ("admin:certificate_ca_chain:upload_chain|json", PREFIX + "/certificate-ca-chain/upload-chain.json"),
    ("admin:certificate_ca_chain:upload_chain", PREFIX + "/certificate-ca-chain/upload-chain"),
    ("admin:certificate_ca_chain:focus|json", PREFIX + r"/certificate-ca-chain/{id:\d+}.json"),
    ("admin:certificate_ca_chain:focus", PREFIX + r"/certificate-ca-chain/{id:\d+}"),
    ("admin:certificate_ca_chain:download", PREFIX + r"/certificate-ca-chain/{id:\d+}/{filename:chain\.(pem|pem\.txt)}"),
    ("admin:private_keys|json", PREFIX + "/private-keys.json"),
    ("admin:private_keys", PREFIX + "/private-keys"),
    ("admin:private_key:upload|json", PREFIX + "/private-key/upload.json"),
    ("admin:private_key:upload", PREFIX + "/private-key/upload"),
    ("admin:private_key:focus|json", PREFIX + r"/private-key/{id:\d+}.json"),
    ("admin:private_key:focus", PREFIX + r"/private-key/{id:\d+}"),
    ("admin:private_key:mark|json", PREFIX + r"/private-key/{id:\d+}/mark.json"),
    ("admin:private_key:mark", PREFIX + r"/private-key/{id:\d+}/mark"),
    ("admin:private_key:download", PREFIX + r"/private-key/{id:\d+}/{filename:key\.(pem|pem\.txt|key)}"),
    ("admin:certificate_requests|json", PREFIX + "/certificate-requests.json"),
    ("admin:certificate_requests", PREFIX + "/certificate-requests"),
    ("admin:certificate_request:upload|json", PREFIX + "/certificate-request/upload.json"),
    ("admin:certificate_request:upload", PREFIX + "/certificate-request/upload"),
    ("admin:certificate_request:focus|json", PREFIX + r"/certificate-request/{id:\d+}.json"),
    ("admin:certificate_request:focus", PREFIX + r"/certificate-request/{id:\d+}"),
    ("admin:certificate_request:download", PREFIX + r"/certificate-request/{id:\d+}/{filename:csr\.(pem|pem\.txt|csr)}"),
    ("admin:acme_servers|json", PREFIX + "/acme-servers.json"),
    ("admin:acme_servers", PREFIX + "/acme-servers"),
    ("admin:acme_server:check|json", PREFIX + r"/acme-server/{id:\d+}/check.json"),
    ("admin:acme_server:check", PREFIX + r"/acme-server/{id:\d+}/check"),
    ("admin:acme_accounts|json", PREFIX + "/acme-accounts.json"),
    ("admin:acme_accounts", PREFIX + "/acme-accounts"),
    ("admin:acme_account:new|json", PREFIX + "/acme-account/new.json"),
    ("admin:acme_account:new", PREFIX + "/acme-account/new"),
    ("admin:acme_account:upload|json", PREFIX + "/acme-account/upload.json"),
    ("admin:acme_account:upload", PREFIX + "/acme-account/upload"),
    ("admin:acme_account:focus|json", PREFIX + r"/acme-account/{id:\d+}.json"),
    ("admin:acme_account:focus", PREFIX + r"/acme-account/{id:\d+}"),
    ("admin:acme_account:register|json", PREFIX + r"/acme-account/{id:\d+}/register.json"),
    ("admin:acme_account:register", PREFIX + r"/acme-account/{id:\d+}/register"),
    ("admin:acme_account:authenticate|json", PREFIX + r"/acme-account/{id:\d+}/authenticate.json"),
    ("admin:acme_account:authenticate", PREFIX + r"/acme-account/{id:\d+}/authenticate"),
    ("admin:acme_account:update_contact|json", PREFIX + r"/acme-account/{id:\d+}/update-contact.json"),
    ("admin:acme_account:update_contact", PREFIX + r"/acme-account/{id:\d+}/update-contact"),
    ("admin:acme_account:edit_defaults|json", PREFIX + r"/acme-account/{id:\d+}/edit-defaults.json"),
    ("admin:acme_account:edit_defaults", PREFIX + r"/acme-account/{id:\d+}/edit-defaults"),
    ("admin:acme_account:deactivate|json", PREFIX + r"/acme-account/{id:\d+}/deactivate.json"),
    ("admin:acme_account:deactivate", PREFIX + r"/acme-account/{id:\d+}/deactivate"),
    ("admin:acme_account:key_rollover|json", PREFIX + r"/acme-account/{id:\d+}/key-rollover.json"),
    ("admin:acme_account:key_rollover", PREFIX + r"/acme-account/{id:\d+}/key-rollover"),
    ("admin:acme_account:deactivate_pending_authorizations|json", PREFIX + r"/acme-account/{id:\d+}/deactivate-pending-authorizations.json"),
    ("admin:acme_account:deactivate_pending_authorizations", PREFIX + r"/acme-account/{id:\d+}/deactivate-pending-authorizations"),
    ("admin:acme_account_keys|json", PREFIX + "/acme-account-keys.json"),
    ("admin:acme_account_keys", PREFIX + "/acme-account-keys"),
    ("admin:acme_account_key:focus|json", PREFIX + r"/acme-account-key/{id:\d+}.json"),
    ("admin:acme_account_key:focus", PREFIX + r"/acme-account-key/{id:\d+}"),
    ("admin:acme_account_key:download", PREFIX + r"/acme-account-key/{id:\d+}/{filename:key\.(pem|pem\.txt|key)}"),
    ("admin:acme_orders|json", PREFIX + "/acme-orders.json"),
    ("admin:acme_orders", PREFIX + "/acme-orders"),
    ("admin:acme_order:new|json", PREFIX + "/acme-order/new.json"),
    ("admin:acme_order:new", PREFIX + "/acme-order/new"),
    ("admin:acme_order:focus|json", PREFIX + r"/acme-order/{id:\d+}.json"),
    ("admin:acme_order:focus", PREFIX + r"/acme-order/{id:\d+}"),
    ("admin:acme_order:sync|json", PREFIX + r"/acme-order/{id:\d+}/sync.json"),
    ("admin:acme_order:sync", PREFIX + r"/acme-order/{id:\d+}/sync"),
    ("admin:acme_order:advance|json", PREFIX + r"/acme-order/{id:\d+}/advance.json"),
    ("admin:acme_order:advance", PREFIX + r"/acme-order/{id:\d+}/advance"),
    ("admin:acme_order:process|json", PREFIX + r"/acme-order/{id:\d+}/process.json"),
    ("admin:acme_order:process", PREFIX + r"/acme-order/{id:\d+}/process"),
    ("admin:acme_order:complete_challenges|json", PREFIX + r"/acme-order/{id:\d+}/complete-challenges.json"),
    ("admin:acme_order:complete_challenges", PREFIX + r"/acme-order/{id:\d+}/complete-challenges"),
    ("admin:acme_order:finalize|json", PREFIX + r"/acme-order/{id:\d+}/finalize.json"),
    ("admin:acme_order:finalize", PREFIX + r"/acme-order/{id:\d+}/finalize"),
    ("admin:acme_order:download|json", PREFIX + r"/acme-order/{id:\d+}/download.json"),
    ("admin:acme_order:download", PREFIX + r"/acme-order/{id:\d+}/download"),
    ("admin:acme_order:retry|json", PREFIX + r"/acme-order/{id:\d+}/retry.json"),
    ("admin:acme_order:retry", PREFIX + r"/acme-order/{id:\d+}/retry"),
    ("admin:acme_order:renew_now|json", PREFIX + r"/acme-order/{id:\d+}/renew-now.json"),
    ("admin:acme_order:renew_now", PREFIX + r"/acme-order/{id:\d+}/renew-now"),
    ("admin:acme_order:mark_invalid|json", PREFIX + r"/acme-order/{id:\d+}/mark-invalid.json"),
    ("admin:acme_order:mark_invalid", PREFIX + r"/acme-order/{id:\d+}/mark-invalid"),
    ("admin:acme_order:deactivate_authorizations|json", PREFIX + r"/acme-order/{id:\d+}/deactivate-authorizations.json"),
    ("admin:acme_order:deactivate_authorizations", PREFIX + r"/acme-order/{id:\d+}/deactivate-authorizations"),
    ("admin:acme_order:auto_renew|json", PREFIX + r"/acme-order/{id:\d+}/auto-renew.json"),
    ("admin:acme_order:auto_renew", PREFIX + r"/acme-order/{id:\d+}/auto-renew"),
    ("admin:dns_providers|json", PREFIX + "/dns-providers.json"),
    ("admin:dns_providers", PREFIX + "/dns-providers"),
    ("admin:dns_provider:new|json", PREFIX + "/dns-provider/new.json"),
    ("admin:dns_provider:new", PREFIX + "/dns-provider/new"),
    ("admin:dns_provider:focus|json", PREFIX + r"/dns-provider/{id:\d+}.json"),
    ("admin:dns_provider:focus", PREFIX + r"/dns-provider/{id:\d+}"),
    ("admin:dns_provider:mark|json", PREFIX + r"/dns-provider/{id:\d+}/mark.json"),
    ("admin:dns_provider:mark", PREFIX + r"/dns-provider/{id:\d+}/mark"),
    ("admin:acme_authorizations|json", PREFIX + "/acme-authorizations.json"),
    ("admin:acme_authorizations", PREFIX + "/acme-authorizations"),
    ("admin:acme_authorization:focus|json", PREFIX + r"/acme-authorization/{id:\d+}.json"),
    ("admin:acme_authorization:focus", PREFIX + r"/acme-authorization/{id:\d+}"),
    ("admin:acme_challenges|json", PREFIX + "/acme-challenges.json"),
    ("admin:acme_challenges", PREFIX + "/acme-challenges"),
    ("admin:acme_challenge:focus|json", PREFIX + r"/acme-challenge/{id:\d+}.json"),
    ("admin:acme_challenge:focus", PREFIX + r"/acme-challenge/{id:\d+}"),
    ("admin:acme_event_logs|json", PREFIX + "/acme-event-logs.json"),
    ("admin:acme_event_logs", PREFIX + "/acme-event-logs"),
    ("admin:acme_event_log:focus|json", PREFIX + r"/acme-event-log/{id:\d+}.json"),
    ("admin:acme_event_log:focus", PREFIX + r"/acme-event-log/{id:\d+}"),
    ("admin:operations_events|json", PREFIX + "/operations-events.json"),
    ("admin:operations_events", PREFIX + "/operations-events"),
    ("admin:operations_event:focus|json", PREFIX + r"/operations-event/{id:\d+}.json"),
    ("admin:operations_event:focus", PREFIX + r"/operations-event/{id:\d+}"),
    ("admin:api:update_recents|json", PREFIX + "/api/update-recents.json"),
    ("admin:api:update_recents", PREFIX + "/api/update-recents"),
    ("admin:api:deactivate_expired|json", PREFIX + "/api/deactivate-expired.json"),
    ("admin:api:deactivate_expired", PREFIX + "/api/deactivate-expired"),
    ("admin:api:reconcile_cas|json", PREFIX + "/api/reconcile-cas.json"),
    ("admin:api:reconcile_cas", PREFIX + "/api/reconcile-cas"),
    ("admin:acme_flows|json", PREFIX + "/acme-flows.json"),
    ("admin:acme_flows", PREFIX + "/acme-flows"),
    ("admin:acme_flow:new|json", PREFIX + "/acme-flow/new.json"),
    ("admin:acme_flow:new", PREFIX + "/acme-flow/new"),
    ("admin:acme_flow:focus|json", PREFIX + r"/acme-flow/{id:\d+}.json"),
    ("admin:acme_flow:focus", PREFIX + r"/acme-flow/{id:\d+}"),
    ("admin:acme_flow:add_challenge|json", PREFIX + r"/acme-flow/{id:\d+}/add-challenge.json"),
    ("admin:acme_flow:add_challenge", PREFIX + r"/acme-flow/{id:\d+}/add-challenge"),
    ("admin:acme_flow:edit_challenge|json", PREFIX + r"/acme-flow/{id:\d+}/edit-challenge.json"),
    ("admin:acme_flow:edit_challenge", PREFIX + r"/acme-flow/{id:\d+}/edit-challenge"),
    ("admin:acme_flow:deactivate|json", PREFIX + r"/acme-flow/{id:\d+}/deactivate.json"),
    ("admin:acme_flow:deactivate", PREFIX + r"/acme-flow/{id:\d+}/deactivate"),
    ("__" + PREFIX + "/static/bootstrap/", PREFIX + "/static/bootstrap/*subpath"),
    ("__" + PREFIX + "/static/app/", PREFIX + "/static/app/*subpath"),
]


def registered_routes(app):
    return app.registry.getUtility(IRoutesMapper).get_routes()


def test_route_table(app):
    # pyramid stores prefixed patterns without their leading slash
    table = [(r.name, "/" + r.pattern.lstrip("/")) for r in registered_routes(app)]
    assert table == EXPECTED_ROUTES


def test_every_admin_page_has_a_json_twin(app):
    names = {r.name for r in registered_routes(app)}
    # downloads and archives are files, not pages
    files = {n for n in names if n.endswith((":download", ":download_via_chain", ":config_zip", ":p12"))}
    pages = {n for n in names if n.startswith("admin:") and not n.endswith("|json")}
    pages -= {"admin:root"} | files
    for name in pages:
        assert name + "|json" in names, f"{name} has no .json twin"


def test_every_route_is_exercised(app, request):
    """Runs last (see conftest); only meaningful when the whole suite ran."""
    session = request.session
    if session.config.option.keyword or session.config.option.markexpr or session.testsfailed:
        pytest.skip("route coverage is checked on a full, passing run")
    if len(session.items) < 20 or any("::" in str(arg) for arg in session.config.args):
        pytest.skip("route coverage is checked on a full run of the suite")
    missing = {r.name for r in registered_routes(app)} - route_coverage.REQUESTED
    assert not missing, f"routes no test requests: {sorted(missing)}"
