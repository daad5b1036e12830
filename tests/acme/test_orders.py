"""Orders end to end against a strict Pebble: the three provisioning options, step by step,
failures and recovery. HTTP-01 is answered by the app's own public route (Pebble -> live app)."""

from __future__ import annotations

import subprocess

import sqlalchemy as sa

from peter_sslers.lib.acme import orders as orders_module
from peter_sslers.model import AcmeEventLog, AcmeOrder, CertificateSigned, CertificateSignedChain
from tests import pki as pki_module

ADMIN = "/.well-known/admin"


def new_order(acme_testapp, account, names, status=200, **fields):
    data = {"acme_account_id": account["id"], "domain_names_http01": ",".join(names), **fields}
    return acme_testapp.post(ADMIN + "/acme-order/new.json", data, status=status).json


def verify_with_openssl(tmp_path, pebble, cert_pem: str, chain_pem: str) -> None:
    """`openssl verify` the certificate against Pebble's roots, through its chain."""
    (tmp_path / "roots.pem").write_text("".join(pebble.roots))
    (tmp_path / "chain.pem").write_text(chain_pem)
    (tmp_path / "cert.pem").write_text(cert_pem)
    result = subprocess.run(
        ["openssl", "verify", "-CAfile", str(tmp_path / "roots.pem"), "-untrusted", str(tmp_path / "chain.pem"),
         str(tmp_path / "cert.pem")], capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_process_single_request(acme_testapp, account, order_names, app_pebble, tmp_path, acme_db):
    names = order_names(2)
    data = new_order(acme_testapp, account, names)
    assert data["steps"] == ["submit", "complete_challenges", "finalize", "download"]
    order = data["acme_order"]
    assert order["status"] == "valid" and order["processing_status"] == "certificate_downloaded"
    assert order["domain_names"] == sorted(names) and order["next_step"] is None
    cert_id = order["certificate_signed_id"]
    config = acme_testapp.get(f"{ADMIN}/certificate-signed/{cert_id}/config.json").json
    verify_with_openssl(tmp_path, app_pebble, config["certificate"]["pem"], config["chain"]["pem"])
    # every chain the server offered is stored (Pebble has one alternate root here)
    links = acme_db(sa.select(CertificateSignedChain).where(CertificateSignedChain.certificate_signed_id == int(cert_id)))
    assert len(links) == 2 and sum(link.is_upstream_default for link in links) == 1
    # each exchange is in the event log, tied to the order
    events = acme_db(sa.select(AcmeEventLog.acme_event).where(AcmeEventLog.acme_order_id == int(order["id"])))
    for name in ("newOrder", "authorization", "finalize", "certificate"):
        assert any(name in e for e in events), (name, events)
    # the challenge answers were served by our public route
    focus = acme_testapp.get(f"{ADMIN}/acme-order/{order['id']}.json").json
    assert {c["status"] for c in focus["acme_challenges"] if c["challenge_type"] == "http-01" and c["count_polls"]} == {"valid"}
    assert all(a["status"] == "valid" for a in focus["acme_authorizations"])
    # the domains now serve it
    payload = acme_testapp.get(f"{ADMIN}/domain/{names[0]}/config.json").json
    assert payload["certificate_signed__latest_multi"]["id"] == cert_id


def test_create_order_then_autodetect_steps(acme_testapp, account, order_names):
    data = new_order(acme_testapp, account, order_names(1), processing_strategy="create_order")
    assert data["steps"] == ["submit"]
    order = data["acme_order"]
    assert order["status"] == "pending" and order["next_step"] == "complete_challenges"
    base = f"{ADMIN}/acme-order/{order['id']}"
    ran = []
    for _ in range(4):
        result = acme_testapp.post(base + "/advance.json", {"step": "auto"}).json
        ran.append(result["step"])
        if result["acme_order"]["next_step"] is None:
            break
    assert ran == ["complete_challenges", "finalize", "download"]
    assert result["acme_order"]["certificate_signed_id"]
    res = acme_testapp.post(base + "/advance.json", status=409)
    assert "nothing left" in res.json["error"]


def test_process_multi_explicit_steps(acme_testapp, account, order_names):
    data = new_order(acme_testapp, account, order_names(1), processing_strategy="process_multi")
    assert data["steps"] == ["submit", "sync"]
    base = f"{ADMIN}/acme-order/{data['acme_order']['id']}"
    acme_testapp.post(base + "/finalize.json", status=409)  # not ready yet
    assert acme_testapp.post(base + "/complete-challenges.json").json["acme_order"]["status"] == "ready"
    assert acme_testapp.post(base + "/sync.json").json["acme_order"]["next_step"] == "finalize"
    assert acme_testapp.post(base + "/finalize.json").json["acme_order"]["status"] == "valid"
    done = acme_testapp.post(base + "/download.json").json["acme_order"]
    assert done["processing_status"] == "certificate_downloaded"
    page = acme_testapp.get(base).text
    assert "Certificate:" in page and "ACME exchanges" in page


def test_html_new_order_and_action_pages(acme_testapp, account, order_names):
    res = acme_testapp.post(
        ADMIN + "/acme-order/new",
        {"acme_account_id": account["id"], "domain_names_http01": order_names(1)[0], "processing_strategy": "create_order"},
        status=303,
    )
    page = res.follow()
    assert "Done: new order: submit" in page.text and "Next step: complete_challenges" in page.text
    order_id = res.location.split("/acme-order/")[1].split("?")[0]
    for action in ("sync", "advance", "process", "complete-challenges", "finalize", "download", "retry",
                   "renew-now", "mark-invalid", "deactivate-authorizations", "auto-renew"):
        assert acme_testapp.get(f"{ADMIN}/acme-order/{order_id}/{action}.json").json["result"] == "instructions"
        assert "<form" in acme_testapp.get(f"{ADMIN}/acme-order/{order_id}/{action}").text
    res = acme_testapp.post(f"{ADMIN}/acme-order/{order_id}/process", status=303)
    assert "Done: process" in res.follow().text
    assert "Create order" in acme_testapp.get(ADMIN + "/acme-order/new").text
    assert acme_testapp.get(ADMIN + "/acme-order/new.json").json["acme_accounts"]


def test_listings_of_orders_authorizations_challenges(acme_testapp, account, order_names):
    order = new_order(acme_testapp, account, order_names(1))["acme_order"]
    for state in ("all", "active", "finished"):
        data = acme_testapp.get(ADMIN + "/acme-orders.json", {"state": state}).json
        assert data["result"] == "success"
    finished = acme_testapp.get(ADMIN + "/acme-orders.json", {"state": "finished", "acme_account_id": account["id"]}).json
    assert [o["id"] for o in finished["acme_orders"]] == [order["id"]]
    acme_testapp.get(ADMIN + "/acme-orders.json", {"state": "bogus"}, status=400)
    assert order["id"] in acme_testapp.get(ADMIN + "/acme-orders").text
    focus = acme_testapp.get(f"{ADMIN}/acme-order/{order['id']}.json").json
    authz_id, challenge_id = focus["acme_authorizations"][0]["id"], focus["acme_challenges"][0]["id"]
    authz = acme_testapp.get(f"{ADMIN}/acme-authorization/{authz_id}.json").json
    assert authz["acme_order_ids"] == [order["id"]]
    acme_testapp.get(f"{ADMIN}/acme-authorization/{authz_id}")
    challenge = acme_testapp.get(f"{ADMIN}/acme-challenge/{challenge_id}.json").json
    assert challenge["acme_challenge"]["keyauthorization"].startswith(challenge["acme_challenge"]["token"] + ".")
    acme_testapp.get(f"{ADMIN}/acme-challenge/{challenge_id}")
    for path in ("/acme-authorizations", "/acme-challenges"):
        assert acme_testapp.get(ADMIN + path + ".json").json["pagination"]["total"] >= 1
        acme_testapp.get(ADMIN + path)
    assert acme_testapp.get(ADMIN + "/acme-authorizations.json", {"status": "valid"}).json["acme_authorizations"]


def test_failed_validation_then_retry(acme_testapp, acme_live, account, order_names):
    names = order_names(1, prefix="fails")
    real = acme_live.dispatcher.target

    def refuse_challenges(environ, start_response):
        if environ["PATH_INFO"].startswith("/.well-known/acme-challenge/"):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"nope"]
        return real(environ, start_response)

    acme_live.dispatcher.target = refuse_challenges
    try:
        res = new_order(acme_testapp, account, names, status=409)
    finally:
        acme_live.dispatcher.target = real
    assert names[0] in res["error"] and "validation failed" in res["error"]
    orders = acme_testapp.get(ADMIN + "/acme-orders.json", {"acme_account_id": account["id"]}).json["acme_orders"]
    failed = orders[0]
    assert failed["status"] == "invalid" and failed["processing_status"] == "completed_failure"
    base = f"{ADMIN}/acme-order/{failed['id']}"
    acme_testapp.post(base + "/mark-invalid.json", status=409)
    retried = acme_testapp.post(base + "/retry.json").json
    new = retried["acme_order__new"]
    assert new["status"] == "valid" and new["acme_order_id__retry_of"] == failed["id"]
    acme_testapp.post(f"{ADMIN}/acme-order/{new['id']}/retry.json", status=409)  # only invalid orders


