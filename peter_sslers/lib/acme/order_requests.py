"""Validating a request for a new order and creating the local AcmeOrder row.

Everything here runs before anything is sent to the ACME server: a bad request is
refused with a clear error and leaves the database as it was.
"""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy.orm import Session

from ...model import AcmeAccount, AcmeOrder, DnsProvider, PrivateKey
from ...model.enums import (
    AcmeAccountStatus,
    AcmeOrderStatus,
    AcmeOrderType,
    KeyTechnology,
    PrivateKeyCycle,
    ProcessingStatus,
    ProcessingStrategy,
)
from ..db import rate_limits
from ..db.domains import get_or_create_unique_fqdn_set
from ..db.key_cycling import check_usable
from ..db.private_keys import import_private_key
from ..domain_names import (
    MAX_NAMES_PER_SET,
    InvalidDomainName,
    normalize_domain_name,
    split_domain_names,
)
from ..errors import Conflict, InvalidRequest, NotFound

KEY_OPTIONS = ("account_default", "generate", "existing", "upload")


@dataclasses.dataclass
class OrderRequest:
    """A new order, as a form or a JSON client asked for it (already typed)."""

    acme_account_id: int
    domain_names_http01: list[str]
    domain_names_dns01: list[str] = dataclasses.field(default_factory=list)
    dns_provider_id: int | None = None
    private_key_option: str = "account_default"
    private_key_cycle: PrivateKeyCycle = PrivateKeyCycle.ACCOUNT_KEY_DEFAULT
    private_key_technology: KeyTechnology | None = None
    private_key_id: int | None = None
    private_key_pem: str | None = None
    processing_strategy: ProcessingStrategy = ProcessingStrategy.PROCESS_SINGLE
    profile: str | None = None
    note: str | None = None
    is_auto_renew: bool = True
    order_type: AcmeOrderType = AcmeOrderType.NEW
    acme_order_id__retry_of: int | None = None
    acme_order_id__renewal_of: int | None = None
    certificate_signed_id__replaces: int | None = None
    replaces: str | None = None


def _normalize(raw: list[str], field: str) -> list[str]:
    names, problems = [], []
    for item in raw:
        try:
            names.append(normalize_domain_name(item))
        except InvalidDomainName as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidRequest("invalid domain names", {field: "; ".join(problems[:20])})
    return names


def validate_domain_names(http01: list[str] | str, dns01: list[str] | str) -> tuple[list[str], list[str]]:
    """Normalised names per challenge type; duplicates, wildcards on http-01 and >100 names refused."""
    http_names = _normalize(split_domain_names(http01) if isinstance(http01, str) else list(http01), "domain_names_http01")
    dns_names = _normalize(split_domain_names(dns01) if isinstance(dns01, str) else list(dns01), "domain_names_dns01")
    if not http_names and not dns_names:
        raise InvalidRequest("no domain names given", {"domain_names_http01": "give at least one name"})
    seen: set[str] = set()
    duplicates = []
    for name in http_names + dns_names:
        if name in seen:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        raise InvalidRequest("a domain is listed twice", {"domain_names_http01": "listed twice: " + ", ".join(duplicates)})
    wildcards = [n for n in http_names if n.startswith("*.")]
    if wildcards:
        raise InvalidRequest(
            "wildcard names can only be validated with dns-01",
            {"domain_names_http01": "move these to domain_names_dns01: " + ", ".join(wildcards)},
        )
    if len(seen) > MAX_NAMES_PER_SET:
        raise InvalidRequest(
            f"{len(seen)} names: a certificate holds at most {MAX_NAMES_PER_SET}",
            {"domain_names_http01": f"at most {MAX_NAMES_PER_SET} names in all"},
        )
    return sorted(http_names), sorted(dns_names)


