"""update-recents, deactivate-expired and CA reconciliation."""

from __future__ import annotations

import datetime
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from peter_sslers.model import CertificateCA, CertificateSigned, Domain
from tests import pki as pki_module
from tests.store.conftest import ADMIN


def test_operation_pages_give_instructions(testapp):
    for name in ("update-recents", "deactivate-expired", "reconcile-cas"):
        data = testapp.get(f"{ADMIN}/api/{name}.json").json
        assert data["result"] == "instructions" and data["operation"] == name
        assert "POST" in testapp.get(f"{ADMIN}/api/{name}").text


def test_update_recents(testapp, upload, leaf_single, dbsession):
    cert_id = int(upload(leaf_single).json["certificate_signed"]["id"])
    dbsession.execute(sa.update(Domain).values(certificate_signed_id__latest_single=None))
    dbsession.commit()
    data = testapp.post(ADMIN + "/api/update-recents.json").json
    assert data["result"] == "success" and data["domains_updated"] >= 1
    domain = dbsession.execute(sa.select(Domain).where(Domain.domain_name == "single.example.org")).scalar_one()
    dbsession.refresh(domain)
    assert domain.certificate_signed_id__latest_single == cert_id
    assert "domains updated" in testapp.post(ADMIN + "/api/update-recents").text


def test_update_recents_picks_the_newest_of_each_kind_and_clears_what_is_gone(testapp, upload, pki, dbsession):
    older = pki_module.NOW - datetime.timedelta(days=30)
    single_old = int(upload(pki_module.make_leaf(["kinds.example.com"], pki.intermediate, not_before=older))
                     .json["certificate_signed"]["id"])  # fmt: skip
    single_new = int(upload(pki_module.make_leaf(["kinds.example.com"], pki.intermediate)).json["certificate_signed"]["id"])
    multi = int(upload(pki_module.make_leaf(["kinds.example.com", "www.kinds.example.com"], pki.intermediate))
                .json["certificate_signed"]["id"])  # fmt: skip
    alone = int(upload(pki_module.make_leaf(["alone.example.com"], pki.intermediate)).json["certificate_signed"]["id"])
    # scramble the cache, and take the only certificate of alone.example.com out of service
    dbsession.execute(sa.update(Domain).values(certificate_signed_id__latest_single=single_old,
                                               certificate_signed_id__latest_multi=None))  # fmt: skip
    dbsession.execute(sa.update(CertificateSigned).where(CertificateSigned.id == alone).values(is_active=False))
    dbsession.commit()
    assert testapp.post(ADMIN + "/api/update-recents.json").json["result"] == "success"
    latest = {name: (single, multi) for name, single, multi in dbsession.execute(sa.select(
        Domain.domain_name, Domain.certificate_signed_id__latest_single, Domain.certificate_signed_id__latest_multi))}
    assert latest["kinds.example.com"] == (single_new, multi)
    assert latest["www.kinds.example.com"] == (None, multi)
    assert latest["alone.example.com"] == (None, None)


def test_deactivate_expired_keeps_a_domains_latest(testapp, upload, pki, dbsession):
    start = pki_module.NOW - datetime.timedelta(days=200)
    old_a = pki_module.make_leaf(["keep.example.com"], pki.intermediate, not_before=start)
    old_b = pki_module.make_leaf(["replaced.example.com"], pki.intermediate, not_before=start)
    new_b = pki_module.make_leaf(["replaced.example.com"], pki.intermediate)
    id_a = int(upload(old_a).json["certificate_signed"]["id"])
    id_b = int(upload(old_b).json["certificate_signed"]["id"])
    upload(new_b)
    data = testapp.post(ADMIN + "/api/deactivate-expired.json").json
    assert data["certificates_deactivated"] >= 1
    a, b = dbsession.get(CertificateSigned, id_a), dbsession.get(CertificateSigned, id_b)
    dbsession.refresh(a)
    dbsession.refresh(b)
    assert a.is_active is True  # still the only certificate of keep.example.com
    assert b.is_active is False and b.is_deactivated is True
    assert "certificates deactivated" in testapp.post(ADMIN + "/api/deactivate-expired").text


class _AiaHandler(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802
        body = self.files.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/pkix-cert")
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def aia_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AiaHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _AiaHandler.files
    server.shutdown()
    server.server_close()


def test_reconcile_downloads_aia_issuers(testapp, aia_server, dbsession):
    from cryptography.hazmat.primitives import serialization

    base, files = aia_server
    root = pki_module.make_ca("Reconcile Root")
    intermediate = pki_module.make_ca("Reconcile Intermediate", root, aia=base + "/root.der")
    orphan = pki_module.make_ca("Orphan Intermediate", root, aia=base + "/missing.der")
    files["/root.der"] = root.cert.public_bytes(serialization.Encoding.DER)
    for ca in (intermediate, orphan):
        testapp.post(ADMIN + "/certificate-ca/upload-cert.json", upload_files=[("certificate_file", "c.pem", ca.pem.encode())])
    data = testapp.post(ADMIN + "/api/reconcile-cas.json").json
    by_uri = {r["uri"]: r for r in data["results"]}
    assert by_uri[base + "/root.der"]["result"] == "success"
    assert by_uri[base + "/missing.der"]["result"] == "error"
    root_row = dbsession.execute(
        sa.select(CertificateCA).where(CertificateCA.fingerprint_sha256 == root.cert.fingerprint(pki_module.hashes.SHA256()).hex())
    ).scalar_one()
    assert base + "/root.der" in root_row.reconciled_uris
    inter = testapp.get(f"{ADMIN}/certificate-ca/{by_uri[base + '/root.der']['certificate_ca_id']}.json").json
    assert inter["certificate_ca"]["cert_issuer__reconciled"] is True
    assert inter["certificate_ca"]["cert_issuer__certificate_ca_id"] == str(root_row.id)
    # a second run has nothing new to fetch but the failed one
    again = testapp.post(ADMIN + "/api/reconcile-cas.json").json
    assert [r["uri"] for r in again["results"]] == [base + "/missing.der"]
    assert "reconciled" in testapp.post(ADMIN + "/api/reconcile-cas").text
