"""peter_sslers: central management of TLS certificates, with an integrated ACME v2 client."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .settings import AppSettings, parse_settings

if TYPE_CHECKING:  # Pyramid is imported when the app is made (the command line needs less)
    from pyramid.config import Configurator

__version__ = "0.6.0.dev0"

log = logging.getLogger(__name__)


def main(global_config, **settings):
    """The WSGI application (``use = egg:peter_sslers``)."""
    from pyramid.config import Configurator

    app_settings = parse_settings(settings)
    settings.setdefault("mako.directories", "peter_sslers:templates")
    settings.setdefault("mako.strict_undefined", "true")
    with Configurator(settings=settings) as config:
        configure(config, app_settings)
    return config.make_wsgi_app()


def configure(config: Configurator, app_settings: AppSettings) -> None:
    """Wire the application onto a Configurator (shared by ``main`` and the tests)."""
    config.registry["app_settings"] = app_settings
    import os

    from .lib import cert_utils
    from .model import encryption

    keys = app_settings.encryption_key or os.environ.get("PETER_SSLERS_ENCRYPTION_KEY", "")
    encryption.configure([k for k in keys.split(",") if k.strip()])

    cert_utils.configure(
        backend=app_settings.crypto_backend,
        openssl_path=app_settings.openssl_path,
        openssl_path_conf=app_settings.openssl_path_conf,
    )
    from .request import PeterSSLersRequest

    config.set_request_factory(PeterSSLersRequest)
    config.include("pyramid_mako")
    config.include("peter_sslers.model")
    config.include("peter_sslers.views.rendering")
    config.include("peter_sslers.routes")
    config.include("peter_sslers.security")
    config.scan("peter_sslers.views.errors")
    if app_settings.enable_views_public:
        config.scan("peter_sslers.views.public")
    if app_settings.enable_views_admin:
        config.scan("peter_sslers.views.admin", ignore=["peter_sslers.views.admin.acme_flow"])
        if app_settings.enable_acme_flow:
            config.scan("peter_sslers.views.admin.acme_flow")
            config.include("peter_sslers.views.admin.acme_flow")
        config.include("peter_sslers.views.admin.acme_account_actions")
        config.include("peter_sslers.views.admin.acme_order_actions")
        config.include("peter_sslers.views.admin.dns_provider")
        config.include("peter_sslers.views.admin.automation")
        config.include("peter_sslers.lib.redis_sync")
    if not (app_settings.enable_views_public or app_settings.enable_views_admin):
        log.warning("both enable_views_public and enable_views_admin are off: only 404s will be served")
