"""JSON Web Signatures for ACME requests (RFC 8555 section 6.2, RFC 7515/7638).

:class:`Signer` hides where signatures come from: ``josepy`` + ``cryptography`` when they
can be imported, else the crypto layer ``peter_sslers.lib.cert_utils`` (which falls back
to the OpenSSL command line). The rest of the client only sees ``alg``, ``jwk``,
``thumbprint`` and ``sign()``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
from collections.abc import Callable
from typing import Any

from .errors import AcmeError

SUPPORTED_ALGS = ("RS256", "ES256", "ES384")
_EC_CURVE_ALGS = {"secp256r1": "ES256", "secp384r1": "ES384"}


def _josepy_available() -> bool:
    try:
        importlib.import_module("josepy")
        importlib.import_module("cryptography.hazmat.primitives.serialization")
    except ImportError:
        return False
    return True


#: backend used when a Signer is not told otherwise: "josepy" or "cert_utils"
DEFAULT_BACKEND = "josepy" if _josepy_available() else "cert_utils"


class AcmeKeyError(AcmeError, ValueError):
    """A key cannot be used to sign ACME requests (unsupported type or curve, bad PEM)."""


def b64url(data: bytes) -> str:
    """Unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded (or padded) base64url."""
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def json_bytes(obj: Any) -> bytes:
    """Compact JSON, as signed and sent."""
    return json.dumps(obj, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _to_bytes(key_pem: str | bytes) -> bytes:
    return key_pem.encode("ascii") if isinstance(key_pem, str) else key_pem


class Signer:
    """Signs JWS with one private key (an account key, or a certificate's key).

    :ivar alg: ``RS256``, ``ES256`` or ``ES384``
    :ivar jwk: the public JWK (dict)
    :ivar thumbprint: base64url SHA-256 JWK thumbprint (RFC 7638)
    :ivar backend: ``josepy`` or ``cert_utils``
    """

    def __init__(self, key_pem: str | bytes, *, backend: str | None = None) -> None:
        self.backend = backend or DEFAULT_BACKEND
        if self.backend == "josepy":
            loaded = _load_with_josepy(_to_bytes(key_pem))
        elif self.backend == "cert_utils":
            loaded = _load_with_cert_utils(key_pem)
        else:
            raise ValueError(f"unknown JWS backend {self.backend!r}")
        self.alg: str = loaded[0]
        self.jwk: dict[str, Any] = loaded[1]
        self.thumbprint: str = loaded[2]
        self._sign: Callable[[bytes], bytes] = loaded[3]
        if self.alg not in SUPPORTED_ALGS:
            raise AcmeKeyError(f"unsupported JWS algorithm {self.alg!r}")

    def sign(self, signing_input: bytes) -> bytes:
        """Signature over ``signing_input`` (raw ``r||s`` for EC keys, as JWS requires)."""
        return self._sign(signing_input)

    def __repr__(self) -> str:
        return f"<Signer {self.alg} {self.thumbprint} via {self.backend}>"


_Loaded = tuple[str, dict[str, Any], str, Callable[[bytes], bytes]]


def _load_with_josepy(key_pem: bytes) -> _Loaded:
    import josepy
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise AcmeKeyError(f"cannot load private key: {exc}") from exc
    if isinstance(key, rsa.RSAPrivateKey):
        jwk: Any = josepy.JWKRSA(key=key)
        alg, jwa = "RS256", josepy.RS256
    elif isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in _EC_CURVE_ALGS:
        jwk = josepy.JWKEC(key=key)
        alg = _EC_CURVE_ALGS[key.curve.name]
        jwa = josepy.ES256 if alg == "ES256" else josepy.ES384
    else:
        raise AcmeKeyError(f"unsupported account key type {type(key).__name__}")
    public = jwk.public_key().to_json()
    thumbprint = b64url(jwk.thumbprint())  # SHA-256 by default

    def sign(signing_input: bytes) -> bytes:
        return jwa.sign(key, signing_input)

    return alg, public, thumbprint, sign


def _load_with_cert_utils(key_pem: str | bytes) -> _Loaded:
    try:
        cert_utils: Any = importlib.import_module("peter_sslers.lib.cert_utils")
    except ImportError as exc:
        raise AcmeKeyError(
            "neither josepy/cryptography nor peter_sslers.lib.cert_utils is importable"
        ) from exc
    pem = key_pem.decode("ascii") if isinstance(key_pem, bytes) else key_pem
    crypto_error = getattr(cert_utils, "CryptoError", ValueError)
    try:
        alg = cert_utils.jws_alg(pem)
        public = dict(cert_utils.jwk_public(pem))
        thumbprint = cert_utils.jwk_thumbprint(pem)
    except crypto_error as exc:
        raise AcmeKeyError(f"cannot use this key for JWS: {exc}") from exc

    def sign(signing_input: bytes) -> bytes:
        return cert_utils.jws_sign(pem, signing_input)

    return alg, public, thumbprint, sign


# --- JWS objects -----------------------------------------------------------------------


def flattened_jws(
    protected: dict[str, Any], payload: bytes, sign: Callable[[bytes], bytes]
) -> dict[str, str]:
    """A flattened JSON serialization JWS (RFC 7515 section 7.2.2)."""
    protected_b64 = b64url(json_bytes(protected))
    payload_b64 = b64url(payload)
    signature = sign(f"{protected_b64}.{payload_b64}".encode("ascii"))
    return {"protected": protected_b64, "payload": payload_b64, "signature": b64url(signature)}


def sign_request(
    signer: Signer,
    payload: dict[str, Any] | None,
    *,
    url: str,
    nonce: str,
    kid: str | None = None,
) -> dict[str, Any]:
    """The JWS body of an ACME POST.

    ``kid`` (the account URL) is used when given, else the public ``jwk`` is embedded
    (newAccount, revocation by certificate key). ``payload=None`` is POST-as-GET.
    """
    protected: dict[str, Any] = {"alg": signer.alg, "nonce": nonce, "url": url}
    if kid:
        protected["kid"] = kid
    else:
        protected["jwk"] = signer.jwk
    body = b"" if payload is None else json_bytes(payload)
    return flattened_jws(protected, body, signer.sign)


def external_account_binding(
    kid: str, hmac_key_b64: str, account_jwk: dict[str, Any], url: str
) -> dict[str, Any]:
    """The ``externalAccountBinding`` JWS of RFC 8555 section 7.3.4 (HS256)."""
    mac_key = b64url_decode(hmac_key_b64)
    protected = {"alg": "HS256", "kid": kid, "url": url}

    def sign(signing_input: bytes) -> bytes:
        return hmac.new(mac_key, signing_input, hashlib.sha256).digest()

    return flattened_jws(protected, json_bytes(account_jwk), sign)


def key_change_inner(
    new_signer: Signer, *, account_url: str, old_jwk: dict[str, Any], url: str
) -> dict[str, Any]:
    """The inner JWS of a key rollover (RFC 8555 section 7.3.5), signed by the new key."""
    protected = {"alg": new_signer.alg, "jwk": new_signer.jwk, "url": url}
    payload = {"account": account_url, "oldKey": old_jwk}
    return flattened_jws(protected, json_bytes(payload), new_signer.sign)


def key_authorization(token: str, thumbprint: str) -> str:
    """The key authorization of a challenge (RFC 8555 section 8.1)."""
    return f"{token}.{thumbprint}"


def dns01_txt_value(key_authorization_value: str) -> str:
    """The TXT record value for DNS-01: base64url(SHA-256(key authorization))."""
    return b64url(hashlib.sha256(key_authorization_value.encode("ascii")).digest())
