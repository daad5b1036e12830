"""parse_cert / parse_certs_batch / parse_csr / parse_key on both backends."""

from __future__ import annotations

import datetime
import hashlib
import subprocess

import pytest
from cryptography.hazmat.primitives import hashes, serialization

from peter_sslers.lib import cert_utils
from peter_sslers.lib.cert_utils import asn1

from .conftest import NOT_BEFORE, build_csr, mutate_tbs, on_both, traditional

SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _spki_sha256(key) -> str:
    return hashlib.sha256(key.public_key().public_bytes(*SPKI)).hexdigest()


def test_parse_cert_le_shaped_leaf(backend, pki):
    issued = pki.leaf_rsa
    info = cert_utils.parse_cert(issued.pem)
    assert info.subject == "CN=www.example.com"
    assert info.issuer == "CN=Test E5,O=Test PKI"
    assert info.common_name == "www.example.com"
    assert info.san_dns == ["www.example.com", "example.com", "api.example.com"]
    assert info.san_ips == []
    assert info.serial == 0x03A1B2C3D4E5F60718293A4B5C6D7E8F9012
    assert info.serial_hex == "3a1b2c3d4e5f60718293a4b5c6d7e8f9012"
    assert info.not_before == NOT_BEFORE
    assert info.not_before.tzinfo is not None and info.not_before.utcoffset() == datetime.timedelta(
        0
    )
    assert info.not_after == issued.expected["not_after"]
    assert info.fingerprint_sha256 == issued.cert.fingerprint(hashes.SHA256()).hex()
    assert info.fingerprint_sha1 == issued.cert.fingerprint(hashes.SHA1()).hex()
    assert info.spki_sha256 == _spki_sha256(issued.key)
    assert (info.key_technology, info.key_bits, info.key_curve) == ("RSA", 2048, None)
    assert info.authority_key_identifier == issued.expected["aki"]
    assert info.subject_key_identifier == issued.expected["ski"]
    assert info.aia_ca_issuers == "http://e5.i.example.test/"
    assert info.is_ca is False
    assert info.is_self_issued is False


def test_parse_cert_ec_wildcard_idn_ips(backend, pki):
    info = cert_utils.parse_cert(pki.leaf_ec.pem)
    assert info.san_dns == ["*.example.org", "example.org", "xn--bcher-kva.example"]
    assert info.san_ips == ["192.0.2.7", "2001:db8::1"]
    assert (info.key_technology, info.key_bits, info.key_curve) == ("EC", 256, "P-256")
    assert info.aia_ca_issuers == "http://r11.i.example.test/"


def test_parse_cert_ca_and_key_sizes(backend, pki):
    root = cert_utils.parse_cert(pki.root.pem)
    assert root.is_ca and root.is_self_issued
    assert (root.key_technology, root.key_bits) == ("RSA", 4096)
    assert root.authority_key_identifier == root.subject_key_identifier
    inter = cert_utils.parse_cert(pki.int_ec.pem)
    assert inter.is_ca and (inter.key_curve, inter.key_bits) == ("P-384", 384)
    p521 = cert_utils.parse_cert(pki.ec521_leaf.pem)
    assert (p521.key_technology, p521.key_bits, p521.key_curve) == ("EC", 521, "P-521")
    ed = cert_utils.parse_cert(pki.ed25519.pem)
    assert (ed.key_technology, ed.key_bits, ed.key_curve) == ("Ed25519", None, None)


def test_ari_identifier_rfc9773_example(backend, pki):
    info = cert_utils.parse_cert(pki.ari.pem)
    assert info.ari_identifier == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
    assert info.authority_key_identifier == "69885b6b87464041e1b37b847ba0ae2cde01c8d4"


def test_ari_identifier_serial_bytes(backend, pki):
    # 0x7f needs no padding byte, 0x80 does (two's complement)
    assert cert_utils.parse_cert(pki.ed25519.pem).ari_identifier.endswith(".fw")
    assert cert_utils.parse_cert(pki.ed_leaf.pem).ari_identifier.endswith(".AIA")
    assert cert_utils.parse_cert(pki.bare.pem).ari_identifier is None


def test_parse_cert_tricky_names(backend, pki):
    info = cert_utils.parse_cert(pki.weird.pem)
    assert info.subject == pki.weird.cert.subject.rfc4514_string()
    assert info.subject == (
        'CN=quo\\"te\\\\back,L=\\#hash trailing\\ ,1.2.840.113549.1.9.1=hostmaster@example.com,'
        "UID=uid1+OU=\\+plus\\;semi\\<lt\\>,O=Bücher\\, Inc.,DC=example,C=DE"
    )
    assert info.common_name == 'quo"te\\back'


def test_parse_cert_without_extensions(backend, pki):
    info = cert_utils.parse_cert(pki.bare.pem)
    assert info.subject == ""
    assert info.common_name is None
    assert info.san_dns == [] and info.san_ips == []
    assert info.authority_key_identifier is None and info.subject_key_identifier is None
    assert info.aia_ca_issuers is None and info.is_ca is False
    assert (info.serial, info.serial_hex) == (1, "1")


def test_parse_cert_accepts_bytes_crlf_and_surrounding_text(backend, pki):
    messy = "subject=CN = x\r\n" + pki.leaf_ec.pem.replace("\n", "\r\n") + "\r\n\r\n"
    assert cert_utils.parse_cert(messy.encode()) == cert_utils.parse_cert(pki.leaf_ec.pem)


