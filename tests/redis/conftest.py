"""Fixtures for Redis priming: a real redis-server, apps on a database of their own, a PKI.

Apps are built once per distinct settings and share one database; each test binds their
sessions to one connection whose outer transaction is rolled back afterwards (as the root
conftest does for the session app), and starts with an empty Redis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import webtest
from sqlalchemy.orm import Session

from peter_sslers import main
from peter_sslers.model import get_engine
from peter_sslers.scripts.initializedb import initialize
from peter_sslers.settings import parse_settings
from tests import pki as pki_module
from tests import route_coverage
from tests.conftest import TEST_HOST, TEST_INI, require_binary, settings_for
from tests.services.redis import INSTALL_HINT, RedisServer

ADMIN = "/.well-known/admin"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    require_binary("redis-server", INSTALL_HINT)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_db(redis_server):
    """A client on database 9 of the shared server, emptied (all databases) for each test."""
    client = redis_server.client(9)
    client.flushall()
    yield client
    client.close()


@pytest.fixture(scope="session")
def redis_database_url(make_database_url) -> str:
    url = make_database_url("redis")
    initialize(TEST_INI, settings_for(url))
    return url


@pytest.fixture(scope="session")
def redis_engine(redis_database_url):
    engine = get_engine({"sqlalchemy.url": redis_database_url})
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def apps_by_settings(redis_database_url) -> Callable[..., object]:
    """``get(**overrides)``: the app for these settings on the Redis tests' database (cached)."""
    cache: dict[tuple, object] = {}

    def get(**overrides: str):
        key = tuple(sorted(overrides.items()))
        if key not in cache:
            app = main({}, **settings_for(redis_database_url, **overrides))
            route_coverage.install(app.registry)
            cache[key] = app
        return cache[key]

    return get


@pytest.fixture
def rconn(redis_engine):
    """A connection inside an outer transaction that is rolled back after the test."""
    conn = redis_engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def rdbsession(rconn) -> Iterator[Session]:
    session = Session(bind=rconn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture
def redis_settings(redis_server, redis_database_url) -> Callable[..., object]:
    """``settings(**overrides)``: parsed AppSettings pointing at the test Redis (db 9, style 1)."""

    def make(**overrides: str):
        raw = {"redis.url": redis_server.url(9), "redis.prime_style": "1", **overrides}
        return parse_settings(settings_for(redis_database_url, **raw))

    return make


@pytest.fixture
def make_testapp(apps_by_settings, rconn, redis_engine, redis_server) -> Iterator[Callable[..., webtest.TestApp]]:
    """``make_testapp(**overrides)``: a WebTest app on the test's rolled-back connection.

    Defaults: ``redis.url`` = the test Redis (db 9), ``redis.prime_style`` = 1.
    """
    bound = []

    def make(**overrides: str) -> webtest.TestApp:
        raw = {"redis.url": redis_server.url(9), "redis.prime_style": "1", **overrides}
        app = apps_by_settings(**raw)
        factory = app.registry["dbsession_factory"]
        factory.configure(bind=rconn, join_transaction_mode="create_savepoint")
        bound.append(factory)
        return webtest.TestApp(app, extra_environ={"HTTP_HOST": TEST_HOST, "REMOTE_ADDR": "192.0.2.10"})

    yield make
    for factory in bound:
        factory.configure(bind=redis_engine, join_transaction_mode="conservative_savepoint")


@pytest.fixture(scope="session")
def pki():
    return pki_module.make_pki()


def upload(testapp, leaf, chain_pem: str | None, key_pem: str | None = None) -> dict:
    """Upload a certificate (and key, and chain unless None) through the app; its JSON answer."""
    fields = [
        ("certificate_file", "cert.pem", leaf.pem.encode()),
        ("private_key_file", "privkey.pem", (key_pem or leaf.key_pem).encode()),
    ]
    if chain_pem is not None:
        fields.append(("chain_file", "chain.pem", chain_pem.encode()))
    return testapp.post(ADMIN + "/certificate-signed/upload.json", upload_files=fields).json
