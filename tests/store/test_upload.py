"""Uploading certificates, keys, CSRs, CA certificates and chains: de-duplication and bad input."""

from __future__ import annotations

import sqlalchemy as sa

from peter_sslers.model import CertificateCA, CertificateSigned, Domain, UniqueFQDNSet
from tests import pki as pki_module
from tests.store.conftest import ADMIN


def test_upload_triplet_creates_everything(upload, leaf_multi, dbsession):
    data = upload(leaf_multi).json
    assert data["result"] == "success"
    cert = data["certificate_signed"]
    assert cert["created"] is True and cert["id"].isdigit()
    assert data["private_key"]["created"] is True
    assert data["certificate_ca_chain_id"].isdigit()
    assert data["warnings"] == []
    row = dbsession.get(CertificateSigned, int(cert["id"]))
    assert row.is_single_domain is False
    assert row.fingerprint_sha256 == leaf_multi.cert.fingerprint(pki_module.hashes.SHA256()).hex()
    names = dbsession.execute(sa.select(Domain.domain_name).order_by(Domain.domain_name)).scalars().all()
    assert {"api.example.com", "example.com", "www.example.com"} <= set(names)
    fqdn_set = dbsession.get(UniqueFQDNSet, row.unique_fqdn_set_id)
    assert fqdn_set.count_domains == 3
    assert dbsession.execute(sa.select(sa.func.count()).select_from(CertificateCA)).scalar() >= 1
    assert row.timestamp_renew_after < row.timestamp_not_after
    # the domains now point at it as their latest multi-name certificate
    domain = dbsession.execute(sa.select(Domain).where(Domain.domain_name == "example.com")).scalar_one()
    assert domain.certificate_signed_id__latest_multi == row.id


def test_second_upload_returns_the_existing_record(upload, leaf_multi, row_counts):
    first = upload(leaf_multi).json["certificate_signed"]
    before = row_counts()
    second = upload(leaf_multi).json
    assert second["certificate_signed"]["id"] == first["id"]
    assert second["certificate_signed"]["created"] is False
    assert second["private_key"]["created"] is False
    after = row_counts()
    # nothing new but the operations log
    assert {k: v for k, v in after.items() if not k.startswith("operations")} == {
        k: v for k, v in before.items() if not k.startswith("operations")
    }


def test_html_upload_redirects_to_the_certificate(testapp, leaf_single, pki):
    res = testapp.post(
        ADMIN + "/certificate-signed/upload",
        upload_files=[
            ("certificate_file", "c.pem", leaf_single.pem.encode()),
            ("private_key_file", "k.pem", leaf_single.key_pem.encode()),
            ("chain_file", "ch.pem", pki.intermediate.pem.encode()),
        ],
        status=303,
    )
    assert "/certificate-signed/" in res.location and "result=success" in res.location
    page = res.follow()
    assert "single.example.org" in page.text and "Done: upload" in page.text


def test_upload_instructions(testapp):
    data = testapp.get(ADMIN + "/certificate-signed/upload.json").json
    assert data["result"] == "instructions"
    assert set(data["form_fields"]) == {"private_key_file", "certificate_file", "chain_file"}
    page = testapp.get(ADMIN + "/certificate-signed/upload")
    assert 'type="file"' in page.text and 'name="certificate_file"' in page.text


def test_expired_certificate_is_accepted_and_flagged(upload, leaf_expired):
    data = upload(leaf_expired).json
    assert data["certificate_signed"]["created"] is True
    assert any("expired" in w for w in data["warnings"])


def test_upload_without_chain(upload, pki):
    leaf = pki_module.make_leaf(["nochain.example.com"], pki.intermediate)
    data = upload(leaf, chain="").json
    assert data["certificate_ca_chain_id"] is None


def _assert_rejected(res, field, row_counts, before):
    assert res.json["result"] == "error"
    assert field in res.json["form_errors"], res.json
    assert row_counts() == before


