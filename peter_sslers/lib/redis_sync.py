"""Keeping Redis in step with the store: every change that alters what a domain serves is
written through to Redis right away (when ``redis.url`` is set). Best effort: Redis being
down never fails the operation that caused the change; the next prime repairs it."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..model import UniqueFQDNSet2Domain

log = logging.getLogger(__name__)


def write_through(dbsession: Session, settings, domain_ids) -> dict | None:
    """Re-prime these domains (their keys go away when they have no usable certificate)."""
    domain_ids = sorted(set(domain_ids))
    if not settings.redis_url or not domain_ids:
        return None
    from . import redis_prime

    try:
        return redis_prime.prime_domains(dbsession, settings, domain_ids)
    except Exception:  # noqa: BLE001 - see the module docstring
        log.warning("Redis write-through failed for %d domain(s)", len(domain_ids), exc_info=True)
        return None


def write_through_set(dbsession: Session, settings, unique_fqdn_set_id: int) -> dict | None:
    """Re-prime every domain of a UniqueFQDNSet (a certificate was issued, changed or revoked)."""
    if not settings.redis_url:
        return None
    domain_ids = dbsession.execute(
        sa.select(UniqueFQDNSet2Domain.domain_id).where(UniqueFQDNSet2Domain.unique_fqdn_set_id == unique_fqdn_set_id)
    ).scalars().all()
    return write_through(dbsession, settings, domain_ids)


def on_payload_served(event) -> None:
    """``?openresty=1`` on config.json and autocert: write that domain through."""
    domain_id = (event.payload.get("domain") or {}).get("id")
    if domain_id:
        request = event.request
        with request.registry["dbsession_factory"]() as session:
            write_through(session, request.app_settings, [int(domain_id)])


def includeme(config) -> None:
    from ..views.admin.automation import AutocertServed
    from ..views.admin.domain import DomainConfigServed

    config.add_subscriber(on_payload_served, DomainConfigServed)
    config.add_subscriber(on_payload_served, AutocertServed)
