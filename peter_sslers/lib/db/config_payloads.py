"""The JSON payloads nginx/OpenResty read: a certificate's config and a domain's config.

Ids are strings by design (the lua-resty-peter_sslers contract); ``idonly`` leaves PEMs out.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import (
    CertificateCAChain,
    CertificateCAChainItem,
    CertificateCAPreference,
    CertificateSigned,
    CertificateSignedChain,
    Domain,
    PrivateKey,
)
from ..errors import is_id
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


def _domain_certificates_query() -> sa.Select:
    """Usable certificates by id, each row one (chain link, CA in that chain) with the CA's slot.

    The key, the chain PEM and the CA preference come in the same statement, so a domain's
    config is one round trip (it is read by nginx on every TLS handshake cache miss).
    """
    cert, key = CertificateSigned.__table__.c, PrivateKey.__table__.c
    link, chain = CertificateSignedChain.__table__.c, CertificateCAChain.__table__.c
    item, pref = CertificateCAChainItem.__table__.c, CertificateCAPreference.__table__.c
    joined = (
        CertificateSigned.__table__.join(PrivateKey.__table__, key.id == cert.private_key_id)
        .outerjoin(CertificateSignedChain.__table__, link.certificate_signed_id == cert.id)
        .outerjoin(CertificateCAChain.__table__, chain.id == link.certificate_ca_chain_id)
        .outerjoin(CertificateCAChainItem.__table__, item.certificate_ca_chain_id == chain.id)
        .outerjoin(CertificateCAPreference.__table__, pref.certificate_ca_id == item.certificate_ca_id)
    )
    return (
        sa.select(
            cert.id, cert.cert_pem, cert.private_key_id, key.key_pem, link.id.label("link_id"),
            link.certificate_ca_chain_id, link.is_upstream_default, chain.chain_pem, pref.slot,
        )
        .select_from(joined)
        .where(
            cert.id.in_([sa.bindparam("single"), sa.bindparam("multi")]),  # (not "expanding": cheaper)
            cert.is_active.is_(True),
            cert.is_revoked.is_(False),
        )
        .order_by(cert.id, link.id, item.position)
    )


_DOMAIN_CERTIFICATES = _domain_certificates_query()


def _default_link(links: list[list]) -> list | None:
    """``pick_default_chain`` on [chain id, chain pem, upstream default, best preference slot]:
    the chain holding the most preferred CA (first link on a tie), else the upstream default,
    else the first link."""
    preferred = [link for link in links if link[3] is not None]
    if preferred:
        return min(preferred, key=lambda link: link[3])
    return next((link for link in links if link[2]), links[0] if links else None)


def _reader(db: Session | sa.Connection) -> sa.Connection:
    """The connection to read with: a session's (flushed first, as Core skips the ORM's
    autoflush and callers that just issued a certificate rely on it), or the one given."""
    if isinstance(db, Session):
        if db.autoflush:
            db.flush()
        return db.connection()
    return db


def _usable_certificate_configs(db: Session | sa.Connection, cert_ids: list[int], idonly: bool) -> dict[int, dict]:
    """``certificate_config`` for each active, unrevoked certificate of ``cert_ids`` (one or two), in one query."""
    certs: dict[int, tuple] = {}
    links: dict[int, dict[int, list]] = {}
    ids = {"single": cert_ids[0], "multi": cert_ids[-1]}
    for row in _reader(db).execute(_DOMAIN_CERTIFICATES, ids):
        if row.id not in certs:
            certs[row.id] = (row.cert_pem, row.private_key_id, row.key_pem)
            links[row.id] = {}
        if row.link_id is None:
            continue
        link = links[row.id].setdefault(
            row.link_id, [row.certificate_ca_chain_id, row.chain_pem, row.is_upstream_default, None]
        )
        if row.slot is not None and (link[3] is None or row.slot < link[3]):
            link[3] = row.slot
    configs = {}
    for cert_id, (cert_pem, key_id, key_pem) in certs.items():
        link = _default_link(list(links[cert_id].values()))
        chain_id = link[0] if link else None
        chain_pem = link[1] if link and not idonly else ""
        configs[cert_id] = {
            "id": str(cert_id),
            "private_key": _part(key_id, key_pem, idonly),
            "certificate": _part(cert_id, cert_pem, idonly),
            "chain": _part(chain_id, chain_pem, idonly),
            "fullchain": _part(cert_id, cert_pem + chain_pem, idonly),
        }
    return configs


def domain_config(db: Session | sa.Connection, domain: Domain, *, idonly: bool = False) -> dict:
    """The domain and its latest single- and multi-name certificates (null when none is usable)."""
    payload: dict = {"domain": {"id": str(domain.id), "domain_name": domain.domain_name}}
    slots = (
        ("certificate_signed__latest_single", domain.certificate_signed_id__latest_single),
        ("certificate_signed__latest_multi", domain.certificate_signed_id__latest_multi),
    )
    cert_ids = [cert_id for _, cert_id in slots if cert_id is not None] if domain.is_active else []
    configs = _usable_certificate_configs(db, cert_ids, idonly) if cert_ids else {}
    for key, cert_id in slots:
        payload[key] = configs.get(cert_id)
    return payload


_DOMAIN_COLUMNS = (
    Domain.id, Domain.domain_name, Domain.is_active,
    Domain.certificate_signed_id__latest_single, Domain.certificate_signed_id__latest_multi,
)


_DOMAIN_BY_ID = sa.select(*_DOMAIN_COLUMNS).where(Domain.id == sa.bindparam("value"))
_DOMAIN_BY_NAME = sa.select(*_DOMAIN_COLUMNS).where(Domain.domain_name == sa.bindparam("value"))


def find_domain_row(db: Session | sa.Connection, identifier: str):
    """The columns domain_config needs, by numeric id or by name, in one Core query (or None).

    Statements built once and run on the session's connection: this is the hot path.
    """
    if not identifier.isprintable():
        return None
    if identifier.isascii() and identifier.isdigit():
        if not is_id(identifier):
            return None
        query, value = _DOMAIN_BY_ID, int(identifier)
    else:
        query, value = _DOMAIN_BY_NAME, identifier.strip().lower().rstrip(".")
    return _reader(db).execute(query, {"value": value}).first()
