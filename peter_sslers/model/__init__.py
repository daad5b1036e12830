"""The data model, split by area, on one shared Base; plus engine and session helpers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import configure_mappers, sessionmaker

from . import encryption  # noqa: F401 - peter_sslers.model.encryption is public
from .access import AdminApiToken, DnsProvider, DnsProviderDomain
from .acme_account import AcmeAccount, AcmeAccountKey, AcmeServer
from .acme_order import (
    AcmeAuthorization,
    AcmeChallenge,
    AcmeChallengePoll,
    AcmeChallengeUnknownPoll,
    AcmeOrder,
    AcmeOrder2AcmeAuthorization,
    AcmeOrderless,
)
from .automation import AriCheck, QueueCertificate, QueueDomain, RateLimited
from .certificates import (
    CertificateCA,
    CertificateCAChain,
    CertificateCAChainItem,
    CertificateCAPreference,
    CertificateRequest,
    CertificateSigned,
    CertificateSignedChain,
    PrivateKey,
)
from .domains import Domain, UniqueFQDNSet, UniqueFQDNSet2Domain
from .meta import Base
from .operations import AcmeEventLog, Notification, OperationsEvent, OperationsObjectEvent

configure_mappers()

__all__ = [
    "AcmeAccount", "AcmeAccountKey", "AcmeAuthorization", "AcmeChallenge", "AcmeChallengePoll",
    "AcmeChallengeUnknownPoll", "AcmeEventLog", "AcmeOrder", "AcmeOrder2AcmeAuthorization",
    "AcmeOrderless", "AcmeServer", "AdminApiToken", "AriCheck", "Base", "CertificateCA",
    "CertificateCAChain", "CertificateCAChainItem", "CertificateCAPreference", "CertificateRequest",
    "CertificateSigned", "CertificateSignedChain", "DnsProvider", "DnsProviderDomain", "Domain",
    "Notification", "OperationsEvent", "OperationsObjectEvent", "PrivateKey", "QueueCertificate",
    "QueueDomain", "RateLimited", "UniqueFQDNSet", "UniqueFQDNSet2Domain",
]


def _sqlite_connect(dbapi_connection, connection_record):
    # let SQLAlchemy, not pysqlite, emit BEGIN: pysqlite's own handling breaks SAVEPOINTs
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # WAL: readers (public challenge answers, dashboards) never block the writer, nor it them
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] not in ("wal", "memory"):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection):
    # writers ask for IMMEDIATE: a deferred transaction that read first cannot upgrade to a
    # write once another connection has committed (WAL's SQLITE_BUSY_SNAPSHOT)
    mode = connection.get_execution_options().get("sqlite_begin", "")
    if mode != "none":  # "none": a few reads that need no transaction (see reading_connection)
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


def writer_bind(bind):
    """The bind a session that will write should use: on SQLite, BEGIN IMMEDIATE."""
    if isinstance(bind, sa.Engine) and bind.dialect.name == "sqlite":
        return bind.execution_options(sqlite_begin="IMMEDIATE")
    return bind


def get_engine(settings: dict, prefix: str = "sqlalchemy.") -> sa.Engine:
    """The engine from the ini's ``sqlalchemy.*`` options; SQLite gets foreign keys and a busy timeout.

    Server databases get ``pool_pre_ping`` unless the ini says otherwise: after the server
    restarts, a pooled connection is tested and replaced instead of failing one request.
    """
    url = sa.engine.make_url(settings[f"{prefix}url"])
    if url.get_backend_name() != "sqlite":
        settings = {f"{prefix}pool_pre_ping": "true", **settings}
    engine = sa.engine_from_config(settings, prefix)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


@contextlib.contextmanager
def reading_connection(session_factory: sessionmaker) -> Iterator[sa.Connection]:
    """A plain connection on the session factory's bind, for hot read-only paths.

    Its statements run without a transaction (each one sees the latest commit). The tests
    bind the factory to one connection, whose rolled-back data it then sees.
    """
    bind = session_factory.kw["bind"]
    if isinstance(bind, sa.Connection):
        yield bind
        return
    with bind.connect() as connection:
        if connection.dialect.name == "sqlite":
            yield connection.execution_options(sqlite_begin="none")
        else:  # no BEGIN and no ROLLBACK: two round trips fewer per request
            yield connection.execution_options(isolation_level="AUTOCOMMIT")


def get_session_factory(engine: sa.Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(session_factory: sessionmaker, transaction_manager, request=None):
    """A session joined to ``transaction_manager``: committed or aborted with it."""
    import zope.sqlalchemy  # (only the web app needs it: the command line starts faster)

    dbsession = session_factory(info={"request": request})
    # start as "changed" so Core-level writes (upserts, bulk updates) are committed too;
    # keep the session across commits: long workflows commit their progress step by step
    zope.sqlalchemy.register(
        dbsession, initial_state="changed", transaction_manager=transaction_manager, keep_session=True
    )
    return dbsession


def includeme(config):
    """Pyramid wiring: pyramid_tm, the engine and the session factory (``request.dbsession`` is
    ``request_dbsession``, made by the app's request class)."""
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    settings.setdefault("tm.activate_hook", "peter_sslers.routes.transaction_wanted")
    config.include("pyramid_tm")
    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    config.registry["dbsession_factory"] = session_factory
    config.registry["db_engine"] = engine


def request_dbsession(request):
    """``request.dbsession``: a session joined to pyramid_tm's transaction (made on first use)."""
    # tests hand in a session bound to an outer transaction through the environ
    session = request.environ.get("app.dbsession")
    if session is None:
        session = get_tm_session(request.registry["dbsession_factory"], request.tm, request=request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            session.bind = writer_bind(session.bind)
        # keep_session=True means an abort only expires the session: close it (rolling
        # back whatever is still open) once the request is over
        request.add_finished_callback(lambda _request: session.close())
    return session
