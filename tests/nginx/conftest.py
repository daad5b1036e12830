"""Fixtures: live peter_sslers instances on one shared database, and real nginx servers.

Every nginx runs from its own temp dir on free 127.0.0.1 ports (tests/services/nginx.py).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from peter_sslers import main
from peter_sslers.scripts.initializedb import initialize
from tests import pki as pki_module
from tests.conftest import TEST_INI, require_binary, settings_for
from tests.services.live_app import LiveServer
from tests.services.nginx import (
    INSTALL_HINT,
    NGINX_BIN,
    NginxServer,
    acme_challenge_proxy_config,
    cache_admin_config,
    lua_available,
)

USERPASS = "peter:sslers"


@pytest.fixture(scope="session")
def nginx_bin() -> str:
    return require_binary(NGINX_BIN, INSTALL_HINT)


@pytest.fixture(scope="session")
def nginx_lua(nginx_bin) -> None:
    """The Lua module is installed (skip locally, fail in CI, when it is not)."""
    if not lua_available():
        message = (
            f"nginx Lua module not found: install it with `{INSTALL_HINT} libnginx-mod-http-ndk`"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


# --- live application instances -------------------------------------------------------------


class CountingApp:
    """WSGI middleware counting the requests one instance served, by path."""

    def __init__(self, app, name: str):
        self.app = app
        self.name = name
        self.paths: Counter[str] = Counter()
        self.hosts: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.paths[environ.get("PATH_INFO", "")] += 1
            self.hosts.append(environ.get("HTTP_HOST", ""))
        return self.app(environ, start_response)

    @property
    def total(self) -> int:
        return sum(self.paths.values())


@dataclass
class AppInstance:
    name: str
    app: object  # the Pyramid router
    counter: CountingApp
    server: LiveServer
    hostport: str = field(init=False)

    def __post_init__(self) -> None:
        self.hostport = f"127.0.0.1:{self.server.port}"

    @property
    def url(self) -> str:
        return self.server.url

    def dbsession(self):
        """A fresh session on the shared database (commit for the instances to see rows)."""
        return self.app.registry["dbsession_factory"]()


@pytest.fixture(scope="module")
def shared_database(make_database_url) -> str:
    url = make_database_url("nginx")
    initialize(TEST_INI, settings_for(url))
    return url


@pytest.fixture(scope="module")
def app_instances(shared_database) -> Iterator[list[AppInstance]]:
    """Two instances of the app (X-Peter-SSLers: nginx-a / nginx-b) on one shared database."""
    instances = []
    try:
        for name in ("nginx-a", "nginx-b"):
            app = main({}, **settings_for(shared_database, **{"peter_sslers.environment": name}))
            counter = CountingApp(app, name)
            server = LiveServer(counter).start()
            instances.append(AppInstance(name, app, counter, server))
        yield instances
    finally:
        for instance in instances:
            instance.server.stop()


# --- nginx servers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def acme_proxy(nginx_bin, app_instances, tmp_path_factory) -> Iterator[NginxServer]:
    """nginx proxying /.well-known/acme-challenge/ to both instances (round-robin)."""
    upstreams = [i.hostport for i in app_instances]
    server = NginxServer(
        tmp_path_factory.mktemp("nginx-acme"),
        lambda port: acme_challenge_proxy_config(port, upstreams),
        name="nginx-acme",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_nginx(nginx_bin, tmp_path_factory) -> Iterator[Callable[..., NginxServer]]:
    """Factory: ``make_nginx(config, start=True, **kw)``; every server is stopped afterwards."""
    servers: list[NginxServer] = []

    def make(config, *, start: bool = True, name: str = "nginx", **kwargs) -> NginxServer:
        server = NginxServer(tmp_path_factory.mktemp(name), config, name=name, **kwargs)
        servers.append(server)
        if start:
            server.start()
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def make_cache_admin(make_nginx, nginx_lua, tmp_path_factory) -> Callable[..., NginxServer]:
    """Factory of Lua servers answering the OpenResty module's cache admin routes.

    ``make_cache_admin(userpass=None, start=True, **cache_admin_config kwargs)``.
    """

    def make(userpass: str | None = None, *, start: bool = True, **kwargs) -> NginxServer:
        htpasswd = tmp_path_factory.mktemp("htpasswd") / "peter_sslers-nginx.htpasswd"
        return make_nginx(
            lambda port: cache_admin_config(
                port, userpass=userpass, htpasswd_path=htpasswd, **kwargs
            ),
            lua=True,
            start=start,
            name="nginx-cache-admin",
        )

    return make


@pytest.fixture
def cache_admin_pool(make_cache_admin) -> tuple[NginxServer, NginxServer]:
    """(up, down): two cache admin servers with basic auth USERPASS; the second one is stopped.

    For the app side (``nginx.servers_pool = up.url, down.url``): one answers, one refuses.
    """
    up = make_cache_admin(USERPASS)
    down = make_cache_admin(USERPASS)
    down.stop()
    return up, down


@pytest.fixture(scope="module")
def pki():
    return pki_module.make_pki()
