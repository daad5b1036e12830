"""Answering HTTP-01 challenges from the database, and keeping a bounded record of the polls."""

from __future__ import annotations

import datetime
import logging
import re

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ...model import (
    AcmeAuthorization,
    AcmeChallenge,
    AcmeChallengePoll,
    AcmeChallengeUnknownPoll,
    AcmeOrderless,
)
from ...model.enums import AcmeChallengeStatus, AcmeChallengeType
from ...model.meta import utcnow

log = logging.getLogger(__name__)

# RFC 8555 8.3: tokens are base64url characters; we refuse anything else without a lookup
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# polls recorded row by row per challenge; beyond this only the counter grows
MAX_POLL_ROWS_PER_CHALLENGE = 100
ACTIVE_STATUSES = (AcmeChallengeStatus.PENDING, AcmeChallengeStatus.PROCESSING)


def find_active_http01(dbsession: Session, token: str) -> AcmeChallenge | None:
    """The http-01 challenge with this token that is still awaiting validation, if any."""
    if not TOKEN_PATTERN.match(token):
        return None
    ordered = (
        sa.select(AcmeChallenge)
        .join(AcmeAuthorization, AcmeChallenge.acme_authorization_id == AcmeAuthorization.id)
        .where(
            AcmeChallenge.token == token,
            AcmeChallenge.challenge_type == AcmeChallengeType.HTTP_01,
            AcmeChallenge.status.in_(ACTIVE_STATUSES),
            AcmeChallenge.keyauthorization.is_not(None),
        )
    )
    challenge = dbsession.execute(ordered.limit(1)).scalar_one_or_none()
    if challenge is not None:
        return challenge
    orderless = (
        sa.select(AcmeChallenge)
        .join(AcmeOrderless, AcmeChallenge.acme_orderless_id == AcmeOrderless.id)
        .where(
            AcmeChallenge.token == token,
            AcmeChallenge.challenge_type == AcmeChallengeType.HTTP_01,
            AcmeOrderless.is_active.is_(True),
            AcmeChallenge.keyauthorization.is_not(None),
        )
    )
    return dbsession.execute(orderless.limit(1)).scalar_one_or_none()


def record_poll(dbsession: Session, challenge_id: int, count_polls: int, remote_ip: str | None) -> None:
    """Count a poll of a known challenge; keep a row for the first polls only."""
    dbsession.execute(
        sa.update(AcmeChallenge)
        .where(AcmeChallenge.id == challenge_id)
        .values(count_polls=AcmeChallenge.count_polls + 1)
    )
    if count_polls < MAX_POLL_ROWS_PER_CHALLENGE:
        dbsession.add(
            AcmeChallengePoll(acme_challenge_id=challenge_id, remote_ip_address=_clip(remote_ip, 64))
        )


def record_best_effort(session_factory, record, *args, busy_timeout_ms: int = 2000) -> bool:
    """Run ``record(session, *args)`` in a short transaction of its own; never raise.

    Answering the ACME server matters more than counting its requests: when the database
    is busy (another writer holds SQLite's lock) the record is dropped and logged.
    """
    try:
        with session_factory() as session, session.begin():
            if session.get_bind().dialect.name == "sqlite":
                session.connection().exec_driver_sql(f"PRAGMA busy_timeout={busy_timeout_ms}")
            try:
                record(session, *args)
            finally:
                if session.get_bind().dialect.name == "sqlite":
                    session.connection().exec_driver_sql("PRAGMA busy_timeout=30000")
    except Exception:  # noqa: BLE001 - see the docstring
        log.warning("could not record a challenge poll", exc_info=True)
        return False
    return True


def record_unknown_poll(
    dbsession: Session, token: str, host: str | None, remote_ip: str | None,
    now: datetime.datetime | None = None,
) -> None:
    """Count a poll for an unknown token in today's single counter row (an upsert)."""
    now = now or utcnow()
    values = {
        "day": now.date(),
        "count_polls": 1,
        "last_token": _clip(token, 255),
        "last_host": _clip(host, 255),
        "last_remote_ip_address": _clip(remote_ip, 64),
        "timestamp_last": now,
    }
    dialect = dbsession.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:  # other databases: read-then-write is good enough
        row = dbsession.get(AcmeChallengeUnknownPoll, values["day"])
        if row is None:
            dbsession.add(AcmeChallengeUnknownPoll(**values))
        else:
            row.count_polls += 1
            for key in ("last_token", "last_host", "last_remote_ip_address", "timestamp_last"):
                setattr(row, key, values[key])
        return
    table = AcmeChallengeUnknownPoll.__table__
    statement = insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.day],
        set_={
            "count_polls": table.c.count_polls + 1,
            "last_token": statement.excluded.last_token,
            "last_host": statement.excluded.last_host,
            "last_remote_ip_address": statement.excluded.last_remote_ip_address,
            "timestamp_last": statement.excluded.timestamp_last,
        },
    )
    dbsession.execute(statement)


def _clip(value: str | None, length: int) -> str | None:
    """Truncated, with control characters (NUL included) replaced: safe for any database."""
    if value is None:
        return None
    return "".join(ch if ch.isprintable() else "?" for ch in value[:length])
