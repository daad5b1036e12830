"""What the load case of bench/reliability.py ran into, pinned down as small tests.

The load makes short-lived certificates due for renewal with ``renewal.remaining_fraction*``:
those settings once changed nothing. On PostgreSQL it also found certificates queued, and
renewed, twice by two renewal workers (now one open item per name set, by a unique index).
"""

from __future__ import annotations

import datetime
import threading

import sqlalchemy as sa
import webtest

from peter_sslers import main
from peter_sslers.lib.acme import queues
from peter_sslers.lib.acme.clients import AcmeEnv
from peter_sslers.model import CertificateSigned, QueueCertificate, writer_bind
from peter_sslers.scripts.initializedb import initialize
from tests import pki as pki_module
from tests.conftest import TEST_HOST, TEST_INI, settings_for

from .conftest import ADMIN


def test_remaining_fraction_setting_decides_when_a_certificate_is_due(make_database_url):
    url = make_database_url("faults_renewal")
    initialize(TEST_INI, settings_for(url))
    app = webtest.TestApp(main({}, **settings_for(url, **{"renewal.remaining_fraction": "0.9"})),
                          extra_environ={"HTTP_HOST": TEST_HOST})  # fmt: skip
    pki = pki_module.make_pki()
    not_before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(days=1)
    not_after = not_before + datetime.timedelta(days=90)
    leaf = pki_module.make_leaf(["due.renewal.example.test"], pki.intermediate, not_before=not_before, not_after=not_after)
    files = [("certificate_file", "cert.pem", leaf.pem.encode()), ("private_key_file", "key.pem", leaf.key_pem.encode()),
             ("chain_file", "chain.pem", pki.intermediate.pem.encode())]  # fmt: skip
    cert_id = int(app.post(ADMIN + "/certificate-signed/upload.json", upload_files=files).json["certificate_signed"]["id"])
    with app.app.registry["dbsession_factory"]() as session:
        due = session.execute(sa.select(CertificateSigned.timestamp_renew_after)
                              .where(CertificateSigned.id == cert_id)).scalar_one()  # fmt: skip
    due = due if due.tzinfo else due.replace(tzinfo=datetime.timezone.utc)
    # renew once 90 % of the lifetime remains: 9 days after not_before
    assert abs(due - (not_after - (not_after - not_before) * 0.9)) < datetime.timedelta(minutes=1), due


def test_concurrent_queue_updates_queue_a_certificate_once(make_database_url):
    url = make_database_url("faults_queue_race")
    settings = settings_for(url)
    initialize(TEST_INI, settings)
    router = main({}, **settings)
    app = webtest.TestApp(router, extra_environ={"HTTP_HOST": TEST_HOST})
    pki = pki_module.make_pki()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    # 10 days of life, 1 left: due since 4 days (renew once half of a short lifetime remains)
    leaf = pki_module.make_leaf(["race.renewal.example.test"], pki.intermediate,
                                not_before=now - datetime.timedelta(days=9), not_after=now + datetime.timedelta(days=1))  # fmt: skip
    files = [("certificate_file", "cert.pem", leaf.pem.encode()), ("private_key_file", "key.pem", leaf.key_pem.encode()),
             ("chain_file", "chain.pem", pki.intermediate.pem.encode())]  # fmt: skip
    cert_id = int(app.post(ADMIN + "/certificate-signed/upload.json", upload_files=files).json["certificate_signed"]["id"])

    factory = router.registry["dbsession_factory"]
    env = AcmeEnv.for_session_factory(router.registry["app_settings"], factory)
    first = factory(bind=writer_bind(router.registry["db_engine"]))
    done = threading.Event()

    def second_worker() -> None:  # another worker runs the same update while the first is open
        with factory(bind=writer_bind(router.registry["db_engine"])) as session, session.begin():
            queues.update_queue(session, env, ari=False)
        done.set()

    try:
        assert queues.update_queue(first, env, ari=False)["queued"] == 1
        worker = threading.Thread(target=second_worker, daemon=True)
        worker.start()
        done.wait(3)  # PostgreSQL: the 2nd commits at once; SQLite: it waits for the 1st writer
        first.commit()
        worker.join(timeout=30)
    finally:
        first.close()
    with factory() as session:
        queued = session.execute(sa.select(sa.func.count()).select_from(QueueCertificate)
                                 .where(QueueCertificate.certificate_signed_id == cert_id)).scalar_one()  # fmt: skip
    assert queued == 1
