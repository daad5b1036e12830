"""CA certificates, CA chains, the global CA preference list and default-chain choice."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import (
    CertificateCA,
    CertificateCAChain,
    CertificateCAChainItem,
    CertificateCAPreference,
    CertificateSigned,
    CertificateSignedChain,
)
from .. import cert_utils
from ..errors import Conflict, InvalidRequest, NotFound
from .common import get_or_create, log_operation
from .crypto_input import field_errors, key_technology_or_none


def _display_name(info: cert_utils.CertInfo) -> str:
    return (info.common_name or info.subject or "(no subject)")[:255]


def import_certificate_ca(
    dbsession: Session, cert_pem: str, *, field: str = "certificate_file",
    info: cert_utils.CertInfo | None = None,
) -> tuple[CertificateCA, bool]:
    """Store a root or intermediate certificate (de-duplicated by SHA-256 fingerprint)."""
    with field_errors(field, "invalid CA certificate"):
        pem = cert_utils.normalize_pem(cert_pem)
        if len(cert_utils.split_pem_bundle(pem)) != 1:
            raise InvalidRequest("give one CA certificate", {field: "exactly one certificate expected"})
        info = info or cert_utils.parse_cert(pem)
    if not info.is_ca:
        raise InvalidRequest(
            "not a CA certificate", {field: f"{_display_name(info)} is not a CA (basicConstraints)"}
        )

    def create() -> CertificateCA:
        return CertificateCA(
            display_name=_display_name(info), cert_pem=pem,
            fingerprint_sha1=info.fingerprint_sha1, fingerprint_sha256=info.fingerprint_sha256,
            spki_sha256=info.spki_sha256, cert_subject=info.subject, cert_issuer=info.issuer,
            subject_key_identifier=info.subject_key_identifier,
            authority_key_identifier=info.authority_key_identifier,
            key_technology=key_technology_or_none(info.key_technology, info.key_bits, info.key_curve),
            is_self_signed=info.is_self_issued,
            timestamp_not_before=info.not_before, timestamp_not_after=info.not_after,
            cert_issuer_uri=info.aia_ca_issuers,
        )

    ca, created = get_or_create(
        dbsession, CertificateCA, {"fingerprint_sha256": info.fingerprint_sha256}, create
    )
    if created:
        log_operation(dbsession, "CertificateCA__insert", {"id": ca.id}, [("CertificateCA", ca.id, "insert")])
    return ca, created


def import_certificate_ca_chain(
    dbsession: Session, chain_pem: str, *, field: str = "chain_file"
) -> tuple[CertificateCAChain, bool]:
    """Store an ordered chain (item 0 signs the leaf); each link must sign the one before."""
    with field_errors(field, "invalid certificate chain"):
        pems = cert_utils.split_pem_bundle(chain_pem)
        if not pems:
            raise InvalidRequest("the chain is empty", {field: "no certificate found"})
        infos = cert_utils.parse_certs_batch(pems)
        for index in range(len(pems) - 1):
            if not cert_utils.cert_signed_by(pems[index], pems[index + 1]):
                raise InvalidRequest(
                    "the chain is out of order or broken",
                    {field: f"certificate #{index + 1} does not sign certificate #{index}"},
                )
    cas = [import_certificate_ca(dbsession, pem, field=field, info=info)[0] for pem, info in zip(pems, infos, strict=True)]
    chain_text = "".join(pems)
    digest = hashlib.sha256(chain_text.encode("ascii")).hexdigest()

    def create() -> CertificateCAChain:
        names = " > ".join(ca.display_name for ca in cas)
        return CertificateCAChain(
            display_name=names[:255], chain_pem=chain_text, chain_pem_sha256=digest,
            chain_length=len(cas), certificate_ca_0_id=cas[0].id, certificate_ca_n_id=cas[-1].id,
        )

    chain, created = get_or_create(dbsession, CertificateCAChain, {"chain_pem_sha256": digest}, create)
    if created:
        dbsession.add_all(
            CertificateCAChainItem(certificate_ca_chain_id=chain.id, position=i, certificate_ca_id=ca.id)
            for i, ca in enumerate(cas)
        )
        dbsession.flush()
        log_operation(
            dbsession, "CertificateCAChain__insert", {"id": chain.id},
            [("CertificateCAChain", chain.id, "insert")],
        )
    return chain, created


def link_chain(
    dbsession: Session, cert: CertificateSigned, chain: CertificateCAChain, *, upstream_default: bool
) -> CertificateSignedChain:
    """Attach a chain to a certificate once; the first chain linked is the upstream default."""
    existing = dbsession.execute(
        sa.select(CertificateSignedChain).where(
            CertificateSignedChain.certificate_signed_id == cert.id,
            CertificateSignedChain.certificate_ca_chain_id == chain.id,
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing

    def create() -> CertificateSignedChain:
        return CertificateSignedChain(
            certificate_signed_id=cert.id, certificate_ca_chain_id=chain.id,
            is_upstream_default=upstream_default,
        )

    link, _ = get_or_create(
        dbsession, CertificateSignedChain,
        {"certificate_signed_id": cert.id, "certificate_ca_chain_id": chain.id}, create,
    )
    return link


def preference_list(dbsession: Session) -> list[CertificateCAPreference]:
    return list(
        dbsession.execute(
            sa.select(CertificateCAPreference).order_by(CertificateCAPreference.slot)
        ).scalars()
    )


def chains_for(dbsession: Session, certificate_signed_ids: list[int]) -> dict[int, list[tuple]]:
    """For each certificate: [(CertificateSignedChain, [ca ids in chain order])] in one query pair."""
    if not certificate_signed_ids:
        return {}
    links = dbsession.execute(
        sa.select(CertificateSignedChain)
        .where(CertificateSignedChain.certificate_signed_id.in_(certificate_signed_ids))
        .order_by(CertificateSignedChain.id)
    ).scalars().all()
    chain_ids = {link.certificate_ca_chain_id for link in links}
    members: dict[int, list[int]] = {}
    for item in dbsession.execute(
        sa.select(CertificateCAChainItem)
        .where(CertificateCAChainItem.certificate_ca_chain_id.in_(chain_ids))
        .order_by(CertificateCAChainItem.certificate_ca_chain_id, CertificateCAChainItem.position)
    ).scalars():
        members.setdefault(item.certificate_ca_chain_id, []).append(item.certificate_ca_id)
    result: dict[int, list[tuple]] = {}
    for link in links:
        result.setdefault(link.certificate_signed_id, []).append(
            (link, members.get(link.certificate_ca_chain_id, []))
        )
    return result


def pick_default_chain(links: list[tuple], preferred_ca_ids: list[int]):
    """The chain to serve: the first preferred CA found in a chain wins, else the upstream default."""
    if not links:
        return None
    for ca_id in preferred_ca_ids:
        for link, ca_ids in links:
            if ca_id in ca_ids:
                return link
    for link, _ in links:
        if link.is_upstream_default:
            return link
    return links[0][0]


def default_chain_id(dbsession: Session, cert_id: int) -> int | None:
    """The CertificateCAChain id served by default for one certificate."""
    preferred = [p.certificate_ca_id for p in preference_list(dbsession)]
    link = pick_default_chain(chains_for(dbsession, [cert_id]).get(cert_id, []), preferred)
    return link.certificate_ca_chain_id if link else None


def edit_preferences(dbsession: Session, action: str, certificate_ca_id: int | None) -> list[int]:
    """``add`` (to the end), ``delete``, ``up`` or ``down``; returns the new ordered CA ids."""
    if action not in ("add", "delete", "up", "down"):
        raise InvalidRequest(f"unknown action {action!r}", {"action": "use add, delete, up or down"})
    if certificate_ca_id is None or dbsession.get(CertificateCA, certificate_ca_id) is None:
        raise NotFound("no such CertificateCA")
    ordered = [p.certificate_ca_id for p in preference_list(dbsession)]
    if action == "add":
        if certificate_ca_id in ordered:
            raise Conflict("this CertificateCA is already in the preference list")
        ordered.append(certificate_ca_id)
    else:
        if certificate_ca_id not in ordered:
            raise Conflict("this CertificateCA is not in the preference list")
        index = ordered.index(certificate_ca_id)
        if action == "delete":
            ordered.pop(index)
        else:
            target = index - 1 if action == "up" else index + 1
            if not 0 <= target < len(ordered):
                raise Conflict(f"cannot move {action}: already at the {'top' if action == 'up' else 'bottom'}")
            ordered[index], ordered[target] = ordered[target], ordered[index]
    dbsession.execute(sa.delete(CertificateCAPreference))
    dbsession.flush()
    dbsession.add_all(
        CertificateCAPreference(slot=slot, certificate_ca_id=ca_id) for slot, ca_id in enumerate(ordered, 1)
    )
    dbsession.flush()
    log_operation(dbsession, "CertificateCAPreference__edit", {"action": action, "order": ordered})
    return ordered
