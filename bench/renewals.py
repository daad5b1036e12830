"""Renewal-queue benchmark: ``update_queue`` over 100k certificates, and renewals per second
against a real Pebble with 1, 2 and 4 worker processes.  Prints a table; not a test.

Run: ``PYTHONWARNINGS=ignore .venv/bin/python bench/renewals.py [--certs 100000] [--renewals 50]
[--workers 1,2,4] [--explain] [--skip-update] [--skip-workers]``

(a) **update_queue.** A fresh database (SQLite, and PostgreSQL when /usr/lib/postgresql has a
    server: a throwaway cluster from tests/services/postgresql.py) gets ``--certs`` certificate
    rows bulk-inserted with Core executemany (placeholder PEM text), each with its domain, name
    set, link row and AcmeOrder.  10% of the rows are older certificates superseded by a newer one
    of the same set; half of all rows are past their renew-after time; one order in 50 does not
    auto-renew.  ``update_queue(dbsession, env, ari=False)`` is timed (each call rolled back, so
    each starts from the same rows) in these states: the first call, that queues every due
    certificate, on fresh tables (never vacuumed nor analyzed); on PostgreSQL also with the queue
    table vacuumed while empty (what autovacuum leaves after the queue was emptied); after ANALYZE;
    and the steady state (all due certificates queued already, by an untimed call).  Autovacuum is
    off for the benchmark tables so the states stay put.  Target (BENCHMARKS.md): < 2 s per call.
    Over target, or with ``--explain``, the plans are printed: on PostgreSQL those of the timed
    statements themselves (auto_explain, actual rows, no per-node timing), on SQLite EXPLAIN QUERY
    PLAN.  Finding: the INSERT ... SELECT anti-joins queue_certificate, the table it inserts into;
    when the planner believes that table is empty it picks a nested loop with a sequential scan of
    queue_certificate per candidate row, and the rows the statement inserts (invisible to it, but
    scanned) make it quadratic; ``update_queue`` now plans that statement without nested loops.
    One call queues at most ``renewal.queue_per_update`` (``--queue-per-update`` changes it).

(b) **Renewals against Pebble** (PEBBLE_VA_NOSLEEP=1, nonce_reject=0, authz_reuse=0).  The app is
    served by waitress in a thread on Pebble's httpPort (HTTP-01 goes Pebble -> the app's public
    route).  ``--renewals`` certificates are issued once; then, for each worker count, every
    current certificate is made due, ``update_queue`` queues them, and N worker processes (each:
    its own engine and session, ``queues.process_certificates(limit=1)`` in a loop, a checkpoint
    that commits) renew them all.  Workers import and connect first; the clock starts at "go".
    PostgreSQL when available, else SQLite.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench._common import TEST_INI, app_settings, machine_header  # noqa: E402

UTC = datetime.timezone.utc
TARGET_UPDATE_S = 2.0
#: room for 1 + 3 renewals per name set and a few hundred orders per account
SETTINGS_OVERRIDES = {
    "ratelimit.duplicate_certificates_per_week": "1000",
    "ratelimit.orders_per_account_3h": "100000",
}
BATCH = 10_000
INITIAL_THREADS = 4  # the first issuance of the certificates to renew (setup, not measured)


# --- helpers ------------------------------------------------------------------------------------


def settings_for(url: str) -> dict:
    settings = app_settings(url)
    settings.update(SETTINGS_OVERRIDES)
    return settings


def configure_process(settings: dict):
    """What the app's ``configure`` sets up process-wide (encryption, crypto backend)."""
    from peter_sslers.lib import cert_utils
    from peter_sslers.model import encryption
    from peter_sslers.settings import parse_settings

    parsed = parse_settings(dict(settings))
    keys = parsed.encryption_key or os.environ.get("PETER_SSLERS_ENCRYPTION_KEY", "")
    encryption.configure([k for k in keys.split(",") if k.strip()])
    cert_utils.configure(
        backend=parsed.crypto_backend,
        openssl_path=parsed.openssl_path,
        openssl_path_conf=parsed.openssl_path_conf,
    )
    return parsed


