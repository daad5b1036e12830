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


@dataclasses.dataclass(frozen=True)
class Change:
    """``count``: what the operation reports; ``domain_ids``: the domains it affected."""

    count: int
    domain_ids: list[int]


def _latest(single: bool):
    """Correlated subquery: the newest active certificate covering ``domain`` (single or multi)."""
    return (
        sa.select(CertificateSigned.id)
        .join(
            UniqueFQDNSet2Domain,
            UniqueFQDNSet2Domain.unique_fqdn_set_id == CertificateSigned.unique_fqdn_set_id,
        )
        .where(
            UniqueFQDNSet2Domain.domain_id == Domain.id,
            CertificateSigned.is_active.is_(True),
            CertificateSigned.is_single_domain.is_(single),
        )
        .order_by(CertificateSigned.timestamp_not_after.desc(), CertificateSigned.id.desc())
        .limit(1)
        .correlate(Domain)
        .scalar_subquery()
    )


def update_recents(dbsession: Session, domain_ids: list[int] | None = None) -> int:
    """Cache the latest single- and multi-domain certificate on each domain (or only these).

    One UPDATE statement however many domains (only the rows that change are written);
    returns the number of domains looked at.
    """
    return update_recents_changed(dbsession, domain_ids).count


def update_recents_changed(dbsession: Session, domain_ids: list[int] | None = None) -> Change:
    """``update_recents``, writing only the domains whose latest certificates change.

    ``count`` is what ``update_recents`` answers (the domains looked at); ``domain_ids`` are
    the ones that changed, from ``UPDATE ... RETURNING`` (PostgreSQL, SQLite >= 3.35), else
    from a SELECT of the same condition just before the UPDATE, in the same transaction.
    """
    if domain_ids is not None and not domain_ids:
        return Change(0, [])
    single, multi = _latest(True), _latest(False)
    changed = sa.or_(
        Domain.certificate_signed_id__latest_single.is_distinct_from(single),
        Domain.certificate_signed_id__latest_multi.is_distinct_from(multi),
    )
    scope = [Domain.id.in_(domain_ids)] if domain_ids is not None else []
    statement = (
        sa.update(Domain)
        .where(changed, *scope)
        .values(certificate_signed_id__latest_single=single, certificate_signed_id__latest_multi=multi)
        .execution_options(synchronize_session=False)
    )
    if dbsession.get_bind().dialect.update_returning:
        ids = dbsession.execute(statement.returning(Domain.id)).scalars().all()
    else:
        ids = dbsession.execute(sa.select(Domain.id).where(changed, *scope)).scalars().all()
        dbsession.execute(statement)
    count = dbsession.execute(sa.select(sa.func.count()).select_from(Domain).where(*scope)).scalar_one()
    dbsession.expire_all()
    if domain_ids is None:
        log_operation(dbsession, "Domain__update_recents", {"domains": count, "changed": len(ids)})
    return Change(count, sorted(ids))


def update_recents_for_set(dbsession: Session, unique_fqdn_set_id: int) -> int:
    domain_ids = list(
        dbsession.execute(
            sa.select(UniqueFQDNSet2Domain.domain_id).where(
                UniqueFQDNSet2Domain.unique_fqdn_set_id == unique_fqdn_set_id
            )
        ).scalars()
    )
    return update_recents(dbsession, domain_ids)


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
    in_use = sa.union(
        sa.select(Domain.certificate_signed_id__latest_single).where(
            Domain.certificate_signed_id__latest_single.is_not(None)
        ),
        sa.select(Domain.certificate_signed_id__latest_multi).where(
            Domain.certificate_signed_id__latest_multi.is_not(None)
        ),
    )
    expired = (
        CertificateSigned.is_active.is_(True),
        CertificateSigned.timestamp_not_after < now,
        CertificateSigned.id.not_in(in_use),
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
