"""Renewal timing without ARI: half the lifetime for short-lived (<= 10 days) certificates,
two thirds for long-lived ones, checked through the renewal queue with a fake clock.

A second Pebble issues 6-day certificates and validates HTTP-01 against the live app (like
``test_dns01_and_keys.py::nginx_front``); the session's Pebble gives its default lifetime.
Commits are real (the database is shared): queue items opened here are cancelled afterwards.
"""

from __future__ import annotations

import datetime
import secrets

import pytest
import sqlalchemy as sa

from peter_sslers.model import AcmeServer, CertificateSigned, QueueCertificate
from peter_sslers.model.enums import QueueStatus
from tests.acme.conftest import unique_email
from tests.acme.test_orders import ADMIN, new_order
from tests.services.pebble import PebbleOptions

pytestmark = pytest.mark.usefixtures("leave_nothing_due", "nothing_else_due", "cancel_stray_queue_items")

SHORT = datetime.timedelta(days=6)
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture(scope="module")
def short_pebble(pebble_stack, acme_live, acme_app):
    """A Pebble issuing 6-day certificates, and its AcmeServer row; returns the row's id."""
    pebble = pebble_stack.add_pebble(
        PebbleOptions(
            http_port=acme_live.port,
            nonce_reject=0,
            authz_reuse=0,
            certificate_validity_period=int(SHORT.total_seconds()),
        ),
        name=f"short-lived-{secrets.token_hex(2)}",
    )
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        row = AcmeServer(
            name=f"pebble-short-{secrets.token_hex(3)}",
            directory_url=pebble.directory_url,
            server=f"127.0.0.1:{pebble.port}",
            ca_bundle_pem=open(pebble.ca_bundle).read(),
        )
        session.add(row)
        session.flush()
        return row.id



def _names() -> list[str]:
    return [f"life-{secrets.token_hex(4)}.example.test"]


def _cert(acme_db, cert_id) -> CertificateSigned:
    return acme_db(sa.select(CertificateSigned).where(CertificateSigned.id == int(cert_id)))[0]


def _queued_at(acme_app, acme_testapp, acme_db, cert_id, when: datetime.datetime) -> bool:
    """Run the queue update with the app's clock at ``when``: is the certificate queued?"""
    acme_app.registry["clock"] = lambda: when
    try:
        acme_testapp.post(ADMIN + "/queue-certificates/update.json")
    finally:
        del acme_app.registry["clock"]
    items = acme_db(
        sa.select(QueueCertificate).where(
            QueueCertificate.certificate_signed_id == int(cert_id),
            QueueCertificate.status == QueueStatus.QUEUED,
        )
    )
    return bool(items)


def test_short_lived_renews_at_half_its_lifetime(acme_testapp, acme_app, acme_db, short_pebble):
    account = acme_testapp.post(
        ADMIN + "/acme-account/new.json",
        {
            "acme_server_id": str(short_pebble),
            "contact": unique_email(),
            "tos_agreed": "1",
            "key_technology": "EC_P256",
        },
    ).json["acme_account"]
    order = new_order(acme_testapp, account, _names(), private_key_technology="EC_P256")[
        "acme_order"
    ]
    assert order["status"] == "valid", order
    cert = _cert(acme_db, order["certificate_signed_id"])
    lifetime = cert.timestamp_not_after - cert.timestamp_not_before
    assert abs(lifetime - SHORT) < MINUTE, lifetime
    renew = cert.timestamp_renew_after
    assert abs(renew - (cert.timestamp_not_before + lifetime / 2)) < datetime.timedelta(seconds=1)
    assert not _queued_at(acme_app, acme_testapp, acme_db, cert.id, renew - MINUTE)
    assert _queued_at(acme_app, acme_testapp, acme_db, cert.id, renew + MINUTE)


def test_long_lived_renews_at_two_thirds_of_its_lifetime(acme_testapp, acme_app, acme_db, account):
    order = new_order(acme_testapp, account, _names())["acme_order"]
    assert order["status"] == "valid", order
    cert = _cert(acme_db, order["certificate_signed_id"])
    lifetime = cert.timestamp_not_after - cert.timestamp_not_before
    assert lifetime > datetime.timedelta(days=10), lifetime
    renew = cert.timestamp_renew_after
    assert abs(renew - (cert.timestamp_not_before + lifetime * 2 / 3)) < datetime.timedelta(
        seconds=1
    )
    assert not _queued_at(acme_app, acme_testapp, acme_db, cert.id, renew - MINUTE)
    assert _queued_at(acme_app, acme_testapp, acme_db, cert.id, renew + MINUTE)
