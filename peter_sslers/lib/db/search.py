"""Search across the store by domain name, serial, fingerprint or SPKI hash."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import CertificateCA, CertificateSigned, Domain, PrivateKey
from ..errors import InvalidRequest

LIMIT = 50
_HEX = re.compile(r"^[0-9a-f]+$")


def search(dbsession: Session, raw: str) -> dict:
    """Rows matching ``raw``: a domain name (or a prefix ending in ``*``), a serial, a SHA-1 or
    SHA-256 fingerprint, or an SPKI SHA-256; colons in hex values are ignored."""
    term = (raw or "").strip().lower()
    if not term or len(term) > 255 or not term.isprintable():
        raise InvalidRequest("give something to search for", {"q": "a domain, serial, fingerprint or SPKI"})
    results: dict[str, list] = {"domains": [], "certificates_signed": [], "private_keys": [], "certificate_cas": []}
    hexed = term.replace(":", "")
    if _HEX.match(hexed):
        cert_match = sa.or_(
            CertificateSigned.serial == (hexed.lstrip("0") or "0"),
            CertificateSigned.serial == hexed,
            CertificateSigned.fingerprint_sha1 == hexed,
            CertificateSigned.fingerprint_sha256 == hexed,
            CertificateSigned.spki_sha256 == hexed,
        )
        results["certificates_signed"] = _rows(dbsession, CertificateSigned, cert_match)
        results["private_keys"] = _rows(dbsession, PrivateKey, PrivateKey.spki_sha256 == hexed)
        results["certificate_cas"] = _rows(
            dbsession, CertificateCA,
            sa.or_(CertificateCA.fingerprint_sha1 == hexed, CertificateCA.fingerprint_sha256 == hexed,
                   CertificateCA.spki_sha256 == hexed),
        )
    if term.endswith("*"):
        prefix = term[:-1].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        domain_match = Domain.domain_name.like(prefix + "%", escape="\\")
    else:
        domain_match = Domain.domain_name == term.rstrip(".")
    results["domains"] = _rows(dbsession, Domain, domain_match, Domain.domain_name)
    return results


def _rows(dbsession: Session, model, where, order=None) -> list:
    order = order if order is not None else model.id.desc()
    return list(dbsession.execute(sa.select(model).where(where).order_by(order).limit(LIMIT)).scalars())