def test_mismatched_key_is_refused_and_nothing_written(upload, leaf_multi, leaf_single, row_counts):
    before = row_counts()
    res = upload(leaf_multi, key_pem=leaf_single.key_pem, status=400)
    _assert_rejected(res, "private_key_file", row_counts, before)


def test_chain_that_does_not_sign_is_refused(upload, leaf_multi, pki, row_counts):
    before = row_counts()
    res = upload(leaf_multi, chain=pki.root_b.pem, status=400)
    _assert_rejected(res, "chain_file", row_counts, before)


def test_bad_certificate_inputs(testapp, leaf_multi, pki, row_counts):
    before = row_counts()
    cases = [
        ("certificate_file", b"not a certificate at all"),
        ("certificate_file", leaf_multi.key_pem.encode()),  # a key where a certificate goes
        ("certificate_file", leaf_multi.pem.encode()[:200]),  # truncated
        ("certificate_file", pki.intermediate.pem.encode()),  # a CA certificate
        ("certificate_file", (leaf_multi.pem + leaf_multi.pem).encode()),  # two certificates
        ("certificate_file", b"\x30\x82\x01\x00\xff\xfe"),  # binary
    ]
    for field, body in cases:
        res = testapp.post(
            ADMIN + "/certificate-signed/upload.json",
            upload_files=[(field, "x.pem", body), ("private_key_file", "k.pem", leaf_multi.key_pem.encode())],
            status=400,
        )
        _assert_rejected(res, field, row_counts, before)


def test_missing_and_empty_fields(testapp, leaf_multi, row_counts):
    before = row_counts()
    res = testapp.post(ADMIN + "/certificate-signed/upload.json", {}, status=400)
    _assert_rejected(res, "certificate_file", row_counts, before)
    res = testapp.post(
        ADMIN + "/certificate-signed/upload.json",
        upload_files=[("certificate_file", "c.pem", leaf_multi.pem.encode()), ("private_key_file", "k.pem", b"   ")],
        status=400,
    )
    _assert_rejected(res, "private_key_file", row_counts, before)


def test_oversized_upload_is_refused(testapp, row_counts):
    before = row_counts()
    big = b"A" * (1024 * 1024 + 10)
    res = testapp.post(
        ADMIN + "/certificate-signed/upload.json",
        upload_files=[("certificate_file", "c.pem", big), ("private_key_file", "k.pem", b"x")],
        status=413,
    )
    assert res.json["result"] == "error"
    assert row_counts() == before


def test_html_error_page_names_the_field(testapp, leaf_multi, leaf_single):
    res = testapp.post(
        ADMIN + "/certificate-signed/upload",
        upload_files=[
            ("certificate_file", "c.pem", leaf_multi.pem.encode()),
            ("private_key_file", "k.pem", leaf_single.key_pem.encode()),
        ],
        status=400,
    )
    assert "private_key_file" in res.text and "does not match" in res.text


def test_private_key_upload_and_dedupe(testapp, leaf_single):
    first = testapp.post(
        ADMIN + "/private-key/upload.json", upload_files=[("private_key_file", "k.pem", leaf_single.key_pem.encode())]
    ).json
    second = testapp.post(
        ADMIN + "/private-key/upload.json", upload_files=[("private_key_file", "k.pem", leaf_single.key_pem.encode())]
    ).json
    assert first["private_key"]["created"] is True and second["private_key"]["created"] is False
    assert first["private_key"]["id"] == second["private_key"]["id"]
    assert "pem" not in first["private_key"] and "key_pem" not in first["private_key"]
    res = testapp.post(
        ADMIN + "/private-key/upload.json", upload_files=[("private_key_file", "k.pem", leaf_single.pem.encode())],
        status=400,
    )
    assert "private_key_file" in res.json["form_errors"]
    assert testapp.get(ADMIN + "/private-key/upload.json").json["result"] == "instructions"
    res = testapp.post(
        ADMIN + "/private-key/upload", upload_files=[("private_key_file", "k.pem", leaf_single.key_pem.encode())],
        status=303,
    )
    assert "/private-key/" in res.location
    testapp.get(ADMIN + "/private-key/upload")


