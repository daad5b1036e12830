"""The console script against the real Pebble: ``order new``, ``queue update``, ``renew-due``.

The CLI shares the live app's database, and the live app answers Pebble's HTTP-01 requests:
the CLI's checkpoints commit each challenge before Pebble asks for it.
"""

from __future__ import annotations

import datetime
import json

import sqlalchemy as sa

from peter_sslers.model import AcmeEventLog, CertificateSigned, QueueCertificate
from peter_sslers.model.enums import QueueStatus
from peter_sslers.model.meta import utcnow
from tests.cli.conftest import Cli, run_here, write_ini

ACME_KEYS = ("sqlalchemy.url", "certificate_authority", "certificate_authority_directory",
             "certificate_authority_ca_bundle")  # fmt: skip


def test_order_new_then_renew_due(
    acme_settings, acme_app, new_account, order_names, acme_db, tmp_path
):
    cli = Cli(write_ini(tmp_path / "acme.ini", {key: acme_settings[key] for key in ACME_KEYS}))
    account = new_account()
    names = order_names(2, prefix="cli")
    data = cli.json("order", "new", "--account", account["id"], "--domains", ",".join(names))
    order = data["acme_order"]
    assert data["result"] == "success" and order["status"] == "valid", data
    assert order["steps"] == ["submit", "complete_challenges", "finalize", "download"]
    assert order["domain_names"] == sorted(names) and order["certificate_signed_id"]
    events = acme_db(
        sa.select(AcmeEventLog.acme_event).where(AcmeEventLog.acme_order_id == int(order["id"]))
    )
    assert any("newOrder" in e for e in events) and any("finalize" in e for e in events)

    cert_id = int(order["certificate_signed_id"])
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        session.execute(sa.update(CertificateSigned).where(CertificateSigned.id == cert_id)
                        .values(timestamp_renew_after=utcnow() - datetime.timedelta(minutes=1)))  # fmt: skip
    queued = cli.json("queue", "update", "--no-ari")
    assert queued["result"] == "success" and queued["queued"] >= 1
    renewed = cli.json("renew-due", "--no-ari")
    assert renewed["operation"] == "renew-due" and renewed["processed"] >= 1
    (item,) = acme_db(
        sa.select(QueueCertificate).where(QueueCertificate.certificate_signed_id == cert_id)
    )
    assert item.status == QueueStatus.DONE
    mine = next(r for r in renewed["items"] if r["id"] == str(item.id))
    assert mine["result"] == "success" and int(mine["certificate_signed_id"]) != cert_id
    (new_cert,) = acme_db(
        sa.select(CertificateSigned).where(
            CertificateSigned.id == int(mine["certificate_signed_id"])
        )
    )
    (old_cert,) = acme_db(sa.select(CertificateSigned).where(CertificateSigned.id == cert_id))
    assert new_cert.unique_fqdn_set_id == old_cert.unique_fqdn_set_id
    assert new_cert.timestamp_not_after >= old_cert.timestamp_not_after


def test_order_new_refuses_bad_input(acme_settings, acme_app, tmp_path):
    cli = Cli(write_ini(tmp_path / "acme.ini", {key: acme_settings[key] for key in ACME_KEYS}))
    code, out, _ = run_here(
        cli, "order", "new", "--account", "999999", "--domains", "a.example.test", "--json"
    )
    assert code == 1 and json.loads(out) == {
        "result": "error", "error": "no AcmeAccount with id 999999", "form_errors": {},
    }  # fmt: skip
    code, _, err = run_here(
        cli, "order", "new", "--account", "1", "--domains", "a.example.test", "--strategy", "x"
    )
    assert code == 1 and "invalid --strategy" in err and "process_single" in err
