"""DNS-01 providers stored in the database (their configuration is JSON)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import DnsProvider
from ..acme.dns_providers import PROVIDER_TYPES, DnsProviderError, provider_from_config
from ..errors import Conflict, InvalidRequest
from .common import log_operation

SECRET_WORDS = ("password", "secret", "key")


def masked_config(config_json: str) -> dict:
    """The configuration with secrets replaced by stars, for pages and JSON answers."""
    config = json.loads(config_json or "{}")
    return {k: ("********" if any(w in k.lower() for w in SECRET_WORDS) and v else v) for k, v in config.items()}


def create(dbsession: Session, name: str | None, provider_type: str | None, config_text: str | None) -> DnsProvider:
    """Validate a provider's configuration by building it, then store it."""
    name = (name or "").strip()
    if not name or len(name) > 128 or not name.isprintable():
        raise InvalidRequest("name the provider", {"name": "1 to 128 printable characters"})
    if provider_type not in PROVIDER_TYPES:
        raise InvalidRequest("unknown provider type", {"provider_type": ", ".join(PROVIDER_TYPES)})
    try:
        config = json.loads(config_text or "{}")
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest("the configuration is not JSON", {"config_json": str(exc)}) from None
    try:
        provider_from_config(provider_type, config)
    except DnsProviderError as exc:
        raise InvalidRequest("invalid provider configuration", {"config_json": str(exc)}) from None
    except Exception as exc:  # noqa: BLE001 - a provider refusing its own arguments
        raise InvalidRequest("invalid provider configuration", {"config_json": f"{type(exc).__name__}: {exc}"}) from None
    if dbsession.execute(sa.select(DnsProvider.id).where(DnsProvider.name == name)).first():
        raise Conflict("a DNS provider with this name exists", {"name": "choose another name"})
    row = DnsProvider(name=name, provider_type=provider_type, config_json=json.dumps(config, sort_keys=True))
    dbsession.add(row)
    dbsession.flush()
    log_operation(dbsession, "DnsProvider__insert", {"id": row.id, "type": provider_type},
                  [("DnsProvider", row.id, "insert")])
    return row


def mark(dbsession: Session, row: DnsProvider, action: str) -> None:
    if action not in ("active", "inactive"):
        raise InvalidRequest("invalid action", {"action": "active or inactive"})
    wanted = action == "active"
    if row.is_active == wanted:
        raise Conflict(f"the provider is already {action}")
    row.is_active = wanted
    log_operation(dbsession, f"DnsProvider__mark__{action}", {"id": row.id}, [("DnsProvider", row.id, action)])


def as_json(row: DnsProvider) -> dict:
    return {
        "id": str(row.id),
        "name": row.name,
        "provider_type": row.provider_type,
        "config": masked_config(row.config_json),
        "is_active": row.is_active,
        "timestamp_created": row.timestamp_created,
    }
