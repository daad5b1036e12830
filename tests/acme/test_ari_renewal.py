"""Renewal driven by ACME Renewal Information (RFC 9773) and certificate profiles, end to end.

The app talks to a real acme2certifier (tests/services/acme2certifier.py): its directory has
``renewalInfo`` and ``meta.profiles``, and challenge validation is disabled there, so every
order completes without an HTTP-01 responder. The ARI window is moved with ``move_window``.
Commits are real (the session's acme app database is shared): every queue item this module
opens is cancelled afterwards, and the server row stops claiming ARI once the server is gone.
"""

from __future__ import annotations

import datetime
import json
import secrets
import time

import pytest
import sqlalchemy as sa

from peter_sslers.model import (
    AcmeEventLog,
    AcmeOrder,
    AcmeServer,
    AriCheck,
    CertificateSigned,
    QueueCertificate,
)
from peter_sslers.model.enums import QueueStatus
from peter_sslers.model.meta import utcnow
from tests.acme.conftest import unique_email
from tests.acme.test_orders import ADMIN, new_order
from tests.services import acme2certifier
from tests.services.acme2certifier import DEFAULT_PROFILES as PROFILES
from tests.services.acme2certifier import RENEWAL_THRESHOLD_PCTG as THRESHOLD_PCTG
from tests.services.acme2certifier import RETRY_AFTER

pytestmark = pytest.mark.usefixtures("leave_nothing_due", "nothing_else_due", "cancel_stray_queue_items")

DAY = 86400


@pytest.fixture(scope="module")
def a2c(tmp_path_factory):
    yield from acme2certifier.serve(tmp_path_factory.mktemp("a2c-app"))


@pytest.fixture(scope="module")
def ari_server_id(a2c, acme_app):
    """An AcmeServer row for the acme2certifier (plain HTTP: no CA bundle)."""
    factory = acme_app.registry["dbsession_factory"]
    with factory() as session, session.begin():
        row = AcmeServer(
            name=f"a2c-{secrets.token_hex(3)}",
            directory_url=a2c.directory_url,
            server=f"127.0.0.1:{a2c.port}",
            ca_bundle_pem=None,
        )
        session.add(row)
        session.flush()
        server_id = row.id
    yield server_id
    # the server is stopped after this module: later update_queue calls must not ask it
    with factory() as session, session.begin():
        session.execute(
            sa.update(AcmeServer)
            .where(AcmeServer.id == server_id)
            .values(is_supports_ari=False, is_enabled=False)
        )



@pytest.fixture(scope="module")
def checked(ari_server_id, acme_app):
    """check.json on the server (once per module)."""
    import webtest

    from tests.conftest import TEST_HOST

    app = webtest.TestApp(acme_app, extra_environ={"HTTP_HOST": TEST_HOST})
    return app.post(f"{ADMIN}/acme-server/{ari_server_id}/check.json").json


@pytest.fixture
def ari_account(acme_testapp, ari_server_id, checked):
    return acme_testapp.post(
        ADMIN + "/acme-account/new.json",
        {
            "acme_server_id": str(ari_server_id),
            "contact": unique_email(),
            "tos_agreed": "1",
            "key_technology": "EC_P256",
            "private_key_technology": "EC_P256",
        },
    ).json["acme_account"]


def _names(prefix: str = "ari") -> list[str]:
    return [f"{prefix}-{secrets.token_hex(4)}.example.test"]


def _cert(acme_db, cert_id) -> CertificateSigned:
    return acme_db(sa.select(CertificateSigned).where(CertificateSigned.id == int(cert_id)))[0]


def _queue_items(acme_db, cert_id) -> list[QueueCertificate]:
    return acme_db(
        sa.select(QueueCertificate)
        .where(QueueCertificate.certificate_signed_id == int(cert_id))
        .order_by(QueueCertificate.id)
    )


def _process_until_done(acme_testapp, acme_db, item_id, rounds: int = 10) -> QueueCertificate:
    """Process the renewal queue until ``item_id`` is finished (other items may come first)."""
    for _ in range(rounds):
        item = acme_db(sa.select(QueueCertificate).where(QueueCertificate.id == item_id))[0]
        if item.status not in (QueueStatus.QUEUED, QueueStatus.CLAIMED):
            return item
        done = acme_testapp.post(ADMIN + "/queue-certificates/process.json?limit=5").json
        if not done["processed"]:
            break
    return acme_db(sa.select(QueueCertificate).where(QueueCertificate.id == item_id))[0]


def test_check_server_finds_ari_and_profiles(checked):
    assert checked["result"] == "success"
    assert checked["supports_ari"] is True and checked["supports_profiles"] is True
    assert set(checked["profiles"]) == set(PROFILES)
    assert checked["acme_server"]["is_supports_ari"] is True


