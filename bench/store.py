"""Benchmark the certificate store (not a test): import rate, config.json throughput, SQL per page.

Usage: .venv/bin/python bench/store.py [--certs 10000] [--domains 100000] [--seconds 10]
                                       [--profile N]

1. Import: N generated certificates (cached in the temp dir) through
   ``import_certificate_signed`` into a fresh SQLite database, committing every 500;
   floor: the bare ``cryptography`` parse of the same certificates.  Goal >= 1,000 certs/s.
2. ``GET /domain/{name}/config.json``: a D-domain database bulk-loaded with Core inserts,
   the real app under waitress (threads=4) vs a bare Pyramid ``renderer="json"`` view under
   the same waitress settings, loaded by ``wrk -t2 -c16`` with rotating names.
   Goal >= 0.45x of the floor's req/s and p99 < 30 ms.
3. SQL statements and time for each admin list page ``.json`` on that database (webtest).

``--profile N`` instead profiles the import of N certificates with cProfile (top 10).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import hashlib
import http.client
import json
import logging
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench import _common  # noqa: E402

ADMIN = "/.well-known/admin"
COMMIT_EVERY = 500
IMPORT_TARGET = 1000.0
CONFIG_RATIO_TARGET = 0.45
P99_TARGET_MS = 30.0


def domain_name(index: int) -> str:
    return f"d{index}.z{index % 997}.config-bench.example"


LIST_PAGES = [
    "/domains.json",
    "/unique-fqdn-sets.json",
    "/certificate-signeds.json",
    "/certificate-signeds.json?state=active",
    "/certificate-signeds.json?state=expiring",
    "/certificate-signeds.json?state=expired",
    "/certificate-signeds.json?state=inactive",
    "/certificate-requests.json",
    "/certificate-cas.json",
    "/certificate-ca-chains.json",
    "/private-keys.json",
    "/acme-accounts.json",
    "/acme-account-keys.json",
    "/index.json",
    f"/domain/{domain_name(7)}/config.json",  # for comparison: the hot path of part 2
]


class StatementCounter:
    """Counts statements sent to the database by ``engine``; with ``timed``, time per statement text."""

    def __init__(self, engine: sa.Engine, timed: bool = False):
        self.count = 0
        self.seconds: dict[str, float] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        if timed:
            event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, *args) -> None:
        self.count += 1
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, *args) -> None:
        spent = time.perf_counter() - conn.info.pop("bench_started", time.perf_counter())
        self.seconds[statement] = self.seconds.get(statement, 0.0) + spent

    def slowest(self) -> tuple[str, float]:
        """The statement text that took the most time in total, shortened, and its seconds."""
        statement, seconds = max(self.seconds.items(), key=lambda item: item[1], default=("", 0.0))
        return " ".join(statement.split())[:60], seconds


# -- 1. import ---------------------------------------------------------------------------------


def import_all(
    settings: dict, pki: _common.BenchPKI, leaves: list[str], budget: float = 1e9
) -> dict:
    """Import ``leaves`` committing every 500, stopping at a batch end once ``budget`` s are spent."""
    from peter_sslers.lib.db.certificates import import_certificate_signed
    from peter_sslers.model import CertificateSigned, get_engine, get_session_factory

    engine = get_engine(settings)
    counter = StatementCounter(engine, timed=True)
    session = get_session_factory(engine)()
    started = batch_started = time.perf_counter()
    batch_rates, done = [], 0
    for done, pem in enumerate(leaves, 1):
        import_certificate_signed(session, pem, pki.key_pem, pki.chain_pem)
        if done % COMMIT_EVERY == 0 or done == len(leaves):
            session.commit()
            now = time.perf_counter()
            batch_rates.append(((done - 1) % COMMIT_EVERY + 1) / (now - batch_started))
            batch_started = now
            if now - started > budget:
                break
    seconds = time.perf_counter() - started
    stored = session.execute(sa.select(sa.func.count()).select_from(CertificateSigned)).scalar_one()
    session.close()
    engine.dispose()
    if stored != done:
        raise SystemExit(f"import stored {stored} certificates, expected {done}")
    slowest, slowest_seconds = counter.slowest()
    return {
        "count": done,
        "seconds": seconds,
        "rate": done / seconds,
        "first_batch": batch_rates[0],
        "last_batch": batch_rates[-1],
        "statements_per_cert": counter.count / done,
        "slowest": slowest,
        "slowest_share": slowest_seconds / seconds,
    }


def bench_import(pki: _common.BenchPKI, workdir: Path, budget: float) -> dict:
    started = time.perf_counter()
    for pem in pki.leaves:
        _common.floor_parse(pem)
    floor = len(pki.leaves) / (time.perf_counter() - started)
    settings = _common.new_database(workdir, "import")
    return {
        **import_all(settings, pki, pki.leaves, budget),
        "floor": floor,
        "asked": len(pki.leaves),
    }


def profile_import(pki: _common.BenchPKI, workdir: Path, count: int) -> None:
    """cProfile the import of ``count`` certificates; print the top 10 by own and total time."""
    settings = _common.new_database(workdir, "profile")
    profiler = cProfile.Profile()
    profiler.enable()
    result = import_all(settings, pki, pki.leaves[:count])
    profiler.disable()
    print(
        f"\nprofiled import: {count} certs in {result['seconds']:.2f}s (with profiler overhead), "
        f"{result['statements_per_cert']:.1f} SQL statements per certificate; slowest statement "
        f"{result['slowest']!r}... {result['slowest_share']:.0%} of the time"
    )
    for order in ("tottime", "cumulative"):
        print(f"\n-- top 10 by {order} --")
        pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(10)


# -- 2. config.json database ----------------------------------------------------------------------


def _digest(kind: str, index: int, size: int = 64) -> str:
    return hashlib.sha256(f"{kind}{index}".encode()).hexdigest()[:size]


def _insert(conn, table, rows: list[dict], chunk: int = 20_000) -> None:
    for start in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[start : start + chunk])


def _cert_rows(pki, certs: int, keys: int, now) -> tuple[list[dict], list[int]]:
    from peter_sslers.model.enums import CertificateSource, KeyTechnology

    rows, active_ids = [], []
    for index in range(certs):
        cert_id = index + 1
        not_before = now - datetime.timedelta(days=index % 120, minutes=index % 1440)
        not_after = not_before + datetime.timedelta(days=90)
        active = not (not_after < now and index % 2 == 0)
        if active:
            active_ids.append(cert_id)
        rows.append(
            {
                "id": cert_id,
                "cert_pem": pki.leaves[index % len(pki.leaves)],
                "fingerprint_sha1": _digest("sha1-", index, 40),
                "fingerprint_sha256": _digest("sha256-", index),
                "spki_sha256": _digest("key", index % keys),
                "serial": _digest("serial", index, 32),
                "cert_subject": f"CN={domain_name(index)}",
                "cert_issuer": "CN=Store Bench E1",
                "key_technology": KeyTechnology.EC_P256,
                "timestamp_not_before": not_before,
                "timestamp_not_after": not_after,
                "is_single_domain": True,
                "is_active": active,
                "is_deactivated": not active,
                "source": CertificateSource.IMPORTED,
                "private_key_id": index % keys + 1,
                "unique_fqdn_set_id": index + 1,
                "timestamp_renew_after": not_after - datetime.timedelta(days=30),
            }
        )
    return rows, active_ids


def build_config_database(pki: _common.BenchPKI, workdir: Path, domains: int, certs: int) -> dict:
    """D domains (one single-name set each), ``certs`` certificates, one chain; Core inserts."""
    from peter_sslers import model
    from peter_sslers.model.enums import CertificateRequestSource, KeyTechnology, PrivateKeySource

    settings = _common.new_database(workdir, "config")
    now = datetime.datetime.now(datetime.timezone.utc)
    keys = max(1, certs // 10)
    cert_rows, active_ids = _cert_rows(pki, certs, keys, now)
    engine = model.get_engine(settings)
    with engine.begin() as conn:
        _insert(
            conn,
            model.CertificateCA.__table__,
            [
                {
                    "id": 1,
                    "display_name": "Store Bench E1",
                    "cert_pem": pki.chain_pem,
                    "fingerprint_sha1": _digest("ca1-", 0, 40),
                    "fingerprint_sha256": _digest("ca256-", 0),
                    "spki_sha256": _digest("caspki", 0),
                    "cert_subject": "CN=Store Bench E1",
                    "cert_issuer": "CN=Store Bench Root X1",
                    "key_technology": KeyTechnology.EC_P256,
                    "timestamp_not_before": now - datetime.timedelta(days=365),
                    "timestamp_not_after": now + datetime.timedelta(days=3650),
                }
            ],
        )
        _insert(
            conn,
            model.CertificateCAChain.__table__,
            [
                {
                    "id": 1,
                    "display_name": "Store Bench E1",
                    "chain_pem": pki.chain_pem,
                    "chain_pem_sha256": hashlib.sha256(pki.chain_pem.encode()).hexdigest(),
                    "chain_length": 1,
                    "certificate_ca_0_id": 1,
                    "certificate_ca_n_id": 1,
                }
            ],
        )
        _insert(
            conn,
            model.CertificateCAChainItem.__table__,
            [{"certificate_ca_chain_id": 1, "position": 0, "certificate_ca_id": 1}],
        )
        _insert(
            conn, model.CertificateCAPreference.__table__, [{"slot": 1, "certificate_ca_id": 1}]
        )
        _insert(
            conn,
            model.PrivateKey.__table__,
            [
                {
                    "id": k + 1,
                    "key_pem": pki.key_pem,
                    "key_pem_md5": _digest("md5", k, 32),
                    "spki_sha256": _digest("key", k),
                    "key_technology": KeyTechnology.EC_P256,
                    "source": PrivateKeySource.IMPORTED,
                }
                for k in range(keys)
            ],
        )
        _insert(
            conn,
            model.UniqueFQDNSet.__table__,
            [
                {"id": i + 1, "domain_ids_string": str(i + 1), "count_domains": 1}
                for i in range(domains)
            ],
        )
        _insert(conn, model.CertificateSigned.__table__, cert_rows)
        _insert(
            conn,
            model.CertificateSignedChain.__table__,
            [
                {
                    "certificate_signed_id": i + 1,
                    "certificate_ca_chain_id": 1,
                    "is_upstream_default": True,
                }
                for i in range(certs)
            ],
        )
        _insert(
            conn,
            model.CertificateRequest.__table__,
            [
                {
                    "csr_pem": f"-----BEGIN CERTIFICATE REQUEST-----\n{i}\n",
                    "csr_pem_sha256": _digest("csr", i),
                    "spki_sha256": _digest("key", i % keys),
                    "source": CertificateRequestSource.IMPORTED,
                    "private_key_id": i % keys + 1,
                    "unique_fqdn_set_id": i + 1,
                }
                for i in range(certs // 2)
            ],
        )
        _insert(
            conn,
            model.Domain.__table__,
            [
                {
                    "id": j + 1,
                    "domain_name": domain_name(j),
                    "certificate_signed_id__latest_single": active_ids[j % len(active_ids)],
                }
                for j in range(domains)
            ],
        )
        _insert(
            conn,
            model.UniqueFQDNSet2Domain.__table__,
            [{"unique_fqdn_set_id": j + 1, "domain_id": j + 1} for j in range(domains)],
        )
    engine.dispose()
    return settings


# -- 2. servers and load --------------------------------------------------------------------------


def floor_app():
    """A bare Pyramid app: one ``renderer="json"`` view on the same URL shape."""
    from pyramid.config import Configurator

    def view(request):
        return {"domain": {"id": "1", "domain_name": request.matchdict["domain"]}, "ok": True}

    with Configurator() as config:
        config.add_route("config", ADMIN + "/domain/{domain}/config.json")
        config.add_view(view, route_name="config", renderer="json")
    return config.make_wsgi_app()


def serve(kind: str, port: int, database_url: str) -> None:
    """Subprocess entry: serve the real app or the floor app under waitress, threads=4."""
    import waitress

    logging.basicConfig(level=logging.ERROR)
    if kind == "app":
        from peter_sslers import main

        app = main({}, **_common.app_settings(database_url))
    else:
        app = floor_app()
    waitress.serve(app, host="127.0.0.1", port=port, threads=4, _quiet=True)


class Server:
    def __init__(self, kind: str, database_url: str):
        self.port = _common.free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                kind,
                "--port",
                str(self.port),
                "--db",
                database_url,
            ],
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        _common.wait_for_port(self.port)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


WRK_SCRIPT = """
local names = {}
local prefix = "@ADMIN@/domain/"
init = function(args)
  for line in io.lines(args[1]) do names[#names + 1] = line end
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000) + #tostring({}))
end
request = function()
  return wrk.format("GET", prefix .. names[math.random(#names)] .. "/config.json")
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %.0f %.0f %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
""".replace("@ADMIN@", ADMIN)


def run_wrk(port: int, seconds: int, script: Path, names_file: Path) -> dict:
    """``wrk -t2 -c16``: req/s, p50 and p99 in ms, non-2xx and socket errors."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c16",
            f"-d{seconds}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
            "--",
            str(names_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("BENCH "))
    requests, duration_us, p50, p99, bad_status, socket_errors = (
        float(v) for v in line.split()[1:]
    )
    return {
        "rps": requests / (duration_us / 1e6),
        "p50": p50 / 1000,
        "p99": p99 / 1000,
        "errors": int(bad_status + socket_errors),
    }


def run_python_load(port: int, seconds: int, names: list[str]) -> dict:
    """Fallback when wrk is missing: 16 keep-alive threads with http.client."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            conn.request("GET", f"{ADMIN}/domain/{rng.choice(names)}/config.json")
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": errors[0],
    }


def verify_sample(port: int, names: list[str], sample: int = 25) -> int:
    """Check real responses: 200, the right domain, a non-null single-name certificate payload."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for name in random.sample(names, sample):
        conn.request("GET", f"{ADMIN}/domain/{name}/config.json")
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"config.json for {name}: HTTP {response.status}: {body[:200]!r}")
        data = json.loads(body)
        cert = data["certificate_signed__latest_single"]
        if data["domain"]["domain_name"] != name or not cert or not cert["certificate"]["pem"]:
            raise SystemExit(f"config.json for {name}: unexpected payload {body[:300]!r}")
        if not (cert["private_key"]["pem"] and cert["chain"]["pem"]):
            raise SystemExit(f"config.json for {name}: key or chain missing")
    conn.close()
    return sample


def bench_config(settings: dict, domains: int, seconds: int, rounds: int, workdir: Path) -> dict:
    names = [domain_name(j) for j in range(domains)]
    names_file = workdir / "names.txt"
    names_file.write_text("\n".join(names) + "\n")
    script = workdir / "config.lua"
    script.write_text(WRK_SCRIPT)
    use_wrk = shutil.which("wrk") is not None

    def load(port: int, duration: int) -> dict:
        if use_wrk:
            return run_wrk(port, duration, script, names_file)
        return run_python_load(port, duration, names)

    results = {"loader": "wrk -t2 -c16" if use_wrk else "python threads (wrk missing)"}
    servers = {kind: Server(kind, settings["sqlalchemy.url"]) for kind in ("floor", "app")}
    try:
        results["verified"] = verify_sample(servers["app"].port, names)
        for server in servers.values():
            load(server.port, 2)  # warm-up: imports, connection pool, SQLite page cache
        # alternate the two and keep each one's best round: the machine is shared
        for _ in range(rounds):
            for kind, server in servers.items():
                run = load(server.port, seconds)
                if kind not in results or run["rps"] > results[kind]["rps"]:
                    results[kind] = run
    finally:
        for server in servers.values():
            server.stop()
    return results


# -- 3. SQL per list page -------------------------------------------------------------------------


def bench_pages(settings: dict) -> list[tuple[str, int, float]]:
    """(page, statements, best ms of 3) for each admin list page."""
    import webtest

    from peter_sslers import main

    app = main({}, **settings)
    counter = StatementCounter(app.registry["db_engine"])
    testapp = webtest.TestApp(
        app, extra_environ={"HTTP_HOST": "peter-sslers.example", "REMOTE_ADDR": "192.0.2.10"}
    )
    rows = []
    for page in LIST_PAGES:
        best = float("inf")
        for _ in range(3):
            counter.count = 0
            started = time.perf_counter()
            testapp.get(ADMIN + page, status=200)
            best = min(best, time.perf_counter() - started)
        rows.append((page, counter.count, best * 1000))
    app.registry["db_engine"].dispose()
    return rows


# -- report ---------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def report(imp: dict, cfg: dict, pages: list, domains: int, certs: int) -> None:
    floor, app = cfg["floor"], cfg["app"]
    ratio = app["rps"] / floor["rps"]
    rows = [
        (
            "import_certificate_signed (certs/s)",
            f"{imp['rate']:,.0f}",
            f"{imp['floor']:,.0f}",
            f"{imp['rate'] / imp['floor']:.3f}x",
            ">= 1,000/s",
            verdict(imp["rate"] >= IMPORT_TARGET),
        ),
        (
            "  first / last 500-cert batch (certs/s)",
            f"{imp['first_batch']:,.0f} / {imp['last_batch']:,.0f}",
            "",
            "",
            "",
            "",
        ),
        ("  SQL statements per imported cert", f"{imp['statements_per_cert']:.1f}", "", "", "", ""),
        (
            "  share of import time in the slowest SQL (*)",
            f"{imp['slowest_share']:.0%}",
            "",
            "",
            "",
            "",
        ),
        (
            "config.json req/s",
            f"{app['rps']:,.0f}",
            f"{floor['rps']:,.0f}",
            f"{ratio:.2f}x",
            ">= 0.45x",
            verdict(ratio >= CONFIG_RATIO_TARGET),
        ),
        ("config.json p50 ms", f"{app['p50']:.1f}", f"{floor['p50']:.1f}", "", "", ""),
        (
            "config.json p99 ms",
            f"{app['p99']:.1f}",
            f"{floor['p99']:.1f}",
            "",
            "< 30 ms",
            verdict(app["p99"] < P99_TARGET_MS),
        ),
        (
            "config.json errors (non-2xx/socket)",
            str(app["errors"]),
            str(floor["errors"]),
            "",
            "0",
            verdict(app["errors"] == 0),
        ),
    ]
    rows += [
        (f"SQL {page.replace(domain_name(7), '{name}')}", f"{n} stmts", f"{ms:.1f} ms", "", "", "")
        for page, n, ms in pages
    ]
    stopped = "" if imp["count"] == imp["asked"] else f" of {imp['asked']:,} (time budget hit)"
    print(
        f"\n== results: {imp['count']:,}{stopped} certs imported; config DB {domains:,} domains / {certs:,} certs; "
        f"load {cfg['loader']}; {cfg['verified']} responses verified =="
    )
    widths = (46, 12, 12, 8, 11, 6)
    header = ("measure", "value", "floor", "ratio", "target", "")
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print(f"(*) {imp['slowest']}...")
    print(
        "config.json: best of the alternating wrk rounds for each server.  SQL rows: statements for one"
    )
    print("request / best of 3 wall-clock ms, in-process via webtest.")


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certs", type=int, default=10_000, help="certificates to import (10000)")
    parser.add_argument(
        "--domains", type=int, default=100_000, help="domains for config.json (100000)"
    )
    parser.add_argument(
        "--config-certs", type=int, default=5_000, help="certificates in that database"
    )
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per server (10)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating wrk rounds per server (2)"
    )
    parser.add_argument(
        "--import-seconds",
        type=float,
        default=90.0,
        help="stop the import at the first batch end after this many seconds (90)",
    )
    parser.add_argument(
        "--profile", type=int, metavar="N", help="only profile the import of N certs"
    )
    parser.add_argument("--serve", choices=("app", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.db)
        return 0
    logging.basicConfig(level=logging.WARNING)
    print(_common.machine_header())
    pki, generated = _common.load_or_generate_pki(args.certs)
    if generated is not None:
        print(
            f"generated {args.certs:,} certificates in {generated:.1f}s (cached in {tempfile.gettempdir()})"
        )
    workdir = Path(tempfile.mkdtemp(prefix="peter_sslers_store_bench_"))
    try:
        if args.profile:
            profile_import(pki, workdir, min(args.profile, args.certs))
            return 0
        started = time.perf_counter()
        imp = bench_import(pki, workdir, args.import_seconds)
        print(f"[1] import: {imp['count']:,} of {imp['asked']:,} certs in {imp['seconds']:.1f}s")
        step = time.perf_counter()
        settings = build_config_database(
            pki, workdir, args.domains, min(args.config_certs, args.domains)
        )
        print(f"[2] config database built in {time.perf_counter() - step:.1f}s")
        cfg = bench_config(settings, args.domains, args.seconds, args.rounds, workdir)
        pages = bench_pages(settings)
        report(imp, cfg, pages, args.domains, min(args.config_certs, args.domains))
        print(f"total {time.perf_counter() - started:.0f}s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
