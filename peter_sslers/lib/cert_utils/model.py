"""Plain dataclasses returned by the public API (str/int/bool/datetime/list fields only)."""

from __future__ import annotations

import dataclasses
import datetime

__all__ = ["CertInfo", "CsrInfo", "KeyInfo"]


@dataclasses.dataclass(frozen=True)
class KeyInfo:
    """Summary of a private key.

    ``technology`` is one of "RSA", "EC", "Ed25519", "Ed448", "DSA".
    ``bits`` is the RSA/DSA modulus size or the EC curve size (None for EdDSA).
    ``curve`` is the NIST name ("P-256", "P-384", "P-521") for EC keys, else None.
    ``spki_sha256`` is the lower-case hex SHA-256 of the DER SubjectPublicKeyInfo.
    """

    technology: str
    bits: int | None
    curve: str | None
    spki_sha256: str

    def as_dict(self) -> dict:
        """Return the fields as a plain dict."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CsrInfo:
    """Summary of a certificate signing request.

    ``domain_names`` is the CN (if any) followed by the SAN DNS names, without
    duplicates, in the order they appear.
    """

    subject: str
    common_name: str | None
    domain_names: list[str]
    ip_addresses: list[str]
    key_technology: str
    key_bits: int | None
    key_curve: str | None
    spki_sha256: str

    def as_dict(self) -> dict:
        """Return the fields as a plain dict."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CertInfo:
    """Summary of an X.509 certificate.

    Hex values are lower case without separators. ``subject``/``issuer`` are
    RFC 4514 strings (most specific RDN first, as ``cryptography`` renders them).
    Dates are timezone-aware UTC. ``is_self_issued`` means subject == issuer.
    ``ari_identifier`` is the RFC 9773 CertID
    (None when the certificate has no Authority Key Identifier keyIdentifier).
    """

    subject: str
    issuer: str
    common_name: str | None
    san_dns: list[str]
    san_ips: list[str]
    serial: int
    serial_hex: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    fingerprint_sha1: str
    fingerprint_sha256: str
    spki_sha256: str
    key_technology: str
    key_bits: int | None
    key_curve: str | None
    authority_key_identifier: str | None
    subject_key_identifier: str | None
    aia_ca_issuers: str | None
    is_ca: bool
    is_self_issued: bool
    ari_identifier: str | None

    def as_dict(self) -> dict:
        """Return the fields as a plain dict (datetimes kept as datetimes)."""
        return dataclasses.asdict(self)
