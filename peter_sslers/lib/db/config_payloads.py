"""The JSON payloads nginx/OpenResty read: a certificate's config and a domain's config.

Ids are strings by design (the lua-resty-peter_sslers contract); ``idonly`` leaves PEMs out.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import CertificateCAChain, CertificateSigned, Domain, PrivateKey
from .certificate_cas import chains_for, pick_default_chain, preference_list


def _part(object_id, pem: str | None, idonly: bool) -> dict:
    part = {"id": None if object_id is None else str(object_id)}
    if not idonly:
        part["pem"] = pem
    return part


def certificate_config(
    dbsession: Session, cert: CertificateSigned, *, idonly: bool = False,
    chain_id: int | None = None, preferred_ca_ids: list[int] | None = None,
) -> dict:
    """One certificate with its key, its (default, or given) chain and the fullchain."""
    if chain_id is None:
        if preferred_ca_ids is None:
            preferred_ca_ids = [p.certificate_ca_id for p in preference_list(dbsession)]
        link = pick_default_chain(chains_for(dbsession, [cert.id]).get(cert.id, []), preferred_ca_ids)
        chain_id = link.certificate_ca_chain_id if link else None
    chain_pem = ""
    if chain_id is not None and not idonly:
        chain_pem = dbsession.execute(
            sa.select(CertificateCAChain.chain_pem).where(CertificateCAChain.id == chain_id)
        ).scalar_one()
    key_pem = None
    if not idonly:
        key_pem = dbsession.execute(
            sa.select(PrivateKey.key_pem).where(PrivateKey.id == cert.private_key_id)
        ).scalar_one()
    return {
        "id": str(cert.id),
        "private_key": _part(cert.private_key_id, key_pem, idonly),
        "certificate": _part(cert.id, cert.cert_pem, idonly),
        "chain": _part(chain_id, chain_pem, idonly),
        "fullchain": _part(cert.id, cert.cert_pem + chain_pem, idonly),
    }


def _usable(dbsession: Session, cert_id: int | None) -> CertificateSigned | None:
    if cert_id is None:
        return None
    cert = dbsession.get(CertificateSigned, cert_id)
    if cert is None or not cert.is_active or cert.is_revoked:
        return None
    return cert


def domain_config(dbsession: Session, domain: Domain, *, idonly: bool = False) -> dict:
    """The domain and its latest single- and multi-name certificates (null when none is usable)."""
    preferred = [p.certificate_ca_id for p in preference_list(dbsession)]
    payload: dict = {"domain": {"id": str(domain.id), "domain_name": domain.domain_name}}
    for key, cert_id in (
        ("certificate_signed__latest_single", domain.certificate_signed_id__latest_single),
        ("certificate_signed__latest_multi", domain.certificate_signed_id__latest_multi),
    ):
        cert = _usable(dbsession, cert_id) if domain.is_active else None
        payload[key] = (
            certificate_config(dbsession, cert, idonly=idonly, preferred_ca_ids=preferred) if cert else None
        )
    return payload