def new_database(kind: str, pg, name: str, tmp: Path) -> str:
    from peter_sslers.scripts.initializedb import initialize

    if kind == "postgresql":
        url = pg.create_database(f"{name}_{secrets.token_hex(3)}")
    else:
        url = f"sqlite:///{tmp / name}.sqlite"
    initialize(TEST_INI, settings_for(url))
    return url


class StatementTimer:
    """Per-statement wall time of everything an engine runs while ``on``."""

    def __init__(self, engine: sa.Engine):
        self.on = False
        self.rows: list[tuple[str, object, float]] = []
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_t0"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.rows.append(
                (
                    statement,
                    parameters,
                    time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter()),
                )
            )

    def take(self) -> list[tuple[str, object, float]]:
        rows, self.rows = self.rows, []
        return rows


def short_sql(statement: str, width: int = 70) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= width else text[: width - 3] + "..."


# --- (a) update_queue over N certificates ---------------------------------------------------------


def fill(engine: sa.Engine, count: int) -> dict:
    """Bulk-insert ``count`` certificates (10% superseded), their sets, links and orders."""
    from sqlalchemy.orm import Session

    from peter_sslers.model import (
        AcmeAccount,
        AcmeOrder,
        AcmeServer,
        CertificateSigned,
        Domain,
        PrivateKey,
        UniqueFQDNSet,
        UniqueFQDNSet2Domain,
    )
    from peter_sslers.model.enums import (
        AcmeOrderStatus,
        AcmeOrderType,
        CertificateSource,
        KeyTechnology,
        PrivateKeyCycle,
        PrivateKeySource,
        ProcessingStatus,
        ProcessingStrategy,
    )
    from peter_sslers.model.meta import utcnow

    now = utcnow().replace(microsecond=0)
    with Session(bind=engine) as session, session.begin():
        server = session.execute(sa.select(AcmeServer).limit(1)).scalar_one_or_none()
        if server is None:
            server = AcmeServer(
                name="bench", directory_url="https://bench.invalid/dir", server="bench.invalid"
            )
            session.add(server)
            session.flush()
        account = AcmeAccount(
            acme_server_id=server.id,
            account_url="https://bench.invalid/acct/1",
            contact="bench@example.com",
        )
        key = PrivateKey(
            key_pem="placeholder",
            key_pem_md5="0" * 32,
            spki_sha256="f" * 64,
            key_technology=KeyTechnology.EC_P256,
            source=PrivateKeySource.IMPORTED,
        )
        session.add_all([account, key])
        session.flush()
        account_id, key_id = account.id, key.id
        base = {
            t: (session.execute(sa.select(sa.func.coalesce(sa.func.max(m.id), 0))).scalar_one())
            for t, m in (
                ("domain", Domain),
                ("set", UniqueFQDNSet),
                ("cert", CertificateSigned),
                ("order", AcmeOrder),
            )
        }

    superseded = count // 10
    sets = count - superseded
    expected = 0
    tables = {
        "domain": Domain.__table__,
        "set": UniqueFQDNSet.__table__,
        "link": UniqueFQDNSet2Domain.__table__,
        "cert": CertificateSigned.__table__,
        "order": AcmeOrder.__table__,
    }
    started = time.perf_counter()

    def cert_row(cert_id: int, set_id: int, index: int, *, old: bool) -> dict:
        age = datetime.timedelta(days=index % 60, minutes=index % 1440)
        not_before = now - age - (datetime.timedelta(days=90) if old else datetime.timedelta(0))
        not_after = not_before + datetime.timedelta(days=90)
        due = old or index % 2 == 0  # old ones are due, but superseded
        renew = (
            (now - datetime.timedelta(minutes=1 + index % 600))
            if due
            else (now + datetime.timedelta(days=1 + index % 30))
        )
        return {
            "id": cert_id,
            "cert_pem": "-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----\n",
            "fingerprint_sha1": f"{cert_id:040x}",
            "fingerprint_sha256": f"{cert_id:064x}",
            "spki_sha256": "f" * 64,
            "serial": f"{cert_id:x}",
            "cert_subject": f"CN=r{index}.bench.example",
            "cert_issuer": "CN=Bench E1",
            "authority_key_identifier": None,
            "ari_identifier": None,
            "key_technology": KeyTechnology.EC_P256,
            "timestamp_not_before": not_before,
            "timestamp_not_after": not_after,
            "is_single_domain": True,
            "is_active": True,
            "is_deactivated": False,
            "is_revoked": False,
            "is_compromised_private_key": False,
            "source": CertificateSource.ACME_ORDER,
            "private_key_id": key_id,
            "certificate_request_id": None,
            "unique_fqdn_set_id": set_id,
            "timestamp_renew_after": renew,
            "timestamp_ari_next_check": None,
            "timestamp_revoked_upstream": None,
            "timestamp_created": now,
        }

    def order_row(order_id: int, cert_id: int, set_id: int, index: int) -> dict:
        return {
            "id": order_id,
            "status": AcmeOrderStatus.VALID,
            "order_type": AcmeOrderType.NEW,
            "processing_strategy": ProcessingStrategy.PROCESS_SINGLE,
            "processing_status": ProcessingStatus.CERTIFICATE_DOWNLOADED,
            "order_url": f"https://bench.invalid/order/{order_id}",
            "is_auto_renew": index % 50 != 7,
            "acme_account_id": account_id,
            "unique_fqdn_set_id": set_id,
            "private_key_id": key_id,
            "private_key_cycle": PrivateKeyCycle.SINGLE_CERTIFICATE,
            "private_key_technology": KeyTechnology.EC_P256,
            "certificate_signed_id": cert_id,
            "timestamp_created": now,
        }

    # Core executemany on untyped copies of the tables: the ORM tables' TZDateTime and enum
    # types cost more per row than the database does; store what they would (naive UTC, values)
    light = {
        name: sa.table(table.name, *(sa.column(c.name) for c in table.columns))
        for name, table in tables.items()
    }

    def plain(row: dict) -> dict:
        return {
            k: (
                v.astimezone(UTC).replace(tzinfo=None)
                if isinstance(v, datetime.datetime)
                else v.value
                if hasattr(v, "value")
                else v
            )
            for k, v in row.items()
        }

    cert_id, order_id = base["cert"], base["order"]
    with engine.begin() as conn:
        for start in range(0, sets, BATCH):
            stop = min(start + BATCH, sets)
            rows: dict[str, list] = {k: [] for k in tables}
            for i in range(start, stop):
                domain_id, set_id = base["domain"] + i + 1, base["set"] + i + 1
                rows["domain"].append(
                    {
                        "id": domain_id,
                        "domain_name": f"r{i}.z{i % 97}.bench.example",
                        "is_active": True,
                        "timestamp_created": now,
                    }
                )
                rows["set"].append(
                    {
                        "id": set_id,
                        "domain_ids_string": str(domain_id),
                        "count_domains": 1,
                        "timestamp_created": now,
                    }
                )
                rows["link"].append({"unique_fqdn_set_id": set_id, "domain_id": domain_id})
                if i < superseded:  # an older certificate of the same set, already renewed
                    cert_id += 1
                    order_id += 1
                    rows["cert"].append(cert_row(cert_id, set_id, i, old=True))
                    rows["order"].append(order_row(order_id, cert_id, set_id, i))
                cert_id += 1
                order_id += 1
                rows["cert"].append(cert_row(cert_id, set_id, i, old=False))
                rows["order"].append(order_row(order_id, cert_id, set_id, i))
                if i % 2 == 0 and i % 50 != 7:
                    expected += 1
            for name in ("domain", "set", "link", "cert", "order"):
                conn.execute(sa.insert(light[name]), [plain(r) for r in rows[name]])
        if engine.dialect.name == "postgresql":
            for table in ("domain", "unique_fqdn_set", "certificate_signed", "acme_order"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )
    return {
        "expected": expected,
        "insert_s": time.perf_counter() - started,
        "certs": count,
        "sets": sets,
    }


