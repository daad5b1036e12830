"""The global CertificateCA preference list: add, reorder, delete, by id or fingerprint."""

from __future__ import annotations

from tests.store.conftest import ADMIN


def _upload_ca(testapp, issued) -> str:
    return testapp.post(
        ADMIN + "/certificate-ca/upload-cert.json", upload_files=[("certificate_file", "c.pem", issued.pem.encode())]
    ).json["certificate_ca"]["id"]


def _order(testapp) -> list[str]:
    return [p["certificate_ca"]["id"] for p in testapp.get(ADMIN + "/certificate-ca/preferences.json").json["preferences"]]


def test_edit_preferences(testapp, pki):
    a, b, c = (_upload_ca(testapp, ca) for ca in (pki.root, pki.root_b, pki.intermediate))
    base = _order(testapp)
    url = ADMIN + "/certificate-ca/preferences.json"
    assert "instructions" in testapp.get(url).json
    for ca_id in (a, b):
        testapp.post(url, {"action": "add", "certificate_ca_id": ca_id})
    fingerprint = testapp.get(f"{ADMIN}/certificate-ca/{c}.json").json["certificate_ca"]["fingerprint_sha1"]
    testapp.post(url, {"action": "add", "fingerprint_sha1": fingerprint.upper()})
    assert _order(testapp) == base + [a, b, c]
    testapp.post(url, {"action": "up", "certificate_ca_id": c})
    assert _order(testapp) == base + [a, c, b]
    testapp.post(url, {"action": "down", "certificate_ca_id": a})
    assert _order(testapp) == base + [c, a, b]
    testapp.post(url, {"action": "delete", "certificate_ca_id": a})
    assert _order(testapp) == base + [c, b]
    # refusals: duplicates, not listed, off the ends, unknown ids and actions
    testapp.post(url, {"action": "add", "certificate_ca_id": c}, status=409)
    testapp.post(url, {"action": "delete", "certificate_ca_id": a}, status=409)
    testapp.post(url, {"action": "down", "certificate_ca_id": b}, status=409)
    testapp.post(url, {"action": "add", "certificate_ca_id": "999999"}, status=404)
    testapp.post(url, {"action": "spin", "certificate_ca_id": c}, status=400)
    testapp.post(url, {"action": "add"}, status=400)
    assert _order(testapp) == base + [c, b]
    # the HTML page lists them and its forms redirect back with a notice
    page = testapp.get(ADMIN + "/certificate-ca/preferences")
    assert "Test Root X2" in page.text
    res = testapp.post(ADMIN + "/certificate-ca/preferences", {"action": "up", "certificate_ca_id": b}, status=303)
    assert "Done: preference up" in res.follow().text
    assert _order(testapp) == base + [b, c]
