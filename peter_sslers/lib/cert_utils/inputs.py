"""Shared input validation: size limit, PEM framing, expected type and DER structure.

Every public function runs its input through here *before* a backend sees
it, so both backends raise the same error class for the same bad input.
"""

from __future__ import annotations

from . import x509_der
from .errors import InvalidPEMError, UnsupportedKeyError, WrongTypeError
from .pem import Block, check_size, decode_blocks

CERT_LABELS = ("CERTIFICATE",)
CSR_LABELS = ("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")
KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY")
_IGNORED_LABELS = ("EC PARAMETERS", "DSA PARAMETERS")

_DESCRIPTIONS = {
    "CERTIFICATE": "a certificate",
    "TRUSTED CERTIFICATE": "an OpenSSL 'trusted' certificate (use a plain CERTIFICATE)",
    "CERTIFICATE REQUEST": "a certificate signing request (CSR)",
    "NEW CERTIFICATE REQUEST": "a certificate signing request (CSR)",
    "PRIVATE KEY": "a private key",
    "RSA PRIVATE KEY": "a private key",
    "EC PRIVATE KEY": "a private key",
    "DSA PRIVATE KEY": "a private key",
    "PUBLIC KEY": "a public key",
    "RSA PUBLIC KEY": "a public key",
    "X509 CRL": "a certificate revocation list",
    "PKCS7": "a PKCS#7 bundle",
}


def describe(label: str) -> str:
    """Human description of a PEM label."""
    return _DESCRIPTIONS.get(label, f"a '{label}' PEM block")


def _select(blocks: list[Block], labels: tuple[str, ...], what: str) -> Block:
    wanted = [b for b in blocks if b.label in labels]
    others = [b for b in blocks if b.label not in labels and b.label not in _IGNORED_LABELS]
    if others:
        label = others[0].label
        if label == "ENCRYPTED PRIVATE KEY":
            raise UnsupportedKeyError(
                "encrypted private keys are not supported; decrypt it first "
                "(openssl pkey -in key.pem -out plain.pem)"
            )
        extra = " besides it" if wanted else ""
        raise WrongTypeError(f"expected {what} but the input contains {describe(label)}{extra}")
    if not wanted:
        raise InvalidPEMError(f"expected {what} but the input contains no such PEM block")
    if len(wanted) > 1:
        raise InvalidPEMError(
            f"expected exactly one PEM block with {what} but found {len(wanted)}; "
            "use split_pem_bundle() for certificate bundles"
        )
    return wanted[0]


def load_cert(data: object) -> Block:
    """Validate PEM text holding exactly one certificate; return its block."""
    block = _select(decode_blocks(data, "certificate input"), CERT_LABELS, "a certificate")
    x509_der.check_envelope(block.der, "certificate")  # backends parse the rest
    return block


def load_csr(data: object) -> Block:
    """Validate PEM text holding exactly one CSR; return its block (label normalised)."""
    block = _select(decode_blocks(data, "CSR input"), CSR_LABELS, "a certificate signing request")
    x509_der.split_signed(block.der, "certificate signing request")
    return Block("CERTIFICATE REQUEST", block.der)


def load_key(data: object) -> tuple[Block, tuple[str, int | None, str | None]]:
    """Validate PEM text holding one private key; return block and (technology, bits, curve)."""
    block = _select(decode_blocks(data, "private key input"), KEY_LABELS, "a private key")
    return block, x509_der.private_key_summary(block.label, block.der)


def load_bundle(data: object) -> list[Block]:
    """Validate PEM text holding one or more certificates (and nothing else)."""
    blocks = decode_blocks(data, "certificate bundle")
    for block in blocks:
        if block.label not in CERT_LABELS:
            raise WrongTypeError(
                f"a certificate bundle may only contain certificates, found {describe(block.label)}"
            )
        x509_der.check_envelope(block.der, "certificate")
    return blocks


def check_der(data: object, what: str) -> bytes:
    """Size/type check for DER input; returns bytes."""
    check_size(data, f"{what} DER")
    if isinstance(data, str):
        raise InvalidPEMError(
            f"{what} DER must be bytes, not text (for PEM use the *_pem_* helpers)"
        )
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidPEMError(f"{what} DER must be bytes, got {type(data).__name__}")
    raw = bytes(data)
    if not raw:
        raise InvalidPEMError(f"{what} DER is empty")
    if raw.lstrip()[:10] == b"-----BEGIN":
        raise InvalidPEMError(f"{what} input is PEM text, not DER")
    return raw
