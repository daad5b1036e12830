"""Keeping Redis and the nginx caches in step with the store.

Every change that alters what a domain serves is written through to Redis right away (when
``redis.url`` is set), and for marks of a certificate its domains are expired on the nginx
servers (when ``nginx.servers_pool`` is set). Best effort: Redis or nginx being down never
fails the operation that caused the change; the failure is answered as the ``"redis"`` /
``"nginx"`` part of the operation's answer, recorded as an OperationsEvent, and the next
prime (or expiry) repairs it.

Two ways in:

- ``write_through`` / ``write_through_set``: inside the transaction that made the change,
  after its flush (the reads see it); the error event goes in that same transaction.
- ``sync_committed``: once the change is committed, in sessions of its own (reads in one,
  the error event in another); ``views/admin/redis_nginx.sync_after_commit`` commits a
  request's transaction and calls it, the CLI calls it after its command's session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from ..model import (
    CertificateCAChainItem,
    CertificateSignedChain,
    Domain,
    writer_bind,
)
from .db.certificate_cas import pick_default_chain
from .db.common import log_operation
from .db.queries import domain_ids_for_sets

log = logging.getLogger(__name__)

# domain ids, or a function of a session answering them (read once the change is committed)
DomainIds = Iterable[int] | Callable[[Session], Iterable[int]]


# --- Redis ----------------------------------------------------------------------------------------


def _redis_part(dbsession: Session, settings, domain_ids: Iterable[int]) -> dict | None:
    """Re-prime these domains (their keys go away when they have no usable certificate).

    None when Redis is not configured; else ``{"result": "success", "domains": n, **counts}``
    or ``{"result": "error", "domains": n, "error": ...}``.
    """
    if not settings.redis_url:
        return None
    domain_ids = sorted(set(domain_ids))
    if not domain_ids:
        return {"result": "success", "domains": 0}
    from . import redis_prime

    try:
        counts = redis_prime.prime_domains(dbsession, settings, domain_ids)
    except Exception as exc:  # noqa: BLE001 - see the module docstring
        log.warning("Redis write-through failed for %d domain(s)", len(domain_ids), exc_info=True)
        return {"result": "error", "domains": len(domain_ids), "error": str(exc) or type(exc).__name__}
    return {"result": "success", "domains": len(domain_ids), **counts}


def write_through(dbsession: Session, settings, domain_ids, *, record: bool = True,
                  operation: str = "write-through") -> dict | None:
    """Write these domains through to Redis, in ``dbsession``'s transaction (flushed first).

    Returns None when Redis is not configured or there is no domain, else the ``"redis"``
    part of an answer (see ``_redis_part``). A failure is recorded in ``dbsession`` as a
    ``Redis__write_through__error`` event unless ``record`` is false.
    """
    domain_ids = sorted(set(domain_ids))
    if not settings.redis_url or not domain_ids:
        return None
    part = _redis_part(dbsession, settings, domain_ids)
    if record:
        record_failures(dbsession, {"redis": part}, operation)
    return part


def write_through_set(dbsession: Session, settings, unique_fqdn_set_id: int, *,
                      operation: str = "write-through") -> dict | None:
    """Re-prime every domain of a UniqueFQDNSet (a certificate was issued, changed or revoked)."""
    if not settings.redis_url:
        return None
    return write_through(dbsession, settings, domain_ids_for_sets(dbsession, [unique_fqdn_set_id]),
                         operation=operation)  # fmt: skip


# --- after a committed change ---------------------------------------------------------------------


def wanted(settings, *, expire_nginx: bool = False) -> bool:
    """Is there anything to keep in step: Redis, or (``expire_nginx``) nginx servers?"""
    return bool(settings.redis_url or (expire_nginx and settings.nginx_servers_pool))


def _nginx_part(dbsession: Session, settings, domain_ids: list[int]) -> dict | None:
    """Expire these domains on every nginx server; None when no server is configured."""
    if not settings.nginx_servers_pool:
        return None
    from . import nginx_cache

    names = sorted(set(dbsession.execute(
        sa.select(Domain.domain_name).where(Domain.id.in_(domain_ids))
    ).scalars())) if domain_ids else []  # fmt: skip
    try:
        return nginx_cache.expire_domains_if_configured(settings, names)
    except Exception as exc:  # noqa: BLE001 - see the module docstring
        log.warning("nginx expiry failed for %d domain(s)", len(names), exc_info=True)
        return {"result": "error", "expired": "domain", "domains": names, "error": str(exc) or type(exc).__name__}


def sync_committed(session_factory: sessionmaker, settings, domain_ids: DomainIds, *, operation: str,
                   expire_nginx: bool = False, objects: Iterable[tuple[str, int, str]] = ()) -> dict:
    """After a committed change: write these domains through to Redis, then (``expire_nginx``)
    expire them on the nginx servers, so that they fetch the new state.

    Reads in a session of its own (``domain_ids`` may be a function of it, to find the
    domains from the committed state); failures are recorded in another one. Returns the
    parts for the operation's answer: ``"redis"`` when Redis is configured, ``"nginx"``
    when ``expire_nginx`` and a server pool is configured; ``{}`` when neither.
    """
    if not wanted(settings, expire_nginx=expire_nginx):
        return {}
    parts: dict = {}
    with session_factory() as reader:
        ids = sorted(set(domain_ids(reader) if callable(domain_ids) else domain_ids))
        redis_part = _redis_part(reader, settings, ids)
        if redis_part is not None:
            parts["redis"] = redis_part
        if expire_nginx:
            nginx_part = _nginx_part(reader, settings, ids)
            if nginx_part is not None:
                parts["nginx"] = nginx_part
    if any(part.get("result") != "success" for part in parts.values()):
        try:
            with session_factory() as session:
                session.bind = writer_bind(session.bind)
                with session.begin():
                    record_failures(session, parts, operation, objects)
        except Exception:  # noqa: BLE001 - the answer still reports the failure
            log.warning("could not record the failures of %s", operation, exc_info=True)
    return parts


def record_failures(dbsession: Session, parts: dict, operation: str,
                    objects: Iterable[tuple[str, int, str]] = ()) -> None:
    """One OperationsEvent per failed part: ``Redis__write_through__error``, ``Nginx__cache_expire__error``."""
    redis_part, nginx_part = parts.get("redis"), parts.get("nginx")
    try:
        if redis_part and redis_part.get("result") != "success":
            log_operation(dbsession, "Redis__write_through__error", {
                "operation": operation, "domains": redis_part.get("domains"), "error": redis_part.get("error"),
            }, objects)  # fmt: skip
        if nginx_part and nginx_part.get("result") != "success":
            status = nginx_part.get("servers_status") or {}
            log_operation(dbsession, "Nginx__cache_expire__error", {
                "operation": operation, "result": nginx_part.get("result"), "domains": nginx_part.get("domains"),
                "success": status.get("success"), "errors": status.get("errors"), "error": nginx_part.get("error"),
            }, objects)  # fmt: skip
    except Exception:  # noqa: BLE001 - the answer still reports the failure
        log.warning("could not record the failures of %s", operation, exc_info=True)


# --- CA preferences -------------------------------------------------------------------------------


class _Link(NamedTuple):
    """The two fields of a CertificateSignedChain that ``pick_default_chain`` reads."""

    certificate_ca_chain_id: int
    is_upstream_default: bool


def domains_with_new_default_chain(dbsession: Session, before: list[int], after: list[int]) -> list[int]:
    """Domains whose latest (multi or single) certificate serves another default chain under
    the CA preference list ``after`` than under ``before``.

    Only certificates with several chains can change (one chain is always the default). One
    streamed statement over the domains' links to such certificates; the choice is made
    once per distinct list of links, as ``redis_prime`` does.
    """
    if before == after:
        return []
    link = CertificateSignedChain.__table__.c
    domain = Domain.__table__.c
    several = sa.select(link.certificate_signed_id).group_by(link.certificate_signed_id).having(sa.func.count() > 1)
    item = CertificateCAChainItem.__table__.c
    chain_cas: dict[int, list[int]] = {}  # chains are few: all of those certificates' chains, first
    for chain_id, ca_id in dbsession.execute(
        sa.select(item.certificate_ca_chain_id, item.certificate_ca_id)
        .where(item.certificate_ca_chain_id.in_(
            sa.select(link.certificate_ca_chain_id).where(link.certificate_signed_id.in_(several))))
        .order_by(item.certificate_ca_chain_id, item.position)
    ):  # fmt: skip
        chain_cas.setdefault(chain_id, []).append(ca_id)
    rows = dbsession.execute(
        sa.select(domain.id, link.certificate_signed_id, link.certificate_ca_chain_id, link.is_upstream_default)
        .select_from(Domain.__table__.join(CertificateSignedChain.__table__, link.certificate_signed_id.in_(
            [domain.certificate_signed_id__latest_multi, domain.certificate_signed_id__latest_single])))
        .where(link.certificate_signed_id.in_(several))
        .order_by(domain.id, link.certificate_signed_id, link.id)
        .execution_options(yield_per=2000)
    )  # fmt: skip
    decided: dict[tuple, bool] = {}

    def differs(signature: tuple) -> bool:
        if signature not in decided:
            candidates = [(_Link(chain_id, upstream), chain_cas.get(chain_id, [])) for chain_id, upstream in signature]
            old, new = pick_default_chain(candidates, before), pick_default_chain(candidates, after)
            decided[signature] = old.certificate_ca_chain_id != new.certificate_ca_chain_id
        return decided[signature]

    changed: list[int] = []
    current, links = None, []

    def close() -> None:
        if current is not None and differs(tuple(links)) and (not changed or changed[-1] != current[0]):
            changed.append(current[0])

    for domain_id, cert_id, chain_id, upstream in rows:
        if (domain_id, cert_id) != current:
            close()
            current, links = (domain_id, cert_id), []
        links.append((chain_id, bool(upstream)))
    close()
    return changed


# --- the config payload ---------------------------------------------------------------------------


def on_payload_served(event) -> None:
    """``?openresty=1`` on config.json and autocert: write that domain through."""
    domain_id = (event.payload.get("domain") or {}).get("id")
    if domain_id:
        request = event.request
        with request.registry["dbsession_factory"]() as session:
            write_through(session, request.app_settings, [int(domain_id)], record=False)


def includeme(config) -> None:
    from ..views.admin.automation import AutocertServed
    from ..views.admin.domain import DomainConfigServed

    config.add_subscriber(on_payload_served, DomainConfigServed)
    config.add_subscriber(on_payload_served, AutocertServed)
