"""The one table of URLs.  Admin pages are registered with their ``.json`` twin together."""

from __future__ import annotations

from pyramid.config import Configurator

from .views import factories as f

JSON_SUFFIX = "|json"
ID = r"{id:\d+}"


def add_page(config: Configurator, name: str, pattern: str, json_pattern: str | None = None, **kw) -> None:
    """Register an HTML route and its ``.json`` twin (route name + ``|json``).

    The twin goes first so that ``/domain/{domain}`` cannot swallow ``/domain/x.json``.
    """
    config.add_route(name + JSON_SUFFIX, json_pattern or pattern + ".json", **kw)
    config.add_route(name, pattern, **kw)


def public_routes(config: Configurator) -> None:
    config.add_route("public:acme_challenge", "/.well-known/acme-challenge/{token}")
    config.add_route("public:whoami", "/.well-known/public/whoami")


def core_routes(config: Configurator) -> None:
    add_page(config, "admin:dashboard", "/", json_pattern="/index.json")
    add_page(config, "admin:settings", "/settings")
    add_page(config, "admin:help", "/help")
    add_page(config, "admin:search", "/search")


def domain_routes(config: Configurator) -> None:
    add_page(config, "admin:domains", "/domains")
    add_page(config, "admin:domain:focus", "/domain/{domain}", factory=f.domain)
    # the nginx hot path: no route factory, no transaction-managed session (see the view)
    config.add_route("admin:domain:config|json", "/domain/{domain}/config.json")
    add_page(config, "admin:domain:mark", "/domain/{domain}/mark", factory=f.domain)
    add_page(config, "admin:domain:nginx_cache_expire", "/domain/{domain}/nginx-cache-expire", factory=f.domain)
    add_page(config, "admin:unique_fqdn_sets", "/unique-fqdn-sets")
    add_page(config, "admin:unique_fqdn_set:focus", f"/unique-fqdn-set/{ID}", factory=f.unique_fqdn_set)


def certificate_signed_routes(config: Configurator) -> None:
    add_page(config, "admin:certificate_signeds", "/certificate-signeds")
    add_page(config, "admin:certificate_signed:upload", "/certificate-signed/upload")
    cert = f"/certificate-signed/{ID}"
    add_page(config, "admin:certificate_signed:focus", cert, factory=f.certificate_signed)
    add_page(config, "admin:certificate_signed:mark", cert + "/mark", factory=f.certificate_signed)
    add_page(config, "admin:certificate_signed:nginx_cache_expire", cert + "/nginx-cache-expire",
             factory=f.certificate_signed)
    config.add_route("admin:certificate_signed:config|json", cert + "/config.json", factory=f.certificate_signed)
    config.add_route("admin:certificate_signed:config_zip", cert + "/config.zip", factory=f.certificate_signed)
    config.add_route("admin:certificate_signed:p12", cert + "/cert.p12", factory=f.certificate_signed)
    config.add_route(
        "admin:certificate_signed:download",
        cert + r"/{filename:(cert|chain|fullchain|privkey)\.(pem|pem\.txt|cer|crt|der|key)}",
        factory=f.certificate_signed,
    )
    config.add_route(
        "admin:certificate_signed:download_via_chain",
        cert + r"/via-certificate-ca-chain/{chain_id:\d+}/{filename:(chain|fullchain)\.(pem|pem\.txt)}",
        factory=f.certificate_signed,
    )


def certificate_ca_routes(config: Configurator) -> None:
    add_page(config, "admin:certificate_cas", "/certificate-cas")
    add_page(config, "admin:certificate_ca:upload_cert", "/certificate-ca/upload-cert")
    add_page(config, "admin:certificate_ca:preferences", "/certificate-ca/preferences")
    add_page(config, "admin:certificate_ca:focus", f"/certificate-ca/{ID}", factory=f.certificate_ca)
    config.add_route(
        "admin:certificate_ca:download", f"/certificate-ca/{ID}" + r"/{filename:cert\.(pem|pem\.txt|cer|crt|der)}",
        factory=f.certificate_ca,
    )
    add_page(config, "admin:certificate_ca_chains", "/certificate-ca-chains")
    add_page(config, "admin:certificate_ca_chain:upload_chain", "/certificate-ca-chain/upload-chain")
    chain = f"/certificate-ca-chain/{ID}"
    add_page(config, "admin:certificate_ca_chain:focus", chain, factory=f.certificate_ca_chain)
    config.add_route(
        "admin:certificate_ca_chain:download", chain + r"/{filename:chain\.(pem|pem\.txt)}",
        factory=f.certificate_ca_chain,
    )


