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


_CERT, _KEY = CertificateSigned.__table__.c, PrivateKey.__table__.c
_LINK, _CHAIN = CertificateSignedChain.__table__.c, CertificateCAChain.__table__.c
_ITEM, _PREF = CertificateCAChainItem.__table__.c, CertificateCAPreference.__table__.c
#: a usable certificate's columns, then one (chain link, CA in that chain) per row with the CA's slot
_CERTIFICATE_COLUMNS = (
    _CERT.id, _CERT.cert_pem, _CERT.private_key_id, _KEY.key_pem, _LINK.id.label("link_id"),
    _LINK.certificate_ca_chain_id, _LINK.is_upstream_default, _CHAIN.chain_pem, _PREF.slot,
)


def _with_certificate_links(joined):
    """``joined`` (which holds certificate_signed) outer-joined to the key, chains and CA slots."""
    return (
        joined.outerjoin(PrivateKey.__table__, _KEY.id == _CERT.private_key_id)
        .outerjoin(CertificateSignedChain.__table__, _LINK.certificate_signed_id == _CERT.id)
        .outerjoin(CertificateCAChain.__table__, _CHAIN.id == _LINK.certificate_ca_chain_id)
        .outerjoin(CertificateCAChainItem.__table__, _ITEM.certificate_ca_chain_id == _CHAIN.id)
        .outerjoin(CertificateCAPreference.__table__, _PREF.certificate_ca_id == _ITEM.certificate_ca_id)
    )


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


def _configs_from_rows(rows, idonly: bool) -> dict[int, dict]:
    """Certificate configs from ``_domain_config_query`` rows (``_CERTIFICATE_COLUMNS`` after
    the domain's)."""
    certs: dict[int, tuple] = {}
    links: dict[int, dict[int, list]] = {}
    for row in rows:
        cert_id, cert_pem, key_id, key_pem, link_id, chain_id, upstream, chain_pem, slot = row[len(_DOMAIN_COLUMNS):]
        if cert_id is None:
            continue
        if cert_id not in certs:
            certs[cert_id] = (cert_pem, key_id, key_pem)
            links[cert_id] = {}
        if link_id is None:
            continue
        link = links[cert_id].setdefault(link_id, [chain_id, chain_pem, upstream, None])
        if slot is not None and (link[3] is None or slot < link[3]):
            link[3] = slot
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


_DOMAIN_COLUMNS = (
    Domain.id, Domain.domain_name, Domain.is_active,
    Domain.certificate_signed_id__latest_single, Domain.certificate_signed_id__latest_multi,
)


_DOMAIN_LATEST = (Domain.certificate_signed_id__latest_single, Domain.certificate_signed_id__latest_multi)


def _domain_config_query(where) -> sa.Select:
    """A domain and its usable latest certificates, with keys, chains and CA slots: one statement."""
    usable = (_CERT.id.in_(_DOMAIN_LATEST), _CERT.is_active.is_(True), _CERT.is_revoked.is_(False))
    certificates = Domain.__table__.outerjoin(CertificateSigned.__table__, sa.and_(Domain.is_active.is_(True), *usable))
    return (
        sa.select(*_DOMAIN_COLUMNS, *_CERTIFICATE_COLUMNS)
        .select_from(_with_certificate_links(certificates))
        .where(where)
        .order_by(_CERT.id, _LINK.id, _ITEM.position)
    )


class _RawSelect:
    """A SELECT compiled once per dialect and run on the DBAPI cursor, rows converted by the
    column types (decryption included): SQLAlchemy's per-execution work is most of a hot read."""

    def __init__(self, statement: sa.Select):
        self.statement = statement
        self.compiled: dict[str, tuple] = {}

    def rows(self, connection: sa.Connection, params: dict) -> list[tuple]:
        dialect = connection.dialect
        compiled = self.compiled.get(dialect.name)
        if compiled is None:
            sql = self.statement.compile(dialect=dialect)
            processors = [column.type._cached_result_processor(dialect, None) for column in self.statement.selected_columns]
            compiled = self.compiled[dialect.name] = (sql.string, sql.positiontup if sql.positional else None, processors)
        text, order, processors = compiled
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            cursor.execute(text, tuple(params[name] for name in order) if order is not None else params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        return [tuple(value if convert is None or value is None else convert(value)
                      for convert, value in zip(processors, row, strict=True)) for row in rows]  # fmt: skip


_DOMAIN_CONFIG_BY_ID = _RawSelect(_domain_config_query(Domain.id == sa.bindparam("value")))
_DOMAIN_CONFIG_BY_NAME = _RawSelect(_domain_config_query(Domain.domain_name == sa.bindparam("value")))


def domain_config(db: Session | sa.Connection, domain: Domain, *, idonly: bool = False) -> dict:
    """The domain and its latest single- and multi-name certificates (null when none is usable)."""
    return _domain_config(_reader(db), _DOMAIN_CONFIG_BY_ID, domain.id, idonly)


def domain_config_for(connection: sa.Connection, identifier: str, *, idonly: bool = False) -> dict | None:
    """``domain_config`` of the domain named (or numbered) ``identifier``, or None: nginx's hot
    path (every TLS cache miss), one statement on a plain connection."""
    if not identifier.isprintable():
        return None
    if identifier.isascii() and identifier.isdigit():
        if not is_id(identifier):
            return None
        return _domain_config(connection, _DOMAIN_CONFIG_BY_ID, int(identifier), idonly)
    return _domain_config(connection, _DOMAIN_CONFIG_BY_NAME, identifier.strip().lower().rstrip("."), idonly)


def _domain_config(connection: sa.Connection, query: _RawSelect, value, idonly: bool) -> dict | None:
    """The payload from ``query``'s one statement; None when no domain matches."""
    rows = query.rows(connection, {"value": value})
    if not rows:
        return None
    domain_id, domain_name, _, single, multi = rows[0][: len(_DOMAIN_COLUMNS)]
    configs = _configs_from_rows(rows, idonly)
    return {
        "domain": {"id": str(domain_id), "domain_name": domain_name},
        "certificate_signed__latest_single": configs.get(single),
        "certificate_signed__latest_multi": configs.get(multi),
    }
