"""Listings (paginated, by state), focus pages with cross-links, marking, search."""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa

from peter_sslers.model import CertificateSigned, Domain
from peter_sslers.model.meta import utcnow
from tests import factories
from tests.store.conftest import ADMIN

LISTS = [
    ("/domains", "domains"),
    ("/unique-fqdn-sets", "unique_fqdn_sets"),
    ("/certificate-signeds", "certificates_signed"),
    ("/certificate-requests", "certificate_requests"),
    ("/certificate-cas", "certificate_cas"),
    ("/certificate-ca-chains", "certificate_ca_chains"),
    ("/private-keys", "private_keys"),
    ("/acme-accounts", "acme_accounts"),
    ("/acme-account-keys", "acme_account_keys"),
]


@pytest.mark.parametrize("path, key", LISTS)
def test_every_list_page_and_twin(testapp, upload, leaf_multi, path, key):
    upload(leaf_multi)
    data = testapp.get(ADMIN + path + ".json").json
    assert data["result"] == "success" and isinstance(data[key], list)
    assert data["pagination"]["page"] == 1
    html = testapp.get(ADMIN + path)
    assert html.content_type == "text/html" and "<table" in html.text or "<ul>" in html.text or "No " in html.text


def test_focus_pages_cross_link(testapp, upload, leaf_multi):
    data = upload(leaf_multi).json
    cert_id = data["certificate_signed"]["id"]
    cert = testapp.get(f"{ADMIN}/certificate-signed/{cert_id}.json").json
    assert cert["domain_names"] == ["api.example.com", "example.com", "www.example.com"]
    page = testapp.get(f"{ADMIN}/certificate-signed/{cert_id}").text
    for link in (f"/private-key/{data['private_key']['id']}", f"/unique-fqdn-set/{cert['certificate_signed']['unique_fqdn_set_id']}",
                 "/domain/example.com", f"/certificate-ca-chain/{data['certificate_ca_chain_id']}", "cert.pem", "config.zip"):
        assert link in page, link
    domain = testapp.get(f"{ADMIN}/domain/example.com.json").json
    assert [c["id"] for c in domain["certificates_signed"]] == [cert_id]
    assert domain["unique_fqdn_sets"][0]["domain_names"] == cert["domain_names"]
    assert f"/certificate-signed/{cert_id}" in testapp.get(f"{ADMIN}/domain/example.com").text
    set_id = cert["certificate_signed"]["unique_fqdn_set_id"]
    fqdn = testapp.get(f"{ADMIN}/unique-fqdn-set/{set_id}.json").json
    assert [d["domain_name"] for d in fqdn["domains"]] == cert["domain_names"]
    assert f"/certificate-signed/{cert_id}" in testapp.get(f"{ADMIN}/unique-fqdn-set/{set_id}").text
    key = testapp.get(f"{ADMIN}/private-key/{data['private_key']['id']}.json").json
    assert [c["id"] for c in key["certificates_signed"]] == [cert_id]
    assert "BEGIN" not in str(key)  # focus JSON never carries key material
    testapp.get(f"{ADMIN}/private-key/{data['private_key']['id']}")
    chain = testapp.get(f"{ADMIN}/certificate-ca-chain/{data['certificate_ca_chain_id']}.json").json
    assert chain["count_certificates_signed"] == 1
    testapp.get(f"{ADMIN}/certificate-ca-chain/{data['certificate_ca_chain_id']}")
    ca_id = chain["certificate_cas"][0]["id"]
    ca = testapp.get(f"{ADMIN}/certificate-ca/{ca_id}.json").json
    assert ca["certificate_ca_chains"][0]["id"] == data["certificate_ca_chain_id"]
    assert "Add to preference list" in testapp.get(f"{ADMIN}/certificate-ca/{ca_id}").text


def test_certificate_states(testapp, dbsession):
    now = utcnow()
    ids = {
        "expired": factories.certificate_signed_row(dbsession, not_after=now - datetime.timedelta(days=2)).id,
        "soon": factories.certificate_signed_row(dbsession, not_after=now + datetime.timedelta(days=5)).id,
        "later": factories.certificate_signed_row(dbsession, not_after=now + datetime.timedelta(days=60)).id,
        "off": factories.certificate_signed_row(dbsession, not_after=now + datetime.timedelta(days=60), is_active=False).id,
    }
    dbsession.commit()

    def listed(query: str) -> set[int]:
        data = testapp.get(ADMIN + "/certificate-signeds.json?" + query).json
        return {int(c["id"]) for c in data["certificates_signed"]} & set(ids.values())

    assert listed("state=active") == {ids["expired"], ids["soon"], ids["later"]}
    assert listed("state=expiring") == {ids["soon"]}
    assert listed("state=expiring&days=90") == {ids["soon"], ids["later"]}
    assert listed("state=expired") == {ids["expired"]}
    assert listed("state=inactive") == {ids["off"]}
    assert "expiring" in testapp.get(ADMIN + "/certificate-signeds?state=expiring").text
    res = testapp.get(ADMIN + "/certificate-signeds.json?state=bogus", status=400)
    assert "state" in res.json["form_errors"]


