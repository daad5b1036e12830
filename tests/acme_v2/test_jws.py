"""JWS signing: both backends, thumbprints, EAB, key change, challenge values."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import types

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from peter_sslers.lib.acme_v2 import jws
from peter_sslers.lib.acme_v2.jws import AcmeKeyError, Signer, b64url, b64url_decode

from .helpers import make_key_pem

KINDS = [("rsa2048", "RS256"), ("ec256", "ES256"), ("ec384", "ES384")]


def verify(key_pem: str, alg: str, signing_input: bytes, signature: bytes) -> None:
    """Verify a JWS signature with cryptography (raises when it does not match)."""
    public = serialization.load_pem_private_key(key_pem.encode(), None).public_key()
    if alg == "RS256":
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        return
    assert isinstance(public, ec.EllipticCurvePublicKey)
    half = len(signature) // 2
    der = encode_dss_signature(
        int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
    )
    public.verify(
        der, signing_input, ec.ECDSA(hashes.SHA256() if alg == "ES256" else hashes.SHA384())
    )


def rfc7638_thumbprint(jwk: dict[str, str]) -> str:
    members = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


@pytest.mark.parametrize(("kind", "alg"), KINDS)
def test_signer_signs_and_thumbprints(kind: str, alg: str) -> None:
    key_pem = make_key_pem(kind)
    signer = Signer(key_pem)
    assert signer.alg == alg and signer.backend == "josepy"
    assert "d" not in signer.jwk  # public only
    assert signer.thumbprint == rfc7638_thumbprint(signer.jwk)
    body = jws.sign_request(signer, {"a": 1}, url="https://x/y", nonce="n1")
    protected = json.loads(b64url_decode(body["protected"]))
    assert protected == {"alg": alg, "jwk": signer.jwk, "nonce": "n1", "url": "https://x/y"}
    signing_input = f"{body['protected']}.{body['payload']}".encode()
    verify(key_pem, alg, signing_input, b64url_decode(body["signature"]))


def test_post_as_get_has_empty_payload_and_kid() -> None:
    signer = Signer(make_key_pem())
    body = jws.sign_request(signer, None, url="https://x/o", nonce="n", kid="https://x/acct/1")
    assert body["payload"] == ""
    protected = json.loads(b64url_decode(body["protected"]))
    assert protected["kid"] == "https://x/acct/1" and "jwk" not in protected


def test_unsupported_keys_are_refused() -> None:
    p521 = ec.generate_private_key(ec.SECP521R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(AcmeKeyError):
        Signer(p521)
    with pytest.raises(AcmeKeyError):
        Signer("not a key")


def test_external_account_binding_hs256() -> None:
    signer = Signer(make_key_pem())
    mac_key = b"k" * 32
    eab = jws.external_account_binding("kid-1", b64url(mac_key), signer.jwk, "https://x/new-acct")
    protected = json.loads(b64url_decode(eab["protected"]))
    assert protected == {"alg": "HS256", "kid": "kid-1", "url": "https://x/new-acct"}
    assert json.loads(b64url_decode(eab["payload"])) == signer.jwk
    expected = hmac.new(mac_key, f"{eab['protected']}.{eab['payload']}".encode(), hashlib.sha256)
    assert b64url_decode(eab["signature"]) == expected.digest()


def test_key_change_inner_jws() -> None:
    old, new_pem = Signer(make_key_pem()), make_key_pem("rsa2048")
    new = Signer(new_pem)
    inner = jws.key_change_inner(
        new, account_url="https://x/acct/1", old_jwk=old.jwk, url="https://x/kc"
    )
    protected = json.loads(b64url_decode(inner["protected"]))
    assert protected == {"alg": "RS256", "jwk": new.jwk, "url": "https://x/kc"}  # no nonce
    assert json.loads(b64url_decode(inner["payload"])) == {
        "account": "https://x/acct/1",
        "oldKey": old.jwk,
    }
    verify(
        new_pem,
        "RS256",
        f"{inner['protected']}.{inner['payload']}".encode(),
        b64url_decode(inner["signature"]),
    )


def test_key_authorization_and_dns01_value() -> None:
    assert jws.key_authorization("tok", "thumb") == "tok.thumb"
    # RFC 8555 section 8.4: base64url(SHA-256(key authorization)), no padding
    value = jws.dns01_txt_value("tok.thumb")
    assert value == b64url(hashlib.sha256(b"tok.thumb").digest()) and "=" not in value


def fake_cert_utils() -> types.ModuleType:
    """A stand-in for peter_sslers.lib.cert_utils with the agreed function names."""
    module = types.ModuleType("peter_sslers.lib.cert_utils")
    calls: list[str] = []

    def _signer(key_pem: str) -> Signer:
        return Signer(key_pem, backend="josepy")

    module.calls = calls  # type: ignore[attr-defined]
    module.jwk_public = lambda pem: calls.append("jwk_public") or _signer(pem).jwk  # type: ignore[attr-defined]
    module.jwk_thumbprint = lambda pem: calls.append("jwk_thumbprint") or _signer(pem).thumbprint  # type: ignore[attr-defined]
    module.jws_alg = lambda pem: calls.append("jws_alg") or _signer(pem).alg  # type: ignore[attr-defined]
    module.jws_sign = lambda pem, data: calls.append("jws_sign") or _signer(pem).sign(data)  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(("kind", "alg"), KINDS)
def test_cert_utils_backend_is_used_through_the_same_interface(
    monkeypatch, kind: str, alg: str
) -> None:
    module = fake_cert_utils()
    monkeypatch.setitem(__import__("sys").modules, "peter_sslers.lib.cert_utils", module)
    key_pem = make_key_pem(kind)
    signer = Signer(key_pem, backend="cert_utils")
    assert signer.backend == "cert_utils" and signer.alg == alg
    body = jws.sign_request(signer, {"x": 1}, url="https://x", nonce="n")
    verify(
        key_pem,
        alg,
        f"{body['protected']}.{body['payload']}".encode(),
        b64url_decode(body["signature"]),
    )
    assert set(module.calls) == {"jwk_public", "jwk_thumbprint", "jws_alg", "jws_sign"}  # type: ignore[attr-defined]


def test_real_cert_utils_backend_when_available() -> None:
    try:
        cert_utils = importlib.import_module("peter_sslers.lib.cert_utils")
    except ImportError:
        pytest.skip("peter_sslers.lib.cert_utils not importable yet")
    if not all(
        hasattr(cert_utils, f) for f in ("jwk_public", "jwk_thumbprint", "jws_alg", "jws_sign")
    ):
        pytest.skip("peter_sslers.lib.cert_utils has no JWS functions yet")
    for kind, alg in KINDS:
        key_pem = make_key_pem(kind)
        ours, theirs = Signer(key_pem), Signer(key_pem, backend="cert_utils")
        assert (theirs.alg, theirs.jwk, theirs.thumbprint) == (alg, ours.jwk, ours.thumbprint)
        verify(key_pem, alg, b"abc.def", theirs.sign(b"abc.def"))


def test_real_cert_utils_backend_refuses_bad_keys() -> None:
    try:
        importlib.import_module("peter_sslers.lib.cert_utils").jws_alg  # noqa: B018
    except (ImportError, AttributeError):
        pytest.skip("peter_sslers.lib.cert_utils has no JWS functions yet")
    with pytest.raises(AcmeKeyError):
        Signer("not a key", backend="cert_utils")
