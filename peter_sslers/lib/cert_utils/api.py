"""Public operations (re-exported by :mod:`peter_sslers.lib.cert_utils`).

Each function validates its input in shared pure-Python code, then calls the
active backend (see :mod:`.config`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterable, Mapping

from . import inputs, jose, pem, x509_der
from .config import backend
from .errors import (
    InvalidDomainError,
    InvalidPEMError,
    KeyMismatchError,
    TooLargeError,
    UnsupportedKeyError,
    WrongTypeError,
)
from .model import CertInfo, CsrInfo, KeyInfo
from .pem import Block, der_to_pem

_LABEL_RE = re.compile(r"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$")
_RSA_SIZES = (2048, 3072, 4096)
_CURVE_ALIASES = {
    "P-256": "P-256", "SECP256R1": "P-256", "PRIME256V1": "P-256",
    "P-384": "P-384", "SECP384R1": "P-384",
}  # fmt: skip

# --- PEM / DER -----------------------------------------------------------------


def normalize_pem(text: str | bytes) -> str:
    """Strip, use unix newlines and end with exactly one newline."""
    return pem.normalize_pem(text)


def split_pem_bundle(text: str | bytes) -> list[str]:
    """Split a bundle of certificates into canonical PEM strings (in order)."""
    return [block.pem for block in inputs.load_bundle(text)]


def cert_pem_to_der(cert_pem: str | bytes) -> bytes:
    """DER bytes of a PEM certificate."""
    block = inputs.load_cert(cert_pem)
    x509_der.read_certificate(block.der)
    return block.der


def cert_der_to_pem(cert_der: bytes) -> str:
    """PEM text of a DER certificate (structure checked)."""
    raw = inputs.check_der(cert_der, "certificate")
    x509_der.read_certificate(raw)
    return der_to_pem(raw, "CERTIFICATE")


def csr_pem_to_der(csr_pem: str | bytes) -> bytes:
    """DER bytes of a PEM certificate signing request."""
    block = inputs.load_csr(csr_pem)
    x509_der.read_csr(block.der)
    return block.der


def csr_der_to_pem(csr_der: bytes) -> str:
    """PEM text of a DER certificate signing request (structure checked)."""
    raw = inputs.check_der(csr_der, "CSR")
    x509_der.read_csr(raw)
    return der_to_pem(raw, "CERTIFICATE REQUEST")


def key_pem_to_der(key_pem: str | bytes) -> bytes:
    """DER bytes of a PEM private key, in the same format (PKCS#8, PKCS#1 or SEC1)."""
    return inputs.load_key(key_pem)[0].der


def key_der_to_pem(key_der: bytes) -> str:
    """PEM text of a DER private key; the label is chosen from the DER structure."""
    raw = inputs.check_der(key_der, "private key")
    return der_to_pem(raw, x509_der.private_key_label(raw))


def key_to_pkcs8_der(key_pem: str | bytes) -> bytes:
    """Unencrypted PKCS#8 DER of a private key (checked for consistency)."""
    block, _summary = inputs.load_key(key_pem)
    return backend().key_to_pkcs8_der(block)


def key_to_pkcs8_pem(key_pem: str | bytes) -> str:
    """Unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY") of a private key."""
    return der_to_pem(key_to_pkcs8_der(key_pem), "PRIVATE KEY")


def _cert_blocks(pems: Iterable[str | bytes] | str | bytes) -> list[Block]:
    if isinstance(pems, (str, bytes)):
        return inputs.load_bundle(pems)
    items = list(pems)
    if len(items) == 1:
        return [inputs.load_cert(items[0])]
    blocks = []
    for index, item in enumerate(items):
        try:
            blocks.append(inputs.load_cert(item))
        except (InvalidPEMError, WrongTypeError, TooLargeError, UnsupportedKeyError) as exc:
            raise type(exc)(f"certificate #{index}: {exc}") from exc
    return blocks


def export_pkcs12(
    key_pem: str | bytes,
    cert_pem: str | bytes,
    chain_pems: Iterable[str | bytes] | str | bytes = (),
    passphrase: str | bytes | None = None,
) -> bytes:
    """PKCS#12 (.p12/.pfx) bytes holding key, certificate and chain.

    Without a passphrase (None or "") the bags are unencrypted (the MAC uses an
    empty password). Raises :class:`KeyMismatchError` if key and cert differ.
    """
    key_block, _summary = inputs.load_key(key_pem)
    cert_block = inputs.load_cert(cert_pem)
    chain = _cert_blocks(chain_pems)
    _require_match(key_block, x509_der.read_certificate(cert_block.der).spki, "certificate")
    if isinstance(passphrase, str):
        passphrase = passphrase.encode("utf-8")
    return backend().export_pkcs12(key_block, cert_block, chain, passphrase or None)


# --- parsing ------------------------------------------------------------------


def parse_cert(cert_pem: str | bytes) -> CertInfo:
    """Parse one PEM certificate."""
    return backend().parse_certs([inputs.load_cert(cert_pem)])[0]


def parse_certs_batch(cert_pems: Iterable[str | bytes] | str | bytes) -> list[CertInfo]:
    """Parse many certificates (a list of PEMs or one bundle string), in order.

    The openssl backend runs a single process for the whole batch.
    """
    return backend().parse_certs(_cert_blocks(cert_pems))


def parse_csr(csr_pem: str | bytes) -> CsrInfo:
    """Parse a PEM certificate signing request."""
    return backend().parse_csr(inputs.load_csr(csr_pem))


def parse_key(key_pem: str | bytes) -> KeyInfo:
    """Parse a PEM private key (PKCS#8, PKCS#1 RSA, SEC1 EC), checking its consistency."""
    block, _summary = inputs.load_key(key_pem)
    return backend().parse_key(block)


def _require_match(key_block: Block, spki: bytes, what: str) -> None:
    if backend().parse_key(key_block).spki_sha256 != hashlib.sha256(spki).hexdigest():
        raise KeyMismatchError(f"the private key does not belong to the {what}")


def key_matches_cert(key_pem: str | bytes, cert_pem: str | bytes) -> bool:
    """True if the private key belongs to the certificate's public key."""
    key_block, _summary = inputs.load_key(key_pem)
    spki = x509_der.read_certificate(inputs.load_cert(cert_pem).der).spki
    return backend().parse_key(key_block).spki_sha256 == hashlib.sha256(spki).hexdigest()


def key_matches_csr(key_pem: str | bytes, csr_pem: str | bytes) -> bool:
    """True if the private key belongs to the CSR's public key."""
    key_block, _summary = inputs.load_key(key_pem)
    spki = x509_der.read_csr(inputs.load_csr(csr_pem).der).spki
    return backend().parse_key(key_block).spki_sha256 == hashlib.sha256(spki).hexdigest()


# --- generation -----------------------------------------------------------------


def new_private_key(technology: str = "RSA", bits: int = 2048, curve: str = "P-256") -> str:
    """Generate a private key: RSA 2048/3072/4096 or EC P-256/P-384.

    Returns unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY") on both backends.
    """
    tech = str(technology).upper()
    if tech == "RSA":
        if bits not in _RSA_SIZES:
            raise UnsupportedKeyError(f"RSA key size {bits} not supported; use one of {_RSA_SIZES}")
        return pem.normalize_pem(backend().new_private_key("RSA", bits, ""))
    if tech in ("EC", "ECDSA"):
        name = _CURVE_ALIASES.get(str(curve).upper())
        if name is None:
            raise UnsupportedKeyError(f"EC curve {curve!r} not supported; use P-256 or P-384")
        return pem.normalize_pem(backend().new_private_key("EC", 0, name))
    raise UnsupportedKeyError(f"key technology {technology!r} not supported; use RSA or EC")


def _normalize_identifier(name: object) -> tuple[str, bool]:
    """(normalised name, is_ip) or InvalidDomainError."""
    if not isinstance(name, str):
        raise InvalidDomainError(f"domain names must be strings, got {type(name).__name__}")
    value = name.strip().lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(value)), True
    except ValueError:
        pass
    if not value.isascii():
        raise InvalidDomainError(
            f"{name!r} is not ASCII; convert internationalised names to punycode (xn--...)"
        )
    labels = value.split(".")
    if labels[0] == "*":
        labels = labels[1:]
    if len(value) > 253 or len(labels) < 1 or not all(_LABEL_RE.match(lb) for lb in labels):
        raise InvalidDomainError(f"{name!r} is not a valid domain name")
    return value, False


