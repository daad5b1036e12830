"""peter_sslers: central management of TLS certificates, with an integrated ACME v2 client."""

from __future__ import annotations

import logging

from pyramid.config import Configurator
from pyramid.decorator import reify
from pyramid.request import Request

from .settings import AppSettings, parse_settings

__version__ = "0.6.0.dev0"

log = logging.getLogger(__name__)


def main(global_config, **settings):
    """The WSGI application (``use = egg:peter_sslers``)."""
    app_settings = parse_settings(settings)
    settings.setdefault("mako.directories", "peter_sslers:templates")
    settings.setdefault("mako.strict_undefined", "true")
    with Configurator(settings=settings) as config:
        configure(config, app_settings)
    return config.make_wsgi_app()


def _acme_env(request):
    """ACME clients for this request; their exchanges are stored once the request is over."""
    from .lib.acme.clients import AcmeEnv

    def checkpoint() -> None:
        # flush first: a session that only changed attributes since the last commit has not
        # joined the new transaction yet, and its changes would be silently dropped
        request.dbsession.flush()
        request.tm.commit()
        request.tm.begin()

    env = AcmeEnv.for_session_factory(
        request.app_settings, request.registry["dbsession_factory"], checkpoint=checkpoint
    )
    clock = request.registry.get("clock")  # tests install a fake clock here
    if clock is not None:
        env.clock = clock
    request.add_finished_callback(lambda _request: env.recorder.flush())
    return env


class PeterSSLersRequest(Request):
    """The app's request: its extras are declared here, not added per request (Pyramid builds a
    class for every request that has ``add_request_method`` properties: slow on hot paths)."""

    @reify
    def app_settings(self) -> AppSettings:
        return self.registry["app_settings"]

    @reify
    def dbsession(self):
        from .model import request_dbsession

        return request_dbsession(self)

    @reify
    def acme_env(self):
        return _acme_env(self)


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
