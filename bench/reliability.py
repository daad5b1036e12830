"""Reliability: the fault cases of tests/faults and a mixed load; writes bench/reliability.md.

    PYTHONWARNINGS=ignore .venv/bin/python bench/reliability.py [--seconds 60] [--clients 8]
        [--db auto|sqlite|postgresql] [--skip-faults] [--skip-load] [--out bench/reliability.md]

1. **Faults.** Runs ``pytest tests/faults`` on SQLite, and again on PostgreSQL when its server
   binaries are installed (the PostgreSQL restart case only runs there). Each test notes what it
   saw through the ``record`` fixture (PETER_SSLERS_RELIABILITY_LOG); outcomes come from the
   JUnit XML. An ``xfail`` row is a bug the test exposes (its reason says where).
2. **Load.** One app served by waitress (16 threads) on PostgreSQL when available (else SQLite),
   a real Pebble validating HTTP-01 against it, and ``--clients`` clients for ``--seconds``:
   half read ``/domain/{name}/config.json`` of uploaded certificates and check each answer
   (name and certificate PEM), a quarter ask autocert for new names (two clients race on the
   same sequence of names), a quarter update and process the renewal queue (Pebble issues
   20-second certificates, due for renewal after 10 s by the short-lived rule
   (``renewal.remaining_fraction_short``, 1/2), so renewals run all the time). Afterwards the
   database is checked for duplicate orders: two autocert orders for one UniqueFQDNSet, two
   successful queue renewals of one certificate, one certificate queued twice.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import logging
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import webtest  # noqa: E402

from bench._common import machine_header  # noqa: E402
from peter_sslers import main  # noqa: E402
from peter_sslers.model import AcmeOrder, QueueCertificate  # noqa: E402
from peter_sslers.model.enums import AcmeOrderType  # noqa: E402
from peter_sslers.scripts.initializedb import initialize  # noqa: E402
from tests import pki as pki_module  # noqa: E402
from tests.acme.conftest import Dispatcher  # noqa: E402
from tests.conftest import TEST_HOST, TEST_INI, settings_for  # noqa: E402
from tests.services.live_app import LiveServer  # noqa: E402
from tests.services.pebble import PebbleOptions, PebbleStack  # noqa: E402
from tests.services.postgresql import PostgresCluster, find_bin_dir  # noqa: E402

ADMIN = "/.well-known/admin"
NAME = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.example\.test")
#: Pebble's certificate lifetime in the load: due for renewal after half of it (short-lived rule)
VALIDITY = 20
CASES = {  # test module -> case label, for tests that recorded nothing (an xfail stops early)
    "test_bad_nonce": "1 badNonce 50%", "test_pebble_restart": "2 Pebble restarted",
    "test_network_faults": "3 5xx/drop/timeout", "test_rate_limited": "4 rateLimited",
    "test_process_killed": "5 SIGKILL mid-order", "test_redis_nginx_down": "6 Redis/nginx down",
    "test_postgres_restart": "7 PostgreSQL restart",
}  # fmt: skip


# --- 1. the fault suite ------------------------------------------------------------------------


def run_fault_suite(db_kind: str, workdir: Path) -> tuple[list[dict], dict[str, tuple[str, str]], float]:
    """Run tests/faults on ``db_kind``: (records, {nodeid: (outcome, message)}, seconds)."""
    log_path, xml_path = workdir / f"records-{db_kind}.jsonl", workdir / f"junit-{db_kind}.xml"
    env = {**os.environ, "PETER_SSLERS_TEST_DB": db_kind, "PETER_SSLERS_RELIABILITY_LOG": str(log_path),
           "PYTHONWARNINGS": "ignore"}  # fmt: skip
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "pytest", "tests/faults", "-q", "-p", "no:cacheprovider", f"--junitxml={xml_path}"],
        cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    records = [json.loads(line) for line in log_path.read_text().splitlines()] if log_path.exists() else []
    outcomes = {}
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        nodeid = case.get("classname", "").replace(".", "/") + ".py::" + case.get("name", "")
        outcome, message = "pass", ""
        for child in case:
            if child.tag == "skipped":
                kind = child.get("type", "")
                outcome = "xfail" if kind == "pytest.xfail" else "skip"
                message = child.get("message", "")
            elif child.tag in ("failure", "error"):
                outcome, message = "FAIL", (child.get("message") or "")[:300]
        outcomes[nodeid] = (outcome, message)
    return records, outcomes, elapsed


def fault_rows(db_kind: str, records: list[dict], outcomes: dict[str, tuple[str, str]]) -> list[list[str]]:
    rows, recorded = [], set()
    for entry in records:
        outcome, message = outcomes.get(entry["test"], ("?", ""))
        recorded.add(entry["test"])
        result = entry["observed"] if outcome == "pass" else f"**{outcome}**: {entry['observed']} ({message})"
        numbers = ", ".join(f"{k}={v}" for k, v in entry["numbers"].items())
        rows.append([entry["case"], f"{db_kind}: {entry['setup']}", result, numbers])
    for nodeid, (outcome, message) in sorted(outcomes.items()):
        if nodeid in recorded:
            continue
        module = nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        test = nodeid.split("::")[1].removeprefix("test_").replace("_", " ")
        text = {"pass": "pass", "xfail": f"**xfail** {message}", "skip": f"skipped: {message}"}.get(
            outcome, f"**{outcome}** {message}")  # fmt: skip
        rows.append([CASES.get(module, module), f"{db_kind}: {test}", text, ""])
    return sorted(rows, key=lambda row: row[0])


# --- 2. the load -----------------------------------------------------------------------------------


class Tally:
    """Thread-safe counts and latencies per endpoint."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.status: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.wrong: collections.Counter = collections.Counter()

    def add(self, endpoint: str, status: int, seconds: float, error: str | None = None) -> None:
        with self.lock:
            self.status[endpoint][status] += 1
            self.latency[endpoint].append(seconds)
            if error:  # grouped by kind: the names differ from request to request
                self.errors[endpoint][NAME.sub("NAME", error)[:90]] += 1

    def add_wrong(self, endpoint: str, what: str) -> None:
        """A 200 whose content is wrong (another domain, another certificate, no certificate)."""
        with self.lock:
            self.wrong[endpoint] += 1
            self.errors[endpoint][f"wrong answer: {what}"[:90]] += 1