def test_unsupported_key_is_refused(testapp):
    small = pki_module.key_pem(pki_module.rsa_key(1024))
    res = testapp.post(
        ADMIN + "/private-key/upload.json", upload_files=[("private_key_file", "k.pem", small.encode())], status=400
    )
    assert "private_key_file" in res.json["form_errors"]


def test_csr_upload(testapp, leaf_single):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "csr.example.com")]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("csr.example.com"), x509.DNSName("XN--Bcher-KVA.Example")]), False)
        .sign(leaf_single.key, hashes.SHA256())
    ).public_bytes(serialization.Encoding.PEM)
    data = testapp.post(ADMIN + "/certificate-request/upload.json", upload_files=[("csr_file", "r.csr", csr)]).json
    csr_id = data["certificate_request"]["id"]
    focus = testapp.get(ADMIN + f"/certificate-request/{csr_id}.json").json
    assert focus["domain_names"] == ["csr.example.com", "xn--bcher-kva.example"]
    again = testapp.post(ADMIN + "/certificate-request/upload.json", upload_files=[("csr_file", "r.csr", csr)]).json
    assert again["certificate_request"]["created"] is False
    res = testapp.post(ADMIN + "/certificate-request/upload.json", upload_files=[("csr_file", "r.csr", b"junk")], status=400)
    assert "csr_file" in res.json["form_errors"]
    assert testapp.get(ADMIN + "/certificate-request/upload.json").json["result"] == "instructions"
    testapp.get(ADMIN + "/certificate-request/upload")
    res = testapp.post(ADMIN + "/certificate-request/upload", upload_files=[("csr_file", "r.csr", csr)], status=303)
    assert f"/certificate-request/{csr_id}" in res.location


def test_ca_certificate_and_chain_upload(testapp, pki, leaf_single):
    data = testapp.post(
        ADMIN + "/certificate-ca/upload-cert.json", upload_files=[("certificate_file", "r.pem", pki.root.pem.encode())]
    ).json
    assert data["certificate_ca"]["created"] is True
    assert data["certificate_ca"]["is_self_signed"] is True
    res = testapp.post(
        ADMIN + "/certificate-ca/upload-cert.json", upload_files=[("certificate_file", "l.pem", leaf_single.pem.encode())],
        status=400,
    )
    assert "not a CA" in res.json["form_errors"]["certificate_file"]
    chain = testapp.post(
        ADMIN + "/certificate-ca-chain/upload-chain.json",
        upload_files=[("chain_file", "c.pem", (pki.intermediate.pem + pki.root.pem).encode())],
    ).json["certificate_ca_chain"]
    assert chain["chain_length"] == 2 and chain["created"] is True
    assert chain["certificate_ca_n_id"] == data["certificate_ca"]["id"]
    res = testapp.post(
        ADMIN + "/certificate-ca-chain/upload-chain.json",
        upload_files=[("chain_file", "c.pem", (pki.root.pem + pki.intermediate.pem).encode())],
        status=400,
    )
    assert "chain_file" in res.json["form_errors"]
    for path in ("/certificate-ca/upload-cert", "/certificate-ca-chain/upload-chain"):
        assert testapp.get(ADMIN + path + ".json").json["result"] == "instructions"
        testapp.get(ADMIN + path)
    res = testapp.post(
        ADMIN + "/certificate-ca/upload-cert", upload_files=[("certificate_file", "r.pem", pki.root_b.pem.encode())],
        status=303,
    )
    assert "/certificate-ca/" in res.location
    res = testapp.post(
        ADMIN + "/certificate-ca-chain/upload-chain",
        upload_files=[("chain_file", "c.pem", pki.intermediate_b.pem.encode())], status=303,
    )
    assert "/certificate-ca-chain/" in res.location
