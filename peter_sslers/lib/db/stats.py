"""Counts for the dashboard: one round trip of scalar subqueries, no per-row loops."""

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


def _count(model, *where):
    return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()


def dashboard_counts(dbsession: Session, now: datetime.datetime | None = None) -> dict[str, int]:
    """Object counts and the numbers that need attention, in one query."""
    now = now or utcnow()
    active_cert = CertificateSigned.is_active.is_(True)
    columns = {
        "domains": _count(Domain),
        "domains_active": _count(Domain, Domain.is_active.is_(True)),
        "unique_fqdn_sets": _count(UniqueFQDNSet),
        "certificates_signed": _count(CertificateSigned),
        "certificates_active": _count(CertificateSigned, active_cert),
        "certificates_expired_active": _count(
            CertificateSigned, active_cert, CertificateSigned.timestamp_not_after < now
        ),
        "certificates_expiring_7d": _count(
            CertificateSigned, active_cert,
            CertificateSigned.timestamp_not_after >= now,
            CertificateSigned.timestamp_not_after < now + datetime.timedelta(days=7),
        ),
        "certificates_expiring_30d": _count(
            CertificateSigned, active_cert,
            CertificateSigned.timestamp_not_after >= now,
            CertificateSigned.timestamp_not_after < now + datetime.timedelta(days=30),
        ),
        "certificate_cas": _count(CertificateCA),
        "certificate_requests": _count(CertificateRequest),
        "private_keys": _count(PrivateKey),
        "private_keys_compromised": _count(PrivateKey, PrivateKey.is_compromised.is_(True)),
        "acme_accounts": _count(AcmeAccount),
        "acme_orders": _count(AcmeOrder),
        "acme_orders_active": _count(
            AcmeOrder,
            AcmeOrder.status.in_(
                (AcmeOrderStatus.PENDING, AcmeOrderStatus.READY, AcmeOrderStatus.PROCESSING)
            ),
        ),
        "acme_orders_invalid": _count(AcmeOrder, AcmeOrder.status == AcmeOrderStatus.INVALID),
        "queue_domains": _count(QueueDomain, QueueDomain.status == QueueStatus.QUEUED),
        "queue_certificates": _count(QueueCertificate, QueueCertificate.status == QueueStatus.QUEUED),
        "queue_certificates_failed": _count(
            QueueCertificate, QueueCertificate.status == QueueStatus.FAILED
        ),
    }
    row = dbsession.execute(sa.select(*(c.label(k) for k, c in columns.items()))).one()
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
