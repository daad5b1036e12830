"""Key/CSR generation, PEM/DER conversion, PKCS#8 and PKCS#12 on both backends."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from peter_sslers.lib import cert_utils

from .conftest import on_both, pkcs8, traditional


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"technology": "RSA", "bits": 2048}, ("RSA", 2048, None)),
        ({"technology": "RSA", "bits": 3072}, ("RSA", 3072, None)),
        ({"technology": "EC", "curve": "P-256"}, ("EC", 256, "P-256")),
        ({"technology": "EC", "curve": "secp384r1"}, ("EC", 384, "P-384")),
    ],
)
def test_new_private_key(backend, kwargs, expected):
    pem = cert_utils.new_private_key(**kwargs)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----\n") and pem.endswith(
        "-----END PRIVATE KEY-----\n"
    )
    info = cert_utils.parse_key(pem)
    assert (info.technology, info.bits, info.curve) == expected
    loaded = serialization.load_pem_private_key(pem.encode(), None)
    assert isinstance(
        loaded, rsa.RSAPrivateKey if expected[0] == "RSA" else ec.EllipticCurvePrivateKey
    )


def test_make_csr(backend, keys):
    key_pem = traditional(keys.ec256)
    names = ["Example.COM", "www.example.com", "*.example.com", "xn--bcher-kva.example",
             "example.com", "192.0.2.1", "2001:DB8::5"]  # fmt: skip
    pem = cert_utils.make_csr(names, key_pem)
    csr = x509.load_pem_x509_csr(pem.encode())
    assert csr.is_signature_valid
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == [
        "example.com", "www.example.com", "*.example.com", "xn--bcher-kva.example"
    ]  # fmt: skip
    assert [str(i) for i in san.get_values_for_type(x509.IPAddress)] == ["192.0.2.1", "2001:db8::5"]
    info = cert_utils.parse_csr(pem)
    assert info.subject == "CN=example.com"
    assert info.domain_names == [
        "example.com",
        "www.example.com",
        "*.example.com",
        "xn--bcher-kva.example",
    ]
    assert cert_utils.key_matches_csr(key_pem, pem)


def test_make_csr_long_first_name_has_no_cn(backend, keys):
    long_name = ("a" * 60) + ".example.com"
    pem = cert_utils.make_csr([long_name, "short.example"], keys.rsa_a.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode())  # fmt: skip
    info = cert_utils.parse_csr(pem)
    assert info.common_name is None and info.subject == ""
    assert info.domain_names == [long_name, "short.example"]
    assert x509.load_pem_x509_csr(pem.encode()).is_signature_valid


def test_make_csr_p384_and_single_string(backend, keys):
    pem = cert_utils.make_csr("one.example", traditional(keys.ec384))
    csr = x509.load_pem_x509_csr(pem.encode())
    assert csr.is_signature_valid and csr.signature_hash_algorithm.name == "sha384"
    assert cert_utils.parse_csr(pem).domain_names == ["one.example"]


def test_pem_der_round_trips(backend, pki, keys):
    der = cert_utils.cert_pem_to_der(pki.leaf_rsa.pem)
    assert der == pki.leaf_rsa.cert.public_bytes(serialization.Encoding.DER)
    assert cert_utils.cert_der_to_pem(der) == pki.leaf_rsa.pem
    csr_pem = cert_utils.make_csr(["rt.example"], traditional(keys.ec256))
    assert cert_utils.csr_der_to_pem(cert_utils.csr_pem_to_der(csr_pem)) == csr_pem
    for pem in (traditional(keys.rsa_a), traditional(keys.ec256), pki.leaf_ec.key_pem):
        assert cert_utils.key_der_to_pem(cert_utils.key_pem_to_der(pem)) == pem


def test_key_to_pkcs8_identical_to_cryptography(backend, keys):
    for key in (keys.rsa_a, keys.ec256, keys.ec384):
        expected = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        assert cert_utils.key_to_pkcs8_pem(traditional(key)) == expected
        assert cert_utils.key_to_pkcs8_der(traditional(key)) == cert_utils.key_pem_to_der(expected)


def test_normalize_and_split(backend, pki):
    messy = "\r\n  " + pki.root.pem.replace("\n", "  \r\n") + "\n\n\n"
    assert cert_utils.normalize_pem(messy) == pki.root.pem
    bundle = "junk before\n" + pki.leaf_rsa.pem + "\n\n" + pki.int_ec.pem.replace("\n", "\r\n")
    assert cert_utils.split_pem_bundle(bundle) == [pki.leaf_rsa.pem, pki.int_ec.pem]
    # re-wrapped base64 (76 columns) is canonicalised to 64 columns
    b64 = base64.encodebytes(pki.root.cert.public_bytes(serialization.Encoding.DER)).decode()
    rewrapped = f"-----BEGIN CERTIFICATE-----\n{b64}-----END CERTIFICATE-----\n"
    assert cert_utils.split_pem_bundle(rewrapped) == [pki.root.pem]


@pytest.mark.parametrize("passphrase", [None, "s3cret-ü"])
def test_export_pkcs12(backend, pki, passphrase):
    leaf = pki.leaf_rsa
    data = cert_utils.export_pkcs12(
        leaf.key_pem, leaf.pem, [pki.int_ec.pem, pki.root.pem], passphrase
    )
    loaded = pkcs12.load_pkcs12(data, passphrase.encode() if passphrase else None)
    assert loaded.cert.certificate == leaf.cert
    assert [c.certificate for c in loaded.additional_certs] == [pki.int_ec.cert, pki.root.cert]
    assert loaded.key.private_numbers() == leaf.key.private_numbers()
    if passphrase:
        with pytest.raises(ValueError):
            pkcs12.load_pkcs12(data, b"wrong")


def test_export_pkcs12_ec_no_chain(backend, pki):
    data = cert_utils.export_pkcs12(pki.leaf_ec.key_pem, pki.leaf_ec.pem)
    key, cert, extra = pkcs12.load_key_and_certificates(data, None)
    assert cert == pki.leaf_ec.cert and extra == []
    assert key.private_numbers() == pki.leaf_ec.key.private_numbers()


def test_generated_csr_parses_identically(keys):
    key_pem = traditional(keys.ec256)
    csrs = on_both(cert_utils.make_csr, ["same.example", "www.same.example"], key_pem)
    for pem in csrs.values():
        parsed = on_both(cert_utils.parse_csr, pem)
        assert parsed["cryptography"] == parsed["openssl"]
    assert cert_utils.parse_csr(csrs["cryptography"]) == cert_utils.parse_csr(csrs["openssl"])


def test_make_csr_ip_first_has_no_cn(backend, keys):
    pem = cert_utils.make_csr(["192.0.2.9", "after-ip.example"], pkcs8(keys.ec256))
    info = cert_utils.parse_csr(pem)
    assert (info.common_name, info.domain_names, info.ip_addresses) == (
        None, ["after-ip.example"], ["192.0.2.9"]
    )  # fmt: skip