class LogCounter(logging.Handler):
    """Counts the app's WARNING+ log records by logger and first line (instead of printing them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: collections.Counter = collections.Counter()

    def emit(self, record: logging.LogRecord) -> None:
        first = record.getMessage().splitlines()[0][:80]
        cause = f" ({record.exc_info[1].__class__.__name__}: {str(record.exc_info[1]).splitlines()[0][:60]})" \
            if record.exc_info and record.exc_info[1] else ""
        self.counts[f"{record.levelname} {record.name}: {first}{cause}"] += 1


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def _call(session, tally: Tally, endpoint: str, method: str, url: str, **kw):
    started = time.monotonic()
    try:
        res = session.request(method, url, timeout=180, **kw)
    except requests.RequestException as exc:
        tally.add(endpoint, 0, time.monotonic() - started, f"no answer: {type(exc).__name__}")
        return None
    error = None
    if res.status_code >= 400:
        try:
            error = f"{res.status_code} {res.json().get('error')}"
        except ValueError:
            error = f"{res.status_code} {res.text[:80]}"
    tally.add(endpoint, res.status_code, time.monotonic() - started, error)
    return res


def reader(base: str, expected: dict[str, str], tally: Tally, stop: threading.Event, seed: int) -> None:
    session, rng, names = _session(), random.Random(seed), sorted(expected)
    while not stop.is_set():
        name = rng.choice(names)
        res = _call(session, tally, "config.json", "GET", f"{base}{ADMIN}/domain/{name}/config.json")
        if res is not None and res.status_code == 200:
            payload = res.json()
            cert = payload.get("certificate_signed__latest_single") or {}
            ok = payload.get("domain", {}).get("domain_name") == name and (
                cert.get("certificate", {}).get("pem", "").strip() == expected[name].strip())  # fmt: skip
            if not ok:
                tally.add_wrong("config.json", name)


def autocert_client(base: str, tag: str, tally: Tally, stop: threading.Event, issued: dict) -> None:
    """Ask autocert for ac0-TAG, ac1-TAG, ... in turn (every autocert client walks the same sequence)."""
    session, index = _session(), 0
    while not stop.is_set():
        name = f"ac{index}-{tag}.example.test"
        index += 1
        res = _call(session, tally, "autocert", "POST", f"{base}{ADMIN}/api/domain/autocert.json",
                    data={"domain_name": name})  # fmt: skip
        if res is not None and res.status_code == 200:
            payload = res.json()
            cert = payload.get("certificate_signed__latest_single") or payload.get("certificate_signed__latest_multi")
            if payload.get("domain", {}).get("domain_name") != name or not cert:
                tally.add_wrong("autocert", name)
            else:
                with tally.lock:
                    issued.setdefault(name, set()).add(cert["id"])


def renewal_worker(base: str, tally: Tally, stop: threading.Event) -> None:
    session = _session()
    while not stop.is_set():
        _call(session, tally, "queue update", "POST", f"{base}{ADMIN}/queue-certificates/update.json",
              data={"ari": "0"})  # fmt: skip
        res = _call(session, tally, "queue process", "POST", f"{base}{ADMIN}/queue-certificates/process.json")
        if res is None or res.status_code != 200 or not res.json().get("processed"):
            stop.wait(0.3)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def seed_database(app: webtest.TestApp, count: int) -> tuple[str, dict[str, str]]:
    """The automation account (registered on Pebble), and ``count`` uploaded certificates."""
    account = app.post(ADMIN + "/acme-account/new.json",
                       {"contact": f"load-{secrets.token_hex(3)}@example.com", "tos_agreed": "1"}).json["acme_account"]  # fmt: skip
    app.post(f"{ADMIN}/acme-account/{account['id']}/mark-global-default.json")
    pki = pki_module.make_pki()
    expected = {}
    for index in range(count):
        name = f"read{index}.load.example.test"
        leaf = pki_module.make_leaf([name], pki.intermediate)
        files = [("certificate_file", "cert.pem", leaf.pem.encode()), ("private_key_file", "key.pem", leaf.key_pem.encode()),
                 ("chain_file", "chain.pem", pki.intermediate.pem.encode())]  # fmt: skip
        app.post(ADMIN + "/certificate-signed/upload.json", upload_files=files)
        expected[name] = leaf.pem
    for index in range(3):  # ACME certificates that the renewal workers will keep renewing
        app.post(ADMIN + "/acme-order/new.json",
                 {"acme_account_id": account["id"], "domain_names_http01": f"renew{index}-{secrets.token_hex(3)}.example.test"})  # fmt: skip
    return account["id"], expected


def duplicates(app) -> dict:
    engine = app.registry["db_engine"]
    with engine.connect() as conn:
        autocert = conn.execute(
            sa.select(AcmeOrder.unique_fqdn_set_id, sa.func.count()).where(AcmeOrder.order_type == AcmeOrderType.AUTOCERT)
            .group_by(AcmeOrder.unique_fqdn_set_id).having(sa.func.count() > 1)).all()  # fmt: skip
        renewals = conn.execute(
            sa.select(AcmeOrder.certificate_signed_id__replaces, sa.func.count())
            .where(AcmeOrder.order_type == AcmeOrderType.RENEW_QUEUE, AcmeOrder.certificate_signed_id.is_not(None))
            .group_by(AcmeOrder.certificate_signed_id__replaces).having(sa.func.count() > 1)).all()  # fmt: skip
        queued_twice = conn.execute(
            sa.select(QueueCertificate.certificate_signed_id, sa.func.count())
            .group_by(QueueCertificate.certificate_signed_id).having(sa.func.count() > 1)).all()  # fmt: skip
        by_type = dict(conn.execute(sa.select(AcmeOrder.order_type, sa.func.count()).group_by(AcmeOrder.order_type)).all())
        by_status = dict(conn.execute(sa.select(AcmeOrder.status, sa.func.count()).group_by(AcmeOrder.status)).all())
        queue = dict(conn.execute(sa.select(QueueCertificate.status, sa.func.count()).group_by(QueueCertificate.status)).all())
    return {"autocert_sets_ordered_twice": len(autocert), "certificates_renewed_twice": len(renewals),
            "certificates_queued_twice": len(queued_twice),
            "orders_by_type": {str(k): v for k, v in by_type.items()},
            "orders_by_status": {str(k): v for k, v in by_status.items()},
            "queue_items_by_status": {str(k): v for k, v in queue.items()}}  # fmt: skip


def run_load(seconds: float, clients: int, db_kind: str, workdir: Path) -> dict:
    stack = PebbleStack(workdir / "pebble").start()
    dispatcher = Dispatcher()
    live = LiveServer(dispatcher, threads=16).start()
    cluster = None
    try:
        pebble = stack.add_pebble(PebbleOptions(http_port=live.port, nonce_reject=0, authz_reuse=0,
                                                certificate_validity_period=VALIDITY), name="load")  # fmt: skip
        if db_kind == "postgresql":
            cluster = PostgresCluster(find_bin_dir())
            cluster.start()
            url = cluster.create_database("reliability_load")
        else:
            url = f"sqlite:///{workdir}/load.sqlite"
        settings = settings_for(url, certificate_authority="pebble", certificate_authority_directory=pebble.directory_url,
                                certificate_authority_ca_bundle=pebble.ca_bundle, **{
                                    "autocert.max_new_orders_per_hour": "1000000",
                                    "ratelimit.orders_per_account_3h": "1000000",
                                    "ratelimit.duplicate_certificates_per_week": "1000000"})  # fmt: skip
        initialize(TEST_INI, settings)
        app = main({}, **settings)
        dispatcher.target = app
        _, expected = seed_database(webtest.TestApp(app, extra_environ={"HTTP_HOST": TEST_HOST}), 12)
        tally, stop, issued, tag = Tally(), threading.Event(), {}, secrets.token_hex(3)
        logs = LogCounter()
        logging.getLogger().addHandler(logs)
        readers = max(1, clients // 2)
        autocerts = max(1, clients // 4)
        renewers = max(1, clients - readers - autocerts)
        threads = [threading.Thread(target=reader, args=(live.url, expected, tally, stop, i)) for i in range(readers)]
        threads += [threading.Thread(target=autocert_client, args=(live.url, tag, tally, stop, issued))
                    for _ in range(autocerts)]  # fmt: skip
        threads += [threading.Thread(target=renewal_worker, args=(live.url, tally, stop)) for _ in range(renewers)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=240)
        elapsed = time.monotonic() - started
        return {"db": db_kind, "seconds": round(elapsed, 1), "clients": f"{readers} readers, {autocerts} autocert, "
                f"{renewers} renewal", "tally": tally, "names_issued": len(issued),
                "names_with_two_certificates": sum(len(ids) > 1 for ids in issued.values()),
                "log": logs.counts, **duplicates(app)}  # fmt: skip
    finally:
        live.stop()
        stack.stop()
        if cluster is not None:
            cluster.stop()


def load_rows(result: dict) -> list[list[str]]:
    tally: Tally = result["tally"]
    setup = f"{result['db']}, waitress 16 threads, {result['clients']}, {result['seconds']} s"
    rows = []
    for endpoint in sorted(tally.status):
        counts, lat = tally.status[endpoint], tally.latency[endpoint]
        total = sum(counts.values())
        five = sum(v for k, v in counts.items() if k >= 500 or k == 0)
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        top = "; ".join(f"{v}x {k}" for k, v in tally.errors[endpoint].most_common(3))
        wrong = tally.wrong[endpoint]
        verdict = "ok" if five == 0 and not wrong else "**5xx or wrong answers**"
        rows.append([f"8 load: {endpoint}", setup, f"{verdict}; {statuses}" + (f"; errors: {top}" if top else ""),
                     f"requests={total}, 5xx_or_no_answer={five}, wrong={wrong}, rate={total / result['seconds']:.1f}/s, "
                     f"p50={statistics.median(lat) * 1000:.0f} ms, p99={_percentile(lat, 0.99) * 1000:.0f} ms"])  # fmt: skip
    dup = (result["autocert_sets_ordered_twice"], result["certificates_renewed_twice"], result["certificates_queued_twice"])
    rows.append(["8 load: duplicates (DB)", setup,
                 "ok: none" if not any(dup) else "**duplicates found**",
                 f"autocert_sets_ordered_twice={dup[0]}, certificates_renewed_twice={dup[1]}, "
                 f"certificates_queued_twice={dup[2]}, autocert_names_issued={result['names_issued']}, "
                 f"names_served_two_certificates={result['names_with_two_certificates']}, "
                 f"orders_by_type={result['orders_by_type']}, orders_by_status={result['orders_by_status']}, "
                 f"queue={result['queue_items_by_status']}"])  # fmt: skip
    log = result["log"]
    rows.append(["8 load: server log", setup, "no warnings" if not log else
                 "; ".join(f"{v}x {k}" for k, v in log.most_common(4)), f"warnings_and_errors={sum(log.values())}"])
    return rows


def load_notes(result: dict) -> list[str]:
    notes = ["Load: a 409 from autocert is the claim of another client on the same name ('being ordered "
             "already'): two clients walk the same names on purpose; 5xx and wrong answers are the failures."]
    if result["certificates_queued_twice"] or result["certificates_renewed_twice"]:
        notes.append(
            "Load: certificates queued and renewed twice come from concurrent renewal-queue updates (two "
            "workers), reproduced deterministically by tests/faults/test_load_findings.py::"
            "test_concurrent_queue_updates_queue_a_certificate_once (PostgreSQL; SQLite serializes writers).")
    return notes


# --- report ------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def write_report(path: Path, rows: list[list[str]], notes: list[str], bugs: list[str], args) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Reliability: faults and load",
        "",
        f"Generated by `bench/reliability.py` on {now} "
        f"(`--seconds {args.seconds:g} --clients {args.clients} --db {args.db}`).",
        "",
        "```",
        machine_header(),
        "```",
        "",
        "Result `pass` means the test's assertions held; `xfail` marks a test that exposes a bug (strict: it "
        "must fail until the bug is fixed); the reason says where the bug is.",
        "",
        "| case | setup | result | numbers |",
        "|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    lines += ["", "## Bugs exposed (strict xfail tests)", ""] + [f"- {bug}" for bug in bugs]
    lines += ["", "## Notes", ""] + [f"- {note}" for note in notes] + [""]
    path.write_text("\n".join(lines))


def main_cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="load duration (default 60)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent load clients (default 8)")
    parser.add_argument("--db", choices=("auto", "sqlite", "postgresql"), default="auto",
                        help="load database (auto: PostgreSQL when installed)")  # fmt: skip
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "reliability.md"))
    args = parser.parse_args(argv)
    have_postgres = find_bin_dir() is not None
    load_db = ("postgresql" if have_postgres else "sqlite") if args.db == "auto" else args.db
    rows, notes, bugs = [], [], {}
    with tempfile.TemporaryDirectory(prefix="peter_sslers-reliability-") as tmp:
        workdir = Path(tmp)
        if not args.skip_faults:
            for db_kind in ("sqlite", "postgresql") if have_postgres else ("sqlite",):
                records, outcomes, elapsed = run_fault_suite(db_kind, workdir)
                rows += fault_rows(db_kind, records, outcomes)
                for nodeid, (outcome, message) in outcomes.items():
                    if outcome == "xfail":
                        bugs.setdefault(f"`{nodeid}`: {message}", None)
                counts = collections.Counter(outcome for outcome, _ in outcomes.values())
                notes.append(f"tests/faults on {db_kind}: {dict(counts)} in {elapsed:.0f} s")
            if not have_postgres:
                notes.append("PostgreSQL is not installed: case 7 (restart) did not run")
        if not args.skip_load:
            print(f"load: {args.clients} clients for {args.seconds:g} s on {load_db} ...", flush=True)
            result = run_load(args.seconds, args.clients, load_db, workdir)
            rows += load_rows(result)
            notes += load_notes(result)
    write_report(Path(args.out), rows, notes, list(bugs), args)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main_cli())
