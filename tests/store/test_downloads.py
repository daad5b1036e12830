"""Every download format with its MIME type, alternate chains, PKCS#12 and config.zip."""

from __future__ import annotations

import io
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tests.pki import upload_cert
from tests.store.conftest import ADMIN

CERT_FORMATS = {
    "cert.pem": "application/x-pem-file",
    "cert.pem.txt": "text/plain",
    "cert.cer": "application/pkix-cert",
    "cert.crt": "application/x-x509-server-cert",
    "cert.der": "application/x-x509-server-cert",
    "chain.pem": "application/x-pem-file",
    "chain.pem.txt": "text/plain",
    "fullchain.pem": "application/x-pem-file",
    "fullchain.pem.txt": "text/plain",
    "privkey.pem": "application/x-pem-file",
    "privkey.pem.txt": "text/plain",
    "privkey.key": "application/pkcs8",
}


def test_certificate_signed_formats(upload, leaf_multi, pki, testapp):
    cert_id = upload(leaf_multi).json["certificate_signed"]["id"]
    base = f"{ADMIN}/certificate-signed/{cert_id}/"
    for filename, mime in CERT_FORMATS.items():
        res = testapp.get(base + filename)
        assert res.content_type == mime, filename
        assert filename in res.headers["Content-Disposition"]
    der = testapp.get(base + "cert.der").body
    assert x509.load_der_x509_certificate(der) == leaf_multi.cert
    assert testapp.get(base + "cert.pem").text == leaf_multi.pem
    assert testapp.get(base + "chain.pem").text == pki.intermediate.pem
    assert testapp.get(base + "fullchain.pem").text == leaf_multi.pem + pki.intermediate.pem
    key = serialization.load_der_private_key(testapp.get(base + "privkey.key").body, None)
    assert key.public_key() == leaf_multi.key.public_key()
    # a one-certificate chain also comes as DER
    assert x509.load_der_x509_certificate(testapp.get(base + "chain.der").body) == pki.intermediate.cert
    testapp.get(base + "privkey.der", status=404)


def test_chain_der_needs_a_single_certificate(testapp, leaf_single, pki):
    cert_id = upload_cert(testapp, leaf_single, pki.intermediate.pem + pki.root.pem).json["certificate_signed"]["id"]
    res = testapp.get(f"{ADMIN}/certificate-signed/{cert_id}/chain.cer", status=400)
    assert "chain.pem" in res.text


def test_p12_and_config_zip(upload, leaf_single, pki, testapp):
    cert_id = upload(leaf_single).json["certificate_signed"]["id"]
    res = testapp.get(f"{ADMIN}/certificate-signed/{cert_id}/cert.p12")
    assert res.content_type == "application/x-pkcs12"
    key, cert, extra = pkcs12.load_key_and_certificates(res.body, None)
    assert cert == leaf_single.cert and extra == [pki.intermediate.cert]
    assert key.public_key() == leaf_single.key.public_key()
    res = testapp.get(f"{ADMIN}/certificate-signed/{cert_id}/config.zip")
    archive = zipfile.ZipFile(io.BytesIO(res.body))
    assert sorted(archive.namelist()) == ["cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"]
    assert archive.read("cert.pem").decode() == leaf_single.pem
    assert archive.getinfo("privkey.pem").external_attr >> 16 == 0o600