def analyze(engine: sa.Engine) -> float:
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def explain(engine: sa.Engine, statements: list[tuple[str, object, float]]) -> list[str]:
    """The plans of the timed statements, run in order in one rolled-back transaction
    (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), with actual times)."""
    out = []
    prefix = (
        "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    )
    with engine.connect() as conn:
        for statement, params, elapsed in statements:
            if not statement.lstrip().upper().startswith(("INSERT", "UPDATE", "SELECT")):
                continue
            out.append(f"  -- {elapsed * 1000:.0f} ms: {short_sql(statement, 110)}")
            try:
                with conn.begin_nested():
                    rows = conn.exec_driver_sql(prefix + statement, params).all()
            except Exception as exc:  # a plan we cannot get is reported, not fatal
                out.append(f"     (no plan: {exc.__class__.__name__}: {str(exc)[:120]})")
                continue
            for row in rows:
                out.append(
                    "     "
                    + (
                        " | ".join(str(c) for c in row)
                        if engine.dialect.name == "sqlite"
                        else str(row[0])
                    )
                )
        conn.rollback()
    return out


#: tables whose statistics and vacuum state the runs control (autovacuum off for them)
BENCH_TABLES = (
    "domain",
    "unique_fqdn_set",
    "unique_fqdn_set_2_domain",
    "certificate_signed",
    "acme_order",
    "queue_certificate",
)
AUTO_EXPLAIN_MIN_MS = 300


def _autocommit(engine: sa.Engine, *statements: str) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def _auto_explain_plans(log_text: str) -> list[str]:
    """The plans auto_explain wrote to the server log, without the log-line prefixes."""
    out = []
    for line in log_text.splitlines():
        if "LOG:  duration:" in line:
            out.append("  -- " + line.split("LOG:  ", 1)[1][:150])
        elif line.startswith(("\t", " ")) and out:
            out.append("     " + line.strip()[:170])
    return out


def bench_update(
    kind: str, url: str, count: int, always_explain: bool, pg_log: Path | None
) -> dict:
    from sqlalchemy.orm import Session

    from peter_sslers.lib.acme import queues
    from peter_sslers.lib.acme.clients import AcmeEnv
    from peter_sslers.model import get_engine, get_session_factory, writer_bind

    settings = settings_for(url)
    parsed = configure_process(settings)
    engine = get_engine(settings)
    postgres = engine.dialect.name == "postgresql"
    if postgres:  # the runs below set the tables' vacuum and statistics state themselves
        _autocommit(
            engine, *(f"ALTER TABLE {t} SET (autovacuum_enabled = false)" for t in BENCH_TABLES)
        )
    filled = fill(engine, count)
    timer = StatementTimer(engine)
    factory = get_session_factory(engine)
    env = AcmeEnv.for_session_factory(parsed, factory)
    result = {"kind": kind, **filled, "runs": [], "plans": []}
    # Timed calls are rolled back, so each starts from the same rows.  States:
    # - fresh: never vacuumed nor analyzed (a new deployment before autovacuum's first pass);
    # - queue vacuumed empty: what autovacuum leaves once the queue table was emptied (PG only);
    # - after ANALYZE: statistics for every table;
    # - steady state: every due certificate already queued (an untimed call queued them).
    runs = [("first, fresh tables", [], False)]
    if postgres:
        runs.append(("first, queue vacuumed empty", ["VACUUM queue_certificate"], False))
    runs += [
        (
            "first, after ANALYZE",
            ["VACUUM queue_certificate", "ANALYZE"] if postgres else ["ANALYZE"],
            False,
        ),
        ("(queue them: not timed)", [], True),
        ("steady state", [], False),
    ]
    for label, prepare, commit_it in runs:
        started_prep = time.perf_counter()
        _autocommit(engine, *prepare)
        if "ANALYZE" in prepare:
            result["analyze_s"] = time.perf_counter() - started_prep
        log_offset = pg_log.stat().st_size if (postgres and pg_log and pg_log.exists()) else 0
        with Session(bind=writer_bind(engine), expire_on_commit=False) as session:
            if (
                postgres and pg_log
            ):  # the plans of the timed statements themselves (rows, no timing)
                for statement in (
                    "LOAD 'auto_explain'",
                    f"SET auto_explain.log_min_duration = {AUTO_EXPLAIN_MIN_MS}",
                    "SET auto_explain.log_analyze = on",
                    "SET auto_explain.log_timing = off",
                ):
                    session.execute(sa.text(statement))
            timer.on = True
            t0 = time.perf_counter()
            out = queues.update_queue(session, env, ari=False)
            more = out
            while commit_it and more["capped"]:  # untimed: queue every due certificate
                more = queues.update_queue(session, env, ari=False)
                out["queued"] += more["queued"]
            elapsed = time.perf_counter() - t0
            t1 = time.perf_counter()
            session.commit() if commit_it else session.rollback()
            commit = time.perf_counter() - t1
            timer.on = False
        statements = timer.take()
        slowest = max(statements, key=lambda s: s[2])
        result["runs"].append(
            {
                "label": label,
                "seconds": elapsed,
                "end_tx_s": commit,
                "queued": out["queued"],
                "statements": len(statements),
                "slowest": (short_sql(slowest[0], 60), slowest[2]),
            }
        )
        if (always_explain or elapsed > TARGET_UPDATE_S) and not commit_it:
            result["plans"].append(f"{kind}, {label}: {elapsed:.2f} s")
            if postgres and pg_log:
                time.sleep(0.2)  # let the server write its log
                with open(pg_log, errors="replace") as handle:
                    handle.seek(log_offset)
                    result["plans"].extend(_auto_explain_plans(handle.read()))
            else:  # SQLite: a rollback leaves the database as the call found it
                result["plans"].extend(explain(engine, statements))
    engine.dispose()
    return result


# --- (b) renewals against Pebble with N worker processes -------------------------------------------


WORKER_LOOP_LIMIT = 1  # one item per call, as prequest workers do by default


def worker_main(url: str, name: str) -> None:
    """One worker process: ready -> wait for "go" on stdin -> process until the queue is empty."""
    from peter_sslers.lib.acme import queues
    from peter_sslers.lib.acme.clients import AcmeEnv
    from peter_sslers.model import get_engine, get_session_factory, writer_bind

    settings = settings_for(url)
    parsed = configure_process(settings)
    engine = get_engine(settings)
    factory = get_session_factory(engine)
    session = factory(bind=writer_bind(engine))
    env = AcmeEnv.for_session_factory(parsed, factory, checkpoint=session.commit)
    session.execute(sa.text("SELECT 1")).all()  # connect before the clock starts
    session.commit()
    print("ready", flush=True)
    sys.stdin.readline()
    profile_path = os.environ.get("BENCH_PROFILE_WORKER")
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    done, errors = 0, []
    while True:
        out = queues.process_certificates(session, env, limit=WORKER_LOOP_LIMIT, worker=name)
        session.commit()
        env.recorder.flush()
        if not out["processed"]:
            break
        for item in out["processed"]:
            if item["result"] == "success":
                done += 1
            else:
                errors.append(item.get("error", "?")[:200])
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile_path}.{name}")
    session.close()
    engine.dispose()
    print(
        json.dumps(
            {
                "worker": name,
                "done": done,
                "errors": errors,
                "seconds": time.perf_counter() - t0,
                "cpu_s": time.process_time() - cpu0,
            }
        ),
        flush=True,
    )