def key_and_request_routes(config: Configurator) -> None:
    add_page(config, "admin:private_keys", "/private-keys")
    add_page(config, "admin:private_key:upload", "/private-key/upload")
    key = f"/private-key/{ID}"
    add_page(config, "admin:private_key:focus", key, factory=f.private_key)
    add_page(config, "admin:private_key:mark", key + "/mark", factory=f.private_key)
    config.add_route(
        "admin:private_key:download", key + r"/{filename:key\.(pem|pem\.txt|key)}", factory=f.private_key
    )
    add_page(config, "admin:certificate_requests", "/certificate-requests")
    add_page(config, "admin:certificate_request:upload", "/certificate-request/upload")
    csr = f"/certificate-request/{ID}"
    add_page(config, "admin:certificate_request:focus", csr, factory=f.certificate_request)
    config.add_route(
        "admin:certificate_request:download", csr + r"/{filename:csr\.(pem|pem\.txt|csr)}",
        factory=f.certificate_request,
    )


def acme_account_routes(config: Configurator) -> None:
    add_page(config, "admin:acme_servers", "/acme-servers")
    add_page(config, "admin:acme_server:check", f"/acme-server/{ID}/check", factory=f.acme_server)
    add_page(config, "admin:acme_accounts", "/acme-accounts")
    add_page(config, "admin:acme_account:new", "/acme-account/new")
    add_page(config, "admin:acme_account:upload", "/acme-account/upload")
    account = f"/acme-account/{ID}"
    add_page(config, "admin:acme_account:focus", account, factory=f.acme_account)
    for action in (
        "register", "authenticate", "update-contact", "edit-defaults", "deactivate", "key-rollover",
        "deactivate-pending-authorizations", "mark-global-default",
    ):
        name = "admin:acme_account:" + action.replace("-", "_")
        add_page(config, name, f"{account}/{action}", factory=f.acme_account)
    add_page(config, "admin:acme_account_keys", "/acme-account-keys")
    key = f"/acme-account-key/{ID}"
    add_page(config, "admin:acme_account_key:focus", key, factory=f.acme_account_key)
    config.add_route(
        "admin:acme_account_key:download", key + r"/{filename:key\.(pem|pem\.txt|key)}",
        factory=f.acme_account_key,
    )


def acme_order_routes(config: Configurator) -> None:
    add_page(config, "admin:acme_orders", "/acme-orders")
    add_page(config, "admin:acme_order:new", "/acme-order/new")
    order = f"/acme-order/{ID}"
    add_page(config, "admin:acme_order:focus", order, factory=f.acme_order)
    for action in (
        "sync", "advance", "process", "complete-challenges", "finalize", "download", "retry", "renew-now",
        "mark-invalid", "deactivate-authorizations", "auto-renew",
    ):
        add_page(config, "admin:acme_order:" + action.replace("-", "_"), f"{order}/{action}", factory=f.acme_order)
    add_page(config, "admin:dns_providers", "/dns-providers")
    add_page(config, "admin:dns_provider:new", "/dns-provider/new")
    add_page(config, "admin:dns_provider:focus", f"/dns-provider/{ID}", factory=f.dns_provider)
    add_page(config, "admin:dns_provider:mark", f"/dns-provider/{ID}/mark", factory=f.dns_provider)
    add_page(config, "admin:acme_authorizations", "/acme-authorizations")
    add_page(config, "admin:acme_authorization:focus", f"/acme-authorization/{ID}", factory=f.acme_authorization)
    add_page(config, "admin:acme_challenges", "/acme-challenges")
    add_page(config, "admin:acme_challenge:focus", f"/acme-challenge/{ID}", factory=f.acme_challenge)


def acme_flow_routes(config: Configurator) -> None:
    add_page(config, "admin:acme_flows", "/acme-flows")
    add_page(config, "admin:acme_flow:new", "/acme-flow/new")
    flow = f"/acme-flow/{ID}"
    add_page(config, "admin:acme_flow:focus", flow, factory=f.acme_orderless)
    for action in ("add-challenge", "edit-challenge", "deactivate"):
        add_page(config, "admin:acme_flow:" + action.replace("-", "_"), f"{flow}/{action}", factory=f.acme_orderless)