def test_ari_window_then_renewal_with_replaces(acme_testapp, acme_db, acme_app, a2c, ari_account):
    order = new_order(acme_testapp, ari_account, _names())["acme_order"]
    assert order["status"] == "valid" and order["certificate_signed_id"], order
    cert_id = int(order["certificate_signed_id"])
    cert = _cert(acme_db, cert_id)
    assert cert.ari_identifier and cert.timestamp_ari_next_check is None
    lifetime = cert.timestamp_not_after - cert.timestamp_not_before
    assert abs(lifetime - datetime.timedelta(days=PROFILES["classic"])) < datetime.timedelta(
        hours=1
    )

    # 1. the ARI lookup: a window in the future, nothing queued yet
    started = utcnow()
    update = acme_testapp.post(ADMIN + "/queue-certificates/update.json").json
    assert update["ari_checked"] >= 1 and update["ari_failed"] == 0, update
    checks = acme_db(sa.select(AriCheck).where(AriCheck.certificate_signed_id == cert_id))
    assert len(checks) == 1 and checks[0].is_success
    check = checks[0]
    start, end = check.suggested_window_start, check.suggested_window_end
    issue_uts, expire_uts = (
        cert.timestamp_not_before.timestamp(),
        cert.timestamp_not_after.timestamp(),
    )
    want_start = issue_uts + (expire_uts - issue_uts) * THRESHOLD_PCTG / 100
    assert abs(start.timestamp() - want_start) <= 2 and abs(end.timestamp() - expire_uts) <= 2
    assert start > utcnow()
    retry = check.timestamp_retry_after - started
    assert (
        datetime.timedelta(seconds=RETRY_AFTER - 5)
        <= retry
        <= datetime.timedelta(seconds=RETRY_AFTER + 60)
    )
    cert = _cert(acme_db, cert_id)
    assert start <= cert.timestamp_renew_after <= end
    assert cert.timestamp_ari_next_check == check.timestamp_retry_after
    assert _queue_items(acme_db, cert_id) == []
    # not checked again before its retry-after
    again = acme_testapp.post(ADMIN + "/queue-certificates/update.json").json
    assert (
        len(acme_db(sa.select(AriCheck).where(AriCheck.certificate_signed_id == cert_id))) == 1
    ), again

    # 2. the window moves into the past: the next update queues the certificate
    now = int(time.time())
    a2c.move_window(cert.serial, now - 30 * DAY, now - 60)
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        session.execute(
            sa.update(CertificateSigned)
            .where(CertificateSigned.id == cert_id)
            .values(timestamp_ari_next_check=None)
        )
    update = acme_testapp.post(ADMIN + "/queue-certificates/update.json").json
    assert update["ari_checked"] >= 1 and update["queued"] >= 1, update
    latest = acme_db(
        sa.select(AriCheck)
        .where(AriCheck.certificate_signed_id == cert_id)
        .order_by(AriCheck.id.desc())
    )[0]
    assert latest.suggested_window_end <= utcnow()
    assert _cert(acme_db, cert_id).timestamp_renew_after <= utcnow()
    items = _queue_items(acme_db, cert_id)
    assert len(items) == 1 and items[0].status == QueueStatus.QUEUED
    assert items[0].acme_order_id__source == int(order["id"])

    # 3. processing renews it with replaces = the old certificate's ARI CertID
    item = _process_until_done(acme_testapp, acme_db, items[0].id)
    assert item.status == QueueStatus.DONE, item.last_error
    renewal = acme_db(sa.select(AcmeOrder).where(AcmeOrder.id == item.acme_order_id__generated))[0]
    assert renewal.replaces == cert.ari_identifier
    assert renewal.certificate_signed_id__replaces == cert_id
    assert renewal.acme_order_id__renewal_of == int(order["id"])
    assert renewal.order_type.value == "renew_queue" and renewal.status.value == "valid"
    assert renewal.certificate_signed_id and renewal.certificate_signed_id != cert_id
    sent = acme_db(
        sa.select(AcmeEventLog.request_json).where(
            AcmeEventLog.acme_order_id == renewal.id, AcmeEventLog.acme_event == "newOrder"
        )
    )
    assert len(sent) == 1 and json.loads(sent[0])["replaces"] == cert.ari_identifier
    # the original order's newOrder sent no replaces
    first = acme_db(
        sa.select(AcmeEventLog.request_json).where(
            AcmeEventLog.acme_order_id == int(order["id"]), AcmeEventLog.acme_event == "newOrder"
        )
    )
    assert "replaces" not in json.loads(first[0])
    # the renewed certificate is newer: nothing is due any more for these names
    again = acme_testapp.post(ADMIN + "/queue-certificates/update.json").json
    new = _cert(acme_db, renewal.certificate_signed_id)
    assert [i.id for i in _queue_items(acme_db, cert_id)] == [item.id], (
        again, cert.timestamp_not_after, new.timestamp_not_after, new.timestamp_renew_after)


