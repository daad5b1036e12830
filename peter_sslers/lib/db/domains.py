"""Domains and UniqueFQDNSets: a list of names becomes a unique set behind the scenes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import Domain, UniqueFQDNSet, UniqueFQDNSet2Domain
from ..errors import is_id
from .common import get_or_create


def get_or_create_domains(dbsession: Session, names: list[str]) -> list[Domain]:
    """Domain rows for already-normalised names, created where missing (one lookup query)."""
    existing = {
        d.domain_name: d
        for d in dbsession.execute(sa.select(Domain).where(Domain.domain_name.in_(names))).scalars()
    }
    domains = []
    for name in names:
        domain = existing.get(name)
        if domain is None:
            domain, _ = get_or_create(
                dbsession, Domain, {"domain_name": name}, lambda n=name: Domain(domain_name=n)
            )
            existing[name] = domain
        domains.append(domain)
    return domains


def get_or_create_unique_fqdn_set(
    dbsession: Session, names: list[str]
) -> tuple[UniqueFQDNSet, bool]:
    """The UniqueFQDNSet of these (normalised) names, with its Domains."""
    domains = get_or_create_domains(dbsession, sorted(set(names)))
    ids = sorted(d.id for d in domains)
    key = ",".join(str(i) for i in ids)

    def create() -> UniqueFQDNSet:
        return UniqueFQDNSet(domain_ids_string=key, count_domains=len(ids))

    fqdn_set, created = get_or_create(dbsession, UniqueFQDNSet, {"domain_ids_string": key}, create)
    if created:
        dbsession.add_all(
            UniqueFQDNSet2Domain(unique_fqdn_set_id=fqdn_set.id, domain_id=i) for i in ids
        )
        dbsession.flush()
    return fqdn_set, created


def find_domain(dbsession: Session, identifier: str) -> Domain | None:
    """A domain by numeric id or by name."""
    if not identifier.isprintable():
        return None
    if identifier.isascii() and identifier.isdigit():
        if not is_id(identifier):
            return None
        return dbsession.get(Domain, int(identifier))
    return dbsession.execute(
        sa.select(Domain).where(Domain.domain_name == identifier.strip().lower().rstrip("."))
    ).scalar_one_or_none()
