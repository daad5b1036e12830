"""Private keys: import (de-duplicated by public key), generation, compromise."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import CertificateSigned, PrivateKey
from ...model.enums import KeyTechnology, PrivateKeySource, PrivateKeyType
from ...model.meta import utcnow
from .. import cert_utils
from ..errors import Conflict, InvalidRequest
from .common import get_or_create, log_operation
from .crypto_input import GENERATE_ARGS, field_errors, key_technology


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def import_private_key(
    dbsession: Session, key_pem: str, *, field: str = "private_key_file",
    source: PrivateKeySource = PrivateKeySource.IMPORTED,
    private_key_type: PrivateKeyType = PrivateKeyType.STANDARD,
    acme_account_id__owner: int | None = None, cycle_period: str | None = None,
) -> tuple[PrivateKey, bool]:
    """Store a key (or find it by its public key); returns (row, created)."""
    with field_errors(field, "invalid private key"):
        pem = cert_utils.normalize_pem(key_pem)
        info = cert_utils.parse_key(pem)
    technology = key_technology(info.technology, info.bits, info.curve, field)

    def create() -> PrivateKey:
        return PrivateKey(
            key_pem=pem, key_pem_md5=md5_hex(pem), spki_sha256=info.spki_sha256,
            key_technology=technology, source=source, private_key_type=private_key_type,
            acme_account_id__owner=acme_account_id__owner, cycle_period=cycle_period,
        )

    key, created = get_or_create(dbsession, PrivateKey, {"spki_sha256": info.spki_sha256}, create)
    if created:
        log_operation(dbsession, "PrivateKey__insert", {"id": key.id}, [("PrivateKey", key.id, "insert")])
    return key, created


def generate_private_key(
    dbsession: Session, technology: KeyTechnology, **kwargs
) -> PrivateKey:
    """Generate and store a new key of ``technology``."""
    pem = cert_utils.new_private_key(**GENERATE_ARGS[technology])
    key, _ = import_private_key(dbsession, pem, source=PrivateKeySource.GENERATED, **kwargs)
    return key


def mark_private_key(dbsession: Session, key: PrivateKey, action: str) -> dict:
    """``compromised`` (permanent; flags its certificates), ``active`` or ``inactive``."""
    if action == "compromised":
        if key.is_compromised:
            raise Conflict("this private key is already marked compromised")
        key.is_compromised = True
        key.is_active = False
        key.timestamp_compromised = utcnow()
        flagged = dbsession.execute(
            sa.update(CertificateSigned)
            .where(CertificateSigned.private_key_id == key.id)
            .values(is_compromised_private_key=True)
        ).rowcount
        log_operation(
            dbsession, "PrivateKey__mark__compromised", {"id": key.id, "certificates_flagged": flagged},
            [("PrivateKey", key.id, "compromised")],
        )
        return {"certificates_flagged": flagged}
    if action in ("active", "inactive"):
        if key.is_compromised:
            raise Conflict("a compromised private key cannot be used again")
        wanted = action == "active"
        if key.is_active == wanted:
            raise Conflict(f"this private key is already {action}")
        key.is_active = wanted
        log_operation(dbsession, f"PrivateKey__mark__{action}", {"id": key.id}, [("PrivateKey", key.id, action)])
        return {}
    raise InvalidRequest(f"unknown action {action!r}", {"action": "use compromised, active or inactive"})