def automation_routes(config: Configurator) -> None:
    add_page(config, "admin:queue_domains", "/queue-domains")
    add_page(config, "admin:queue_domains:add", "/queue-domains/add")
    add_page(config, "admin:queue_domains:process", "/queue-domains/process")
    add_page(config, "admin:queue_certificates", "/queue-certificates")
    add_page(config, "admin:queue_certificates:update", "/queue-certificates/update")
    add_page(config, "admin:queue_certificates:process", "/queue-certificates/process")
    item = f"/queue-certificate/{ID}"
    add_page(config, "admin:queue_certificate:focus", item, factory=f.queue_certificate)
    add_page(config, "admin:queue_certificate:mark", item + "/mark", factory=f.queue_certificate)
    add_page(config, "admin:certificate_signed:queue", f"/certificate-signed/{ID}/queue", factory=f.certificate_signed)
    add_page(config, "admin:api:certificate_if_needed", "/api/domain/certificate-if-needed")
    add_page(config, "admin:api:autocert", "/api/domain/autocert")


def operations_routes(config: Configurator) -> None:
    add_page(config, "admin:notifications", "/notifications")
    add_page(config, "admin:api:notify", "/api/notify")


def log_routes(config: Configurator) -> None:
    add_page(config, "admin:acme_event_logs", "/acme-event-logs")
    add_page(config, "admin:acme_event_log:focus", f"/acme-event-log/{ID}", factory=f.acme_event_log)
    add_page(config, "admin:operations_events", "/operations-events")
    add_page(config, "admin:operations_event:focus", f"/operations-event/{ID}", factory=f.operations_event)


def api_routes(config: Configurator) -> None:
    add_page(config, "admin:api", "/api")
    config.add_route("admin:api:openapi|json", "/api/openapi.json")
    add_page(config, "admin:api:redis_prime", "/api/redis/prime")
    add_page(config, "admin:api:nginx_cache_flush", "/api/nginx/cache-flush")
    add_page(config, "admin:api:nginx_status", "/api/nginx/status")
    add_page(config, "admin:api:update_recents", "/api/update-recents")
    add_page(config, "admin:api:deactivate_expired", "/api/deactivate-expired")
    add_page(config, "admin:api:reconcile_cas", "/api/reconcile-cas")


def transaction_wanted(request) -> bool:
    """pyramid_tm's activate hook: every request runs in a transaction except GET
    ``/domain/{NAME|ID}/config.json``, nginx's hot path, which reads on a plain connection."""
    if request.method != "GET" or not request.path_info.endswith("/config.json"):
        return True
    return not request.path_info.startswith(request.registry["app_settings"].admin_prefix + "/domain/")


def admin_routes(config: Configurator) -> None:
    # inside route_prefix = admin_prefix
    for group in (
        core_routes, domain_routes, certificate_signed_routes, certificate_ca_routes,
        key_and_request_routes, acme_account_routes, acme_order_routes, automation_routes, operations_routes,
        log_routes, api_routes,
    ):
        group(config)


def includeme(config: Configurator) -> None:
    settings = config.registry["app_settings"]
    if settings.enable_views_public:
        config.include(public_routes)
    if settings.metrics_enabled:
        prefix = settings.admin_prefix if settings.metrics_location == "admin" else ""
        if settings.enable_views_admin or settings.metrics_location == "public":
            config.add_route("metrics", prefix + "/metrics")
    if settings.enable_views_admin:
        # the bare prefix (no trailing slash) redirects to the dashboard
        config.add_route("admin:root", settings.admin_prefix)
        config.include(admin_routes, route_prefix=settings.admin_prefix)
        if settings.enable_acme_flow:
            config.include(acme_flow_routes, route_prefix=settings.admin_prefix)
        import xstatic.pkg.bootstrap

        config.add_static_view(
            settings.admin_prefix + "/static/bootstrap", xstatic.pkg.bootstrap.BASE_DIR
        )
        config.add_static_view(settings.admin_prefix + "/static/app", "peter_sslers:static")