def usable_account(dbsession: Session, acme_account_id: int) -> AcmeAccount:
    account = dbsession.get(AcmeAccount, acme_account_id)
    if account is None:
        raise NotFound(f"no AcmeAccount with id {acme_account_id}")
    if not account.is_active or account.status != AcmeAccountStatus.VALID:
        raise Conflict("this ACME account is not active", {"acme_account_id": "choose an active account"})
    if not account.account_url:
        raise Conflict("this ACME account is not registered on its server yet", {"acme_account_id": "register it first"})
    if not account.acme_server.is_enabled:
        raise Conflict("the account's ACME server is disabled", {"acme_account_id": "its server is disabled"})
    return account


def _fixed_key(dbsession: Session, req: OrderRequest) -> PrivateKey | None:
    """The key chosen up front (existing or uploaded), checked; None when a strategy decides later."""
    if req.private_key_option not in KEY_OPTIONS:
        raise InvalidRequest("invalid private_key_option", {"private_key_option": ", ".join(KEY_OPTIONS)})
    if req.private_key_option == "existing":
        if req.private_key_id is None:
            raise InvalidRequest("choose a private key", {"private_key_id": "required with private_key_option=existing"})
        key = dbsession.get(PrivateKey, req.private_key_id)
        if key is None:
            raise NotFound(f"no PrivateKey with id {req.private_key_id}")
    elif req.private_key_option == "upload":
        if not req.private_key_pem:
            raise InvalidRequest("upload a private key", {"private_key_file": "required with private_key_option=upload"})
        key, _ = import_private_key(dbsession, req.private_key_pem)
    else:
        return None
    check_usable(key, req.private_key_technology)
    return key


def create_local_order(dbsession: Session, req: OrderRequest, env=None) -> AcmeOrder:
    """Check everything and store the order locally (``created_local``); nothing is sent yet.

    With ``env`` (settings and clock) the rate limits are checked too.
    """
    http_names, dns_names = validate_domain_names(req.domain_names_http01, req.domain_names_dns01)
    account = usable_account(dbsession, req.acme_account_id)
    if dns_names:
        if req.dns_provider_id is None:
            raise InvalidRequest("dns-01 names need a DNS provider", {"dns_provider_id": "choose a DNS provider"})
        provider = dbsession.get(DnsProvider, req.dns_provider_id)
        if provider is None or not provider.is_active:
            raise InvalidRequest("unknown or inactive DNS provider", {"dns_provider_id": "choose an active DNS provider"})
    if req.profile and not account.acme_server.is_supports_profiles:
        raise InvalidRequest(
            "the account's ACME server offers no profiles", {"profile": "leave empty for this server"}
        )
    cycle = req.private_key_cycle
    if req.private_key_option == "generate" and cycle == PrivateKeyCycle.ACCOUNT_KEY_DEFAULT:
        cycle = PrivateKeyCycle.SINGLE_CERTIFICATE
    key = _fixed_key(dbsession, req)
    fqdn_set, _ = get_or_create_unique_fqdn_set(dbsession, http_names + dns_names)
    if env is not None:
        rate_limits.check_new_order(
            dbsession, env.settings, account, fqdn_set.id, is_ari_renewal=bool(req.replaces), now=env.clock()
        )
    technology = key.key_technology if key else (req.private_key_technology or account.order_default_private_key_technology)
    order = AcmeOrder(
        status=AcmeOrderStatus.PENDING,
        order_type=req.order_type,
        processing_strategy=req.processing_strategy,
        processing_status=ProcessingStatus.CREATED_LOCAL,
        is_auto_renew=req.is_auto_renew,
        acme_account_id=account.id,
        unique_fqdn_set_id=fqdn_set.id,
        private_key_id=key.id if key else None,
        private_key_cycle=cycle,
        private_key_technology=technology,
        acme_order_id__retry_of=req.acme_order_id__retry_of,
        acme_order_id__renewal_of=req.acme_order_id__renewal_of,
        certificate_signed_id__replaces=req.certificate_signed_id__replaces,
        replaces=req.replaces,
        profile=req.profile or None,
        dns01_domains_json=json.dumps(dns_names) if dns_names else None,
        dns_provider_id=req.dns_provider_id if dns_names else None,
        note=(req.note or None) and req.note[:4000],
    )
    dbsession.add(order)
    dbsession.flush()
    return order
