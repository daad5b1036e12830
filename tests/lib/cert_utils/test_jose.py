"""ACME account-key helpers: JWK, thumbprint, JWS alg/sign, JWK import."""

from __future__ import annotations

import json

import josepy
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from peter_sslers.lib import cert_utils
from peter_sslers.lib.cert_utils import asn1, jose, x509_der

from .conftest import on_both, pkcs8, traditional

RFC7638_N = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
    "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
    "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
    "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
)


def _josepy_jwk(key):
    return josepy.JWKRSA(key=key) if hasattr(key, "private_numbers") and hasattr(
        key.private_numbers(), "p") else josepy.JWKEC(key=key)  # fmt: skip


def test_rfc7638_known_thumbprint():
    jwk = {"kty": "RSA", "e": "AQAB", "n": RFC7638_N, "alg": "RS256", "kid": "2011-04-29"}
    assert jose.thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_jwk_public_and_thumbprint_match_josepy(backend, keys):
    for key in (keys.rsa_a, keys.ec256, keys.ec384):
        reference = _josepy_jwk(key)
        pem = traditional(key)
        assert cert_utils.jwk_public(pem) == reference.public_key().to_json()
        expected = cert_utils.b64url_encode(reference.thumbprint())
        assert cert_utils.jwk_thumbprint(pem) == expected


def test_jwk_public_fixed_length_coordinates(backend):
    for _ in range(20000):  # find a P-256 key whose x coordinate has a leading zero byte
        key = ec.generate_private_key(ec.SECP256R1())
        if key.public_key().public_numbers().x.bit_length() <= 248:
            break
    else:
        pytest.skip("no short coordinate found")
    jwk = cert_utils.jwk_public(pkcs8(key))
    assert len(cert_utils.b64url_decode(jwk["x"])) == 32
    assert len(cert_utils.b64url_decode(jwk["y"])) == 32
    assert jwk == josepy.JWKEC(key=key).public_key().to_json()


@pytest.mark.parametrize(
    "attr, alg",
    [("rsa_a", "RS256"), ("root_rsa4096", "RS256"), ("ec256", "ES256"), ("ec384", "ES384")],
)
def test_jws_alg(backend, keys, attr, alg):
    assert cert_utils.jws_alg(pkcs8(getattr(keys, attr))) == alg


def test_jws_sign_rs256_verifies_and_is_deterministic(backend, keys):
    data = b"eyJhbGciOiJSUzI1NiJ9.eyJoZWxsbyI6IndvcmxkIn0"
    signature = cert_utils.jws_sign(traditional(keys.rsa_a), data)
    keys.rsa_a.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    assert signature == keys.rsa_a.sign(data, padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize(
    "attr, size, hash_cls", [("ec256", 32, hashes.SHA256), ("ec384", 48, hashes.SHA384)]
)
def test_jws_sign_ecdsa_raw_signature(backend, keys, attr, size, hash_cls):
    key = getattr(keys, attr)
    for index in range(3 if backend == "openssl" else 300):
        data = f"protected.payload{index}".encode()
        raw = cert_utils.jws_sign(pkcs8(key), data)
        assert len(raw) == 2 * size
        r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
        key.public_key().verify(encode_dss_signature(r, s), data, ec.ECDSA(hash_cls()))


def test_ecdsa_der_raw_conversion_pads_short_integers():
    der = asn1.sequence(asn1.integer(5), asn1.integer(0x80 << 240))
    raw = x509_der.ecdsa_der_to_raw(der, 32)
    assert raw == (5).to_bytes(32, "big") + (0x80 << 240).to_bytes(32, "big")
    assert x509_der.ecdsa_raw_to_der(raw) == der


def test_jws_signature_verifies_with_josepy(backend, keys):
    jwk = josepy.JWKEC(key=keys.ec256)
    data = b"header.payload"
    signature = cert_utils.jws_sign(pkcs8(keys.ec256), data)
    assert josepy.ES256.verify(jwk.public_key().key, data, signature)


def test_jwk_to_pem_rsa_certbot_style(backend, keys):
    certbot_json = json.dumps(josepy.JWKRSA(key=keys.rsa_a).to_json())
    pem = cert_utils.jwk_to_pem(certbot_json)
    assert pem == pkcs8(keys.rsa_a)
    assert cert_utils.jwk_thumbprint(pem) == cert_utils.b64url_encode(
        josepy.JWKRSA(key=keys.rsa_a).thumbprint()
    )


def test_jwk_to_pem_ec(backend, keys):
    for key in (keys.ec256, keys.ec384):
        assert cert_utils.jwk_to_pem(josepy.JWKEC(key=key).to_json()) == pkcs8(key)


def test_jwk_results_identical_on_both_backends(keys):
    pem = traditional(keys.ec384)
    results = on_both(
        lambda: (
            cert_utils.jwk_public(pem),
            cert_utils.jwk_thumbprint(pem),
            cert_utils.jws_alg(pem),
        )
    )
    assert results["cryptography"] == results["openssl"]
    rsa_pem = pkcs8(keys.rsa_a)
    signatures = on_both(cert_utils.jws_sign, rsa_pem, b"same input")
    assert signatures["cryptography"] == signatures["openssl"]
