"""Domain queue, renewal queue, certificate-if-needed, autocert and rate limits against Pebble."""

from __future__ import annotations

import datetime
import secrets
import threading

import pytest
import requests
import sqlalchemy as sa

from peter_sslers.lib.db import rate_limits
from peter_sslers.lib.db.certificates import DEFAULT_RENEWAL, RenewalPolicy
from peter_sslers.model import AcmeOrder, CertificateSigned, QueueCertificate, RateLimited
from peter_sslers.model.meta import utcnow
from tests.acme.test_orders import ADMIN, new_order

pytestmark = pytest.mark.usefixtures("nothing_else_due")

UTC = datetime.timezone.utc


@pytest.fixture
def default_account(acme_testapp, new_account):
    account = new_account()
    acme_testapp.post(f"{ADMIN}/acme-account/{account['id']}/mark-global-default.json")
    return account


@pytest.fixture
def settings(acme_app, monkeypatch):
    """The live app's settings; attribute changes are undone after the test."""
    app_settings = acme_app.registry["app_settings"]

    class Setter:
        def __setattr__(self, name, value):
            monkeypatch.setattr(app_settings, name, value)

    return Setter()


def _make_due(acme_app, cert_ids):
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        session.execute(sa.update(CertificateSigned).where(CertificateSigned.id.in_([int(i) for i in cert_ids]))
                        .values(timestamp_renew_after=utcnow() - datetime.timedelta(minutes=1)))


def test_renew_after_uses_the_lifetime_fraction():
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    assert DEFAULT_RENEWAL.renew_after(start, start + datetime.timedelta(days=90)) == start + datetime.timedelta(days=60)
    assert DEFAULT_RENEWAL.renew_after(start, start + datetime.timedelta(days=6)) == start + datetime.timedelta(days=3)
    custom = RenewalPolicy(remaining_fraction=0.1, remaining_fraction_short=0.25)
    assert custom.renew_after(start, start + datetime.timedelta(days=90)) == start + datetime.timedelta(days=81)
    assert custom.renew_after(start, start + datetime.timedelta(days=8)) == start + datetime.timedelta(days=6)


def test_domain_queue_rules_and_processing(acme_testapp, default_account, settings):
    tag = secrets.token_hex(3)
    managed = new_order(acme_testapp, default_account, [f"managed-{tag}.example.test"])["acme_order"]["domain_names"][0]
    acme_testapp.post(f"{ADMIN}/domain/{managed}/mark.json", {"action": "inactive"})
    names = [f"q{i}-{tag}.example.test" for i in range(3)]
    text = "\n".join([*names, names[0], "not a domain", managed])
    added = acme_testapp.post(ADMIN + "/queue-domains/add.json", {"domain_names": text}).json
    assert sorted(added["queued"]) == sorted(names)
    assert added["activated"] == [managed]
    assert added["invalid"][0]["domain_name"] == "not"
    again = acme_testapp.post(ADMIN + "/queue-domains/add.json", {"domain_names": f"{names[0]} {managed}"}).json
    reasons = {i["domain_name"]: i["reason"] for i in again["ignored"]}
    assert reasons == {names[0]: "already queued", managed: "already managed and active"}
    done = acme_testapp.post(ADMIN + "/queue-domains/process.json", {"batch_size": "2"}).json
    assert done["processed"] == 2 and done["status"] == "valid" and done["remaining"] >= 1
    order = acme_testapp.get(f"{ADMIN}/acme-order/{done['acme_order_id']}.json").json["acme_order"]
    assert order["order_type"] == "queue_domains" and len(order["domain_names"]) == 2
    listing = acme_testapp.get(ADMIN + "/queue-domains.json", {"status": "done"}).json["queue_domains"]
    assert {q["domain_name"] for q in listing} >= set(order["domain_names"])
    acme_testapp.get(ADMIN + "/queue-domains")
    acme_testapp.get(ADMIN + "/queue-domains.json", {"status": "nope"}, status=400)
    for path in ("/queue-domains/add", "/queue-domains/process"):
        assert acme_testapp.get(ADMIN + path + ".json").json["result"] == "instructions"
        acme_testapp.get(ADMIN + path)
    assert "queued" in acme_testapp.post(ADMIN + "/queue-domains/add", {"domain_names": f"h-{tag}.example.test"}).text
    assert "processed" in acme_testapp.post(ADMIN + "/queue-domains/process").text
    acme_testapp.post(ADMIN + "/queue-domains/add.json", {"domain_names": ""}, status=400)


