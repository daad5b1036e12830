"""Crypto layer of peter_sslers: the only place that touches key material formats.

One API, two backends: ``cryptography`` (preferred) and the ``openssl``
command line (used when the Python packages are missing). Choose once with
:func:`configure`; inputs are PEM text, outputs are plain data
(:class:`CertInfo`, :class:`CsrInfo`, :class:`KeyInfo`, str, bytes, dict).
Errors derive from :class:`CryptoError` and are the same on both backends.

Importing this package never imports ``cryptography`` or ``josepy``.
"""

from __future__ import annotations

from .api import (
    cert_der_to_pem,
    cert_pem_to_der,
    csr_der_to_pem,
    csr_pem_to_der,
    export_pkcs12,
    jwk_public,
    jwk_thumbprint,
    jwk_to_pem,
    jws_alg,
    jws_sign,
    key_der_to_pem,
    key_matches_cert,
    key_matches_csr,
    key_pem_to_der,
    key_to_pkcs8_der,
    key_to_pkcs8_pem,
    make_csr,
    new_private_key,
    normalize_pem,
    parse_cert,
    parse_certs_batch,
    parse_csr,
    parse_key,
    split_pem_bundle,
)
from .chain import cert_signed_by, order_chain, validate_chain
from .config import configure, current_backend, get_configuration
from .errors import (
    BackendUnavailableError,
    ChainError,
    CryptoError,
    InvalidDomainError,
    InvalidJWKError,
    InvalidPEMError,
    KeyMismatchError,
    OpenSSLError,
    TooLargeError,
    UnsupportedKeyError,
    WrongTypeError,
)
from .model import CertInfo, CsrInfo, KeyInfo
from .pem import MAX_INPUT_BYTES, b64url_decode, b64url_encode

__all__ = [
    "MAX_INPUT_BYTES",
    "BackendUnavailableError",
    "CertInfo",
    "ChainError",
    "CryptoError",
    "CsrInfo",
    "InvalidDomainError",
    "InvalidJWKError",
    "InvalidPEMError",
    "KeyInfo",
    "KeyMismatchError",
    "OpenSSLError",
    "TooLargeError",
    "UnsupportedKeyError",
    "WrongTypeError",
    "b64url_decode",
    "b64url_encode",
    "cert_der_to_pem",
    "cert_pem_to_der",
    "cert_signed_by",
    "configure",
    "csr_der_to_pem",
    "csr_pem_to_der",
    "current_backend",
    "export_pkcs12",
    "get_configuration",
    "jwk_public",
    "jwk_thumbprint",
    "jwk_to_pem",
    "jws_alg",
    "jws_sign",
    "key_der_to_pem",
    "key_matches_cert",
    "key_matches_csr",
    "key_pem_to_der",
    "key_to_pkcs8_der",
    "key_to_pkcs8_pem",
    "make_csr",
    "new_private_key",
    "normalize_pem",
    "order_chain",
    "parse_cert",
    "parse_certs_batch",
    "parse_csr",
    "parse_key",
    "split_pem_bundle",
    "validate_chain",
]
