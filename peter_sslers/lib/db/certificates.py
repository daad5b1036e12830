"""Signed certificates: import with key and chain, state changes, renewal timing, listings."""

from __future__ import annotations

import dataclasses
import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import CertificateSigned, UniqueFQDNSet2Domain
from ...model.enums import CertificateSource
from ...model.meta import utcnow
from .. import cert_utils
from ..domain_names import InvalidDomainName, normalize_domain_name
from ..errors import Conflict, InvalidRequest
from .certificate_cas import import_certificate_ca_chain, link_chain
from .common import get_or_create, log_operation
from .crypto_input import field_errors, key_technology_or_none
from .domains import get_or_create_unique_fqdn_set
from .private_keys import import_private_key
from .recents import update_recents_for_set

SHORT_LIVED = datetime.timedelta(days=10)


@dataclasses.dataclass(frozen=True)
class RenewalPolicy:
    """When to renew without ARI: once this fraction of the lifetime remains.

    Certificates of 10 days or less (short-lived profiles) use ``remaining_fraction_short``.
    The settings ``renewal.remaining_fraction`` and ``renewal.remaining_fraction_short``
    make one with ``from_settings``.
    """

    remaining_fraction: float = 1 / 3
    remaining_fraction_short: float = 1 / 2

    @classmethod
    def from_settings(cls, settings) -> RenewalPolicy:
        return cls(settings.renewal_remaining_fraction, settings.renewal_remaining_fraction_short)

    def renew_after(self, not_before: datetime.datetime, not_after: datetime.datetime) -> datetime.datetime:
        lifetime = not_after - not_before
        fraction = self.remaining_fraction_short if lifetime <= SHORT_LIVED else self.remaining_fraction
        return not_after - lifetime * fraction


DEFAULT_RENEWAL = RenewalPolicy()


def certificate_domain_names(info: cert_utils.CertInfo, field: str) -> list[str]:
    """The DNS names a certificate covers (SANs, else the CN), normalised."""
    raw = list(info.san_dns) or ([info.common_name] if info.common_name else [])
    if not raw:
        raise InvalidRequest("the certificate names no DNS names", {field: "no DNS names in the certificate"})
    names = []
    for name in raw:
        try:
            names.append(normalize_domain_name(name))
        except InvalidDomainName as exc:
            raise InvalidRequest("the certificate has an invalid name", {field: str(exc)}) from None
    return sorted(set(names))


@dataclasses.dataclass
class ImportResult:
    certificate: CertificateSigned
    created: bool
    private_key_created: bool
    chain_id: int | None
    warnings: list[str]


def import_certificate_signed(
    dbsession: Session, cert_pem: str, key_pem: str, chain_pem: str | None,
    *, source: CertificateSource = CertificateSource.IMPORTED, certificate_request_id: int | None = None,
    now: datetime.datetime | None = None, refresh_recents: bool = True, renewal: RenewalPolicy = DEFAULT_RENEWAL,
) -> ImportResult:
    """Store a certificate with its key and chain; an existing certificate is returned as is.

    The key must match the certificate and the chain must sign it. Expired and
    not-yet-valid certificates are accepted and reported in ``warnings``. Batch importers
    pass ``refresh_recents=False`` and call ``recents.update_recents`` once afterwards.
    """
    now = now or utcnow()
    with field_errors("certificate_file", "invalid certificate"):
        pems = cert_utils.split_pem_bundle(cert_pem)
        if len(pems) != 1:
            raise InvalidRequest(
                "give one certificate", {"certificate_file": f"{len(pems)} certificates found, expected 1"}
            )
        pem = pems[0]
        info = cert_utils.parse_cert(pem)
    if info.is_ca:
        raise InvalidRequest(
            "this is a CA certificate", {"certificate_file": "upload CA certificates as CertificateCA"}
        )
    names = certificate_domain_names(info, "certificate_file")
    with field_errors("private_key_file", "invalid private key"):
        if not cert_utils.key_matches_cert(key_pem, pem):
            raise InvalidRequest(
                "the private key does not match the certificate",
                {"private_key_file": "this key is not the certificate's key"},
            )
    chain_pems: list[str] = []
    if chain_pem and chain_pem.strip():
        with field_errors("chain_file", "invalid chain"):
            chain_pems = cert_utils.split_pem_bundle(chain_pem)
            try:
                cert_utils.validate_chain(pem, chain_pems)
            except cert_utils.ChainError as exc:
                raise InvalidRequest(
                    "the chain does not sign the certificate", {"chain_file": str(exc)}
                ) from None
    key, key_created = import_private_key(dbsession, key_pem)
    fqdn_set, _ = get_or_create_unique_fqdn_set(dbsession, names)
    chain = import_certificate_ca_chain(dbsession, "".join(chain_pems))[0] if chain_pems else None

    def create() -> CertificateSigned:
        return CertificateSigned(
            cert_pem=pem, fingerprint_sha1=info.fingerprint_sha1,
            fingerprint_sha256=info.fingerprint_sha256, spki_sha256=info.spki_sha256,
            serial=info.serial_hex, cert_subject=info.subject, cert_issuer=info.issuer,
            authority_key_identifier=info.authority_key_identifier, ari_identifier=info.ari_identifier,
            key_technology=key_technology_or_none(info.key_technology, info.key_bits, info.key_curve),
            timestamp_not_before=info.not_before, timestamp_not_after=info.not_after,
            is_single_domain=len(names) == 1, source=source, private_key_id=key.id,
            certificate_request_id=certificate_request_id, unique_fqdn_set_id=fqdn_set.id,
            is_compromised_private_key=key.is_compromised,
            timestamp_renew_after=renewal.renew_after(info.not_before, info.not_after),
        )

    cert, created = get_or_create(
        dbsession, CertificateSigned, {"fingerprint_sha256": info.fingerprint_sha256}, create
    )
    if chain is not None:
        has_chain = bool(cert.chains) if not created else False
        link_chain(dbsession, cert, chain, upstream_default=not has_chain)
    if created:
        log_operation(
            dbsession, "CertificateSigned__insert", {"id": cert.id, "domains": names},
            [("CertificateSigned", cert.id, "insert")],
        )
        if refresh_recents:  # batch importers refresh once at the end instead
            update_recents_for_set(dbsession, fqdn_set.id)
    warnings = []
    if info.not_after < now:
        warnings.append(f"the certificate expired on {info.not_after.isoformat()}")
    if info.not_before > now:
        warnings.append(f"the certificate is not valid before {info.not_before.isoformat()}")
    if key.is_compromised:
        warnings.append("the certificate's private key is marked compromised")
    return ImportResult(cert, created, key_created, chain.id if chain else None, warnings)


