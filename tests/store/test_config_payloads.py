"""The domain and certificate config.json payloads nginx/OpenResty read (the frozen contract)."""

from __future__ import annotations

from tests import pki as pki_module
from tests.store.conftest import ADMIN


def _assert_cert_payload(payload, leaf, pki):
    assert set(payload) == {"id", "private_key", "certificate", "chain", "fullchain"}
    assert all(isinstance(payload[k]["id"], str) for k in ("private_key", "certificate", "chain", "fullchain"))
    assert payload["certificate"]["pem"] == leaf.pem
    assert payload["private_key"]["pem"] == leaf.key_pem
    assert payload["chain"]["pem"] == pki.intermediate.pem
    assert payload["fullchain"]["pem"] == leaf.pem + pki.intermediate.pem


def test_domain_config_by_name_and_id(testapp, upload, leaf_multi, leaf_single, pki):
    multi_id = upload(leaf_multi).json["certificate_signed"]["id"]
    data = testapp.get(ADMIN + "/domain/www.example.com/config.json").json
    assert data["domain"]["domain_name"] == "www.example.com" and isinstance(data["domain"]["id"], str)
    assert data["certificate_signed__latest_single"] is None
    assert data["certificate_signed__latest_multi"]["id"] == multi_id
    _assert_cert_payload(data["certificate_signed__latest_multi"], leaf_multi, pki)
    by_id = testapp.get(ADMIN + f"/domain/{data['domain']['id']}/config.json").json
    assert by_id == data
    # a single-name certificate for the same name fills the other slot
    single = pki_module.make_leaf(["www.example.com"], pki.intermediate)
    single_id = upload(single).json["certificate_signed"]["id"]
    data = testapp.get(ADMIN + "/domain/www.example.com/config.json").json
    assert data["certificate_signed__latest_single"]["id"] == single_id
    assert data["certificate_signed__latest_multi"]["id"] == multi_id


def test_idonly_leaves_pems_out(testapp, upload, leaf_single):
    upload(leaf_single)
    data = testapp.get(ADMIN + "/domain/single.example.org/config.json?idonly=1").json
    payload = data["certificate_signed__latest_single"]
    assert payload["certificate"] == {"id": payload["id"]}
    assert all("pem" not in part for part in payload.values() if isinstance(part, dict))


def test_certificate_config(testapp, upload, leaf_single, pki):
    cert_id = upload(leaf_single).json["certificate_signed"]["id"]
    _assert_cert_payload(testapp.get(ADMIN + f"/certificate-signed/{cert_id}/config.json").json, leaf_single, pki)


def test_domain_without_usable_certificate_answers_null(testapp, upload, leaf_single):
    cert_id = upload(leaf_single).json["certificate_signed"]["id"]
    testapp.post(ADMIN + f"/certificate-signed/{cert_id}/mark.json", {"action": "inactive"})
    data = testapp.get(ADMIN + "/domain/single.example.org/config.json").json
    assert data["certificate_signed__latest_single"] is None
    testapp.post(ADMIN + f"/certificate-signed/{cert_id}/mark.json", {"action": "active"})
    assert testapp.get(ADMIN + "/domain/single.example.org/config.json").json["certificate_signed__latest_single"]
    # an inactive domain serves nothing
    testapp.post(ADMIN + "/domain/single.example.org/mark.json", {"action": "inactive"})
    data = testapp.get(ADMIN + "/domain/single.example.org/config.json").json
    assert data["certificate_signed__latest_single"] is None and data["certificate_signed__latest_multi"] is None


def test_newest_certificate_wins(testapp, upload, pki):
    older = pki_module.make_leaf(["rotate.example.com"], pki.intermediate)
    newer = pki_module.make_leaf(
        ["rotate.example.com"], pki.intermediate, not_before=pki_module.NOW, not_after=pki_module.NOW + pki_module.datetime.timedelta(days=120)
    )
    upload(older)
    newer_id = upload(newer).json["certificate_signed"]["id"]
    data = testapp.get(ADMIN + "/domain/rotate.example.com/config.json").json
    assert data["certificate_signed__latest_single"]["id"] == newer_id
