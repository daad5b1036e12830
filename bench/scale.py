"""Scale benchmark on PostgreSQL (not a test): 1,000,000 domains and 200,000 certificates.

Run (full size: ~9 min on 2 shared cores, 1.5 min of it the load; ``--scale 0.01``: ~30 s):

    PYTHONWARNINGS=ignore .venv/bin/python bench/scale.py [--domains 1000000] [--certs 200000]
        [--seconds 10] [--rounds 2] [--styles 1] [--prime-floor] [--timeout 120] [--keep]
    PYTHONWARNINGS=ignore .venv/bin/python bench/scale.py --scale 0.01
    PYTHONWARNINGS=ignore .venv/bin/python bench/scale.py --reuse postgresql+psycopg://...  # a --keep DB

Setup (untimed, reported): a throwaway PostgreSQL cluster (tests/services/postgresql.py: fsync
off, otherwise stock settings, e.g. shared_buffers 128MB, work_mem 4MB), migrated and seeded by
``initialize``; the data of ``bench/scale_data.py`` (layout described there) loaded with COPY;
autovacuum off for the loaded tables, then ``VACUUM ANALYZE`` (what autovacuum leaves on a
settled database).  ``--keep`` leaves the cluster running and prints how to reuse and stop it.

Measured, in this order (read-only first; each writer is undone before the next one):

1. Dashboard: ``GET /.well-known/admin/index.json`` and the HTML page ``/.well-known/admin/``,
   in-process (webtest): the first request, the best of ``--repeat``, SQL statements per
   request (``before_cursor_execute``; PostgreSQL sends no BEGIN statement) and the slowest one.
2. ``GET /domain/{name}/config.json`` as bench/store.py measures it (its ``Server``, wrk script
   and loader are reused): the app and a bare Pyramid ``renderer="json"`` view, each under
   waitress threads=4 in a subprocess, ``wrk -t2 -c16`` with names drawn at random from all
   D domains, alternating ``--rounds`` rounds of ``--seconds`` and keeping each one's best;
   25 responses checked first.  Targets: >= 0.45x of the floor's req/s, p99 < 30 ms.
3. Redis prime: ``prime_all`` of every domain into a fresh redis-server per style (keys, used
   memory, rate; its keyset page statements run on the raw DBAPI cursor and are counted apart).
   With ``--prime-floor`` also the floor of bench/redis_prime.py (its ``run_floor``: redis-py
   pipelined writes, as many pipelines as the prime sent) of exactly the keys and values the
   prime wrote, read back from Redis untimed (this process holds them all: ~1 GB at 1M domains,
   style 1), and both results compared on a sample of 2,000 keys.  Target: <= 1.5x the floor.
4. Renewal ``update_queue(dbsession, env, ari=False)``: the first call (queues every due
   certificate; committed), then ANALYZE of queue_certificate (as autovacuum would soon do),
   then the steady-state call (nothing new to queue; rolled back).  The queue is then emptied
   and vacuumed.  Target: < 2 s per call.
5. ``update_recents`` (the update-recents command/API): every domain's recents recomputed,
   checked unchanged against the loaded values, rolled back, then ``VACUUM ANALYZE domain``.
6. ``deactivate_expired`` (it refreshes the recents first): the count is checked against
   the layout, rolled back, then the touched tables vacuumed.

Each library call runs under a watchdog: past ``--timeout`` seconds its backend is cancelled
(``pg_cancel_backend``), the call is recorded as TIMEOUT, and the plan (EXPLAIN, not run) of the
statement it was in is printed.  Every statement slower than ``--explain-ms`` gets its plan too.
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import http.client
import json
import logging
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import _common  # noqa: E402
from bench.redis_prime import TARGET as PRIME_TARGET  # noqa: E402
from bench.redis_prime import run_floor, snapshot  # noqa: E402
from bench.renewals import TARGET_UPDATE_S, configure_process, short_sql  # noqa: E402
from bench.scale_data import LOADED_TABLES, Layout, domain_name, load  # noqa: E402
from bench.store import (  # noqa: E402
    ADMIN,
    CONFIG_RATIO_TARGET,
    P99_TARGET_MS,
    WRK_SCRIPT,
    Server,
    run_python_load,
    run_wrk,
)

FULL_DOMAINS, FULL_CERTS = 1_000_000, 200_000
#: tables whose vacuum and statistics state the runs control
CONTROLLED_TABLES = (*LOADED_TABLES, "queue_certificate", "operations_event")


# -- statements and timeouts ------------------------------------------------------------------


class Recorder:
    """Every statement an engine runs while ``on``: [sql, params, executemany, seconds or None].

    A statement whose seconds stay None never finished (cancelled, or failed).
    """

    def __init__(self, engine: sa.Engine):
        self.on = False
        self.rows: list[list] = []
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            row = [statement, parameters, executemany, None, time.perf_counter()]
            self.rows.append(row)
            conn.info["scale_row"] = row

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        row = conn.info.pop("scale_row", None)
        if row is not None:
            row[3] = time.perf_counter() - row[4]

    def start(self) -> None:
        self.rows, self.on = [], True

    def stop(self) -> list[list]:
        self.on = False
        rows, self.rows = self.rows, []
        return rows


def slowest(rows: list[list]) -> tuple[str, float]:
    done = [r for r in rows if r[3] is not None]
    if not done:
        return "", 0.0
    row = max(done, key=lambda r: r[3])
    return short_sql(row[0], 60), row[3]


class Watchdog:
    """Cancels the statement running on backend ``pid`` once ``seconds`` have passed, and again
    every second until the call returns (a call between two statements is cancelled at the next)."""

    def __init__(self, engine: sa.Engine, pid: int, seconds: float):
        self.engine, self.pid, self.seconds = engine, pid, seconds
        self.fired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        if self._done.wait(self.seconds):
            return
        while not self._done.is_set():
            self.fired = True
            with self.engine.connect() as conn:
                conn.exec_driver_sql(f"SELECT pg_cancel_backend({int(self.pid)})")
                conn.commit()
            self._done.wait(1.0)

    def __enter__(self) -> Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()


def is_cancel(exc: BaseException) -> bool:
    import psycopg

    orig = getattr(exc, "orig", exc)
    return isinstance(orig, psycopg.errors.QueryCanceled)


def explain(engine: sa.Engine, rows: list[list], threshold_s: float) -> list[str]:
    """EXPLAIN (planned, not run) of each statement that was cancelled or took >= threshold."""
    out = []
    with engine.connect() as conn:
        for statement, params, many, seconds, _ in rows:
            if (
                not statement.lstrip()
                .upper()
                .startswith(("SELECT", "UPDATE", "INSERT", "DELETE", "WITH"))
            ):
                continue
            if seconds is not None and seconds < threshold_s:
                continue
            took = "CANCELLED (timeout)" if seconds is None else f"{seconds:.2f} s"
            out.append(f"  -- {took}: {' '.join(statement.split())[:2000]}")
            if many:
                out.append("     (executemany: no single plan)")
                continue
            try:
                with conn.begin():
                    plan = conn.exec_driver_sql("EXPLAIN " + statement, params).all()
                    conn.rollback()
            except Exception as exc:  # a plan we cannot get is reported, not fatal
                out.append(f"     (no plan: {exc.__class__.__name__}: {str(exc)[:160]})")
                continue
            out.extend("     " + row[0] for row in plan)
    return out


def autocommit(engine: sa.Engine, *statements: str) -> float:
    started = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    return time.perf_counter() - started


class Bench:
    """The database under test, one engine for the library calls, and what was measured."""

    def __init__(self, settings: dict, args, layout: Layout):
        from peter_sslers.model import get_engine, get_session_factory

        self.settings, self.args, self.layout = settings, args, layout
        self.engine = get_engine(settings)
        self.factory = get_session_factory(self.engine)
        self.recorder = Recorder(self.engine)
        self.plans: list[str] = []
        self.notes: list[str] = []

    def call(self, label: str, fn, *, commit: bool = False, check=None) -> dict:
        """Time ``fn(session)`` in one transaction (committed or rolled back), with the watchdog.

        ``check(session, value)`` runs after the clock stops, in the same transaction.
        """
        result: dict = {"label": label}
        with self.factory() as session:
            pid = session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            self.recorder.start()
            started = time.perf_counter()
            try:
                with Watchdog(self.engine, pid, self.args.timeout):
                    result["value"] = fn(session)
                result["seconds"] = time.perf_counter() - started
            except Exception as exc:
                if not is_cancel(exc):
                    raise
                result["seconds"] = time.perf_counter() - started
                result["timeout"] = True
                session.rollback()
            rows = self.recorder.stop()
            result["timeout"] = result.get("timeout", False)
            if not result["timeout"] and check is not None:
                result["check"] = check(session, result["value"])
            t0 = time.perf_counter()
            if commit and not result["timeout"]:
                session.commit()
            else:
                session.rollback()
            result["end_tx_s"] = time.perf_counter() - t0
        result["statements"] = len(rows)
        result["slowest"] = slowest(rows)
        plans = explain(self.engine, rows, self.args.explain_ms / 1000)
        if plans:
            state = "TIMEOUT" if result["timeout"] else f"{result['seconds']:.2f} s"
            self.plans.append(f"{label} ({state}):")
            self.plans.extend(plans)
        return result


# -- 1. dashboard --------------------------------------------------------------------------------


def in_process_app(settings: dict, timeout_s: float):
    """The real app in-process for webtest; its connections get a statement_timeout."""
    import webtest

    from peter_sslers import main

    app = main({}, **settings)
    engine = app.registry["db_engine"]

    def set_timeout(dbapi_connection, record):
        with dbapi_connection.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(timeout_s * 1000)}")
        dbapi_connection.commit()

    sa.event.listen(engine, "connect", set_timeout)
    engine.dispose()
    testapp = webtest.TestApp(
        app, extra_environ={"HTTP_HOST": "peter-sslers.example", "REMOTE_ADDR": "192.0.2.10"}
    )
    return testapp, engine


def bench_pages(bench: Bench, testapp, engine) -> list[dict]:
    recorder = Recorder(engine)
    pages = [
        ("dashboard /index.json", ADMIN + "/index.json"),
        ("dashboard HTML /", ADMIN + "/"),
        (
            "config.json, one request",
            f"{ADMIN}/domain/{domain_name(bench.layout.domains // 2)}/config.json",
        ),
    ]
    out = []
    for label, url in pages:
        times, first_rows = [], None
        for _ in range(1 + bench.args.repeat):
            recorder.start()
            started = time.perf_counter()
            response = testapp.get(url, expect_errors=True)
            times.append(time.perf_counter() - started)
            rows = recorder.stop()
            if response.status_int != 200:
                raise SystemExit(f"{url}: HTTP {response.status_int} {response.body[:300]!r}")
            if first_rows is None:
                first_rows = rows
        plans = explain(engine, first_rows, bench.args.explain_ms / 1000)
        if plans:
            bench.plans.append(f"{label} (first request {times[0]:.2f} s):")
            bench.plans.extend(plans)
        out.append({
            "label": label, "first": times[0], "best": min(times[1:]), "median": statistics.median(times[1:]),
            "statements": len(first_rows), "slowest": slowest(first_rows),
        })  # fmt: skip
    return out


# -- 2. config.json ------------------------------------------------------------------------------


def verify_config(port: int, layout: Layout, sample: int = 25) -> int:
    """25 real responses: 200, the right domain, the slot its set implies, PEMs present."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    rng = random.Random(11)
    for _ in range(sample):
        domain_id = rng.randint(1, layout.domains)
        s = bisect.bisect_right(layout.first_domain, domain_id) - 1
        name = domain_name(domain_id - 1)
        conn.request("GET", f"{ADMIN}/domain/{name}/config.json")
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"config.json for {name}: HTTP {response.status}: {body[:200]!r}")
        data = json.loads(body)
        slot = (
            "certificate_signed__latest_single"
            if layout.size[s] == 1
            else "certificate_signed__latest_multi"
        )
        cert = data[slot]
        if data["domain"]["domain_name"] != name or not cert or cert["id"] != str(layout.cert[s]):
            raise SystemExit(f"config.json for {name}: unexpected payload {body[:300]!r}")
        if not (cert["certificate"]["pem"] and cert["private_key"]["pem"] and cert["chain"]["pem"]):
            raise SystemExit(f"config.json for {name}: certificate, key or chain missing")
    conn.close()
    return sample


