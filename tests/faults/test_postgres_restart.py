"""Case 7: PostgreSQL restarted (same data dir, same port) while clients read config.json.

Two live apps on the same database take the load: one with the settings as shipped, one
with ``sqlalchemy.pool_pre_ping = true``. During the outage requests fail (recorded as
they are); once the server accepts connections again, every answer must be correct without
anyone restarting the app.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
import webtest

from peter_sslers import main
from peter_sslers.scripts.initializedb import initialize
from tests import pki as pki_module
from tests.conftest import TEST_HOST, TEST_INI, database_kind, settings_for
from tests.services.live_app import LiveServer

from .conftest import ADMIN, ConfigReaders, restartable_postgres

pytestmark = pytest.mark.skipif(
    database_kind() != "postgresql",
    reason="a PostgreSQL restart needs PETER_SSLERS_TEST_DB=postgresql (SQLite has no server to restart)",
)
NAMES = [f"pg{i}.restart.example.test" for i in range(4)]


@pytest.fixture(scope="module")
def restarting():
    """(cluster, database URL, {name: certificate PEM}) on a cluster of this module's own."""
    cluster = restartable_postgres()
    try:
        url = cluster.create_database("faults_restart")
        initialize(TEST_INI, settings_for(url))
        app = webtest.TestApp(main({}, **settings_for(url)), extra_environ={"HTTP_HOST": TEST_HOST})
        pki = pki_module.make_pki()
        expected = {}
        for name in NAMES:
            leaf = pki_module.make_leaf([name], pki.intermediate)
            files = [("certificate_file", "cert.pem", leaf.pem.encode()),
                     ("private_key_file", "privkey.pem", leaf.key_pem.encode()),
                     ("chain_file", "chain.pem", pki.intermediate.pem.encode())]  # fmt: skip
            app.post(ADMIN + "/certificate-signed/upload.json", upload_files=files)
            expected[name] = leaf.pem
        app.app.registry["db_engine"].dispose()
        yield cluster, url, expected
    finally:
        cluster.stop()


def _phases(samples, stopped_at: float, up_at: float) -> dict[str, Counter]:
    """Counts of answers (status, correct) before the stop, overlapping the outage, and started after it."""
    phases = {"before": Counter(), "outage": Counter(), "after": Counter()}
    for started, ended, status, correct in samples:
        phase = "before" if ended < stopped_at else ("after" if started > up_at else "outage")
        phases[phase][f"{status}{'' if correct or status != 200 else ' wrong'}"] += 1
    return phases


def restart_under_load(cluster, url, expected, *, idle: bool = False, downtime: float = 2.0, settle: float = 3.0):
    """Serve two apps, load them, restart PostgreSQL; per app: the answers by phase.

    ``idle``: the clients pause while PostgreSQL restarts (the pools keep their old
    connections), and resume once it accepts connections again.
    """
    variants = {"as shipped": {}, "pool_pre_ping": {"sqlalchemy.pool_pre_ping": "true"}}
    servers, readers, samples = {}, {}, {label: [] for label in variants}
    for label, overrides in variants.items():
        servers[label] = LiveServer(main({}, **settings_for(url, **overrides)), threads=8).start()
        readers[label] = ConfigReaders(servers[label].url, expected, threads=3, timeout=10).start()
    try:
        time.sleep(1.0)
        if idle:
            for label, reader in readers.items():
                samples[label] += reader.stop()
        stopped_at = time.monotonic()
        cluster.stop_server()
        time.sleep(downtime)
        cluster.start_server()
        up_at = time.monotonic()
        if idle:
            readers = {label: ConfigReaders(servers[label].url, expected, threads=3).start() for label in variants}
        time.sleep(settle)
    finally:
        for label, reader in readers.items():
            samples[label] += reader.stop()
        for server in servers.values():
            server.stop()
    return {label: _phases(rows, stopped_at, up_at) for label, rows in samples.items()}, up_at - stopped_at


def _record(record, phases, outage: float, idle: bool) -> None:
    clients = "paused during the restart" if idle else "reading throughout"
    for label, counts in phases.items():
        record("7 PostgreSQL restart", f"app {label}: config.json x3 clients ({clients}), fast shutdown, "
               f"{outage:.1f} s down", "answers by phase: " + "; ".join(f"{p}: {dict(c)}" for p, c in counts.items()),
               **{f"{p}_{k}": v for p, c in counts.items() for k, v in c.items()})  # fmt: skip


def test_config_json_through_a_postgresql_restart(restarting, record):
    cluster, url, expected = restarting
    phases, outage = restart_under_load(cluster, url, expected)
    _record(record, phases, outage, idle=False)
    for label, counts in phases.items():
        assert set(counts["before"]) == {"200"}, (label, counts)
        assert counts["after"]["200"] > 20, (label, counts)
    assert set(phases["pool_pre_ping"]["after"]) == {"200"}, phases["pool_pre_ping"]
    # only 500s (the JSON error body), never a hang or a wrong answer, during the outage
    for counts in phases.values():
        assert set(counts["outage"]) <= {"200", "500"}, counts


def test_as_shipped_every_answer_after_the_restart_is_correct(restarting, record):
    cluster, url, expected = restarting
    phases, outage = restart_under_load(cluster, url, expected, idle=True)
    _record(record, phases, outage, idle=True)
    assert set(phases["pool_pre_ping"]["after"]) == {"200"}, phases["pool_pre_ping"]
    assert set(phases["as shipped"]["after"]) == {"200"}, phases["as shipped"]
