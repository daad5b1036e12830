"""Several worker processes claim renewal-queue items at once: each item goes to exactly one.

The claim is what makes renewals safe across processes and machines (FOR UPDATE SKIP LOCKED
on PostgreSQL, a compare-and-set UPDATE on SQLite); the ACME side of processing is covered
by tests/acme/test_automation.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import sqlalchemy as sa
from sqlalchemy.orm import Session

from peter_sslers.model import QueueCertificate, get_engine
from peter_sslers.scripts.initializedb import initialize
from tests import factories
from tests.conftest import TEST_INI, settings_for

WORKER = r"""
import datetime, json, sys, time
from sqlalchemy.orm import Session
from peter_sslers.model import get_engine, writer_bind
from peter_sslers.lib.acme.queues import claim_certificate_items

engine = get_engine({"sqlalchemy.url": sys.argv[1]})
claimed = []
while True:
    with Session(bind=writer_bind(engine), expire_on_commit=False) as session:
        items = claim_certificate_items(session, 1, datetime.datetime.now(datetime.timezone.utc), sys.argv[2])
        session.commit()
        if not items:
            break
        claimed.extend(item.id for item in items)
    time.sleep(0.02)  # the renewal itself would take this long (and much longer)
print(json.dumps(claimed))
"""


def test_two_workers_never_claim_the_same_item(make_database_url, tmp_path):
    url = make_database_url("workers")
    initialize(TEST_INI, settings_for(url))
    engine = get_engine({"sqlalchemy.url": url})
    with Session(bind=engine) as session:
        for _ in range(100):
            fqdn_set = factories.unique_fqdn_set(session)
            session.add(QueueCertificate(unique_fqdn_set_id=fqdn_set.id))
        session.commit()
        expected = set(session.execute(sa.select(QueueCertificate.id)).scalars())
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    workers = [
        subprocess.Popen([sys.executable, str(script), url, f"worker-{n}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for n in range(2)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    first, second = (set(r) for r in results)
    assert not first & second, "an item was claimed twice"
    assert first | second == expected
    assert first and second, "both workers should have had work (they ran concurrently)"
    with Session(bind=engine) as session:
        owners = dict(session.execute(sa.select(QueueCertificate.id, QueueCertificate.claimed_by)).all())
    assert {owners[i] for i in first} == {"worker-0"} and {owners[i] for i in second} == {"worker-1"}
    engine.dispose()