def test_profile_orders(acme_testapp, acme_db, ari_account):
    short = new_order(acme_testapp, ari_account, _names("short"), profile="shortlived")[
        "acme_order"
    ]
    assert short["status"] == "valid" and short["profile"] == "shortlived", short
    cert = _cert(acme_db, short["certificate_signed_id"])
    lifetime = cert.timestamp_not_after - cert.timestamp_not_before
    assert abs(lifetime - datetime.timedelta(days=6)) < datetime.timedelta(hours=1)
    sent = acme_db(
        sa.select(AcmeEventLog.request_json).where(
            AcmeEventLog.acme_order_id == int(short["id"]), AcmeEventLog.acme_event == "newOrder"
        )
    )
    assert json.loads(sent[0])["profile"] == "shortlived"
    # before any ARI answer: half the lifetime of a <= 10-day certificate
    assert cert.timestamp_renew_after == cert.timestamp_not_after - lifetime / 2

    names = _names("noprofile")
    res = new_order(acme_testapp, ari_account, names, status="4*", profile="no-such-profile")
    assert 400 <= res["status"] < 500, res
    assert res["acme_problem"]["type"].endswith(":invalidProfile"), res
    assert "ACME server" in res["error"]
    failed = acme_db(
        sa.select(AcmeOrder).where(
            AcmeOrder.acme_account_id == int(ari_account["id"]),
            AcmeOrder.profile == "no-such-profile",
        )
    )
    assert len(failed) == 1
    assert (
        failed[0].status.value == "invalid"
        and failed[0].processing_status.value == "completed_failure"
    )
    assert "invalidProfile" in failed[0].problem_json and failed[0].certificate_signed_id is None


def _make_ari_due(acme_app, a2c, cert: CertificateSigned) -> None:
    """Move the certificate's ARI window into the past and let the next update ask again."""
    now = int(time.time())
    a2c.move_window(cert.serial, now - 10 * DAY, now - 60)
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        session.execute(
            sa.update(CertificateSigned)
            .where(CertificateSigned.id == cert.id)
            .values(timestamp_ari_next_check=None)
        )


def test_renewal_keeps_the_profile(acme_testapp, acme_db, acme_app, a2c, ari_account):
    short = new_order(acme_testapp, ari_account, _names("keep"), profile="shortlived")["acme_order"]
    cert = _cert(acme_db, short["certificate_signed_id"])
    _make_ari_due(acme_app, a2c, cert)
    acme_testapp.post(ADMIN + "/queue-certificates/update.json")
    items = _queue_items(acme_db, cert.id)
    assert len(items) == 1
    item = _process_until_done(acme_testapp, acme_db, items[0].id)
    assert item.status == QueueStatus.DONE, item.last_error
    renewal = acme_db(sa.select(AcmeOrder).where(AcmeOrder.id == item.acme_order_id__generated))[0]
    assert renewal.profile == "shortlived" and renewal.replaces == cert.ari_identifier
    new_cert = _cert(acme_db, renewal.certificate_signed_id)
    lifetime = new_cert.timestamp_not_after - new_cert.timestamp_not_before
    assert abs(lifetime - datetime.timedelta(days=6)) < datetime.timedelta(hours=1)


def test_a_disabled_ari_server_does_not_break_the_queue_update(
    acme_testapp, acme_db, acme_app, a2c, ari_account, ari_server_id
):
    order = new_order(acme_testapp, ari_account, _names("off"))["acme_order"]
    cert = _cert(acme_db, order["certificate_signed_id"])
    _make_ari_due(acme_app, a2c, cert)
    factory = acme_app.registry["dbsession_factory"]
    with factory() as session, session.begin():
        session.execute(
            sa.update(AcmeServer).where(AcmeServer.id == ari_server_id).values(is_enabled=False)
        )
    try:
        res = acme_testapp.post(ADMIN + "/queue-certificates/update.json", expect_errors=True)
    finally:
        with factory() as session, session.begin():
            session.execute(
                sa.update(AcmeServer).where(AcmeServer.id == ari_server_id).values(is_enabled=True)
            )
    assert res.status_int == 200, res.text


def test_an_empty_ari_window_counts_as_no_answer(acme_testapp, acme_db, acme_app, a2c, ari_account):
    order = new_order(acme_testapp, ari_account, _names("empty"))["acme_order"]
    cert = _cert(acme_db, order["certificate_signed_id"])
    moment = int(time.time()) + 10 * DAY
    a2c.move_window(cert.serial, moment, moment)  # acme2certifier answers start == end
    acme_testapp.post(ADMIN + "/queue-certificates/update.json")
    checks = acme_db(
        sa.select(AriCheck).where(AriCheck.certificate_signed_id == cert.id).order_by(AriCheck.id)
    )
    assert len(checks) == 1
    assert checks[0].is_success is False, (
        checks[0].suggested_window_start,
        checks[0].suggested_window_end,
    )
