"""Set-based maintenance: each domain's latest certificates, and deactivating expired ones."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import CertificateSigned, Domain, UniqueFQDNSet2Domain
from ...model.meta import utcnow
from .common import log_operation


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

    One UPDATE statement however many domains; returns the number of domains updated.
    """
    statement = sa.update(Domain).values(
        certificate_signed_id__latest_single=_latest(True),
        certificate_signed_id__latest_multi=_latest(False),
    )
    if domain_ids is not None:
        if not domain_ids:
            return 0
        statement = statement.where(Domain.id.in_(domain_ids))
    count = dbsession.execute(statement.execution_options(synchronize_session=False)).rowcount
    dbsession.expire_all()
    if domain_ids is None:
        log_operation(dbsession, "Domain__update_recents", {"domains": count})
    return count


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
    now = now or utcnow()
    update_recents(dbsession)
    in_use = sa.union(
        sa.select(Domain.certificate_signed_id__latest_single).where(
            Domain.certificate_signed_id__latest_single.is_not(None)
        ),
        sa.select(Domain.certificate_signed_id__latest_multi).where(
            Domain.certificate_signed_id__latest_multi.is_not(None)
        ),
    )
    count = dbsession.execute(
        sa.update(CertificateSigned)
        .where(
            CertificateSigned.is_active.is_(True),
            CertificateSigned.timestamp_not_after < now,
            CertificateSigned.id.not_in(in_use),
        )
        .values(is_active=False, is_deactivated=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    dbsession.expire_all()
    log_operation(dbsession, "CertificateSigned__deactivate_expired", {"deactivated": count})
    return count
