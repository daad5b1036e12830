"""Counts for the dashboard: one round trip, one scan per table, no per-row loops."""

from __future__ import annotations

import datetime
import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import (
    AcmeAccount,
    AcmeOrder,
    CertificateCA,
    CertificateRequest,
    CertificateSigned,
    Domain,
    OperationsEvent,
    PrivateKey,
    QueueCertificate,
    QueueDomain,
    UniqueFQDNSet,
)
from ...model.enums import AcmeOrderStatus, QueueStatus
from ...model.meta import utcnow


def _counts(model, **counts) -> sa.Subquery:
    """One scan of ``model``'s table: each keyword a count, of the rows matching its condition
    (``None``: all rows), as ``count(*) FILTER (WHERE ...)``."""
    columns = [
        (sa.func.count() if where is None else sa.func.count().filter(sa.and_(*where))).label(name)
        for name, where in counts.items()
    ]
    return sa.select(*columns).select_from(model).subquery()


def dashboard_counts(dbsession: Session, now: datetime.datetime | None = None) -> dict[str, int]:
    """Object counts and the numbers that need attention: one query, each table scanned once."""
    now = now or utcnow()
    active, not_after = CertificateSigned.is_active.is_(True), CertificateSigned.timestamp_not_after
    open_order = (AcmeOrderStatus.PENDING, AcmeOrderStatus.READY, AcmeOrderStatus.PROCESSING)
    tables = [
        _counts(Domain, domains=None, domains_active=[Domain.is_active.is_(True)]),
        _counts(UniqueFQDNSet, unique_fqdn_sets=None),
        _counts(
            CertificateSigned,
            certificates_signed=None,
            certificates_active=[active],
            certificates_expired_active=[active, not_after < now],
            certificates_expiring_7d=[active, not_after >= now, not_after < now + datetime.timedelta(days=7)],
            certificates_expiring_30d=[active, not_after >= now, not_after < now + datetime.timedelta(days=30)],
        ),
        _counts(CertificateCA, certificate_cas=None),
        _counts(CertificateRequest, certificate_requests=None),
        _counts(PrivateKey, private_keys=None, private_keys_compromised=[PrivateKey.is_compromised.is_(True)]),
        _counts(AcmeAccount, acme_accounts=None),
        _counts(
            AcmeOrder,
            acme_orders=None,
            acme_orders_active=[AcmeOrder.status.in_(open_order)],
            acme_orders_invalid=[AcmeOrder.status == AcmeOrderStatus.INVALID],
        ),
        _counts(QueueDomain, queue_domains=[QueueDomain.status == QueueStatus.QUEUED]),
        _counts(
            QueueCertificate,
            queue_certificates=[QueueCertificate.status == QueueStatus.QUEUED],
            queue_certificates_failed=[QueueCertificate.status == QueueStatus.FAILED],
        ),
    ]
    joined = tables[0]
    for table in tables[1:]:  # one row each: joined on true
        joined = joined.join(table, sa.true())
    row = dbsession.execute(sa.select(*(c for table in tables for c in table.c)).select_from(joined)).one()
    return dict(row._mapping)


def attention_items(counts: dict[str, int]) -> list[dict[str, str | int]]:
    """What an admin should look at, from the counts: one entry per non-zero problem."""
    checks = (
        ("certificates_expired_active", "danger", "active certificates have expired"),
        ("certificates_expiring_7d", "warning", "active certificates expire within 7 days"),
        ("acme_orders_invalid", "warning", "orders failed (status invalid)"),
        ("queue_certificates_failed", "warning", "renewal queue items failed"),
        ("private_keys_compromised", "danger", "private keys are marked compromised"),
    )
    return [
        {"key": key, "level": level, "count": counts[key], "message": message}
        for key, level, message in checks
        if counts.get(key)
    ]


def recent_operations(dbsession: Session, limit: int = 10) -> list[dict]:
    rows = dbsession.execute(
        sa.select(OperationsEvent).order_by(OperationsEvent.id.desc()).limit(limit)
    ).scalars()
    return [
        {
            "id": str(event.id),
            "event_type": event.event_type,
            "timestamp_event": event.timestamp_event,
            "payload": json.loads(event.payload_json) if event.payload_json else None,
        }
        for event in rows
    ]


def expirations_by_week(
    dbsession: Session, now: datetime.datetime | None = None, weeks: int = 13
) -> list[dict]:
    """Active certificates expiring in each of the next ``weeks`` weeks, in one grouped query.

    Week 0 starts at today's midnight (UTC); certificates that already expired are not counted.
    Every week is present in the answer, empty weeks with a count of 0.
    """
    now = now or utcnow()
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    bounds = [start + datetime.timedelta(days=7 * (i + 1)) for i in range(weeks)]
    not_after = CertificateSigned.timestamp_not_after
    # a CASE over the week boundaries buckets portably (SQLite and PostgreSQL date maths differ)
    # (grouped in an outer query: PostgreSQL would not match the CASE's bound parameters twice)
    bucketed = (
        sa.select(sa.case(*((not_after < bound, i) for i, bound in enumerate(bounds))).label("week"))
        .where(CertificateSigned.is_active.is_(True), not_after >= now, not_after < bounds[-1])
        .subquery()
    )
    rows = dbsession.execute(
        sa.select(bucketed.c.week, sa.func.count()).group_by(bucketed.c.week)
    ).all()
    counts = {int(week): count for week, count in rows}
    return [
        {"week_start": (start + datetime.timedelta(days=7 * i)).date(), "count": counts.get(i, 0)}
        for i in range(weeks)
    ]
