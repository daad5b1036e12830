"""Bad-input corpus: every case raises the same specific error type on both backends."""

from __future__ import annotations

import time

import josepy
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from peter_sslers.lib import cert_utils as cu
from peter_sslers.lib.cert_utils import asn1
from peter_sslers.lib.cert_utils.pem import der_to_pem

from .conftest import build_csr, mutate_tbs, pkcs8, traditional


def _bad_rsa_d(keys) -> str:
    n = keys.rsa_a.private_numbers()
    ints = (n.public_numbers.n, n.public_numbers.e, n.d + 2, n.p, n.q, n.dmp1, n.dmq1, n.iqmp)
    return der_to_pem(asn1.sequence(asn1.integer(0), *map(asn1.integer, ints)), "RSA PRIVATE KEY")


def _bad_ec_point(keys) -> str:
    """SEC1 key whose embedded public point belongs to another key."""
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = other.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    d = keys.ec256.private_numbers().private_value.to_bytes(32, "big")
    der = asn1.sequence(
        asn1.integer(1), asn1.octet_string(d),
        asn1.context(0, asn1.encode_oid("1.2.840.10045.3.1.7")), asn1.context(1, asn1.bit_string(point)),
    )  # fmt: skip
    return der_to_pem(der, "EC PRIVATE KEY")


def _garbage_inside_envelope() -> str:
    der = asn1.sequence(asn1.sequence(asn1.integer(1)), asn1.sequence(asn1.encode_oid("1.2.3")),
                        asn1.bit_string(b"sig"))  # fmt: skip
    return der_to_pem(der, "CERTIFICATE")


def _corrupt_tbs(pki) -> str:
    der = bytearray(pki.leaf_ec.cert.public_bytes(serialization.Encoding.DER))
    der[10] = 0x05  # the INTEGER serial's tag becomes NULL
    return der_to_pem(bytes(der), "CERTIFICATE")


def _duplicate_extension(pki) -> str:
    def change(fields):
        (seq,) = asn1.parse(fields[-1]).children()
        exts = [e.encoded for e in seq.children()]
        return fields[:-1] + [asn1.context(3, asn1.sequence(*exts, exts[0]))]

    return mutate_tbs(pki.leaf_ec.cert.public_bytes(serialization.Encoding.DER), change)


def _cert_der(pki) -> bytes:
    return pki.leaf_rsa.cert.public_bytes(serialization.Encoding.DER)


def _encrypted_pkcs8(keys) -> str:
    return keys.ec256.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.BestAvailableEncryption(b"pw")).decode()  # fmt: skip


def _encrypted_traditional(keys) -> str:
    return keys.ec256.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.BestAvailableEncryption(b"pw")).decode()  # fmt: skip