def test_pagination_is_stable_50_a_page(testapp, dbsession):
    for i in range(53):
        factories.domain(dbsession, f"page{i:03d}.example.com")
    dbsession.commit()
    total = testapp.get(ADMIN + "/domains.json").json["pagination"]["total"]
    first = testapp.get(ADMIN + "/domains.json").json
    second = testapp.get(ADMIN + "/domains.json?page=2").json
    assert len(first["domains"]) == 50
    assert len(second["domains"]) == min(50, total - 50)
    assert not {d["id"] for d in first["domains"]} & {d["id"] for d in second["domains"]}
    assert first["pagination"]["pages"] == (total + 49) // 50
    assert "Next page" in testapp.get(ADMIN + "/domains").text
    testapp.get(ADMIN + "/domains.json?page=0", status=400)
    testapp.get(ADMIN + "/domains.json?page=x", status=400)


def test_mark_certificate(testapp, upload, leaf_single, dbsession):
    cert_id = upload(leaf_single).json["certificate_signed"]["id"]
    base = f"{ADMIN}/certificate-signed/{cert_id}/mark"
    assert testapp.get(base + ".json").json["result"] == "instructions"
    assert testapp.post(base + ".json", {"action": "inactive"}).json["certificate_signed"]["is_deactivated"] is True
    testapp.post(base + ".json", {"action": "inactive"}, status=409)
    res = testapp.post(base, {"action": "active"}, status=303)
    assert "result=success" in res.location
    data = testapp.post(base + ".json", {"action": "revoked"}).json["certificate_signed"]
    assert data["is_revoked"] is True and data["is_active"] is False
    res = testapp.post(base + ".json", {"action": "active"}, status=409)
    assert "permanent" in res.json["error"]
    testapp.post(base + ".json", {"action": "explode"}, status=400)


def test_mark_domain(testapp, upload, leaf_single):
    base = f"{ADMIN}/domain/single.example.org/mark"
    upload(leaf_single)
    assert testapp.get(base + ".json").json["result"] == "instructions"
    assert testapp.post(base + ".json", {"action": "inactive"}).json["domain"]["is_active"] is False
    testapp.post(base + ".json", {"action": "inactive"}, status=409)
    testapp.post(base + ".json", {"action": "nope"}, status=400)
    res = testapp.post(base, {"action": "active"}, status=303)
    assert "/domain/" in res.location
    assert testapp.get(ADMIN + "/domains.json?active=1").json["result"] == "success"


def test_compromised_key_flags_its_certificates(testapp, upload, leaf_single, dbsession):
    data = upload(leaf_single).json
    key_id, cert_id = data["private_key"]["id"], data["certificate_signed"]["id"]
    base = f"{ADMIN}/private-key/{key_id}/mark"
    assert testapp.get(base + ".json").json["result"] == "instructions"
    result = testapp.post(base + ".json", {"action": "compromised"}).json
    assert result["certificates_flagged"] == 1 and result["private_key"]["is_compromised"] is True
    assert testapp.get(f"{ADMIN}/certificate-signed/{cert_id}.json").json["certificate_signed"]["is_compromised_private_key"]
    testapp.post(base + ".json", {"action": "active"}, status=409)
    testapp.post(base, {"action": "compromised"}, status=409)
    assert testapp.get(ADMIN + "/private-keys.json?compromised=1").json["private_keys"][0]["id"] == key_id


def test_search(testapp, upload, leaf_multi, dbsession):
    data = upload(leaf_multi).json["certificate_signed"]
    assert testapp.get(ADMIN + "/search.json").json["result"] == "instructions"
    for term in (data["serial"], data["fingerprint_sha1"], data["fingerprint_sha256"].upper(), data["spki_sha256"]):
        found = testapp.get(ADMIN + "/search.json", {"q": term}).json
        assert [c["id"] for c in found["certificates_signed"]] == [data["id"]], term
    found = testapp.get(ADMIN + "/search.json", {"q": "www.example.com"}).json
    assert [d["domain_name"] for d in found["domains"]] == ["www.example.com"]
    found = testapp.get(ADMIN + "/search.json", {"q": "api.*"}).json
    assert [d["domain_name"] for d in found["domains"]] == ["api.example.com"]
    found = testapp.get(ADMIN + "/search.json", {"q": data["spki_sha256"]}).json
    assert len(found["private_keys"]) == 1
    assert "www.example.com" in testapp.get(ADMIN + "/search", {"q": "www.example.com"}).text
    testapp.get(ADMIN + "/search.json", {"q": "x" * 300}, status=400)


def test_list_pages_do_not_query_per_row(testapp, app, dbsession):
    """The number of SQL statements of a list page does not grow with its rows (no N+1)."""
    engine = app.registry["db_engine"]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries_for(path: str) -> int:
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            testapp.get(path)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    now = utcnow()
    factories.certificate_signed_row(dbsession, not_after=now + datetime.timedelta(days=9))
    dbsession.commit()
    few = {path: queries_for(ADMIN + path + ".json") for path, _ in LISTS}
    for _ in range(12):
        factories.certificate_signed_row(dbsession, not_after=now + datetime.timedelta(days=9))
    dbsession.commit()
    many = {path: queries_for(ADMIN + path + ".json") for path, _ in LISTS}
    assert few == many
    assert max(many.values()) <= 6
    assert dbsession.execute(sa.select(sa.func.count()).select_from(CertificateSigned)).scalar() >= 13
    assert dbsession.execute(sa.select(sa.func.count()).select_from(Domain)).scalar() >= 13
