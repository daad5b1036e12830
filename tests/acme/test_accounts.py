"""Account workflows through the app against a real Pebble, with every exchange logged."""

from __future__ import annotations

import sqlalchemy as sa

from peter_sslers.model import AcmeAccountKey, AcmeEventLog, AcmeServer
from tests import pki as pki_module
from tests.acme.conftest import unique_email

ADMIN = "/.well-known/admin"


def _events(acme_db, account_id: str) -> list[AcmeEventLog]:
    return acme_db(
        sa.select(AcmeEventLog).where(AcmeEventLog.acme_account_id == int(account_id)).order_by(AcmeEventLog.id)
    )


def _pebble_server_id(acme_db) -> int:
    return acme_db(sa.select(AcmeServer.id).where(AcmeServer.name == "pebble"))[0]


def test_new_account_needs_terms_then_registers(acme_testapp, acme_db):
    res = acme_testapp.post(ADMIN + "/acme-account/new.json", {"contact": unique_email()}, status=400)
    assert "tos_agreed" in res.json["form_errors"]
    data = acme_testapp.post(
        ADMIN + "/acme-account/new.json", {"contact": unique_email(), "tos_agreed": "1", "key_technology": "RSA_2048"}
    ).json["acme_account"]
    assert data["account_url"].startswith("https://127.0.0.1:")
    assert data["status"] == "valid" and data["is_active"] is True
    assert data["timestamp_last_authenticated"]
    events = _events(acme_db, data["id"])
    assert [e.acme_event for e in events if e.acme_event == "newAccount"] == ["newAccount"]
    assert all(e.result.value == "success" for e in events)
    assert events[-1].status_code == 201 and events[-1].acme_server_id
    assert acme_testapp.get(ADMIN + "/acme-account/new.json").json["result"] == "instructions"
    assert "Create and register" in acme_testapp.get(ADMIN + "/acme-account/new").text


def test_new_account_bad_input(acme_testapp):
    for fields, field in (
        ({"contact": "nope", "tos_agreed": "1"}, "contact"),
        ({"key_technology": "DSA_1024", "tos_agreed": "1"}, "key_technology"),
        ({"private_key_cycle": "hourly", "tos_agreed": "1"}, "private_key_cycle"),
        ({"private_key_cycle": "account_key_default", "tos_agreed": "1"}, "private_key_cycle"),
        ({"acme_server_id": "x", "tos_agreed": "1"}, "acme_server_id"),
        ({"eab_kid": "kid-only", "tos_agreed": "1"}, "eab_hmac_key"),
    ):
        res = acme_testapp.post(ADMIN + "/acme-account/new.json", fields, status=400)
        assert field in res.json["form_errors"], (fields, res.json)
    acme_testapp.post(ADMIN + "/acme-account/new.json", {"acme_server_id": "99999", "tos_agreed": "1"}, status=404)


def test_html_new_account_redirects(acme_testapp):
    res = acme_testapp.post(ADMIN + "/acme-account/new", {"contact": unique_email(), "tos_agreed": "1"}, status=303)
    page = res.follow()
    assert "Done: new account" in page.text and "Roll over the account key" in page.text


def test_authenticate_update_contact_and_defaults(acme_testapp, new_account):
    account = new_account()
    base = f"{ADMIN}/acme-account/{account['id']}"
    assert acme_testapp.post(base + "/authenticate.json").json["acme_account"]["status"] == "valid"
    email = unique_email()
    data = acme_testapp.post(base + "/update-contact.json", {"contact": email}).json
    assert data["acme_account"]["contact"] == email
    acme_testapp.post(base + "/update-contact.json", {"contact": "a b@c"}, status=400)
    data = acme_testapp.post(base + "/edit-defaults.json", {"private_key_cycle": "account_weekly",
                                                             "private_key_technology": "EC_P384"}).json
    assert data["acme_account"]["order_default_private_key_cycle"] == "account_weekly"
    assert data["acme_account"]["order_default_private_key_technology"] == "EC_P384"
    acme_testapp.post(base + "/edit-defaults.json", {"private_key_cycle": "weekly"}, status=400)
    for action in ("authenticate", "update-contact", "edit-defaults", "register", "deactivate", "key-rollover",
                   "deactivate-pending-authorizations"):
        described = acme_testapp.get(f"{base}/{action}.json").json
        assert described["result"] == "instructions" and described["action"] == action.replace("-", "_")
        assert "<form" in acme_testapp.get(f"{base}/{action}").text
    res = acme_testapp.post(base + "/authenticate", status=303)
    assert "Done: authenticate" in res.follow().text


def test_key_rollover_keeps_the_old_key_retired(acme_testapp, acme_db, new_account):
    account = new_account(key_technology="EC_P256")
    base = f"{ADMIN}/acme-account/{account['id']}"
    data = acme_testapp.post(base + "/key-rollover.json", {"key_technology": "RSA_2048"}).json
    assert data["acme_account_key"]["key_technology"] == "RSA_2048"
    keys = acme_db(
        sa.select(AcmeAccountKey).where(AcmeAccountKey.acme_account_id == int(account["id"])).order_by(AcmeAccountKey.id)
    )
    assert [k.is_active for k in keys] == [False, True]
    assert keys[0].timestamp_deactivated is not None
    # the server now knows the account by its new key
    assert acme_testapp.post(base + "/authenticate.json").json["acme_account"]["status"] == "valid"
    assert [e.acme_event for e in _events(acme_db, account["id"])].count("keyChange") == 1


