"""Notifications: the four checks, the webhook (JSON + HMAC) and email channels, repeat
suppression, failures recorded, and the pages."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import socket

import sqlalchemy as sa

from peter_sslers.lib import notifications
from peter_sslers.model import AcmeAccount, AcmeServer, Notification, QueueCertificate, RateLimited
from peter_sslers.model.enums import AcmeAccountStatus, EventResult, QueueStatus
from peter_sslers.model.meta import utcnow
from tests import factories
from tests.operations.conftest import ADMIN

DAY = datetime.timedelta(days=1)
SECRET = "s3cret-for-hmac"


def arrange_findings(dbsession, now) -> dict:
    """One row for each check, plus rows that must not be reported."""
    expiring = factories.certificate_signed_row(dbsession, not_after=now + 3 * DAY)
    renewed_old = factories.certificate_signed_row(dbsession, not_after=now + 2 * DAY)
    renewed_new = factories.certificate_signed_row(dbsession, not_after=now + 80 * DAY)
    renewed_old.unique_fqdn_set_id = renewed_new.unique_fqdn_set_id  # renewed: no alert
    factories.certificate_signed_row(dbsession, not_after=now + 40 * DAY)  # far from expiry
    factories.certificate_signed_row(
        dbsession, not_after=now + 1 * DAY, is_active=False
    )  # not in use
    failed = QueueCertificate(
        unique_fqdn_set_id=expiring.unique_fqdn_set_id, certificate_signed_id=expiring.id,
        status=QueueStatus.FAILED, attempts=10, last_error="urn:ietf:params:acme:error:unauthorized",
    )  # fmt: skip
    waiting = QueueCertificate(
        unique_fqdn_set_id=renewed_new.unique_fqdn_set_id, status=QueueStatus.QUEUED
    )
    server = dbsession.execute(sa.select(AcmeServer).limit(1)).scalar_one()
    broken = AcmeAccount(
        acme_server_id=server.id, contact="broken@example.com", status=AcmeAccountStatus.DEACTIVATED
    )
    retired = AcmeAccount(
        acme_server_id=server.id,
        contact="retired@example.com",
        is_active=False,
        status=AcmeAccountStatus.DEACTIVATED,
    )  # deliberately retired: no alert
    dbsession.add_all([failed, waiting, broken, retired])
    dbsession.flush()
    limited = RateLimited(
        acme_server_id=server.id,
        acme_account_id=broken.id,
        problem_detail="too many",
        timestamp_retry_after=now + 2 * 3600 * datetime.timedelta(seconds=1),
    )
    expired_limit = RateLimited(acme_server_id=server.id, timestamp_retry_after=now - DAY)
    dbsession.add_all([limited, expired_limit])
    dbsession.flush()
    return {"expiring": expiring, "failed": failed, "broken": broken, "limited": limited}


def expected_keys(rows) -> set[str]:
    return {
        f"expiring:cert:{rows['expiring'].id}",
        f"renewal_failed:queue_certificate:{rows['failed'].id}",
        f"account:{rows['broken'].id}:status_deactivated",
        f"rate_limited:{rows['limited'].id}",
    }


def records(dbsession, **where) -> list[Notification]:
    query = sa.select(Notification).filter_by(**where).order_by(Notification.id)
    return list(dbsession.execute(query).scalars())


def test_checks_find_what_needs_a_human(dbsession, notify_settings):
    now = utcnow()
    rows = arrange_findings(dbsession, now)
    findings = notifications.find_all(dbsession, notify_settings(), now)
    assert {f.dedupe_key for f in findings} >= expected_keys(rows)
    mine = [f for f in findings if f.dedupe_key in expected_keys(rows)]
    assert sorted(f.notification_type for f in mine) == sorted(notifications.TYPES)
    expiring = next(f for f in mine if f.notification_type == "certificate_expiring")
    assert 2.9 < expiring.details["days_left"] < 3.1 and expiring.details["domain_names"]


def test_webhook_json_and_signature(dbsession, notify_settings, webhook):
    now = utcnow()
    rows = arrange_findings(dbsession, now)
    settings = notify_settings(
        **{"notify.webhook_url": webhook.url, "notify.webhook_secret": SECRET}
    )
    summary = notifications.run_checks(dbsession, settings, now)
    assert summary["channels"]["webhook"]["failed"] == 0 and summary["sent"] == len(
        webhook.received
    )
    by_key = {r.json["dedupe_key"]: r for r in webhook.received}
    assert set(by_key) >= expected_keys(rows)
    for received in webhook.received:
        assert received.path == "/hooks/peter_sslers"
        assert received.headers["Content-Type"] == "application/json"
        digest = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
        assert received.headers["X-Peter-SSLers-Signature"] == "sha256=" + digest
    document = by_key[f"expiring:cert:{rows['expiring'].id}"].json
    assert (
        document["notification_type"] == "certificate_expiring"
        and document["source"] == "peter_sslers"
    )
    assert document["details"]["certificate_signed_id"] == str(rows["expiring"].id)
    recorded = records(
        dbsession, channel="webhook", dedupe_key=f"expiring:cert:{rows['expiring'].id}"
    )
    assert len(recorded) == 1 and recorded[0].result == EventResult.SUCCESS
    assert recorded[0].target == webhook.url and json.loads(recorded[0].payload_json) == document


def test_repeats_are_suppressed_for_the_interval(dbsession, notify_settings, webhook):
    now = utcnow()
    arrange_findings(dbsession, now)
    settings = notify_settings(
        **{"notify.webhook_url": webhook.url, "notify.min_interval_seconds": "3600"}
    )
    first = notifications.run_checks(dbsession, settings, now)
    sent = len(webhook.received)
    assert first["sent"] == sent >= 4
    again = notifications.run_checks(dbsession, settings, now + datetime.timedelta(minutes=30))
    assert again["sent"] == 0 and again["suppressed"] == sent and len(webhook.received) == sent
    later = notifications.run_checks(dbsession, settings, now + datetime.timedelta(minutes=61))
    assert later["sent"] == sent and later["suppressed"] == 0


def test_email(dbsession, notify_settings, smtp):
    host, port, messages = smtp
    now = utcnow()
    rows = arrange_findings(dbsession, now)
    settings = notify_settings(**{
        "notify.email_to": "ops@example.com, oncall@example.com", "notify.email_from": "certs@example.com",
        "notify.smtp_host": host, "notify.smtp_port": str(port),
    })  # fmt: skip
    summary = notifications.run_checks(dbsession, settings, now)
    assert summary["channels"]["email"]["failed"] == 0 and summary["sent"] == len(messages) >= 4
    mail_from, recipients, message = next(
        m
        for m in messages
        if m[2]["X-Peter-SSLers-Dedupe-Key"] == f"expiring:cert:{rows['expiring'].id}"
    )
    assert mail_from == "certs@example.com" and recipients == [
        "ops@example.com",
        "oncall@example.com",
    ]
    assert (
        message["Subject"].startswith("[peter_sslers test] certificate ")
        and "no renewal" in message["Subject"]
    )
    cert_id = rows["expiring"].id
    assert f'"certificate_signed_id": "{cert_id}"' in message.get_content()
    assert records(dbsession, channel="email")[0].target == "ops@example.com, oncall@example.com"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_failures_are_recorded_and_do_not_stop_the_others(
    dbsession, notify_settings, webhook, smtp
):
    host, port, messages = smtp
    now = utcnow()
    arrange_findings(dbsession, now)
    webhook.status = 500
    settings = notify_settings(**{
        "notify.webhook_url": webhook.url, "notify.email_to": "ops@example.com",
        "notify.smtp_host": host, "notify.smtp_port": str(port),
    })  # fmt: skip
    summary = notifications.run_checks(dbsession, settings, now)
    count = len(webhook.received)
    assert summary["channels"]["webhook"] == {
        "target": webhook.url,
        "sent": 0,
        "failed": count,
        "suppressed": 0,
    }
    assert summary["channels"]["email"]["sent"] == len(messages) == count
    failure = records(dbsession, channel="webhook")[0]
    assert failure.result == EventResult.FAILURE and "HTTP 500" in failure.error_text
    # a failed send is retried on the next run; a successful one is not repeated
    webhook.status = 200
    retry = notifications.run_checks(dbsession, settings, now + datetime.timedelta(minutes=1))
    assert (
        retry["channels"]["webhook"]["sent"] == count
        and retry["channels"]["email"]["suppressed"] == count
    )
    # an SMTP server that is down: every mail fails, the webhook still goes out
    down = notify_settings(**{
        "notify.webhook_url": webhook.url, "notify.email_to": "ops@example.com",
        "notify.smtp_host": "127.0.0.1", "notify.smtp_port": str(_closed_port()),
        "notify.min_interval_seconds": "1",
    })  # fmt: skip
    later = notifications.run_checks(dbsession, down, now + datetime.timedelta(minutes=2))
    assert (
        later["channels"]["email"]["failed"] == count
        and later["channels"]["webhook"]["sent"] == count
    )
    errors = [r.error_text for r in records(dbsession, channel="email", result=EventResult.FAILURE)]
    assert errors[0].startswith("ConnectionRefusedError")
    # the first refusal is enough: the other mails are not tried (no timeout each)
    assert all(e.startswith("ChannelDown: not tried: ConnectionRefusedError") for e in errors[1:])


def test_secrets_stay_out_of_the_record(dbsession, notify_settings, webhook):
    arrange_findings(dbsession, utcnow())
    url = webhook.url.replace("http://", "http://user:pw@") + "?token=abc"
    notifications.run_checks(dbsession, notify_settings(**{"notify.webhook_url": url}))
    assert {r.target for r in records(dbsession, channel="webhook")} == {webhook.url}
    assert webhook.received[0].path == "/hooks/peter_sslers?token=abc"


def test_pages(testapp, dbsession):
    now = utcnow()
    for i in range(3):
        dbsession.add(Notification(
            notification_type="rate_limited", channel="webhook", target="https://hooks.example/x",
            dedupe_key=f"rate_limited:{i}", payload_json=json.dumps({"summary": f"limited {i}"}),
            result=EventResult.SUCCESS if i else EventResult.FAILURE, error_text=None if i else "HTTP 502: down",
            timestamp_sent=now + datetime.timedelta(seconds=i),
        ))  # fmt: skip
    dbsession.commit()
    data = testapp.get(ADMIN + "/notifications.json").json
    keys = [n["dedupe_key"] for n in data["notifications"]]
    assert keys[:3] == ["rate_limited:2", "rate_limited:1", "rate_limited:0"]  # newest first
    assert data["pagination"]["total"] >= 3
    failures = testapp.get(ADMIN + "/notifications.json", {"result": "failure"}).json[
        "notifications"
    ]
    assert [n["dedupe_key"] for n in failures] == ["rate_limited:0"]
    page = testapp.get(ADMIN + "/notifications", {"notification_type": "rate_limited"})
    assert "limited 2" in page.text and "HTTP 502: down" in page.text
    testapp.get(ADMIN + "/notifications.json", {"notification_type": "nope"}, status=400)
    assert testapp.get(ADMIN + "/api/notify.json").json["result"] == "instructions"
    assert "Run notify" in testapp.get(ADMIN + "/api/notify").text
    run = testapp.post(ADMIN + "/api/notify.json").json
    assert run["result"] == "success" and set(run["findings"]) == set(notifications.TYPES)
    assert run["channels"] == {} and "no channel configured" in run["note"]
    redirect = testapp.post(ADMIN + "/api/notify", status=303)
    assert "/notifications?" in redirect.location and "operation=notify" in redirect.location
    assert "Done: notify" in redirect.follow().text
