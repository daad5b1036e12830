"""Set-based maintenance: each domain's latest certificates, and deactivating expired ones.

``update_recents_changed`` and ``deactivate_expired_changed`` also say which domains may now
serve something else (for the Redis write-through, ``lib/redis_sync``); the plain forms
answer the count only.
"""

from __future__ import annotations

import dataclasses
import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import CertificateSigned, Domain, UniqueFQDNSet2Domain
from ...model.meta import utcnow
from .common import log_operation
from .queries import domain_ids_for_sets


@dataclasses.dataclass(frozen=True)
class Change:
    """``count``: what the operation reports; ``domain_ids``: the domains it affected."""

    count: int
    domain_ids: list[int]


def _latest_by_domain(domain_ids: list[int] | None) -> sa.Subquery:
    """Per domain with an active certificate: its newest active single-name and multi-name
    certificates (``single``, ``multi``; NULL when it has none of that kind), set-based."""
    link, cert = UniqueFQDNSet2Domain, CertificateSigned
    ranked = (
        sa.select(
            link.domain_id, cert.is_single_domain, cert.id,
            sa.func.row_number().over(
                partition_by=(link.domain_id, cert.is_single_domain),
                order_by=(cert.timestamp_not_after.desc(), cert.id.desc()),
            ).label("newest"),
        )
        .join(link, link.unique_fqdn_set_id == cert.unique_fqdn_set_id)
        .where(cert.is_active.is_(True), *([link.domain_id.in_(domain_ids)] if domain_ids is not None else []))
        .subquery("ranked")
    )
    return (
        sa.select(
            ranked.c.domain_id,
            sa.func.max(sa.case((ranked.c.is_single_domain.is_(True), ranked.c.id))).label("single"),
            sa.func.max(sa.case((ranked.c.is_single_domain.is_(False), ranked.c.id))).label("multi"),
        )
        .where(ranked.c.newest == 1)
        .group_by(ranked.c.domain_id)
        .subquery("latest")
    )


def update_recents(dbsession: Session, domain_ids: list[int] | None = None) -> int:
    """Cache the latest single- and multi-domain certificate on each domain (or only these).

    Set-based (two UPDATE statements however many domains), writing only the rows that
    change; returns the number of domains looked at.
    """
    return update_recents_changed(dbsession, domain_ids).count


def update_recents_changed(dbsession: Session, domain_ids: list[int] | None = None) -> Change:
    """``update_recents``, answering which domains changed (``domain_ids``).

    One ``UPDATE ... FROM`` the newest certificates per domain (window functions) for domains
    with an active certificate, one for those left with none; each ``RETURNING`` the ids it
    wrote (PostgreSQL; SQLite >= 3.35).
    """
    if domain_ids is not None and not domain_ids:
        return Change(0, [])
    scope = [Domain.id.in_(domain_ids)] if domain_ids is not None else []
    latest = _latest_by_domain(domain_ids)
    single, multi = Domain.certificate_signed_id__latest_single, Domain.certificate_signed_id__latest_multi
    newer = (
        sa.update(Domain)
        .where(Domain.id == latest.c.domain_id, sa.or_(single.is_distinct_from(latest.c.single),
                                                       multi.is_distinct_from(latest.c.multi)))
        .values(certificate_signed_id__latest_single=latest.c.single, certificate_signed_id__latest_multi=latest.c.multi)
    )  # fmt: skip
    active_link = (
        sa.select(UniqueFQDNSet2Domain.domain_id)
        .join(CertificateSigned, CertificateSigned.unique_fqdn_set_id == UniqueFQDNSet2Domain.unique_fqdn_set_id)
        .where(UniqueFQDNSet2Domain.domain_id == Domain.id, CertificateSigned.is_active.is_(True))
    )
    none_left = (
        sa.update(Domain)
        .where(sa.or_(single.is_not(None), multi.is_not(None)), ~active_link.exists(), *scope)
        .values(certificate_signed_id__latest_single=None, certificate_signed_id__latest_multi=None)
    )
    ids: list[int] = []
    for statement in (newer, none_left):
        statement = statement.returning(Domain.id).execution_options(synchronize_session=False)
        ids += dbsession.execute(statement).scalars().all()
    count = dbsession.execute(sa.select(sa.func.count()).select_from(Domain).where(*scope)).scalar_one()
    dbsession.expire_all()
    if domain_ids is None:
        log_operation(dbsession, "Domain__update_recents", {"domains": count, "changed": len(ids)})
    return Change(count, sorted(ids))


def update_recents_for_set(dbsession: Session, unique_fqdn_set_id: int) -> int:
    return update_recents(dbsession, domain_ids_for_sets(dbsession, [unique_fqdn_set_id]))


def deactivate_expired(dbsession: Session, now: datetime.datetime | None = None) -> int:
    """Deactivate expired active certificates, except one that is still a domain's latest.

    Recents are refreshed first, so a certificate stays active until a newer one replaces
    it for every domain it covers. Returns the number deactivated.
    """
    return deactivate_expired_changed(dbsession, now).count


def deactivate_expired_changed(dbsession: Session, now: datetime.datetime | None = None) -> Change:
    """``deactivate_expired``; ``domain_ids``: the domains whose latest certificates the refresh
    changed, and every domain of the certificates deactivated (selected, set-based, just
    before the UPDATE in the same transaction)."""
    now = now or utcnow()
    refreshed = update_recents_changed(dbsession)
    # two anti-joins on the indexed latest columns (a NOT IN over their union is planned as a
    # scan of a million-row list per candidate on PostgreSQL)
    expired = (
        CertificateSigned.is_active.is_(True),
        CertificateSigned.timestamp_not_after < now,
        ~sa.exists().where(Domain.certificate_signed_id__latest_single == CertificateSigned.id),
        ~sa.exists().where(Domain.certificate_signed_id__latest_multi == CertificateSigned.id),
    )
    covered = dbsession.execute(
        sa.select(UniqueFQDNSet2Domain.domain_id).distinct().where(
            UniqueFQDNSet2Domain.unique_fqdn_set_id.in_(
                sa.select(CertificateSigned.unique_fqdn_set_id).where(*expired)
            )
        )
    ).scalars().all()
    count = dbsession.execute(
        sa.update(CertificateSigned)
        .where(*expired)
        .values(is_active=False, is_deactivated=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    dbsession.expire_all()
    domain_ids = sorted({*refreshed.domain_ids, *covered})
    log_operation(
        dbsession, "CertificateSigned__deactivate_expired", {"deactivated": count, "domains": len(domain_ids)}
    )
    return Change(count, domain_ids)