def test_renewal_queue_of_twenty(acme_testapp, acme_app, acme_db, default_account, order_names):
    created = [new_order(acme_testapp, default_account, order_names(1))["acme_order"] for _ in range(20)]
    skipped = new_order(acme_testapp, default_account, order_names(1))["acme_order"]
    acme_testapp.post(f"{ADMIN}/acme-order/{skipped['id']}/auto-renew.json", {"is_auto_renew": "0"})
    _make_due(acme_app, [o["certificate_signed_id"] for o in created] + [skipped["certificate_signed_id"]])
    update = acme_testapp.post(ADMIN + "/queue-certificates/update.json").json
    assert update["queued"] == 20
    assert acme_testapp.post(ADMIN + "/queue-certificates/update.json").json["queued"] == 0  # no duplicates
    one = acme_testapp.post(ADMIN + "/queue-certificates/process.json").json
    assert len(one["processed"]) == 1 and one["processed"][0]["result"] == "success"
    rest = acme_testapp.post(ADMIN + "/queue-certificates/process.json?limit=19").json
    assert [p["result"] for p in rest["processed"]] == ["success"] * 19 and rest["remaining"] == 0
    renewals = acme_db(sa.select(AcmeOrder).where(AcmeOrder.acme_order_id__renewal_of.in_([int(o["id"]) for o in created])))
    assert len(renewals) == 20 and all(r.certificate_signed_id for r in renewals)
    assert {r.order_type.value for r in renewals} == {"renew_queue"}
    assert not acme_db(sa.select(AcmeOrder).where(AcmeOrder.acme_order_id__renewal_of == int(skipped["id"])))
    # the renewed certificates are newer: nothing is due any more
    assert acme_testapp.post(ADMIN + "/queue-certificates/update.json").json["queued"] == 0
    listing = acme_testapp.get(ADMIN + "/queue-certificates.json", {"status": "done"}).json["queue_certificates"]
    item = listing[0]
    assert acme_testapp.get(f"{ADMIN}/queue-certificate/{item['id']}.json").json["queue_certificate"]["status"] == "done"
    acme_testapp.get(f"{ADMIN}/queue-certificate/{item['id']}")
    acme_testapp.post(f"{ADMIN}/queue-certificate/{item['id']}/mark.json", {"action": "cancel"}, status=400)
    acme_testapp.get(ADMIN + "/queue-certificates")


def test_html_processing_refreshes_until_empty(acme_testapp, acme_app, default_account, order_names):
    orders = [new_order(acme_testapp, default_account, order_names(1))["acme_order"] for _ in range(2)]
    _make_due(acme_app, [o["certificate_signed_id"] for o in orders])
    acme_testapp.post(ADMIN + "/queue-certificates/update.json")
    assert "Process one item" in acme_testapp.get(ADMIN + "/queue-certificates/process").text
    first = acme_testapp.get(ADMIN + "/queue-certificates/process?continue=1").text
    assert 'http-equiv="refresh"' in first and "continue=1" in first
    last = acme_testapp.post(ADMIN + "/queue-certificates/process").text
    assert 'http-equiv="refresh"' not in last and "0 item(s) remain" in last
    info = acme_testapp.get(ADMIN + "/queue-certificates/process.json").json
    assert info["result"] == "instructions" and "prequest" in info["example"]
    for path in ("/queue-certificates/update",):
        assert acme_testapp.get(ADMIN + path + ".json").json["result"] == "instructions"
        acme_testapp.get(ADMIN + path)
    assert "queued" in acme_testapp.post(ADMIN + "/queue-certificates/update").text
    acme_testapp.post(ADMIN + "/queue-certificates/process.json?limit=0", status=400)


def _only_this_item_queued(acme_app, item_id: str) -> None:
    """Other tests of the session may have left due items: keep the queue to this one."""
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        session.execute(sa.update(QueueCertificate).where(QueueCertificate.id != int(item_id),
                                                          QueueCertificate.status.in_(["queued", "claimed"]))
                        .values(status="cancelled"))