def _public_key(keys) -> str:
    return (
        keys.ec256.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _ed25519(keys) -> str:
    return pkcs8(keys.ed25519)


def _csr(keys) -> str:
    return build_csr(keys.ec256, "x.example", ["x.example"])


BIG = "A" * (10 * 1024 * 1024)

# id -> (builder(pki, keys) -> (function, args), expected error class)
CASES = {
    "empty": (lambda p, k: (cu.parse_cert, [""]), cu.InvalidPEMError),
    "whitespace": (lambda p, k: (cu.parse_cert, [" \n\t\r\n "]), cu.InvalidPEMError),
    "garbage_text": (lambda p, k: (cu.parse_cert, ["hello world"]), cu.InvalidPEMError),
    "none": (lambda p, k: (cu.parse_cert, [None]), cu.InvalidPEMError),
    "number": (lambda p, k: (cu.parse_key, [42]), cu.InvalidPEMError),
    "truncated_no_end": (lambda p, k: (cu.parse_cert, [p.leaf_rsa.pem[:400]]), cu.InvalidPEMError),
    "truncated_der": (
        lambda p, k: (cu.parse_cert, [der_to_pem(_cert_der(p)[:-40], "CERTIFICATE")]),
        cu.InvalidPEMError,
    ),
    "truncated_key_der": (
        lambda p, k: (
            cu.parse_key,
            [der_to_pem(cu.key_pem_to_der(p.leaf_ec.key_pem)[:50], "PRIVATE KEY")],
        ),
        cu.InvalidPEMError,
    ),
    "bad_base64_chars": (
        lambda p, k: (
            cu.parse_cert,
            ["-----BEGIN CERTIFICATE-----\nMIIB!!!$$$\n-----END CERTIFICATE-----\n"],
        ),
        cu.InvalidPEMError,
    ),
    "bad_base64_padding": (
        lambda p, k: (
            cu.parse_cert,
            ["-----BEGIN CERTIFICATE-----\nMIIBA\n-----END CERTIFICATE-----\n"],
        ),
        cu.InvalidPEMError,
    ),
    "empty_body": (
        lambda p, k: (
            cu.parse_cert,
            ["-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n"],
        ),
        cu.InvalidPEMError,
    ),
    "random_bytes_in_pem": (
        lambda p, k: (cu.parse_cert, [der_to_pem(bytes(range(256)) * 3, "CERTIFICATE")]),
        cu.InvalidPEMError,
    ),
    "garbage_inside_valid_envelope": (
        lambda p, k: (cu.parse_cert, [_garbage_inside_envelope()]),
        cu.InvalidPEMError,
    ),
    "duplicate_extension": (
        lambda p, k: (cu.parse_cert, [_duplicate_extension(p)]),
        cu.InvalidPEMError,
    ),
    "corrupted_tbs": (lambda p, k: (cu.parse_cert, [_corrupt_tbs(p)]), cu.InvalidPEMError),
    "batch_with_one_bad_cert": (
        lambda p, k: (cu.parse_certs_batch, [[p.leaf_rsa.pem, _corrupt_tbs(p), p.root.pem]]),
        cu.InvalidPEMError,
    ),
    "mismatched_begin_end": (
        lambda p, k: (
            cu.parse_cert,
            [p.leaf_rsa.pem.replace("END CERTIFICATE", "END PRIVATE KEY")],
        ),
        cu.InvalidPEMError,
    ),
    "end_without_begin": (
        lambda p, k: (cu.parse_cert, [p.leaf_rsa.pem.split("\n", 1)[1]]),
        cu.InvalidPEMError,
    ),
    "two_certs_for_one": (
        lambda p, k: (cu.parse_cert, [p.leaf_rsa.pem + p.root.pem]),
        cu.InvalidPEMError,
    ),
    "unexpected_pem_headers": (
        lambda p, k: (cu.parse_cert, [p.root.pem.replace("-----\n", "-----\nComment: hi\n\n", 1)]),
        cu.InvalidPEMError,
    ),
    "der_bytes_given_as_bytes": (lambda p, k: (cu.parse_cert, [_cert_der(p)]), cu.InvalidPEMError),
    "der_bytes_given_as_text": (
        lambda p, k: (cu.parse_cert, [_cert_der(p).decode("latin-1")]),
        cu.InvalidPEMError,
    ),
    "pem_given_as_der": (
        lambda p, k: (cu.cert_der_to_pem, [p.root.pem.encode()]),
        cu.InvalidPEMError,
    ),
    "text_given_as_der": (lambda p, k: (cu.cert_der_to_pem, [p.root.pem]), cu.InvalidPEMError),
    "garbage_der": (lambda p, k: (cu.cert_der_to_pem, [b"\x30\x03\x02\x01"]), cu.InvalidPEMError),
    "key_der_garbage": (lambda p, k: (cu.key_der_to_pem, [_cert_der(p)]), cu.WrongTypeError),
    "key_where_cert_expected": (
        lambda p, k: (cu.parse_cert, [p.leaf_rsa.key_pem]),
        cu.WrongTypeError,
    ),
    "csr_where_key_expected": (lambda p, k: (cu.parse_key, [_csr(k)]), cu.WrongTypeError),
    "cert_where_key_expected": (lambda p, k: (cu.jws_sign, [p.root.pem, b"x"]), cu.WrongTypeError),
    "cert_where_csr_expected": (lambda p, k: (cu.parse_csr, [p.root.pem]), cu.WrongTypeError),
    "public_key_where_private_expected": (
        lambda p, k: (cu.parse_key, [_public_key(k)]),
        cu.WrongTypeError,
    ),
    "cert_and_key_in_one_input": (
        lambda p, k: (cu.parse_cert, [p.leaf_rsa.pem + p.leaf_rsa.key_pem]),
        cu.WrongTypeError,
    ),
    "key_in_bundle": (
        lambda p, k: (cu.split_pem_bundle, [p.root.pem + p.leaf_rsa.key_pem]),
        cu.WrongTypeError,
    ),
    "crl_label": (
        lambda p, k: (cu.parse_cert, [p.root.pem.replace("CERTIFICATE", "X509 CRL")]),
        cu.WrongTypeError,
    ),
    "10mb_text": (lambda p, k: (cu.parse_cert, [BIG]), cu.TooLargeError),
    "10mb_bytes": (lambda p, k: (cu.parse_key, [BIG.encode()]), cu.TooLargeError),
    "10mb_der": (lambda p, k: (cu.cert_der_to_pem, [BIG.encode()]), cu.TooLargeError),
    "10mb_signing_input": (
        lambda p, k: (cu.jws_sign, [pkcs8(k.ec256), BIG.encode()]),
        cu.TooLargeError,
    ),
    "10mb_in_batch": (lambda p, k: (cu.parse_certs_batch, [[p.root.pem, BIG]]), cu.TooLargeError),
    "encrypted_pkcs8": (lambda p, k: (cu.parse_key, [_encrypted_pkcs8(k)]), cu.UnsupportedKeyError),
    "encrypted_traditional": (
        lambda p, k: (cu.parse_key, [_encrypted_traditional(k)]),
        cu.UnsupportedKeyError,
    ),
    "ed25519_sign": (lambda p, k: (cu.jws_sign, [_ed25519(k), b"data"]), cu.UnsupportedKeyError),
    "ed25519_jwk": (lambda p, k: (cu.jwk_public, [_ed25519(k)]), cu.UnsupportedKeyError),
    "dsa_sign": (lambda p, k: (cu.jws_sign, [traditional(k.dsa), b"data"]), cu.UnsupportedKeyError),
    "dsa_csr": (
        lambda p, k: (cu.make_csr, [["a.example"], traditional(k.dsa)]),
        cu.UnsupportedKeyError,
    ),
    "rsa1024_sign": (
        lambda p, k: (cu.jws_sign, [traditional(k.rsa_1024), b"data"]),
        cu.UnsupportedKeyError,
    ),
    "rsa1024_alg": (lambda p, k: (cu.jws_alg, [pkcs8(k.rsa_1024)]), cu.UnsupportedKeyError),
    "rsa1024_csr": (
        lambda p, k: (cu.make_csr, [["a.example"], pkcs8(k.rsa_1024)]),
        cu.UnsupportedKeyError,
    ),
    "p521_sign": (lambda p, k: (cu.jws_sign, [pkcs8(k.ec521), b"data"]), cu.UnsupportedKeyError),
    "new_key_rsa1024": (lambda p, k: (cu.new_private_key, ["RSA", 1024]), cu.UnsupportedKeyError),
    "new_key_p521": (lambda p, k: (cu.new_private_key, ["EC", 0, "P-521"]), cu.UnsupportedKeyError),
    "new_key_dsa": (lambda p, k: (cu.new_private_key, ["DSA"]), cu.UnsupportedKeyError),
    "pss_signature_check": (
        lambda p, k: (cu.cert_signed_by, [p.pss_leaf.pem, p.int_rsa.pem]),
        cu.UnsupportedKeyError,
    ),
    "rsa_inconsistent_d": (lambda p, k: (cu.parse_key, [_bad_rsa_d(k)]), cu.InvalidPEMError),
    "rsa_inconsistent_pkcs8": (
        lambda p, k: (cu.key_to_pkcs8_pem, [_bad_rsa_d(k)]),
        cu.InvalidPEMError,
    ),
    "ec_wrong_public_point": (lambda p, k: (cu.parse_key, [_bad_ec_point(k)]), cu.InvalidPEMError),
    "csr_bad_domain": (
        lambda p, k: (cu.make_csr, [["exa mple.com"], pkcs8(k.ec256)]),
        cu.InvalidDomainError,
    ),
    "csr_unicode_domain": (
        lambda p, k: (cu.make_csr, [["bücher.example"], pkcs8(k.ec256)]),
        cu.InvalidDomainError,
    ),
    "csr_no_domains": (lambda p, k: (cu.make_csr, [[], pkcs8(k.ec256)]), cu.InvalidDomainError),
    "csr_bare_wildcard": (
        lambda p, k: (cu.make_csr, [["*"], pkcs8(k.ec256)]),
        cu.InvalidDomainError,
    ),
    "jwk_public_only": (
        lambda p, k: (cu.jwk_to_pem, [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]),
        cu.InvalidJWKError,
    ),
    "jwk_not_json": (lambda p, k: (cu.jwk_to_pem, ["{not json"]), cu.InvalidJWKError),
    "jwk_missing_crt": (
        lambda p, k: (cu.jwk_to_pem, [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}]),
        cu.InvalidJWKError,
    ),
    "jwk_bad_base64": (
        lambda p, k: (
            cu.jwk_to_pem,
            [{"kty": "EC", "crv": "P-256", "x": "!!", "y": "AA", "d": "AA"}],
        ),
        cu.InvalidJWKError,
    ),
    "jwk_ec_point_not_on_curve": (
        lambda p, k: (
            cu.jwk_to_pem,
            [{"kty": "EC", "crv": "P-256", "x": "AQ", "y": "AQ", "d": "AQ"}],
        ),
        cu.InvalidJWKError,
    ),
    "jwk_rsa_wrong_d": (lambda p, k: (cu.jwk_to_pem, [_bad_rsa_jwk(k)]), cu.InvalidJWKError),
    "pkcs12_key_mismatch": (
        lambda p, k: (cu.export_pkcs12, [p.leaf_ec.key_pem, p.leaf_rsa.pem, []]),
        cu.KeyMismatchError,
    ),
    "chain_wrong_order": (
        lambda p, k: (cu.validate_chain, [p.leaf_rsa.pem, [p.root.pem, p.int_ec.pem]]),
        cu.ChainError,
    ),
    "chain_empty": (lambda p, k: (cu.validate_chain, [p.leaf_rsa.pem, []]), cu.ChainError),
}


