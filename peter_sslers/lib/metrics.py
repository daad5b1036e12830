"""Prometheus metrics computed from the database at scrape time.

Every scrape builds a fresh ``CollectorRegistry`` holding one ``StoreCollector``: the values
come from a handful of grouped queries, never from counters kept in process memory, so any
number of application processes answer the same numbers. Nothing here reads key material.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, exposition, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.orm import Session, aliased

from ..model import (
    AcmeEventLog,
    AcmeOrder,
    CertificateSigned,
    Domain,
    OperationsEvent,
    QueueCertificate,
    QueueDomain,
    UniqueFQDNSet2Domain,
)
from ..model.enums import AcmeOrderStatus, QueueStatus
from ..model.meta import utcnow

log = logging.getLogger(__name__)

PREFIX = "peter_sslers_"
# the classic text format generate_latest writes (the constant is newer than prometheus_client 0.20)
CONTENT_TYPE = getattr(
    exposition, "CONTENT_TYPE_PLAIN_0_0_4", "text/plain; version=0.0.4; charset=utf-8"
)
# per-certificate series are capped: a scrape must stay small however large the store is
EXPIRY_SERIES_LIMIT = 1000
CERTIFICATE_STATES = ("active", "expired_active", "inactive", "revoked")
REDIS_PRIME_EVENT = "Redis__prime"


def _timestamp(value: datetime.datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def certificate_states(
    dbsession: Session, now: datetime.datetime
) -> tuple[dict[str, int], datetime.datetime | None]:
    """Certificates per state (mutually exclusive) and the earliest expiry of an active one.

    One GROUP BY over a CASE: revoked, inactive, expired but still active, active.
    """
    cert = CertificateSigned
    state = sa.case(
        (cert.is_revoked.is_(True), "revoked"),
        (cert.is_active.is_(False), "inactive"),
        (cert.timestamp_not_after < now, "expired_active"),
        else_="active",
    ).label("state")
    # grouped in an outer query: PostgreSQL would not match the CASE's bound parameters twice
    inner = sa.select(state, cert.timestamp_not_after.label("not_after")).subquery()
    rows = dbsession.execute(
        sa.select(inner.c.state, sa.func.count(), sa.func.min(inner.c.not_after)).group_by(
            inner.c.state
        )
    ).all()
    counts = dict.fromkeys(CERTIFICATE_STATES, 0)
    earliest = None
    for name, count, not_after in rows:
        counts[name] = count
        if name in ("active", "expired_active") and not_after is not None:
            earliest = not_after if earliest is None else min(earliest, not_after)
    return counts, earliest


def certificate_expiries(
    dbsession: Session, limit: int = EXPIRY_SERIES_LIMIT
) -> list[tuple[int, str, datetime.datetime]]:
    """(id, first domain name, not after) of the ``limit`` soonest-expiring managed certificates.

    Managed: active, not revoked, and the newest certificate of its name set (an older one
    that was already renewed is not worth an alert). The cap is applied before the join.
    """
    newer = aliased(CertificateSigned)
    soonest = (
        sa.select(
            CertificateSigned.id,
            CertificateSigned.unique_fqdn_set_id,
            CertificateSigned.timestamp_not_after,
        )
        .where(
            CertificateSigned.is_active.is_(True),
            CertificateSigned.is_revoked.is_(False),
            ~sa.exists().where(
                newer.unique_fqdn_set_id == CertificateSigned.unique_fqdn_set_id,
                newer.timestamp_not_after > CertificateSigned.timestamp_not_after,
            ),
        )
        .order_by(CertificateSigned.timestamp_not_after, CertificateSigned.id)
        .limit(limit)
        .subquery()
    )
    rows = dbsession.execute(
        sa.select(soonest.c.id, sa.func.min(Domain.domain_name), soonest.c.timestamp_not_after)
        .join(
            UniqueFQDNSet2Domain,
            UniqueFQDNSet2Domain.unique_fqdn_set_id == soonest.c.unique_fqdn_set_id,
        )
        .join(Domain, Domain.id == UniqueFQDNSet2Domain.domain_id)
        .group_by(soonest.c.id, soonest.c.timestamp_not_after)
        .order_by(soonest.c.timestamp_not_after, soonest.c.id)
    ).all()
    return [(cert_id, name, not_after) for cert_id, name, not_after in rows]


def _grouped(dbsession: Session, column, *extra) -> list[tuple]:
    return dbsession.execute(sa.select(column, sa.func.count(), *extra).group_by(column)).all()


def last_redis_prime(dbsession: Session) -> tuple[float | None, datetime.datetime | None]:
    """(seconds, when) of the newest Redis prime event; (None, None) when there is none."""
    row = dbsession.execute(
        sa.select(OperationsEvent.payload_json, OperationsEvent.timestamp_event)
        .where(OperationsEvent.event_type == REDIS_PRIME_EVENT)
        .order_by(OperationsEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None, None
    try:
        seconds = float((json.loads(row.payload_json or "{}") or {}).get("seconds"))
    except (TypeError, ValueError, AttributeError):
        seconds = None
    return seconds, row.timestamp_event


def _gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, documentation, labels=labels)


class StoreCollector:
    """A prometheus_client collector whose ``collect()`` queries the store.

    It has no ``describe()``: registered with ``auto_describe=False`` it is only run when the
    registry is exposed, once per scrape.
    """

    def __init__(self, dbsession: Session, now: Callable[[], datetime.datetime] = utcnow):
        self.dbsession = dbsession
        self.now = now

    def collect(self) -> Iterator[Metric]:
        now = self.now()
        yield from self._certificates(now)
        yield from self._orders_and_events()
        yield from self._queues()
        yield from self._redis()

    def _certificates(self, now: datetime.datetime) -> Iterator[Metric]:
        counts, earliest = certificate_states(self.dbsession, now)
        states = _gauge(
            "certificates",
            "Certificates by state: active, expired_active (expired, still active), inactive, revoked.",
            ["state"],
        )
        for state in CERTIFICATE_STATES:
            states.add_metric([state], counts[state])
        yield states
        if earliest is not None:
            gauge = _gauge(
                "certificate_earliest_expiry_seconds",
                "Seconds until the earliest expiry of an active certificate (negative: already expired).",
            )
            gauge.add_metric([], (earliest - now).total_seconds())
            yield gauge
        expiry = _gauge(
            "certificate_expiry_timestamp_seconds",
            f"Expiry (unix time) of managed certificates, the {EXPIRY_SERIES_LIMIT} soonest at most.",
            ["certificate_id", "domain"],
        )
        for cert_id, domain, not_after in certificate_expiries(self.dbsession):
            expiry.add_metric([str(cert_id), domain], not_after.timestamp())
        yield expiry

    def _orders_and_events(self) -> Iterator[Metric]:
        orders = _gauge("acme_orders", "ACME orders by status.", ["status"])
        counts = dict(_grouped(self.dbsession, AcmeOrder.status))
        for status in AcmeOrderStatus:
            orders.add_metric([status.value], counts.get(status, 0))
        yield orders
        requests = CounterMetricFamily(
            PREFIX + "acme_requests",
            "Exchanges with ACME servers in the event log, by event and result.",
            labels=["event", "result"],
        )
        rows = self.dbsession.execute(
            sa.select(AcmeEventLog.acme_event, AcmeEventLog.result, sa.func.count()).group_by(
                AcmeEventLog.acme_event, AcmeEventLog.result
            )
        ).all()
        for event, result, count in rows:
            requests.add_metric([event, getattr(result, "value", str(result))], count)
        yield requests

    def _queues(self) -> Iterator[Metric]:
        domains = _gauge("queue_domains", "Domain queue items by status.", ["status"])
        counts = dict(_grouped(self.dbsession, QueueDomain.status))
        for status in QueueStatus:
            domains.add_metric([status.value], counts.get(status, 0))
        yield domains
        renewals = _gauge("queue_certificates", "Renewal queue items by status.", ["status"])
        rows = _grouped(
            self.dbsession,
            QueueCertificate.status,
            sa.func.max(QueueCertificate.timestamp_processed),
        )
        counts = {status: count for status, count, _ in rows}
        for status in QueueStatus:
            renewals.add_metric([status.value], counts.get(status, 0))
        yield renewals
        last_done = next((when for status, _, when in rows if status == QueueStatus.DONE), None)
        if last_done is not None:
            gauge = _gauge(
                "renewal_last_success_timestamp_seconds",
                "When the renewal queue last renewed a certificate (unix time).",
            )
            gauge.add_metric([], last_done.timestamp())
            yield gauge

    def _redis(self) -> Iterator[Metric]:
        seconds, when = last_redis_prime(self.dbsession)
        if seconds is not None:
            gauge = _gauge("redis_prime_duration_seconds", "How long the latest Redis prime took.")
            gauge.add_metric([], seconds)
            yield gauge
        if when is not None:
            gauge = _gauge(
                "redis_prime_last_timestamp_seconds", "When Redis was last primed (unix time)."
            )
            gauge.add_metric([], when.timestamp())
            yield gauge


def render(dbsession: Session, now: Callable[[], datetime.datetime] = utcnow) -> bytes:
    """The Prometheus text exposition of the store's metrics (one fresh registry)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(dbsession, now))
    return generate_latest(registry)