def test_failed_renewal_backs_off_and_custom_renewal(acme_testapp, acme_app, acme_live, default_account, new_account,
                                                    order_names):
    order = new_order(acme_testapp, default_account, order_names(1))["acme_order"]
    cert = order["certificate_signed_id"]
    other = new_account()
    item = acme_testapp.post(f"{ADMIN}/certificate-signed/{cert}/queue.json",
                             {"acme_account_id": other["id"], "private_key_technology": "EC_P256"}).json["queue_certificate"]
    assert item["acme_account_id"] == other["id"] and item["status"] == "queued"
    acme_testapp.post(f"{ADMIN}/certificate-signed/{cert}/queue.json", status=409)  # already queued
    _only_this_item_queued(acme_app, item["id"])
    real = acme_live.dispatcher.target
    acme_live.dispatcher.target = lambda environ, start: (start("404 Not Found", []), [b""])[1]
    try:
        result = acme_testapp.post(ADMIN + "/queue-certificates/process.json").json["processed"][0]
    finally:
        acme_live.dispatcher.target = real
    assert result["result"] == "error" and result["status"] == "queued"
    failed = acme_testapp.get(f"{ADMIN}/queue-certificate/{item['id']}.json").json["queue_certificate"]
    assert failed["attempts"] == 1 and failed["timestamp_not_before"] and "validation failed" in failed["last_error"]
    # not due again before its back-off
    assert acme_testapp.post(ADMIN + "/queue-certificates/process.json").json["processed"] == []
    base = f"{ADMIN}/queue-certificate/{item['id']}/mark.json"
    assert acme_testapp.post(base, {"action": "cancel"}).json["queue_certificate"]["status"] == "cancelled"
    assert acme_testapp.post(base, {"action": "requeue"}).json["queue_certificate"]["status"] == "queued"
    done = acme_testapp.post(ADMIN + "/queue-certificates/process.json").json["processed"][0]
    assert done["result"] == "success"
    renewal = acme_testapp.get(f"{ADMIN}/acme-order/{done['acme_order_id']}.json").json["acme_order"]
    assert renewal["order_type"] == "renew_custom" and renewal["acme_account_id"] == other["id"]
    assert renewal["private_key_technology"] == "EC_P256"
    for action in ("queue",):
        assert acme_testapp.get(f"{ADMIN}/certificate-signed/{cert}/{action}.json").json["result"] == "instructions"
        acme_testapp.get(f"{ADMIN}/certificate-signed/{cert}/{action}")
    acme_testapp.get(f"{ADMIN}/queue-certificate/{item['id']}/mark")
    assert acme_testapp.get(f"{ADMIN}/queue-certificate/{item['id']}/mark.json").json["result"] == "instructions"


def test_certificate_if_needed(acme_testapp, default_account, order_names):
    existing = new_order(acme_testapp, default_account, order_names(1))["acme_order"]
    fresh = order_names(1)[0]
    names = f"{existing['domain_names'][0]} {fresh} bad..name"
    results = acme_testapp.post(ADMIN + "/api/domain/certificate-if-needed.json", {"domain_names": names}).json["domains"]
    by_name = {r["domain"]["domain_name"]: r for r in results}
    assert by_name[existing["domain_names"][0]]["certificate"] == {"status": "exists", "id": existing["certificate_signed_id"]}
    assert by_name[existing["domain_names"][0]]["domain"]["status"] == "existing"
    assert by_name[fresh]["domain"]["status"] == "new" and by_name[fresh]["certificate"]["status"] == "new"
    assert by_name["bad..name"]["domain"]["status"] == "invalid" and by_name["bad..name"]["certificate"]["status"] == "fail"
    assert acme_testapp.get(ADMIN + "/api/domain/certificate-if-needed.json").json["result"] == "instructions"
    acme_testapp.get(ADMIN + "/api/domain/certificate-if-needed")
    acme_testapp.post(ADMIN + "/api/domain/certificate-if-needed.json", {"domain_names": ""}, status=400)
    assert "certificate if needed" in acme_testapp.post(ADMIN + "/api/domain/certificate-if-needed",
                                                        {"domain_names": fresh}).text


def test_autocert(acme_testapp, acme_live, default_account, order_names, settings):
    name = order_names(1, prefix="auto")[0]
    # the OpenResty module posts without a Content-Type
    res = requests.post(acme_live.url + ADMIN + "/api/domain/autocert.json?openresty=1", data=f"domain_name={name}",
                        headers={"Content-Type": ""}, timeout=60)
    payload = res.json()
    assert res.status_code == 200 and payload["notes"] == "new certificate"
    cert = payload["certificate_signed__latest_single"]
    assert cert["fullchain"]["pem"].startswith("-----BEGIN CERTIFICATE-----") and cert["private_key"]["pem"]
    again = acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": name}).json
    assert again["notes"] == "existing certificate"
    assert again["certificate_signed__latest_single"]["id"] == cert["id"]
    acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": "*.wild.example.test"}, status=400)
    acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": "nope"}, status=400)
    assert acme_testapp.get(ADMIN + "/api/domain/autocert.json").json["result"] == "instructions"
    acme_testapp.get(ADMIN + "/api/domain/autocert")
    assert acme_testapp.post(ADMIN + "/api/domain/autocert", {"domain_name": name}).json["notes"] == "existing certificate"