def _bad_rsa_jwk(keys) -> dict:
    jwk = josepy.JWKRSA(key=keys.rsa_a).to_json()
    jwk["d"] = cu.b64url_encode((keys.rsa_a.private_numbers().d + 2).to_bytes(256, "big"))
    return jwk


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input(backend, pki, keys, case):
    builder, expected = CASES[case]
    func, args = builder(pki, keys)
    with pytest.raises(cu.CryptoError) as excinfo:
        func(*args)
    assert excinfo.type is expected, f"{case}: {excinfo.type.__name__}: {excinfo.value}"
    assert str(excinfo.value)  # a message a user can act on


def test_oversized_input_is_refused_fast(backend):
    started = time.perf_counter()
    for _ in range(10):
        with pytest.raises(cu.TooLargeError):
            cu.parse_cert(BIG)
    assert time.perf_counter() - started < 0.1


def test_messages_are_actionable(backend, pki, keys):
    with pytest.raises(cu.WrongTypeError, match="expected a certificate.*private key"):
        cu.parse_cert(pki.leaf_rsa.key_pem)
    with pytest.raises(cu.InvalidPEMError, match="DER"):
        cu.parse_cert(_cert_der(pki))
    with pytest.raises(cu.UnsupportedKeyError, match="decrypt"):
        cu.parse_key(_encrypted_pkcs8(keys))
    with pytest.raises(cu.InvalidDomainError, match="punycode"):
        cu.make_csr(["bücher.example"], pkcs8(keys.ec256))