def test_all_certs_identical_on_both_backends(pki):
    pems = [c.pem for c in pki.all_certs()]
    results = on_both(cert_utils.parse_certs_batch, pems)
    assert results["cryptography"] == results["openssl"]
    singles = on_both(lambda: [cert_utils.parse_cert(p) for p in pems])
    assert singles["cryptography"] == singles["openssl"] == results["openssl"]


def test_fingerprints_match_openssl_cli(backend, pki):
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-serial"],
        input=pki.leaf_rsa.pem.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    info = cert_utils.parse_cert(pki.leaf_rsa.pem)
    lines = dict(line.split("=", 1) for line in out.splitlines())
    assert lines["sha256 Fingerprint"].replace(":", "").lower() == info.fingerprint_sha256
    assert lines["serial"].lower().lstrip("0") == info.serial_hex


def test_parse_certs_batch_order_and_bundle(backend, pki):
    pems = [pki.leaf_rsa.pem, pki.int_ec.pem, pki.root.pem, pki.leaf_rsa.pem]
    infos = cert_utils.parse_certs_batch(pems)
    assert [i.common_name for i in infos] == [
        "www.example.com", "Test E5", "Test Root X1", "www.example.com"
    ]  # fmt: skip
    assert cert_utils.parse_certs_batch("".join(pems)) == infos
    assert cert_utils.parse_certs_batch([]) == []


def test_parse_csr(backend, keys):
    pem = build_csr(keys.ec256, "example.com", ["example.com", "www.example.com"], ["192.0.2.1"])
    info = cert_utils.parse_csr(pem)
    assert info.subject == "CN=example.com"
    assert info.common_name == "example.com"
    assert info.domain_names == ["example.com", "www.example.com"]
    assert info.ip_addresses == ["192.0.2.1"]
    assert (info.key_technology, info.key_bits, info.key_curve) == ("EC", 256, "P-256")
    assert info.spki_sha256 == _spki_sha256(keys.ec256)


def test_parse_csr_cn_not_in_san_and_no_cn(backend, keys):
    info = cert_utils.parse_csr(build_csr(keys.rsa_a, "legacy.example", ["a.example"]))
    assert info.domain_names == ["legacy.example", "a.example"]
    assert info.key_technology == "RSA" and info.key_bits == 2048
    no_cn = cert_utils.parse_csr(build_csr(keys.rsa_a, None, ["b.example"]))
    assert (no_cn.subject, no_cn.common_name, no_cn.domain_names) == ("", None, ["b.example"])


def test_parse_key_formats(backend, keys):
    for key, expected in (
        (keys.rsa_a, ("RSA", 2048, None)),
        (keys.ec256, ("EC", 256, "P-256")),
        (keys.ec384, ("EC", 384, "P-384")),
    ):
        for pem in (traditional(key), key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()).decode()):  # fmt: skip
            info = cert_utils.parse_key(pem)
            assert (info.technology, info.bits, info.curve) == expected
            assert info.spki_sha256 == _spki_sha256(key)


def test_parse_key_other_types(backend, keys):
    ed = keys.ed25519.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = cert_utils.parse_key(ed)
    assert (info.technology, info.bits, info.curve) == ("Ed25519", None, None)
    assert cert_utils.parse_key(traditional(keys.dsa)).technology == "DSA"
    assert cert_utils.parse_key(traditional(keys.rsa_1024)).bits == 1024


def test_parse_key_with_ec_parameters_block(backend, keys):
    pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    assert cert_utils.parse_key(pem + traditional(keys.ec256)).curve == "P-256"


def test_key_matches(backend, pki, keys):
    assert cert_utils.key_matches_cert(pki.leaf_rsa.key_pem, pki.leaf_rsa.pem) is True
    assert cert_utils.key_matches_cert(traditional(keys.rsa_a), pki.leaf_rsa.pem) is True
    assert cert_utils.key_matches_cert(pki.leaf_ec.key_pem, pki.leaf_rsa.pem) is False
    csr = build_csr(keys.ec256, "x.example", ["x.example"])
    assert cert_utils.key_matches_csr(traditional(keys.ec256), csr) is True
    assert cert_utils.key_matches_csr(traditional(keys.ec384), csr) is False


def _with_serial(pki, serial: int) -> str:
    der = pki.leaf_ec.cert.public_bytes(serialization.Encoding.DER)

    def change(fields):
        fields[1] = asn1.integer(serial)
        return fields

    return mutate_tbs(der, change)


@pytest.mark.filterwarnings("ignore:Parsed a serial number")
def test_non_positive_serials_identical(pki):
    for serial, ari_suffix in ((-5, ".-w"), (0, ".AA"), (0x80, ".AIA")):
        pem = _with_serial(pki, serial)
        results = on_both(cert_utils.parse_cert, pem)
        assert results["cryptography"] == results["openssl"]
        assert results["openssl"].serial == serial
        assert results["openssl"].ari_identifier.endswith(ari_suffix)


def test_batch_error_names_the_bad_certificate(backend, pki):
    bad = mutate_tbs(pki.leaf_ec.cert.public_bytes(serialization.Encoding.DER),
                     lambda f: f[:1] + [asn1.tlv(0x05, b"")] + f[2:])  # fmt: skip
    batch = [pki.root.pem] * 6 + [bad] + [pki.root.pem] * 3
    with pytest.raises(cert_utils.InvalidPEMError, match="#6"):
        cert_utils.parse_certs_batch(batch)


def test_text_injection_in_names_and_uris_is_harmless(backend, pki):
    info = cert_utils.parse_cert(pki.injection.pem)
    assert info.not_before == NOT_BEFORE
    assert info.serial == 0x1D
    assert info.aia_ca_issuers == "http://a\n                CA Issuers - URI:http://evil/"
    assert info.subject == pki.injection.cert.subject.rfc4514_string()
