"""An application wired to a real Pebble, served live so Pebble can reach its public routes.

Commits are real here (Pebble and the live server see them), so every test uses names and
accounts of its own instead of a rolled-back transaction.
"""

from __future__ import annotations

import datetime
import secrets

import pytest
import sqlalchemy as sa
import webtest

from peter_sslers import main
from peter_sslers.model import CertificateSigned, QueueCertificate
from peter_sslers.scripts.initializedb import initialize
from tests import route_coverage
from tests.conftest import TEST_HOST, TEST_INI, settings_for
from tests.services.live_app import LiveServer
from tests.services.pebble import PebbleOptions


class Dispatcher:
    """A WSGI app whose target is set later: the live port must exist before Pebble starts."""

    target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


@pytest.fixture(scope="session")
def acme_live():
    dispatcher = Dispatcher()
    server = LiveServer(dispatcher).start()
    server.dispatcher = dispatcher
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_pebble(pebble_stack, acme_live):
    """Pebble validating HTTP-01 against the live app, in strict mode: no authz reuse, real
    validation, no random nonce rejects; one alternate root so every certificate has two chains."""
    options = PebbleOptions(
        http_port=acme_live.port, nonce_reject=0, authz_reuse=0, va_always_valid=False, strict=True,
        alternate_roots=1,
    )
    return pebble_stack.add_pebble(options, name="app")


@pytest.fixture(scope="session")
def acme_settings(make_database_url, app_pebble) -> dict:
    settings = settings_for(
        make_database_url("acme"),
        certificate_authority="pebble",
        certificate_authority_directory=app_pebble.directory_url,
        certificate_authority_ca_bundle=str(app_pebble.ca_bundle),
    )
    initialize(TEST_INI, settings)
    return settings


@pytest.fixture(scope="session")
def acme_app(acme_settings, acme_live):
    application = main({}, **acme_settings)
    route_coverage.install(application.registry)
    acme_live.dispatcher.target = application
    return application


@pytest.fixture
def acme_testapp(acme_app):
    return webtest.TestApp(acme_app, extra_environ={"HTTP_HOST": TEST_HOST})


@pytest.fixture
def acme_db(acme_app):
    """acme_db(statement) -> rows: a read in a short session of its own (no lock held after)."""

    def read(statement):
        with acme_app.registry["dbsession_factory"]() as session:
            result = session.execute(statement)
            columns = getattr(statement, "column_descriptions", None)
            return list(result.scalars()) if columns and len(columns) == 1 else list(result)

    return read


def unique_email() -> str:
    return f"ops-{secrets.token_hex(4)}@example.com"


@pytest.fixture
def new_account(acme_testapp):
    """new_account(**fields) -> the JSON of an account registered on Pebble."""

    def create(**fields):
        data = {"contact": unique_email(), "tos_agreed": "1", **fields}
        return acme_testapp.post("/.well-known/admin/acme-account/new.json", data).json["acme_account"]

    return create


@pytest.fixture
def account(new_account):
    """A fresh account registered on Pebble."""
    return new_account()


@pytest.fixture
def order_names():
    """order_names(n) -> n fresh names (challtestsrv resolves every name to 127.0.0.1)."""

    def make(count: int = 1, prefix: str = "www") -> list[str]:
        tag = secrets.token_hex(4)
        return [f"{prefix}{i}-{tag}.example.test" for i in range(count)]

    return make


@pytest.fixture
def fake_clock(acme_app):
    """Set acme_app's clock: fake_clock.now = datetime; removed after the test."""

    class Clock:
        now = None

        def __call__(self):
            return self.now

    clock = Clock()
    acme_app.registry["clock"] = clock
    yield clock
    del acme_app.registry["clock"]


@pytest.fixture(scope="module")
def leave_nothing_due(acme_app):
    """For modules that make certificates due: afterwards nothing they made is due or queued,
    so later modules sharing this session's database see only their own renewals."""
    factory = acme_app.registry["dbsession_factory"]
    with factory() as session:
        start = session.execute(sa.select(sa.func.max(CertificateSigned.id))).scalar() or 0
    yield
    far = datetime.datetime(2999, 1, 1, tzinfo=datetime.timezone.utc)
    with factory() as session, session.begin():
        session.execute(sa.update(CertificateSigned).where(CertificateSigned.id > start)
                        .values(timestamp_renew_after=far, timestamp_ari_next_check=far))
        session.execute(sa.update(QueueCertificate).where(QueueCertificate.status.in_(["queued", "claimed"]))
                        .values(status="cancelled"))


@pytest.fixture
def nothing_else_due(acme_app):
    """Certificates and queue items other tests left in the session's database stay out of the way."""
    far = datetime.datetime(2999, 1, 1, tzinfo=datetime.timezone.utc)
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        session.execute(sa.update(CertificateSigned).values(timestamp_renew_after=far, timestamp_ari_next_check=far))
        session.execute(sa.update(QueueCertificate).where(QueueCertificate.status.in_(["queued", "claimed"]))
                        .values(status="cancelled"))


@pytest.fixture
def cancel_stray_queue_items(acme_app):
    """Queue items a test opened are cancelled after it (a clock moved years ahead queues many)."""
    factory = acme_app.registry["dbsession_factory"]
    with factory() as session:
        before = session.execute(sa.select(sa.func.coalesce(sa.func.max(QueueCertificate.id), 0))).scalar_one()
    yield
    with factory() as session, session.begin():
        session.execute(sa.update(QueueCertificate)
                        .where(QueueCertificate.id > before, QueueCertificate.status.in_(["queued", "claimed"]))
                        .values(status="cancelled"))  # fmt: skip