def bench_config(bench: Bench, workdir: Path) -> dict:
    """bench/store.py's measurement, with this layout's names and checks."""
    names_file = workdir / "names.txt"
    with open(names_file, "w") as handle:
        for index in range(bench.layout.domains):
            handle.write(domain_name(index) + "\n")
    script = workdir / "config.lua"
    script.write_text(WRK_SCRIPT)
    use_wrk = shutil.which("wrk") is not None
    names = None if use_wrk else [domain_name(i) for i in range(bench.layout.domains)]

    def run(port: int, seconds: int) -> dict:
        if use_wrk:
            return run_wrk(port, seconds, script, names_file)
        return run_python_load(port, seconds, names)

    url = bench.settings["sqlalchemy.url"]
    results: dict = {"loader": "wrk -t2 -c16" if use_wrk else "python threads (wrk missing)"}
    servers = {}
    try:
        for kind in ("floor", "app"):
            servers[kind] = Server(kind, url)
        results["verified"] = verify_config(servers["app"].port, bench.layout)
        for server in servers.values():
            run(server.port, 2)  # warm-up: imports, connection pool, caches
        for _ in range(bench.args.rounds):  # alternate; keep each one's best (shared machine)
            for kind, server in servers.items():
                out = run(server.port, bench.args.seconds)
                if kind not in results or out["rps"] > results[kind]["rps"]:
                    results[kind] = out
    finally:
        for server in servers.values():
            server.stop()
    return results