def mark_certificate(dbsession: Session, cert: CertificateSigned, action: str) -> None:
    """``active``, ``inactive`` (reversible) or ``revoked`` (permanent)."""
    if action not in ("active", "inactive", "revoked"):
        raise InvalidRequest(f"unknown action {action!r}", {"action": "use active, inactive or revoked"})
    if cert.is_revoked:
        raise Conflict("this certificate is revoked; that is permanent")
    if action == "revoked":
        cert.is_revoked = True
        cert.is_active = False
        cert.is_deactivated = False
    elif action == "active":
        if cert.is_active:
            raise Conflict("this certificate is already active")
        cert.is_active, cert.is_deactivated = True, False
    else:
        if not cert.is_active:
            raise Conflict("this certificate is already inactive")
        cert.is_active, cert.is_deactivated = False, True
    log_operation(
        dbsession, f"CertificateSigned__mark__{action}", {"id": cert.id},
        [("CertificateSigned", cert.id, action)],
    )
    dbsession.flush()
    update_recents_for_set(dbsession, cert.unique_fqdn_set_id)


STATES = ("all", "active", "expiring", "expired", "inactive")


def certificates_query(
    state: str = "all", *, days: int = 30, domain_id: int | None = None,
    unique_fqdn_set_id: int | None = None, private_key_id: int | None = None,
    now: datetime.datetime | None = None,
) -> sa.Select:
    """Certificates in a state, newest first; optional filters."""
    if state not in STATES:
        raise InvalidRequest(f"unknown state {state!r}", {"state": ", ".join(STATES)})
    now = now or utcnow()
    query = sa.select(CertificateSigned)
    if state == "active":
        query = query.where(CertificateSigned.is_active.is_(True))
    elif state == "expiring":
        query = query.where(
            CertificateSigned.is_active.is_(True),
            CertificateSigned.timestamp_not_after >= now,
            CertificateSigned.timestamp_not_after < now + datetime.timedelta(days=days),
        )
    elif state == "expired":
        query = query.where(CertificateSigned.timestamp_not_after < now)
    elif state == "inactive":
        query = query.where(CertificateSigned.is_active.is_(False))
    if domain_id is not None:
        query = query.where(
            CertificateSigned.unique_fqdn_set_id.in_(
                sa.select(UniqueFQDNSet2Domain.unique_fqdn_set_id).where(
                    UniqueFQDNSet2Domain.domain_id == domain_id
                )
            )
        )
    if unique_fqdn_set_id is not None:
        query = query.where(CertificateSigned.unique_fqdn_set_id == unique_fqdn_set_id)
    if private_key_id is not None:
        query = query.where(CertificateSigned.private_key_id == private_key_id)
    order = CertificateSigned.timestamp_not_after if state == "expiring" else CertificateSigned.id.desc()
    return query.order_by(order, CertificateSigned.id.desc())
