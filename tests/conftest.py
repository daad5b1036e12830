"""Shared fixtures: the database (SQLite, or PostgreSQL with PETER_SSLERS_TEST_DB=postgresql),
the application built once per session, and a per-test transaction that is rolled back."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import webtest
from pyramid.paster import get_appsettings
from sqlalchemy.orm import Session

from peter_sslers import main
from peter_sslers.scripts.initializedb import initialize
from tests import route_coverage

ROOT = Path(__file__).resolve().parent.parent
TEST_INI = str(ROOT / "test.ini")
TEST_HOST = "peter-sslers.example"


def require_binary(path: str, install_hint: str) -> str:
    """The binary's path; a missing one skips locally with a hint, and fails in CI."""
    found = path if os.path.isabs(path) and os.path.exists(path) else shutil.which(path)
    if found:
        return found
    message = f"{path} not found: install it with `{install_hint}`"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must not skip for a missing service)")
    pytest.skip(message)


def database_kind() -> str:
    kind = os.environ.get("PETER_SSLERS_TEST_DB", "sqlite")
    if kind not in ("sqlite", "postgresql"):
        raise pytest.UsageError("PETER_SSLERS_TEST_DB must be sqlite or postgresql")
    return kind


@pytest.fixture(scope="session")
def pebble_stack(tmp_path_factory):
    """pebble-challtestsrv (the DNS every Pebble asks) plus the Pebble instances fixtures add."""
    from tests.services.pebble import PebbleStack, require_pebble

    require_pebble()
    stack = PebbleStack(tmp_path_factory.mktemp("pebble"))
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def postgres_cluster():
    from tests.services.postgresql import INSTALL_HINT, PostgresCluster, find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        require_binary("initdb", INSTALL_HINT)
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def make_database_url(tmp_path_factory, request):
    """A factory of fresh, empty databases of the kind under test."""
    counter = iter(range(1, 1000))

    def make(name: str = "db") -> str:
        label = f"{name}_{next(counter)}"
        if database_kind() == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/{label}.sqlite"
        cluster = request.getfixturevalue("postgres_cluster")
        return cluster.create_database(f"peter_sslers_{label}")

    return make


def settings_for(database_url: str, **overrides: str) -> dict:
    """test.ini's [app:main] settings pointed at ``database_url``."""
    settings = dict(get_appsettings(TEST_INI))
    settings["sqlalchemy.url"] = database_url
    settings.update(overrides)
    return settings


@pytest.fixture(scope="session")
def app_settings_raw(make_database_url) -> dict:
    settings = settings_for(make_database_url("app"))
    initialize(TEST_INI, settings)
    return settings


@pytest.fixture(scope="session")
def app(app_settings_raw):
    """The WSGI application, built once per session exactly as pserve builds it."""
    application = main({}, **app_settings_raw)
    route_coverage.install(application.registry)
    return application


@pytest.fixture
def connection(app):
    """A connection inside an outer transaction that is rolled back after the test."""
    engine = app.registry["db_engine"]
    conn = engine.connect()
    outer = conn.begin()
    factory = app.registry["dbsession_factory"]
    # requests commit and abort SAVEPOINTs inside the outer transaction
    factory.configure(bind=conn, join_transaction_mode="create_savepoint")
    yield conn
    factory.configure(bind=engine, join_transaction_mode="conservative_savepoint")
    outer.rollback()
    conn.close()


@pytest.fixture
def dbsession(connection):
    """A session for arranging and asserting rows; commit() only releases a savepoint."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture
def testapp(app, connection):
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": TEST_HOST, "REMOTE_ADDR": "192.0.2.10"})


@pytest.fixture
def admin_prefix(app) -> str:
    return app.registry["app_settings"].admin_prefix


def pytest_collection_modifyitems(session, config, items):
    """Run the route-coverage check last, after every other test has made its requests."""
    last = [item for item in items if item.name == "test_every_route_is_exercised"]
    others = [item for item in items if item.name != "test_every_route_is_exercised"]
    items[:] = others + last
