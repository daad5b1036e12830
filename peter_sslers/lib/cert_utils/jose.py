"""Pure-Python JOSE helpers: JWK canonical form and RFC 7638 thumbprint, JWS
algorithm selection, and DER building for private JWKs (RSA and EC)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from . import asn1, x509_der
from .errors import InvalidJWKError, InvalidPEMError, UnsupportedKeyError
from .pem import b64url_decode, b64url_encode

__all__ = [
    "JWS_CURVES",
    "ec_jwk",
    "ec_private_der",
    "int_to_b64url",
    "parse_private_jwk",
    "rsa_jwk",
    "rsa_private_der",
    "select_alg",
    "thumbprint",
]

#: curve name -> (JWS alg, hash name, coordinate/signature-half length)
JWS_CURVES = {"P-256": ("ES256", "sha256", 32), "P-384": ("ES384", "sha384", 48)}
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 8192

_REQUIRED = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}
_RSA_PRIVATE = ("n", "e", "d", "p", "q", "dp", "dq", "qi")


def int_to_b64url(value: int) -> str:
    """Unsigned big-endian minimal bytes, base64url (RFC 7518 section 2 'Base64urlUInt')."""
    return b64url_encode(value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def rsa_jwk(n: int, e: int) -> dict:
    """Public RSA JWK with members in canonical (sorted) order."""
    return {"e": int_to_b64url(e), "kty": "RSA", "n": int_to_b64url(n)}


def ec_jwk(curve: str, x: bytes, y: bytes) -> dict:
    """Public EC JWK; ``x``/``y`` must already be fixed-length coordinates."""
    return {"crv": curve, "kty": "EC", "x": b64url_encode(x), "y": b64url_encode(y)}


def thumbprint(jwk: Mapping) -> str:
    """RFC 7638 SHA-256 thumbprint (base64url) of a public or private JWK."""
    kty = jwk.get("kty")
    if kty not in _REQUIRED:
        raise InvalidJWKError(f"unsupported JWK kty {kty!r}")
    try:
        canonical = {name: jwk[name] for name in _REQUIRED[kty]}
    except KeyError as exc:
        raise InvalidJWKError(f"JWK is missing the required member {exc.args[0]!r}") from None
    data = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return b64url_encode(hashlib.sha256(data).digest())


def select_alg(technology: str, bits: int | None, curve: str | None) -> tuple[str, str, int]:
    """(JWS alg, hash name, EC coordinate length or 0) for a signing key, else raise."""
    if technology == "RSA":
        if bits is None or bits < MIN_RSA_BITS:
            raise UnsupportedKeyError(
                f"RSA keys must have at least {MIN_RSA_BITS} bits to sign (this one has {bits})"
            )
        if bits > MAX_RSA_BITS:
            raise UnsupportedKeyError(f"RSA keys larger than {MAX_RSA_BITS} bits are refused")
        return "RS256", "sha256", 0
    if technology == "EC" and curve in JWS_CURVES:
        return JWS_CURVES[curve]
    what = f"EC curve {curve}" if technology == "EC" else f"{technology} keys"
    raise UnsupportedKeyError(
        f"{what} cannot sign here; use RSA (2048-8192 bits) or EC P-256/P-384"
    )


def _b64_int(jwk: Mapping, name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidJWKError(f"JWK member {name!r} is missing or not a string")
    try:
        return int.from_bytes(b64url_decode(value), "big")
    except InvalidPEMError:
        raise InvalidJWKError(f"JWK member {name!r} is not valid base64url") from None


def _as_mapping(jwk: object) -> Mapping:
    if isinstance(jwk, (str, bytes)):
        try:
            jwk = json.loads(jwk)
        except ValueError:
            raise InvalidJWKError("JWK text is not valid JSON") from None
    if not isinstance(jwk, Mapping):
        raise InvalidJWKError("JWK must be a JSON object / dict")
    return jwk


def parse_private_jwk(jwk: object) -> dict:
    """Validate a private RSA or EC JWK; return {"kty": ..., ints/bytes...}."""
    jwk = _as_mapping(jwk)
    kty = jwk.get("kty")
    if "d" not in jwk:
        raise InvalidJWKError("JWK has no private member 'd'; a private key is required")
    if kty == "RSA":
        missing = [name for name in _RSA_PRIVATE if name not in jwk]
        if missing:
            raise InvalidJWKError(f"RSA JWK is missing members {', '.join(missing)}")
        values = {name: _b64_int(jwk, name) for name in _RSA_PRIVATE}
        if values["p"] * values["q"] != values["n"]:
            raise InvalidJWKError("RSA JWK is inconsistent: p * q != n")
        return {"kty": "RSA", **values}
    if kty == "EC":
        curve = jwk.get("crv")
        if curve not in x509_der.CURVE_OIDS or curve not in ("P-256", "P-384", "P-521"):
            raise InvalidJWKError(f"unsupported EC JWK curve {curve!r}")
        size = x509_der.CURVES[x509_der.CURVE_OIDS[curve]][2]
        coords = {}
        for name in ("x", "y", "d"):
            value = _b64_int(jwk, name)
            if value.bit_length() > size * 8:
                raise InvalidJWKError(f"EC JWK member {name!r} is too long for {curve}")
            coords[name] = value
        return {"kty": "EC", "crv": curve, "size": size, **coords}
    raise InvalidJWKError(f"unsupported JWK kty {kty!r} (expected RSA or EC)")


def rsa_private_der(v: Mapping[str, int]) -> bytes:
    """PKCS#1 RSAPrivateKey DER from integer members n, e, d, p, q, dp, dq, qi."""
    return asn1.sequence(asn1.integer(0), *(asn1.integer(v[name]) for name in _RSA_PRIVATE))


def ec_private_der(curve: str, size: int, d: int, x: int, y: int) -> bytes:
    """SEC1 ECPrivateKey DER (named curve, with public point)."""
    point = b"\x04" + x.to_bytes(size, "big") + y.to_bytes(size, "big")
    return asn1.sequence(
        asn1.integer(1),
        asn1.octet_string(d.to_bytes(size, "big")),
        asn1.context(0, asn1.encode_oid(x509_der.CURVE_OIDS[curve])),
        asn1.context(1, asn1.bit_string(point)),
    )