def make_csr(domain_names: Iterable[str] | str, key_pem: str | bytes) -> str:
    """Create a CSR (PEM) for the names, signed with the key.

    Names are lower-cased and de-duplicated; IP addresses become IP SANs. The
    first name is the CN when it is a DNS name of at most 64 characters; all
    names are in the subjectAltName extension. RSA >= 2048 or EC P-256/P-384 keys.
    """
    if isinstance(domain_names, str):
        domain_names = [domain_names]
    dns: list[str] = []
    ips: list[str] = []
    first: tuple[str, bool] | None = None
    for raw in domain_names:
        value, is_ip = _normalize_identifier(raw)
        first = first or (value, is_ip)
        target = ips if is_ip else dns
        if value not in target:
            target.append(value)
    if first is None:
        raise InvalidDomainError("at least one domain name is required")
    block, (technology, bits, curve) = inputs.load_key(key_pem)
    _alg, hash_name, _size = jose.select_alg(technology, bits, curve)
    common_name = first[0] if not first[1] and len(first[0]) <= 64 else None
    return pem.normalize_pem(backend().make_csr(dns, ips, common_name, block, hash_name))


# --- ACME account keys ---------------------------------------------------------------


def jwk_public(key_pem: str | bytes) -> dict:
    """Public JWK of an RSA ({e, kty, n}) or EC ({crv, kty, x, y}) private key."""
    block, (technology, _bits, _curve) = inputs.load_key(key_pem)
    if technology not in ("RSA", "EC"):
        raise UnsupportedKeyError(f"{technology} keys are not supported as ACME account keys")
    return backend().jwk_public(block)


