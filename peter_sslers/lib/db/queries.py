"""Read-side helpers for focus pages: related rows fetched in a few set-based queries."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import (
    AcmeOrder,
    CertificateSigned,
    Domain,
    UniqueFQDNSet,
    UniqueFQDNSet2Domain,
)


def domain_names_for_sets(dbsession: Session, set_ids: list[int]) -> dict[int, list[str]]:
    """{unique_fqdn_set_id: [names...]} for several sets in one query."""
    if not set_ids:
        return {}
    rows = dbsession.execute(
        sa.select(UniqueFQDNSet2Domain.unique_fqdn_set_id, Domain.domain_name)
        .join(Domain, Domain.id == UniqueFQDNSet2Domain.domain_id)
        .where(UniqueFQDNSet2Domain.unique_fqdn_set_id.in_(set(set_ids)))
        .order_by(Domain.domain_name)
    ).all()
    names: dict[int, list[str]] = {}
    for set_id, name in rows:
        names.setdefault(set_id, []).append(name)
    return names


def domain_ids_for_sets(dbsession: Session, set_ids) -> list[int]:
    """The ids of the domains of these UniqueFQDNSets, sorted."""
    set_ids = sorted(set(set_ids))
    if not set_ids:
        return []
    return sorted(set(dbsession.execute(
        sa.select(UniqueFQDNSet2Domain.domain_id).where(UniqueFQDNSet2Domain.unique_fqdn_set_id.in_(set_ids))
    ).scalars()))  # fmt: skip


def sets_for_domain(dbsession: Session, domain_id: int, limit: int = 50) -> list[UniqueFQDNSet]:
    return list(
        dbsession.execute(
            sa.select(UniqueFQDNSet)
            .join(UniqueFQDNSet2Domain, UniqueFQDNSet2Domain.unique_fqdn_set_id == UniqueFQDNSet.id)
            .where(UniqueFQDNSet2Domain.domain_id == domain_id)
            .order_by(UniqueFQDNSet.id.desc())
            .limit(limit)
        ).scalars()
    )


def orders_for_set_ids(dbsession: Session, set_ids: list[int], limit: int = 50) -> list[AcmeOrder]:
    if not set_ids:
        return []
    return list(
        dbsession.execute(
            sa.select(AcmeOrder)
            .where(AcmeOrder.unique_fqdn_set_id.in_(set_ids))
            .order_by(AcmeOrder.id.desc())
            .limit(limit)
        ).scalars()
    )


def order_for_certificate(dbsession: Session, certificate_signed_id: int) -> AcmeOrder | None:
    return dbsession.execute(
        sa.select(AcmeOrder).where(AcmeOrder.certificate_signed_id == certificate_signed_id)
    ).scalar_one_or_none()


def certificates_for_set(dbsession: Session, set_id: int, limit: int = 50) -> list[CertificateSigned]:
    return list(
        dbsession.execute(
            sa.select(CertificateSigned)
            .where(CertificateSigned.unique_fqdn_set_id == set_id)
            .order_by(CertificateSigned.id.desc())
            .limit(limit)
        ).scalars()
    )
