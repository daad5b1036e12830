"""The one table of URLs.  Admin pages are registered with their ``.json`` twin together."""

from __future__ import annotations

from pyramid.config import Configurator

JSON_SUFFIX = "|json"


def add_page(config: Configurator, name: str, pattern: str, json_pattern: str | None = None) -> None:
    """Register an HTML route and its ``.json`` twin (route name + ``|json``)."""
    config.add_route(name, pattern)
    config.add_route(name + JSON_SUFFIX, json_pattern or pattern + ".json")


def public_routes(config: Configurator) -> None:
    config.add_route("public:acme_challenge", "/.well-known/acme-challenge/{token}")
    config.add_route("public:whoami", "/.well-known/public/whoami")


def admin_routes(config: Configurator) -> None:
    # inside route_prefix = admin_prefix
    add_page(config, "admin:dashboard", "/", json_pattern="/index.json")
    add_page(config, "admin:settings", "/settings")
    add_page(config, "admin:help", "/help")


def includeme(config: Configurator) -> None:
    settings = config.registry["app_settings"]
    if settings.enable_views_public:
        config.include(public_routes)
    if settings.enable_views_admin:
        # the bare prefix (no trailing slash) redirects to the dashboard
        config.add_route("admin:root", settings.admin_prefix)
        config.include(admin_routes, route_prefix=settings.admin_prefix)
        import xstatic.pkg.bootstrap

        config.add_static_view(
            settings.admin_prefix + "/static/bootstrap", xstatic.pkg.bootstrap.BASE_DIR
        )
        config.add_static_view(settings.admin_prefix + "/static/app", "peter_sslers:static")