def test_crash_between_finalize_and_download_is_recovered(acme_testapp, account, order_names, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(orders_module, "download", crash)
    res = new_order(acme_testapp, account, order_names(1), status=500)
    assert "boom" not in res["error"]
    monkeypatch.undo()
    order = acme_testapp.get(ADMIN + "/acme-orders.json", {"acme_account_id": account["id"]}).json["acme_orders"][0]
    # finalize's work survived: key, CSR, a valid order with its certificate URL
    assert order["status"] == "valid" and order["processing_status"] == "finalized"
    assert order["private_key_id"] and order["certificate_request_id"] and order["certificate_url"]
    assert order["certificate_signed_id"] is None and order["next_step"] == "download"
    base = f"{ADMIN}/acme-order/{order['id']}"
    assert acme_testapp.post(base + "/sync.json").json["acme_order"]["next_step"] == "download"
    done = acme_testapp.post(base + "/advance.json").json
    assert done["step"] == "download" and done["acme_order"]["certificate_signed_id"]


def test_two_finalizers_cannot_both_finalize(acme_testapp, account, order_names, acme_app):
    data = new_order(acme_testapp, account, order_names(1), processing_strategy="create_order")
    base = f"{ADMIN}/acme-order/{data['acme_order']['id']}"
    acme_testapp.post(base + "/complete-challenges.json")
    # another worker holds the finalize claim
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        session.execute(sa.update(AcmeOrder).where(AcmeOrder.id == int(data["acme_order"]["id"]))
                        .values(processing_status="finalizing"))
    res = acme_testapp.post(base + "/finalize.json", status=409)
    assert "already being finalized" in res.json["error"]
    # it crashed before sending finalize: sync releases the claim, then finalize works
    assert acme_testapp.post(base + "/sync.json").json["acme_order"]["next_step"] == "finalize"
    assert acme_testapp.post(base + "/process.json").json["acme_order"]["certificate_signed_id"]


def test_deactivate_pending_authorizations_and_auto_renew(acme_testapp, account, order_names):
    data = new_order(acme_testapp, account, order_names(2), processing_strategy="create_order")
    base = f"{ADMIN}/acme-order/{data['acme_order']['id']}"
    result = acme_testapp.post(base + "/deactivate-authorizations.json").json
    assert len(result["deactivated"]) == 2
    assert {a["status"] for a in acme_testapp.get(base + ".json").json["acme_authorizations"]} == {"deactivated"}
    synced = acme_testapp.post(base + "/sync.json").json["acme_order"]
    assert synced["status"] in ("invalid", "deactivated")  # Pebble says "deactivated"
    assert synced["processing_status"] == "completed_failure"
    assert acme_testapp.post(base + "/auto-renew.json", {"is_auto_renew": "0"}).json["acme_order"]["is_auto_renew"] is False
    acme_testapp.post(base + "/auto-renew.json", {"is_auto_renew": "maybe"}, status=400)
    # account-wide: nothing pending remains
    account_result = acme_testapp.post(f"{ADMIN}/acme-account/{account['id']}/deactivate-pending-authorizations.json").json
    assert account_result["deactivated"] == []


def test_renew_now_makes_a_new_order(acme_testapp, account, order_names):
    order = new_order(acme_testapp, account, order_names(1))["acme_order"]
    renewed = acme_testapp.post(f"{ADMIN}/acme-order/{order['id']}/renew-now.json").json["acme_order__new"]
    assert renewed["order_type"] == "renew_now" and renewed["acme_order_id__renewal_of"] == order["id"]
    assert renewed["certificate_signed_id"] and renewed["certificate_signed_id"] != order["certificate_signed_id"]
    assert renewed["replaces"] is None  # Pebble has no ARI


def test_bad_orders_are_refused_before_anything_is_sent(acme_testapp, account, acme_db, order_names):
    def counts():
        return (acme_db(sa.select(sa.func.count()).select_from(AcmeOrder))[0],
                acme_db(sa.select(sa.func.count()).select_from(AcmeEventLog))[0])

    before = counts()
    too_many = ",".join(f"n{i}.example.test" for i in range(101))
    for fields, field in (
        ({"domain_names_http01": "not a name"}, "domain_names_http01"),
        ({"domain_names_http01": "a.example.test,a.example.test"}, "domain_names_http01"),
        ({"domain_names_http01": "*.example.test"}, "domain_names_http01"),
        ({"domain_names_http01": too_many}, "domain_names_http01"),
        ({"domain_names_http01": ""}, "domain_names_http01"),
        ({"domain_names_dns01": "b.example.test"}, "dns_provider_id"),
        ({"domain_names_http01": "c.example.test", "private_key_option": "existing"}, "private_key_id"),
        ({"domain_names_http01": "c.example.test", "private_key_option": "magic"}, "private_key_option"),
        ({"domain_names_http01": "c.example.test", "processing_strategy": "eventually"}, "processing_strategy"),
        ({"domain_names_http01": "c.example.test", "profile": "shortlived"}, "profile"),
        ({"domain_names_http01": "c.example.test", "private_key_technology": "DSA"}, "private_key_technology"),
    ):
        res = acme_testapp.post(ADMIN + "/acme-order/new.json", {"acme_account_id": account["id"], **fields}, status=400)
        assert field in res.json["form_errors"], (fields, res.json)
    acme_testapp.post(ADMIN + "/acme-order/new.json", {"domain_names_http01": "d.example.test"}, status=400)
    acme_testapp.post(ADMIN + "/acme-order/new.json", {"acme_account_id": "999999", "domain_names_http01": "d.example.test"}, status=404)
    # a key of the wrong technology
    ec_key = pki_module.key_pem(pki_module.ec_key())
    res = acme_testapp.post(
        ADMIN + "/acme-order/new.json",
        {"acme_account_id": account["id"], "domain_names_http01": "e.example.test", "private_key_option": "upload",
         "private_key_technology": "RSA_2048"},
        upload_files=[("private_key_file", "k.pem", ec_key.encode())], status=409,
    )
    assert "private_key_technology" in res.json["form_errors"]
    # an account not registered on its server
    deactivated = acme_testapp.post(f"{ADMIN}/acme-account/{account['id']}/deactivate.json").json
    assert deactivated["acme_account"]["is_active"] is False
    res = acme_testapp.post(ADMIN + "/acme-order/new.json",
                            {"acme_account_id": account["id"], "domain_names_http01": "f.example.test"}, status=409)
    assert "acme_account_id" in res.json["form_errors"]
    after = counts()
    assert after[0] == before[0]
    # only the deactivation above talked to the server
    assert after[1] - before[1] <= 3


def test_idn_names_become_punycode(acme_testapp, account):
    import secrets

    tag = secrets.token_hex(3)
    order = new_order(acme_testapp, account, [f"b\u00fccher-{tag}.example.test"])["acme_order"]
    assert order["domain_names"] == [f"xn--bcher-{tag}-t9a.example.test"] or order["domain_names"][0].startswith("xn--")
    assert order["status"] == "valid"


def test_every_order_row_links_its_certificate(acme_db):
    rows = acme_db(sa.select(AcmeOrder.certificate_signed_id).where(AcmeOrder.certificate_signed_id.is_not(None)))
    certs = {c.id for c in acme_db(sa.select(CertificateSigned))}
    assert set(rows) <= certs