class Sampler:
    """While workers run: CPU busy share (/proc/stat) and what PostgreSQL sessions wait on."""

    def __init__(self, engine: sa.Engine | None, pebble_pid: int | None = None):
        import collections
        import threading

        self.engine = engine
        self.waits: collections.Counter = collections.Counter()
        self.samples = 0
        self.cpu_busy = 0.0
        self.busy_s = 0.0
        self.pebble_pid = pebble_pid
        self.pebble_s = self.app_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _cpu() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            if self.engine is None:
                continue
            with self.engine.connect() as conn:
                rows = conn.exec_driver_sql(
                    "SELECT wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = current_database() AND state = 'active' "
                    "AND pid <> pg_backend_pid()"
                ).all()
            self.samples += 1
            for kind, event in rows:
                self.waits[f"{kind}:{event}" if kind else "on CPU"] += 1

    @staticmethod
    def _pid_cpu(pid: int | None) -> float:
        """utime + stime of a process (and its waited-for children), seconds."""
        if not pid:
            return 0.0
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> Sampler:
        self._pebble0 = self._pid_cpu(self.pebble_pid)
        self._app0 = time.process_time()
        self._cpu0 = self._cpu()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        busy, total = self._cpu()
        self.cpu_busy = (busy - self._cpu0[0]) / max(total - self._cpu0[1], 1)
        self.busy_s = (busy - self._cpu0[0]) / os.sysconf("SC_CLK_TCK")
        self.pebble_s = self._pid_cpu(self.pebble_pid) - self._pebble0
        self.app_s = (
            time.process_time() - self._app0
        )  # this process: the live app (and the sampler)

    def summary(self) -> str:
        waits = ", ".join(
            f"{k} {v / max(self.samples, 1):.2f}" for k, v in self.waits.most_common(4)
        )
        text = f"machine CPU busy {self.cpu_busy:.0%}"
        if self.engine is not None:
            text += f"; active PG queries per 0.1 s sample: {waits or 'none'}"
        return text