def test_deactivate_then_the_server_refuses(acme_testapp, acme_db, new_account):
    account = new_account()
    base = f"{ADMIN}/acme-account/{account['id']}"
    data = acme_testapp.post(base + "/deactivate.json").json
    assert data["acme_account"]["status"] == "deactivated" and data["acme_account"]["is_active"] is False
    acme_testapp.post(base + "/deactivate.json", status=409)
    res = acme_testapp.post(base + "/authenticate.json", status=409)
    assert res.json["result"] == "error"
    assert res.json["acme_problem"]["type"].startswith("urn:ietf:params:acme:error:")
    # the failed exchange is in the event log although the request failed
    failures = [e for e in _events(acme_db, account["id"]) if e.result.value == "failure"]
    assert failures and failures[-1].problem_type
    logs = acme_testapp.get(ADMIN + "/acme-event-logs.json", {"acme_account_id": account["id"], "result": "failure"}).json
    assert logs["acme_event_logs"] and all(e["result"] == "failure" for e in logs["acme_event_logs"])


def test_uploaded_key_registers_or_finds_its_account(acme_testapp, acme_db):
    server_id = _pebble_server_id(acme_db)
    key = pki_module.key_pem(pki_module.ec_key()).encode()
    account = acme_testapp.post(
        ADMIN + "/acme-account/upload.json", {"acme_server_id": str(server_id), "contact": unique_email()},
        upload_files=[("account_key_file", "k.pem", key)],
    ).json["acme_account"]
    assert account["account_url"] is None
    base = f"{ADMIN}/acme-account/{account['id']}"
    res = acme_testapp.post(base + "/authenticate.json", status=409)
    assert "register it first" in res.json["error"]
    acme_testapp.post(base + "/register.json", status=400)  # terms not agreed
    first = acme_testapp.post(base + "/register.json", {"tos_agreed": "1"}).json
    assert first["registered"] is True and first["acme_account"]["account_url"]
    again = acme_testapp.post(base + "/register.json").json
    assert again["registered"] is False
    assert again["acme_account"]["account_url"] == first["acme_account"]["account_url"]


def test_deactivate_pending_authorizations_without_orders(acme_testapp, new_account):
    account = new_account()
    data = acme_testapp.post(f"{ADMIN}/acme-account/{account['id']}/deactivate-pending-authorizations.json").json
    assert data == {"result": "success", "operation": "deactivate_pending_authorizations", "deactivated": [], "failed": []}


def test_check_server(acme_testapp, acme_db):
    server_id = _pebble_server_id(acme_db)
    data = acme_testapp.post(f"{ADMIN}/acme-server/{server_id}/check.json").json
    assert data["supports_ari"] is False and data["supports_profiles"] is False
    assert acme_testapp.get(f"{ADMIN}/acme-server/{server_id}/check.json").json["result"] == "instructions"
    acme_testapp.get(f"{ADMIN}/acme-server/{server_id}/check")
    res = acme_testapp.post(f"{ADMIN}/acme-server/{server_id}/check", status=303)
    assert "acme-servers" in res.location


def test_event_log_and_operations_pages(acme_testapp, new_account):
    account = new_account()
    logs = acme_testapp.get(ADMIN + "/acme-event-logs.json", {"acme_account_id": account["id"]}).json
    assert logs["applied_filters"] == {"acme_account_id": account["id"]}
    event_id = logs["acme_event_logs"][0]["id"]
    focus = acme_testapp.get(f"{ADMIN}/acme-event-log/{event_id}.json").json["acme_event_log"]
    assert focus["acme_account_id"] == account["id"] and "response_json" in focus
    assert "BEGIN" not in (focus["request_json"] or "")  # no key material in the log
    assert "newAccount" in acme_testapp.get(ADMIN + "/acme-event-logs", {"acme_account_id": account["id"]}).text
    acme_testapp.get(f"{ADMIN}/acme-event-log/{event_id}")
    acme_testapp.get(ADMIN + "/acme-event-logs.json", {"acme_order_id": "x"}, status=400)
    acme_testapp.get(ADMIN + "/acme-event-logs.json", {"result": "maybe"}, status=400)
    ops = acme_testapp.get(ADMIN + "/operations-events.json", {"event_type": "AcmeAccount__register"}).json
    assert ops["operations_events"][0]["event_type"] == "AcmeAccount__register"
    op_id = ops["operations_events"][0]["id"]
    focus = acme_testapp.get(f"{ADMIN}/operations-event/{op_id}.json").json
    assert focus["objects"][0]["object_type"] == "AcmeAccount"
    acme_testapp.get(f"{ADMIN}/operations-event/{op_id}")
    acme_testapp.get(ADMIN + "/operations-events")