def test_alternate_chains_and_preferences(testapp, leaf_multi, pki):
    first = upload_cert(testapp, leaf_multi, pki.intermediate.pem).json
    second = upload_cert(testapp, leaf_multi, pki.intermediate_b.pem).json
    cert_id = first["certificate_signed"]["id"]
    assert second["certificate_signed"]["id"] == cert_id
    chain_a, chain_b = first["certificate_ca_chain_id"], second["certificate_ca_chain_id"]
    assert chain_a != chain_b
    focus = testapp.get(f"{ADMIN}/certificate-signed/{cert_id}.json").json
    chains = {c["certificate_ca_chain_id"]: c for c in focus["certificate_ca_chains"]}
    assert chains[chain_a]["is_upstream_default"] and chains[chain_a]["is_default"]
    assert not chains[chain_b]["is_default"]
    assert all(ca["fingerprint_sha1"] for c in chains.values() for ca in c["certificate_cas"])
    # prefer the CA of the alternate chain: the default moves to it
    ca_b = chains[chain_b]["certificate_cas"][0]
    testapp.post(ADMIN + "/certificate-ca/preferences.json", {"action": "add", "fingerprint_sha1": ca_b["fingerprint_sha1"]})
    config = testapp.get(f"{ADMIN}/certificate-signed/{cert_id}/config.json").json
    assert config["chain"]["id"] == chain_b
    assert config["chain"]["pem"] == pki.intermediate_b.pem
    # every chain stays downloadable by id
    via = f"{ADMIN}/certificate-signed/{cert_id}/via-certificate-ca-chain/{chain_a}/fullchain.pem"
    assert testapp.get(via).text == leaf_multi.pem + pki.intermediate.pem
    assert testapp.get(f"{ADMIN}/certificate-signed/{cert_id}/via-certificate-ca-chain/{chain_b}/chain.pem.txt").text == pki.intermediate_b.pem
    testapp.get(f"{ADMIN}/certificate-signed/{cert_id}/via-certificate-ca-chain/999999/chain.pem", status=404)


def test_ca_chain_key_and_csr_downloads(testapp, upload, leaf_single, pki):
    data = upload(leaf_single).json
    chain_id = data["certificate_ca_chain_id"]
    res = testapp.get(f"{ADMIN}/certificate-ca-chain/{chain_id}/chain.pem")
    assert res.content_type == "application/x-pem-file" and res.text == pki.intermediate.pem
    assert testapp.get(f"{ADMIN}/certificate-ca-chain/{chain_id}/chain.pem.txt").content_type == "text/plain"
    ca_id = testapp.get(f"{ADMIN}/certificate-ca-chain/{chain_id}.json").json["certificate_ca_chain"]["certificate_ca_0_id"]
    for filename, mime in (
        ("cert.pem", "application/x-pem-file"), ("cert.pem.txt", "text/plain"), ("cert.cer", "application/pkix-cert"),
        ("cert.crt", "application/x-x509-ca-cert"), ("cert.der", "application/x-x509-ca-cert"),
    ):
        assert testapp.get(f"{ADMIN}/certificate-ca/{ca_id}/{filename}").content_type == mime
    key_id = data["private_key"]["id"]
    for filename, mime in (("key.pem", "application/x-pem-file"), ("key.pem.txt", "text/plain"), ("key.key", "application/pkcs8")):
        assert testapp.get(f"{ADMIN}/private-key/{key_id}/{filename}").content_type == mime
    assert testapp.get(f"{ADMIN}/private-key/{key_id}/key.pem").text == leaf_single.key_pem


def test_unknown_ids_are_404(testapp):
    for path in (
        "/certificate-signed/999999", "/certificate-signed/999999.json", "/certificate-signed/999999/cert.pem",
        "/certificate-ca/999999/cert.pem", "/private-key/999999/key.pem", "/certificate-request/999999/csr.pem",
        "/domain/nonexistent.example.com/config.json", "/certificate-signed/abc",
    ):
        res = testapp.get(ADMIN + path, status=404)
        if path.endswith(".json"):
            assert res.json["result"] == "error"


def test_csr_focus_and_downloads(testapp, leaf_single):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "dl.example.com")]))
        .sign(leaf_single.key, hashes.SHA256())
    ).public_bytes(serialization.Encoding.PEM)
    csr_id = testapp.post(ADMIN + "/certificate-request/upload.json", upload_files=[("csr_file", "r.csr", csr)]).json[
        "certificate_request"]["id"]
    assert "dl.example.com" in testapp.get(f"{ADMIN}/certificate-request/{csr_id}").text
    for filename, mime in (("csr.pem", "application/x-pem-file"), ("csr.pem.txt", "text/plain"), ("csr.csr", "application/pkcs10")):
        res = testapp.get(f"{ADMIN}/certificate-request/{csr_id}/{filename}")
        assert res.content_type == mime and res.body == csr