def bench_workers(kind: str, url: str, renewals: int, worker_counts: list[int], tmp: Path) -> dict:
    import requests
    import webtest

    from peter_sslers import main
    from peter_sslers.lib.acme import queues
    from peter_sslers.lib.acme.clients import AcmeEnv
    from peter_sslers.model import AcmeServer, CertificateSigned
    from peter_sslers.model.meta import utcnow
    from tests.conftest import TEST_HOST
    from tests.services.live_app import LiveServer
    from tests.services.pebble import PebbleOptions, PebbleStack

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" noise
    admin = "/.well-known/admin"
    settings = settings_for(url)
    app = main({}, **settings)
    live = LiveServer(app, threads=8).start()
    stack = PebbleStack(tmp / "pebble").start()
    result: dict = {"kind": kind, "renewals": renewals, "runs": []}
    try:
        pebble = stack.add_pebble(
            PebbleOptions(http_port=live.port, nonce_reject=0, authz_reuse=0, va_nosleep=True),
            name="renewals",
        )
        factory = app.registry["dbsession_factory"]
        with factory() as session, session.begin():
            row = AcmeServer(
                name="pebble-bench",
                directory_url=pebble.directory_url,
                server=f"127.0.0.1:{pebble.port}",
                ca_bundle_pem=open(pebble.ca_bundle).read(),
            )
            session.add(row)
            session.flush()
            server_id = row.id
        client = webtest.TestApp(app, extra_environ={"HTTP_HOST": TEST_HOST})
        account = client.post(
            admin + "/acme-account/new.json",
            {
                "acme_server_id": str(server_id),
                "contact": "bench@example.com",
                "tos_agreed": "1",
                "key_technology": "EC_P256",
                "private_key_technology": "EC_P256",
                "private_key_cycle": "single_certificate",
            },
        ).json["acme_account"]
        tag = secrets.token_hex(3)

        def issue(i: int) -> None:  # through the live server, so several run at once
            res = requests.post(
                live.url + admin + "/acme-order/new.json",
                data={
                    "acme_account_id": account["id"],
                    "domain_names_http01": f"rn{i}-{tag}.example.com",
                },
                headers={"Host": TEST_HOST},
                timeout=120,
            )
            assert res.status_code == 200 and res.json()["acme_order"]["status"] == "valid", (
                res.text[:500]
            )

        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(INITIAL_THREADS) as pool:
            list(pool.map(issue, range(renewals)))
        result["initial"] = {"seconds": time.perf_counter() - t0}
        engine = app.registry["db_engine"]
        env = AcmeEnv.for_session_factory(app.registry["app_settings"], factory)
        script = Path(__file__).resolve()
        for count in worker_counts:
            with factory() as session, session.begin():  # every current certificate is due now
                session.execute(
                    sa.update(CertificateSigned).values(
                        timestamp_renew_after=utcnow() - datetime.timedelta(minutes=1)
                    )
                )
            with factory() as session, session.begin():
                queued = queues.update_queue(session, env, ari=False)["queued"]
            assert queued == renewals, (queued, renewals)
            workers = [
                subprocess.Popen(
                    [sys.executable, str(script), "--worker", url, f"bench-w{count}-{n}"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=str(ROOT),
                    env={**os.environ, "PYTHONWARNINGS": "ignore"},
                )
                for n in range(count)
            ]
            for worker in workers:
                line = worker.stdout.readline()
                if line.strip() != "ready":
                    raise RuntimeError(
                        f"worker did not start: {line!r} {worker.stderr.read()[-2000:]}"
                    )
            sampler = Sampler(
                engine if engine.dialect.name == "postgresql" else None, pebble.process.pid
            )
            with sampler:
                started = time.perf_counter()
                for worker in workers:
                    worker.stdin.write("go\n")
                    worker.stdin.flush()
                reports = []
                for worker in workers:
                    out, err = worker.communicate(timeout=600)
                    if worker.returncode != 0:
                        raise RuntimeError(f"worker failed:\n{err[-3000:]}")
                    reports.append(json.loads(out.strip().splitlines()[-1]))
                wall = time.perf_counter() - started
            done = sum(r["done"] for r in reports)
            errors = [e for r in reports for e in r["errors"]]
            result["runs"].append(
                {
                    "workers": count,
                    "seconds": wall,
                    "done": done,
                    "errors": errors,
                    "per_worker": [r["done"] for r in reports],
                    "load": sampler.summary(),
                    "cpu_per_cert": {
                        "workers": sum(r["cpu_s"] for r in reports) / max(done, 1),
                        "app (HTTP-01 answers)": sampler.app_s / max(done, 1),
                        "pebble": sampler.pebble_s / max(done, 1),
                        "rest (PostgreSQL, other processes)": (
                            sampler.busy_s
                            - sampler.app_s
                            - sampler.pebble_s
                            - sum(r["cpu_s"] for r in reports)
                        )
                        / max(done, 1),
                    },
                }
            )
        engine.dispose()
    finally:
        live.stop()
        stack.stop()
    return result


# --- main -----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certs", type=int, default=100_000)
    parser.add_argument("--renewals", type=int, default=50)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument(
        "--explain", action="store_true", help="print the query plans even under target"
    )
    parser.add_argument("--skip-update", action="store_true")
    parser.add_argument("--queue-per-update", type=int, metavar="N",
                        help="renewal.queue_per_update for (a) (default: the setting's, 10000)")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("URL", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.queue_per_update:
        SETTINGS_OVERRIDES["renewal.queue_per_update"] = str(args.queue_per_update)
    if args.worker:
        worker_main(*args.worker)
        return 0

    from tests.services.postgresql import PostgresCluster, find_bin_dir

    print(machine_header())
    began = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="peter_sslers-renewals-"))
    pg = None
    bin_dir = find_bin_dir() if os.path.isdir("/usr/lib/postgresql") else None
    if bin_dir:
        pg = PostgresCluster(bin_dir)
        pg.start()
    kinds = ["sqlite"] + (["postgresql"] if pg else [])
    updates, workers = [], None
    try:
        if not args.skip_update:
            for kind in kinds:
                url = new_database(kind, pg, "update_queue", tmp)
                pg_log = pg.log_path if pg else None
                updates.append(bench_update(kind, url, args.certs, args.explain, pg_log))
        if not args.skip_workers:
            kind = "postgresql" if pg else "sqlite"
            url = new_database(kind, pg, "renewals", tmp)
            workers = bench_workers(
                kind, url, args.renewals, [int(w) for w in args.workers.split(",")], tmp
            )
    finally:
        if pg:
            pg.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)

    print()
    if updates:
        print(
            f"(a) update_queue(ari=False) over {args.certs:,} certificates; target < {TARGET_UPDATE_S:.0f} s per call"
        )
        print(
            f"{'db':<11} {'call':<24} {'seconds':>8} {'end tx':>7} {'queued':>7} {'stmts':>5}  verdict  slowest statement"
        )
        for res in updates:
            for run in res["runs"]:
                verdict = "ok" if run["seconds"] < TARGET_UPDATE_S else "SLOW"
                if "not timed" in run["label"]:  # several calls, until none is capped: no target
                    verdict = "-"
                print(
                    f"{res['kind']:<11} {run['label']:<24} {run['seconds']:>8.3f} {run['end_tx_s']:>7.3f} "
                    f"{run['queued']:>7,} {run['statements']:>5}  {verdict:<7}  "
                    f"{run['slowest'][1] * 1000:.0f} ms {run['slowest'][0]}"
                )
            first = res["runs"][1]["queued"]
            res["runs"] = [r for r in res["runs"] if not r["label"].startswith("(")]
            check = "matches" if first == res["expected"] else f"EXPECTED {res['expected']:,}"
            print(
                f"{'':<11} fill: {res['certs']:,} certs on {res['sets']:,} sets in {res['insert_s']:.1f} s "
                f"(+ANALYZE {res['analyze_s']:.1f} s); queued {first:,} {check}"
            )
        plans = [line for res in updates for line in res["plans"]]
        if plans:
            print("\nquery plans:")
            print("\n".join(plans))
    if workers:
        print(
            f"\n(b) {workers['renewals']} renewals against Pebble ({workers['kind']}); initial issuance of "
            f"{workers['renewals']} ({INITIAL_THREADS} threads, live app): {workers['initial']['seconds']:.1f} s"
        )
        print(
            f"{'workers':>7} {'seconds':>8} {'certs/s':>8} {'speed-up':>8} {'ok':>4} {'errors':>6}  per worker"
        )
        base = None
        for run in workers["runs"]:
            rate = run["done"] / run["seconds"] if run["seconds"] else 0.0
            base = base or rate
            print(
                f"{run['workers']:>7} {run['seconds']:>8.2f} {rate:>8.2f} {rate / base if base else 0:>7.2f}x "
                f"{run['done']:>4} {len(run['errors']):>6}  {run['per_worker']}"
            )
            print(f"        {run['load']}")
            shares = ", ".join(f"{k} {v:.3f}" for k, v in run["cpu_per_cert"].items())
            print(f"        CPU seconds per renewal: {shares}")
            for error in run["errors"][:3]:
                print(f"        error: {error}")
    print(f"\ntotal benchmark time: {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