def allow_only_allowed(domain_name: str) -> bool:
    return domain_name.startswith("allowed")


def test_autocert_throttles(acme_testapp, acme_live, default_account, order_names, settings, acme_db):
    # concurrent requests for one new name make one order
    name = order_names(1, prefix="race")[0]
    answers = []

    def ask():
        res = requests.post(acme_live.url + ADMIN + "/api/domain/autocert.json", data={"domain_name": name}, timeout=60)
        answers.append(res.status_code)

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 200 in answers and set(answers) <= {200, 409}
    per_name = acme_db(sa.text("SELECT COUNT(*) FROM acme_order o JOIN unique_fqdn_set_2_domain l ON "
                               "l.unique_fqdn_set_id = o.unique_fqdn_set_id JOIN domain d ON d.id = l.domain_id "
                               "WHERE d.domain_name = :n").bindparams(n=name))
    assert per_name[0][0] == 1
    # a failure cools the name off
    failing = order_names(1, prefix="cool")[0]
    real = acme_live.dispatcher.target
    acme_live.dispatcher.target = lambda environ, start: (start("404 Not Found", []), [b""])[1]
    try:
        acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": failing}, status=409)
    finally:
        acme_live.dispatcher.target = real
    res = acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": failing}, status=409)
    assert "cooling off" in res.json["error"]
    # the allow-list hook fails closed for new names, never for stored certificates
    settings.autocert_allow_hook = "python:tests.acme.test_automation:allow_only_allowed"
    res = acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": order_names(1, prefix="denied")[0]}, status=409)
    assert "not approved" in res.json["error"]
    assert acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": name}).json["notes"] == "existing certificate"
    settings.autocert_allow_hook = "python:no.such.module:nothing"
    acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": order_names(1, prefix="allowed")[0]}, status=409)
    settings.autocert_allow_hook = "python:tests.acme.test_automation:allow_only_allowed"
    assert acme_testapp.post(ADMIN + "/api/domain/autocert.json",
                             {"domain_name": order_names(1, prefix="allowed")[0]}).json["notes"] == "new certificate"
    # a global cap on new orders per hour
    settings.autocert_max_new_orders_per_hour = 1
    res = acme_testapp.post(ADMIN + "/api/domain/autocert.json", {"domain_name": order_names(1, prefix="allowed")[0]}, status=409)
    assert "limit" in res.json["error"]


@pytest.mark.parametrize(("detail", "name_scoped"), [
    ("Error creating new order :: too many certificates (5) already issued for this exact set of identifiers "
     "in the last 168h0m0s, retry after 2026-11-27 10:00:00 UTC", True),
    ('too many certificates (50) already issued for "example.com" in the last 168h0m0s', True),
    ('too many failed authorizations (5) for "a.example.com" in the last 1h0m0s', True),
    ("too many new orders (300) recently: see https://letsencrypt.org/docs/rate-limits/", False),
    ("slow down", False),
])  # fmt: skip
def test_a_rate_limit_blocks_the_names_or_the_whole_account(detail, name_scoped):
    assert rate_limits.is_name_scoped(detail) is name_scoped


def test_rate_limits_are_refused_before_the_server(acme_testapp, acme_app, account, order_names, settings, acme_db):
    names = order_names(1)
    settings.ratelimit_duplicate_certificates_per_week = 2
    for _ in range(2):
        new_order(acme_testapp, account, names)
    res = new_order(acme_testapp, account, names, status=429)
    assert "ratelimit.duplicate_certificates_per_week" in res["error"]
    settings.ratelimit_orders_per_account_3h = 2
    res = new_order(acme_testapp, account, order_names(1), status=429)
    assert "ratelimit.orders_per_account_3h" in res["error"]
    settings.ratelimit_orders_per_account_3h = 300
    # a rateLimited answer from the server blocks that account until retry-after
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        server_id = session.execute(sa.text("SELECT acme_server_id FROM acme_account WHERE id = :i").bindparams(i=int(account["id"]))).scalar()
        session.add(RateLimited(acme_server_id=server_id, acme_account_id=int(account["id"]), problem_detail="slow down",
                                timestamp_retry_after=utcnow() + datetime.timedelta(hours=1)))
    res = new_order(acme_testapp, account, order_names(1), status=429)
    assert "rate-limited" in res["error"]
