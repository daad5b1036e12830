"""Serve a stored certificate or issue one now: certificate-if-needed (full control) and
autocert (for nginx, on system defaults, with throttles that hold under concurrency)."""

from __future__ import annotations

import datetime
import importlib
import logging

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import AcmeOrder, Domain
from ...model.enums import AcmeOrderType, PrivateKeyCycle, ProcessingStrategy
from ..acme_v2 import errors as acme_errors
from ..db.config_payloads import domain_config
from ..db.domains import get_or_create_domains
from ..domain_names import InvalidDomainName, normalize_domain_name
from ..errors import Conflict, InvalidRequest, PeterSSLersError
from . import order_requests, orders
from .clients import AcmeEnv
from .queues import default_account

log = logging.getLogger(__name__)
CLAIM_SECONDS = 600


class AutocertRefused(Conflict):
    """Autocert will not issue for this name now (throttle, allow-list, cool-off)."""


def usable_certificate_id(dbsession: Session, domain: Domain) -> str | None:
    payload = domain_config(dbsession, domain, idonly=True)
    for key in ("certificate_signed__latest_multi", "certificate_signed__latest_single"):
        if payload[key]:
            return payload[key]["id"]
    return None


def _order_for(dbsession: Session, env: AcmeEnv, name: str, req_fields: dict, order_type: AcmeOrderType) -> AcmeOrder:
    dns = name.startswith("*.")
    req = order_requests.OrderRequest(
        domain_names_http01=[] if dns else [name], domain_names_dns01=[name] if dns else [],
        order_type=order_type, processing_strategy=ProcessingStrategy.PROCESS_SINGLE, **req_fields,
    )
    order = order_requests.create_local_order(dbsession, req, env)
    orders.start(dbsession, env, order)
    if order.certificate_signed_id is None:
        raise Conflict(f"the order ended {order.status.value} without a certificate")
    return order


def certificate_if_needed(dbsession: Session, env: AcmeEnv, raw_names: list[str], req_fields: dict) -> list[dict]:
    """For each name: the stored certificate, or a new single-name certificate; one result each."""
    valid = []
    for raw in raw_names:
        try:
            valid.append(normalize_domain_name(raw))
        except InvalidDomainName:
            pass
    if not valid:
        raise InvalidRequest("no valid domain name given", {"domain_names": "every name given is invalid"})
    results = []
    for raw in raw_names:
        try:
            name = normalize_domain_name(raw)
        except InvalidDomainName as exc:
            results.append({"domain": {"status": "invalid", "domain_name": raw[:255]},
                            "certificate": {"status": "fail", "error": str(exc)}})
            continue
        domain = dbsession.execute(sa.select(Domain).where(Domain.domain_name == name)).scalar_one_or_none()
        existing = usable_certificate_id(dbsession, domain) if domain is not None else None
        entry = {"domain": {"status": "existing" if domain else "new", "domain_name": name,
                            "id": str(domain.id) if domain else None}}
        if existing:
            entry["certificate"] = {"status": "exists", "id": existing}
        else:
            try:
                order = _order_for(dbsession, env, name, req_fields, AcmeOrderType.CERTIFICATE_IF_NEEDED)
                entry["certificate"] = {"status": "new", "id": str(order.certificate_signed_id),
                                        "acme_order_id": str(order.id)}
            except (acme_errors.AcmeError, PeterSSLersError) as exc:
                entry["certificate"] = {"status": "fail", "error": str(getattr(exc, "message", exc))}
                env.checkpoint()
            domain = dbsession.execute(sa.select(Domain).where(Domain.domain_name == name)).scalar_one_or_none()
            entry["domain"]["id"] = str(domain.id) if domain else None
        results.append(entry)
    return results


def allowed_by_hook(hook: str | None, name: str) -> bool:
    """The allow-list hook's verdict; any failure means no (it guards new names only)."""
    if not hook:
        return True
    try:
        if hook.startswith("python:"):
            module_name, _, func_name = hook[len("python:"):].partition(":")
            return bool(getattr(importlib.import_module(module_name), func_name)(name))
        session = requests.Session()
        session.trust_env = False
        response = session.get(hook, params={"domain_name": name}, timeout=5, allow_redirects=False)
        return response.status_code == 200
    except Exception:  # noqa: BLE001 - fail closed
        log.warning("autocert allow hook failed for %s; refusing", name, exc_info=True)
        return False


def _claim(dbsession: Session, domain: Domain, now: datetime.datetime) -> bool:
    """Mark the domain "order in progress" with one conditional UPDATE; one caller wins."""
    won = dbsession.execute(
        sa.update(Domain)
        .where(Domain.id == domain.id, sa.or_(Domain.timestamp_autocert_claimed_until.is_(None),
                                               Domain.timestamp_autocert_claimed_until < now))
        .values(timestamp_autocert_claimed_until=now + datetime.timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    dbsession.refresh(domain)
    return won


def _check_throttles(dbsession: Session, env: AcmeEnv, domain: Domain, now: datetime.datetime) -> None:
    settings = env.settings
    failed = domain.timestamp_autocert_failed
    if failed is not None and failed > now - datetime.timedelta(seconds=settings.autocert_cooloff_seconds):
        raise AutocertRefused(f"{domain.domain_name} failed at {failed.isoformat()}; cooling off")
    recent = dbsession.execute(
        sa.select(sa.func.count()).select_from(AcmeOrder).where(
            AcmeOrder.order_type == AcmeOrderType.AUTOCERT, AcmeOrder.timestamp_created > now - datetime.timedelta(hours=1))
    ).scalar_one()
    if recent >= settings.autocert_max_new_orders_per_hour:
        raise AutocertRefused(f"{recent} autocert orders in the last hour: the limit is reached")


def autocert(dbsession: Session, env: AcmeEnv, raw_name: str) -> dict:
    """The domain's config payload: stored certificate, or one issued now with the system defaults."""
    try:
        name = normalize_domain_name(raw_name or "")
    except InvalidDomainName as exc:
        raise InvalidRequest("invalid domain name", {"domain_name": str(exc)}) from None
    if name.startswith("*."):
        raise InvalidRequest("autocert serves host names, not wildcards", {"domain_name": "a host name"})
    existing = dbsession.execute(sa.select(Domain).where(Domain.domain_name == name)).scalar_one_or_none()
    if existing is not None and existing.is_active and usable_certificate_id(dbsession, existing):
        return {**domain_config(dbsession, existing), "result": "success", "notes": "existing certificate"}
    if not allowed_by_hook(env.settings.autocert_allow_hook, name):
        raise AutocertRefused(f"{name} is not approved for autocert (autocert.allow_hook)")
    now = env.clock()
    domain = existing or get_or_create_domains(dbsession, [name])[0]
    _check_throttles(dbsession, env, domain, now)
    if not _claim(dbsession, domain, now):
        raise AutocertRefused(f"a certificate for {name} is being ordered already")
    env.checkpoint()
    account = default_account(dbsession, env)
    fields = {"acme_account_id": account.id,
              "private_key_cycle": PrivateKeyCycle(env.settings.automation_private_key_cycle)}
    try:
        _order_for(dbsession, env, name, fields, AcmeOrderType.AUTOCERT)
    except (acme_errors.AcmeError, PeterSSLersError):
        domain.timestamp_autocert_failed = now
        domain.timestamp_autocert_claimed_until = None
        env.checkpoint()
        raise
    domain.timestamp_autocert_claimed_until = None
    domain.is_active = True
    env.checkpoint()
    return {**domain_config(dbsession, domain), "result": "success", "notes": "new certificate"}