# -- 3. Redis prime ------------------------------------------------------------------------------


def written_commands(client, batches: int) -> list[list[tuple]]:
    """What the prime left in Redis, as bench/redis_prime.py's floor commands ("SET", key, value)
    / ("HSET", key, mapping), cut into as many pipelines as the prime sent (read untimed).

    (redis_prime.floor_batches reads the database instead, but only each domain's latest
    single-name certificate: most domains here are served by a multi-name one.)
    """
    keys = [key.decode() for key in client.scan_iter(count=10_000)]
    commands: list[tuple] = []
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        pipe = client.pipeline(transaction=False)
        for key in chunk:
            pipe.hgetall(key) if key.startswith(("d1:", "d2:")) else pipe.get(key)
        for key, value in zip(chunk, pipe.execute(), strict=True):
            commands.append(
                ("HSET", key, value) if isinstance(value, dict) else ("SET", key, value)
            )
    commands.sort(key=lambda command: command[0] == "HSET")  # shared strings first, as the prime
    size = max(1, -(-len(commands) // max(batches, 1)))
    return [commands[i : i + size] for i in range(0, len(commands), size)]


def bench_prime(bench: Bench, workdir: Path) -> list[dict]:
    from peter_sslers.lib.redis_prime import prime_all
    from peter_sslers.settings import parse_settings
    from tests.services.redis import RedisServer

    server = RedisServer(workdir / "redis").start()
    client = server.client(9)
    out = []
    try:
        for style in bench.args.styles.split(","):
            parsed = parse_settings(
                {**bench.settings, "redis.url": server.url(9), "redis.prime_style": style}
            )
            client.flushall()
            cpu = time.process_time()
            run = bench.call(
                f"Redis prime_all style {style}",
                lambda session, parsed=parsed: prime_all(
                    session, parsed, batch_size=bench.args.batch
                ),
            )
            run["cpu_s"] = time.process_time() - cpu
            run["style"] = style
            run["keys"] = client.dbsize()
            run["memory"] = client.info("memory")["used_memory_human"]
            if bench.args.prime_floor and not run["timeout"]:
                batches = written_commands(client, run["value"]["batches"])
                keys = client.keys("*")
                sample = random.Random(7).sample(keys, min(2000, len(keys)))
                primed = snapshot(client, sample)
                client.flushall()
                ttls = {"c": parsed.redis_timeout_cert, "p": parsed.redis_timeout_pkey,
                        "i": parsed.redis_timeout_certca, "d": parsed.redis_timeout_domain}  # fmt: skip
                run["floor_s"], run["floor_cpu_s"] = run_floor(client, batches, ttls)
                run["floor_same"] = snapshot(client, sample) == primed
                del batches, keys
            client.flushall()
            out.append(run)
    finally:
        server.stop()
    return out


# -- 4-6. writers --------------------------------------------------------------------------------

RECENTS_SUM = sa.text(
    "SELECT count(certificate_signed_id__latest_single), count(certificate_signed_id__latest_multi), "
    "coalesce(sum(certificate_signed_id__latest_single), 0), "
    "coalesce(sum(certificate_signed_id__latest_multi), 0) FROM domain"
)


def bench_renewal(bench: Bench) -> list[dict]:
    from peter_sslers.lib.acme.clients import AcmeEnv
    from peter_sslers.lib.acme.queues import update_queue

    parsed = configure_process(bench.settings)
    env = AcmeEnv.for_session_factory(parsed, bench.factory)
    expected = bench.layout.expected_due()

    def queue(session):
        return update_queue(session, env, ari=False)

    first = bench.call("renewal update_queue, first call", queue, commit=True)
    first["expected"] = expected
    analyzed = autocommit(bench.engine, "ANALYZE queue_certificate")
    steady = bench.call("renewal update_queue, steady state", queue)
    steady["expected"] = 0
    restore = autocommit(
        bench.engine, "DELETE FROM queue_certificate", "VACUUM ANALYZE queue_certificate"
    )
    bench.notes.append(
        f"renewal: ANALYZE queue_certificate between the calls {analyzed:.1f} s; "
        f"queue emptied and vacuumed after {restore:.1f} s"
    )
    return [first, steady]


def bench_recents(bench: Bench) -> dict:
    from peter_sslers.lib.db.recents import update_recents

    with bench.factory() as session:
        before = tuple(session.execute(RECENTS_SUM).one())
    run = bench.call(
        "update_recents (all domains)",
        update_recents,
        check=lambda session, value: tuple(session.execute(RECENTS_SUM).one()) == before,
    )
    run["expected"] = bench.layout.domains
    run["restore_s"] = autocommit(
        bench.engine, "VACUUM ANALYZE domain", "VACUUM ANALYZE operations_event"
    )
    return run


def bench_deactivate(bench: Bench) -> dict:
    from peter_sslers.lib.db.recents import deactivate_expired

    with bench.factory() as session:
        before = tuple(session.execute(RECENTS_SUM).one())
    run = bench.call(
        "deactivate_expired",
        deactivate_expired,
        check=lambda session, value: tuple(session.execute(RECENTS_SUM).one()) == before,
    )
    run["expected"] = bench.layout.expected_deactivated()
    run["restore_s"] = autocommit(
        bench.engine,
        "VACUUM ANALYZE domain",
        "VACUUM ANALYZE certificate_signed",
        "VACUUM ANALYZE operations_event",
    )
    return run


# -- setup ---------------------------------------------------------------------------------------


def database_header(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        version = conn.exec_driver_sql("SHOW server_version").scalar_one()
        shown = {
            name: conn.exec_driver_sql(f"SHOW {name}").scalar_one()
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "fsync", "jit")
        }
        size = conn.exec_driver_sql(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).scalar_one()
    settings = " ".join(f"{k}={v}" for k, v in shown.items())
    return f"postgresql {version} (throwaway cluster: {settings}); database size {size}"


def redis_header() -> str:
    import subprocess

    import redis

    try:
        server = subprocess.run(
            ["redis-server", "--version"], capture_output=True, text=True
        ).stdout.split()
        version = next((w.split("=", 1)[1] for w in server if w.startswith("v=")), "?")
    except OSError:
        version = "not installed"
    return (
        f"redis-server {version}; redis-py {redis.__version__} "
        f"(hiredis {'installed' if redis.utils.HIREDIS_AVAILABLE else 'not installed: pure-Python packing'})"
    )


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    return "RAM ?"


def setup_database(args, workdir: Path, pki) -> tuple[str, object, Layout, dict]:
    """A new database in a new cluster, loaded; returns (url, cluster, layout, load report)."""
    from peter_sslers.model import get_engine
    from peter_sslers.scripts.initializedb import initialize
    from tests.services.postgresql import INSTALL_HINT, PostgresCluster, find_bin_dir

    bin_dir = find_bin_dir()
    if not bin_dir:
        raise SystemExit(f"no PostgreSQL server binaries: {INSTALL_HINT}")
    cluster = PostgresCluster(bin_dir)
    cluster.start()
    try:
        url = cluster.create_database(f"scale_{secrets.token_hex(3)}")
        settings = _common.app_settings(url)
        initialize(_common.TEST_INI, settings)
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None, microsecond=0)
        layout = Layout(args.domains, args.certs, now)
        engine = get_engine(settings)
        autocommit(
            engine,
            *(f"ALTER TABLE {t} SET (autovacuum_enabled = false)" for t in CONTROLLED_TABLES),
        )
        print(f"loading {args.domains:,} domains / {args.certs:,} certificates (COPY):", flush=True)
        report = load(engine, layout, pki, log=lambda line: print(line, flush=True))
        report["vacuum_s"] = autocommit(engine, "VACUUM ANALYZE")
        engine.dispose()
    except BaseException:
        cluster.stop()
        raise
    return url, cluster, layout, report


def reuse_database(url: str) -> tuple[Layout, dict]:
    """A database an earlier ``--keep`` run loaded: its sizes give back the layout."""
    from peter_sslers.model import get_engine

    engine = get_engine(_common.app_settings(url))
    with engine.connect() as conn:
        domains = conn.exec_driver_sql("SELECT count(*) FROM domain").scalar_one()
        certs = conn.exec_driver_sql("SELECT count(*) FROM certificate_signed").scalar_one()
        loaded = conn.exec_driver_sql(
            "SELECT max(timestamp_created) FROM acme_account"
        ).scalar_one()
    vacuum_s = autocommit(engine, "VACUUM ANALYZE")  # earlier runs may have left dead rows
    engine.dispose()
    return Layout(domains, certs, loaded), {"rows": {}, "seconds": 0.0, "vacuum_s": vacuum_s}


# -- report --------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def fmt_s(run: dict) -> str:
    return f"> {run['seconds']:.0f} s TIMEOUT" if run["timeout"] else f"{run['seconds']:.3f} s"


def report(bench: Bench, pages, cfg, primes, renewals, recents, deactivate) -> None:
    layout = bench.layout
    rows: list[tuple[tuple[str, ...], str]] = []

    def add(measure, value, floor="", ratio="", target="", ok="", detail=""):
        rows.append(((measure, value, floor, ratio, target, ok), detail))

    for page in pages:
        add(page["label"], f"{page['best'] * 1000:,.1f} ms",
            detail=f"first {page['first'] * 1000:,.0f} ms, median {page['median'] * 1000:,.1f} ms; "
            f"{page['statements']} SQL statements; slowest {page['slowest'][1] * 1000:,.1f} ms: {page['slowest'][0]}")  # fmt: skip
    if cfg:
        floor, app = cfg["floor"], cfg["app"]
        ratio = app["rps"] / floor["rps"]
        add("config.json req/s", f"{app['rps']:,.0f}", f"{floor['rps']:,.0f}", f"{ratio:.2f}x",
            ">= 0.45x", verdict(ratio >= CONFIG_RATIO_TARGET))  # fmt: skip
        add("config.json p50", f"{app['p50']:.1f} ms", f"{floor['p50']:.1f} ms")
        add("config.json p99", f"{app['p99']:.1f} ms", f"{floor['p99']:.1f} ms", "", "< 30 ms",
            verdict(app["p99"] < P99_TARGET_MS))  # fmt: skip
        add("config.json errors (non-2xx/socket)", str(app["errors"]), str(floor["errors"]), "", "0",
            verdict(app["errors"] == 0))  # fmt: skip
    for run in primes:
        counts = run.get("value") or {}
        primed = counts.get("domains_primed", 0)
        floor = ratio = ok = ""
        target = "(no floor run)"
        if "floor_s" in run:
            r = run["seconds"] / run["floor_s"]
            floor, ratio, target = f"{run['floor_s']:.2f} s", f"{r:.2f}x", f"<= {PRIME_TARGET}x"
            ok = verdict(r <= PRIME_TARGET and run["floor_same"])
        rate = "" if run["timeout"] else f"{primed / run['seconds']:,.0f} domains/s; "
        same = (
            ""
            if "floor_same" not in run
            else ("; floor wrote the same keys" if run["floor_same"] else "; FLOOR KEYS DIFFER")
        )
        add(f"Redis prime_all, style {run['style']}", fmt_s(run), floor, ratio, target, ok,
            f"{rate}{primed:,} primed, {counts.get('domains_skipped', 0):,} skipped; {run['keys']:,} keys, "
            f"{run['memory']} used{same}; CPU in this process {run['cpu_s']:.1f} s; SQL: "
            f"{counts.get('batches', 0):,} keyset pages on the raw cursor + {run['statements']} statements")  # fmt: skip
    for run in renewals:
        value = run.get("value") or {}
        queued = value.get("queued")
        ok = not run["timeout"] and run["seconds"] < TARGET_UPDATE_S
        detail = "no result"
        if queued is not None:
            match = (
                "as the layout says"
                if queued == run["expected"]
                else f"EXPECTED {run['expected']:,}"
            )
            detail = (f"queued {queued:,} ({match}); {run['statements']} SQL statements; commit/rollback "
                      f"{run['end_tx_s']:.2f} s; slowest {run['slowest'][1] * 1000:,.0f} ms: {run['slowest'][0]}")  # fmt: skip
        add(run["label"], fmt_s(run), "", "", "< 2 s", verdict(ok), detail)
    for run in (recents, deactivate):
        if run is None:
            continue
        value = run.get("value")
        detail = "no result"
        if value is not None:
            match = (
                "as the layout says"
                if value == run["expected"]
                else f"EXPECTED {run['expected']:,}"
            )
            same = {True: "recents unchanged", False: "RECENTS CHANGED"}.get(
                run.get("check"), "not checked"
            )
            what = "domains updated" if run is recents else "certificates deactivated"
            detail = (f"{value:,} {what} ({match}); {same}; {run['statements']} SQL statements; slowest "
                      f"{run['slowest'][1]:.2f} s: {run['slowest'][0]}")  # fmt: skip
        detail += (
            f"; rollback {run['end_tx_s']:.1f} s, VACUUM ANALYZE after {run['restore_s']:.1f} s"
        )
        add(run["label"], fmt_s(run), "", "", "(none)", "", detail)

    print(
        f"\n== {layout.domains:,} domains, {layout.certs:,} certificates ({layout.sets:,} name sets, "
        f"{layout.superseded:,} superseded certificates); PostgreSQL; config.json load: "
        f"{cfg['loader'] + ', ' + str(cfg['verified']) + ' responses verified' if cfg else 'not run'} =="
    )
    widths = (38, 18, 10, 7, 15, 6)

    def line(cells) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(("measure", "value", "floor", "ratio", "target", "")))
    for cells, detail in rows:
        print(line(cells).rstrip())
        if detail:
            print("      " + detail)
    print(
        "Dashboard and one-request rows: best of the repeats, in-process (webtest).  config.json load: best of\n"
        "the alternating wrk rounds per server (waitress subprocesses).  Library calls: one transaction each,\n"
        "timed from the call to its return; writers are rolled back (the first renewal call is committed)."
    )
    for note in bench.notes:
        print("note: " + note)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=FULL_DOMAINS, help="domains (1000000)")
    parser.add_argument("--certs", type=int, default=FULL_CERTS, help="certificates (200000)")
    parser.add_argument(
        "--scale", type=float, help="shortcut: domains and certs times this (0.01 = 10k/2k)"
    )
    parser.add_argument(
        "--seconds", type=int, default=10, help="wrk duration per round and server (10)"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating wrk rounds per server (2)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="dashboard requests after the first (3)"
    )
    parser.add_argument("--styles", default="1", help="Redis prime styles, comma separated (1)")
    parser.add_argument("--batch", type=int, default=1000, help="prime_all batch size (1000)")
    parser.add_argument(
        "--prime-floor",
        action="store_true",
        help="also time bench/redis_prime.py's floor (reads everything into memory first)",
    )
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="cancel a library call after N s (120)"
    )
    parser.add_argument(
        "--explain-ms",
        type=float,
        default=1000.0,
        help="print the plan of every statement slower than this (1000)",
    )
    parser.add_argument(
        "--pems", type=int, default=2000, help="distinct real leaf PEMs to reuse (2000)"
    )
    parser.add_argument(
        "--skip",
        default="",
        help="comma list of parts to skip: pages,config,prime,renewal,recents,deactivate",
    )
    parser.add_argument(
        "--keep", action="store_true", help="leave the PostgreSQL cluster running, loaded"
    )
    parser.add_argument(
        "--reuse", metavar="URL", help="measure a database an earlier --keep run loaded"
    )
    args = parser.parse_args(argv)
    if args.scale:
        args.domains = max(30, round(FULL_DOMAINS * args.scale))
        args.certs = max(10, round(FULL_CERTS * args.scale))
    skip = set(filter(None, args.skip.split(",")))
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    began = time.perf_counter()
    load_avg_start = os.getloadavg()
    print(_common.machine_header())
    print(f"{memory_total()}; load average at start {load_avg_start[0]:.2f}")
    workdir = Path(tempfile.mkdtemp(prefix="peter_sslers_scale_bench_"))
    cluster = None
    try:
        pki, generated = _common.load_or_generate_pki(args.pems)
        if generated is not None:
            print(
                f"generated {args.pems:,} leaf PEMs in {generated:.1f}s (cached in {tempfile.gettempdir()})"
            )
        if args.reuse:
            url = args.reuse
            layout, loaded = reuse_database(url)
        else:
            url, cluster, layout, loaded = setup_database(args, workdir, pki)
        settings = _common.app_settings(url)
        bench = Bench(settings, args, layout)
        print(database_header(bench.engine))
        print(redis_header())
        if args.reuse:
            print(f"reused database: VACUUM ANALYZE {loaded['vacuum_s']:.1f} s")
        else:
            total_rows = sum(loaded["rows"].values())
            print(f"load: {total_rows:,} rows in {loaded['seconds']:.1f} s ({total_rows / loaded['seconds']:,.0f} rows/s), "
                  f"then VACUUM ANALYZE {loaded['vacuum_s']:.1f} s")  # fmt: skip
        pages = cfg = recents = deactivate = None
        primes, renewals = [], []
        if "pages" not in skip:
            testapp, app_engine = in_process_app(settings, args.timeout)
            pages = bench_pages(bench, testapp, app_engine)
            app_engine.dispose()
            print("[1] dashboard and one config.json request done", flush=True)
        if "config" not in skip:
            cfg = bench_config(bench, workdir)
            print("[2] config.json load done", flush=True)
        if "prime" not in skip:
            primes = bench_prime(bench, workdir)
            print("[3] Redis prime done", flush=True)
        if "renewal" not in skip:
            renewals = bench_renewal(bench)
            print("[4] renewal update done", flush=True)
        if "recents" not in skip:
            recents = bench_recents(bench)
            print("[5] update_recents done", flush=True)
        if "deactivate" not in skip:
            deactivate = bench_deactivate(bench)
            print("[6] deactivate_expired done", flush=True)
        report(bench, pages or [], cfg, primes, renewals, recents, deactivate)
        if bench.plans:
            print("\nplans (EXPLAIN, not run) of slow or cancelled statements:")
            print("\n".join(bench.plans))
        bench.engine.dispose()
    finally:
        if cluster is not None:
            if args.keep:
                print(f"\nkept: {url}\n  reuse: bench/scale.py --reuse {url}\n"
                      f"  stop:  kill -INT {cluster._popen.pid}; rm -rf {cluster.base}")  # fmt: skip
            else:
                cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load average at end {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"total {time.perf_counter() - began:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
