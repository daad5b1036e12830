"""Case 5: the app process SIGKILLed between finalize and download, and between the download
and its commit.

The ORDER request runs in a child process (waitress, built by ``peter_sslers.main``) that
kills itself at the chosen point; HTTP-01 is answered by a long-lived in-process app on the
same database. A fresh app then runs sync + advance: the order completes, no order was
made twice, and the certificate matches the private key stored before finalize was sent.
"""

from __future__ import annotations

import signal

import pytest
import requests
import sqlalchemy as sa
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from peter_sslers.model import CertificateSigned

from .conftest import ADMIN, KILL_POINTS


def _spki(pem: str, private: bool) -> bytes:
    if private:
        public = serialization.load_pem_private_key(pem.encode(), password=None).public_key()
    else:
        public = x509.load_pem_x509_certificate(pem.encode()).public_key()
    return public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_killed_mid_order_then_sync_and_advance_complete_it(lab, lab_pebble, names, killable_app, kill_at, record):
    http01 = lab.app(lab_pebble.directory_url, lab_pebble.ca_bundle)  # serves the challenges, stays up
    account = http01.new_account()
    child = killable_app(http01.settings, kill_at)
    session = requests.Session()
    session.trust_env = False
    with pytest.raises(requests.ConnectionError):  # the process dies with the request in flight
        session.post(child.url + ADMIN + "/acme-order/new.json",
                     {"acme_account_id": account["id"], "domain_names_http01": names(1)[0]}, timeout=120)  # fmt: skip
    assert child.wait() == -signal.SIGKILL

    fresh = lab.app(lab_pebble.directory_url, lab_pebble.ca_bundle, database=http01.database_url)
    [order] = fresh.orders(account["id"])
    # finalize's work is committed; the download (or its commit) never happened
    assert order["status"] == "valid" and order["processing_status"] == "finalized"
    assert order["private_key_id"] and order["certificate_request_id"] and order["certificate_url"]
    assert order["certificate_signed_id"] is None and order["next_step"] == "download"
    assert fresh.action(order["id"], "sync")["acme_order"]["next_step"] == "download"
    done = fresh.action(order["id"], "advance")
    assert done["step"] == "download"
    cert_id = done["acme_order"]["certificate_signed_id"]
    assert cert_id and done["acme_order"]["private_key_id"] == order["private_key_id"]

    assert fresh.order_count(account["id"]) == 1  # no duplicate order
    certs = fresh.read(sa.select(CertificateSigned.id).where(
        CertificateSigned.unique_fqdn_set_id == int(order["unique_fqdn_set_id"])))  # fmt: skip
    assert certs == [int(cert_id)]  # and no duplicate certificate
    config = fresh.get(f"/certificate-signed/{cert_id}/config.json")
    assert config["private_key"]["id"] == order["private_key_id"]
    assert _spki(config["certificate"]["pem"], False) == _spki(config["private_key"]["pem"], True)
    record("5 SIGKILL mid-order", f"order request in a waitress child process, SIGKILL at {kill_at}",
           "client: connection reset; row finalized with key+CSR; fresh app sync+advance -> valid; "
           "1 order, 1 certificate, certificate matches the stored key", orders=1, certificates=len(certs))  # fmt: skip
