"""One renewal-queue update queues at most ``renewal.queue_per_update`` certificates, the
earliest expiring first, and says when it stopped at that limit."""

from __future__ import annotations

import datetime
import json

import sqlalchemy as sa
import webtest

from peter_sslers import main
from peter_sslers.model import CertificateSigned, QueueCertificate
from peter_sslers.scripts.initializedb import initialize
from tests import pki as pki_module
from tests.cli.conftest import Cli, run_here, write_ini
from tests.conftest import TEST_HOST, TEST_INI, settings_for

ADMIN = "/.well-known/admin"


def _three_due(url: str) -> tuple[webtest.TestApp, dict[int, int]]:
    """An app with renewal.queue_per_update = 2 and three due certificates: {days left: id}."""
    initialize(TEST_INI, settings_for(url))
    app = webtest.TestApp(main({}, **settings_for(url, **{"renewal.queue_per_update": "2"})),
                          extra_environ={"HTTP_HOST": TEST_HOST})  # fmt: skip
    pki = pki_module.make_pki()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    ids = {}
    for days_left in (5, 1, 3):  # 90-day certificates, all past two thirds of their lifetime
        leaf = pki_module.make_leaf([f"left-{days_left}.cap.example.test"], pki.intermediate,
                                    not_before=now - datetime.timedelta(days=90 - days_left),
                                    not_after=now + datetime.timedelta(days=days_left))  # fmt: skip
        res = pki_module.upload_cert(app, leaf, pki.intermediate.pem)
        ids[days_left] = int(res.json["certificate_signed"]["id"])
    return app, ids


def test_the_command_line_updates_until_nothing_more_is_due(make_database_url, tmp_path):
    url = make_database_url("queue_cap_cli")
    _three_due(url)
    cli = Cli(write_ini(tmp_path / "cap.ini", {"sqlalchemy.url": url, "renewal.queue_per_update": "2"}))
    code, out, _ = run_here(cli, "queue", "update", "--no-ari", "--json")
    data = json.loads(out)
    assert code == 0 and (data["queued"], data["capped"], data["calls"]) == (3, False, 2), data


def test_an_update_queues_the_most_urgent_first_up_to_the_limit(make_database_url):
    app, ids = _three_due(make_database_url("queue_cap"))

    first = app.post(ADMIN + "/queue-certificates/update.json").json
    assert (first["queued"], first["capped"]) == (2, True)
    second = app.post(ADMIN + "/queue-certificates/update.json").json
    assert (second["queued"], second["capped"]) == (1, False)
    third = app.post(ADMIN + "/queue-certificates/update.json").json
    assert (third["queued"], third["capped"]) == (0, False)

    with app.app.registry["dbsession_factory"]() as session:
        order = session.execute(sa.select(QueueCertificate.certificate_signed_id)
                                .order_by(QueueCertificate.id)).scalars().all()  # fmt: skip
    assert order == [ids[1], ids[3], ids[5]]


def test_a_certificate_replaced_within_the_same_second_is_not_due(make_database_url):
    """Two certificates for the same names with the same notAfter (issued within one second):
    the later row is the current one; the earlier is never queued again."""
    url = make_database_url("queue_tie")
    initialize(TEST_INI, settings_for(url))
    app = webtest.TestApp(main({}, **settings_for(url)), extra_environ={"HTTP_HOST": TEST_HOST})
    pki = pki_module.make_pki()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    validity = {"not_before": now - datetime.timedelta(days=80), "not_after": now + datetime.timedelta(days=10)}
    old, new = (int(pki_module.upload_cert(app, pki_module.make_leaf(["tie.cap.example.test"], pki.intermediate,
                                                                     **validity), pki.intermediate.pem)
                    .json["certificate_signed"]["id"]) for _ in range(2))  # fmt: skip
    with app.app.registry["dbsession_factory"]() as session, session.begin():  # the renewal is not due yet
        session.execute(sa.update(CertificateSigned).where(CertificateSigned.id == new)
                        .values(timestamp_renew_after=now + datetime.timedelta(days=5)))  # fmt: skip
    assert old < new
    assert app.post(ADMIN + "/queue-certificates/update.json").json["queued"] == 0