def jwk_thumbprint(key_pem: str | bytes) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of the key's public JWK."""
    return jose.thumbprint(jwk_public(key_pem))


def jws_alg(key_pem: str | bytes) -> str:
    """JWS algorithm for the key: "RS256", "ES256" or "ES384"."""
    _block, summary = inputs.load_key(key_pem)
    return jose.select_alg(*summary)[0]


def jws_sign(key_pem: str | bytes, signing_input: bytes | str) -> bytes:
    """Sign JWS input: RS256 (PKCS#1 v1.5, SHA-256) or ES256/ES384 raw r||s."""
    if isinstance(signing_input, str):
        signing_input = signing_input.encode("ascii")
    if not isinstance(signing_input, (bytes, bytearray, memoryview)):
        raise InvalidPEMError("signing_input must be bytes")
    pem.check_size(signing_input, "signing input")
    block, summary = inputs.load_key(key_pem)
    _alg, hash_name, size = jose.select_alg(*summary)
    return backend().jws_sign(block, hash_name, size, bytes(signing_input))


def jwk_to_pem(jwk: Mapping | str | bytes) -> str:
    """PKCS#8 PEM of a private JWK (dict or JSON text; RSA with n,e,d,p,q,dp,dq,qi, or EC)."""
    if isinstance(jwk, (str, bytes)):
        pem.check_size(jwk, "JWK")
    parsed = jose.parse_private_jwk(jwk)
    return pem.normalize_pem(backend().jwk_to_pem(parsed))
