"""Benchmark ``import-certbot`` on a generated certbot tree (not a test): prints a table.

Usage: PYTHONWARNINGS=ignore .venv/bin/python bench/certbot_import.py [--count 10000]
           [--rsa-share 0.1] [--rounds 1] [--batch-size 500] [--profile] [--no-cli] [--no-inprocess]

1. A certbot tree of N lineages is generated once and cached in the temp directory (keyed by N
   and the RSA share): ``archive/NAME/{cert,chain,fullchain,privkey}1.pem``, ``live/NAME/*.pem``
   symlinks, ``renewal/NAME.conf`` and two ``accounts/`` (written by the test suite's
   ``write_certbot_tree``; leaves, CAs and keys from ``tests/pki.py``). Every lineage has its own
   key (EC P-256, a share of RSA 2048), names from ``bench/_common.leaf_names`` (every third
   lineage also has www.), validity spread over 120 days, and one of two intermediates.
2. Floor: a plain ``cryptography`` read of the same certificates, all fields
   (``bench/_common.floor_parse``), best of 3.
3. The real command line end to end: ``.venv/bin/peter_sslers INI import-certbot TREE``
   (progress bar on, stderr captured) on a fresh SQLite database (``initialize``, test.ini
   settings), timed by wall clock: interpreter start, imports, accounts, certificates, recents.
4. ``import_tree`` in-process on another fresh database (the same work without start-up).
5. Private keys (certbot makes one per lineage: N distinct keys, N ``private_key`` rows): the
   importer's ``key_identity`` (SPKI from the key's DER) over all N keys, the same with the rest
   of its per-key work (normalised PEM, MD5), against ``cryptography`` loading each key and
   hashing its public part, and the backend's full ``cert_utils.parse_key`` on a sample.

Target (``/work/shared/docs/BENCHMARKS.md``): >= 1,000 certs/s on the command line.
``--profile`` adds a cProfiled in-process import of its own (top 15, by own and by total time).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import hashlib
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402

from bench import _common  # noqa: E402
from tests import pki  # noqa: E402

CACHE_VERSION = 1
TARGET = 1000.0
SCRIPT = str(Path(sys.executable).parent / "peter_sslers")
SERVERS = {
    "acme-v02.api.letsencrypt.org/directory": "12345",
    "acme-staging-v02.api.letsencrypt.org/directory": "67890",
}
COUNTED = (
    "certificate_signed", "private_key", "domain", "unique_fqdn_set", "unique_fqdn_set_2_domain",
    "certificate_ca_chain", "certificate_signed_chain", "acme_account",
)  # fmt: skip


# ---- the tree --------------------------------------------------------------------------------


def lineage_name(index: int) -> str:
    return _common.leaf_names(index)[0]


def _accounts() -> dict:
    """Two certbot accounts, shaped as the test suite's ``key_material`` fixture makes them."""
    from tests.tools.conftest import rsa_jwk

    accounts = {}
    for server, number in SERVERS.items():
        key = pki.rsa_key()
        public_der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        jwk = rsa_jwk(key)
        regr = {
            "body": {"key": {"kty": "RSA", "n": jwk["n"], "e": jwk["e"]}, "status": "valid",
                     "contact": ["mailto:admin@example.com"]},
            "uri": f"https://{server.split('/')[0]}/acme/acct/{number}",
        }  # fmt: skip
        accounts[server] = {
            "hash": hashlib.md5(public_der, usedforsecurity=False).hexdigest(),
            "private_key.json": json.dumps(jwk),
            "regr.json": json.dumps(regr),
            "meta.json": json.dumps(
                {"creation_dt": "2024-01-02T03:04:05Z", "creation_host": "bench"}
            ),
        }
    return accounts


def generate_tree(root: Path, count: int, rsa_share: float) -> None:
    """Write the tree under ``root`` (which must not exist)."""
    from tests.tools.conftest import write_certbot_tree

    root_ca = pki.make_ca("Certbot Bench Root X1")
    intermediates = [pki.make_ca(f"Certbot Bench E{n}", root_ca) for n in (5, 6)]
    chains = [i.pem.encode("ascii") for i in intermediates]
    rsa_every = round(1 / rsa_share) if rsa_share > 0 else 0
    now = pki.NOW
    lineages = {}
    for index in range(count):
        key = pki.rsa_key() if rsa_every and index % rsa_every == 0 else pki.ec_key()
        start = now - datetime.timedelta(days=index % 120, minutes=index % 1440)
        leaf = pki.make_leaf(_common.leaf_names(index), intermediates[index % 2], key=key,
                             not_before=start, not_after=start + datetime.timedelta(days=90))  # fmt: skip
        cert = leaf.pem.encode("ascii")
        chain = chains[index % 2]
        lineages[lineage_name(index)] = [
            {"privkey": leaf.key_pem.encode("ascii"), "cert": cert, "chain": chain,
             "fullchain": cert + chain}
        ]  # fmt: skip
    write_certbot_tree(root, {"lineages": lineages, "accounts": _accounts()})


def load_or_generate_tree(count: int, rsa_share: float) -> tuple[Path, float | None]:
    """The cached tree for (count, rsa_share); seconds spent when it had to be generated."""
    base = (
        Path(tempfile.gettempdir())
        / f"peter_sslers_certbot_bench_v{CACHE_VERSION}_{count}_rsa{rsa_share:g}"
    )
    tree = base / "letsencrypt"
    if (base / "complete").exists():
        return tree, None
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    started = time.perf_counter()
    generate_tree(tree, count, rsa_share)
    (base / "complete").write_text(str(count))
    return tree, time.perf_counter() - started


def read_tree(tree: Path) -> tuple[list[str], list[str]]:
    """(certificate PEMs, private key PEMs) of every archived lineage, in name order."""
    certs, keys = [], []
    for lineage in sorted(os.listdir(tree / "archive")):
        certs.append((tree / "archive" / lineage / "cert1.pem").read_text())
        keys.append((tree / "archive" / lineage / "privkey1.pem").read_text())
    return certs, keys


# ---- measurements ----------------------------------------------------------------------------


def best_of(func, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def key_floor(key_pem: str) -> str:
    """The plain ``cryptography`` identity of a key: load it, hash its SPKI."""
    key = serialization.load_pem_private_key(
        key_pem.encode("ascii"), None, unsafe_skip_rsa_key_validation=True
    )
    return hashlib.sha256(key.public_key().public_bytes(*_common.SPKI)).hexdigest()


def row_counts(settings: dict) -> dict:
    engine = sa.create_engine(settings["sqlalchemy.url"])
    with engine.connect() as connection:
        counts = {
            t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in COUNTED
        }
        counts["domains with latest cert"] = connection.execute(sa.text(
            "SELECT count(*) FROM domain WHERE certificate_signed_id__latest_single IS NOT NULL"
            " OR certificate_signed_id__latest_multi IS NOT NULL"
        )).scalar_one()  # fmt: skip
    engine.dispose()
    return counts


def run_cli(workdir: Path, tree: Path, name: str, batch_size: int) -> dict:
    from tests.cli.conftest import write_ini

    settings = _common.new_database(workdir, name)
    ini = write_ini(workdir / f"{name}.ini", {"sqlalchemy.url": settings["sqlalchemy.url"]})
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    command = [
        SCRIPT,
        str(ini),
        "import-certbot",
        str(tree),
        "--json",
        "--batch-size",
        str(batch_size),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"import-certbot failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}"
        )
    return {"seconds": seconds, "result": json.loads(done.stdout), "counts": row_counts(settings)}


def run_inprocess(workdir: Path, tree: Path, name: str, batch_size: int, profile: bool) -> dict:
    from sqlalchemy.orm import Session

    from peter_sslers.lib import cert_utils, certbot_import
    from peter_sslers.lib.db.certificates import RenewalPolicy
    from peter_sslers.model import get_engine, writer_bind
    from peter_sslers.settings import parse_settings

    settings = _common.new_database(workdir, name)
    parsed = parse_settings(settings)
    cert_utils.configure(backend=parsed.crypto_backend, openssl_path=parsed.openssl_path,
                         openssl_path_conf=parsed.openssl_path_conf)  # fmt: skip
    engine = get_engine(settings)
    profiler = cProfile.Profile() if profile else None
    with Session(bind=writer_bind(engine), expire_on_commit=False) as session:
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = certbot_import.import_tree(
            session, tree, commit=session.commit, batch_size=batch_size,
            renewal=RenewalPolicy.from_settings(parsed),
        )  # fmt: skip
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "result": summary.as_json(), "counts": row_counts(settings),
            "profiler": profiler}  # fmt: skip


def measure_keys(keys: list[str], sample: int) -> list[tuple[str, int, float]]:
    from peter_sslers.lib import cert_utils, certbot_import
    from peter_sslers.lib.db.private_keys import md5_hex

    rows = []
    seconds = best_of(lambda: [key_floor(k) for k in keys], 2)
    rows.append(("keys: cryptography load + SPKI sha256 (floor)", len(keys), seconds))
    seconds = best_of(lambda: [certbot_import.key_identity(k) for k in keys], 2)
    rows.append(("keys: importer key_identity (DER, no load)", len(keys), seconds))

    def per_key(key_pem: str) -> None:  # what the importer does with each lineage's key
        certbot_import.key_identity(key_pem)
        md5_hex(cert_utils.normalize_pem(key_pem))

    seconds = best_of(lambda: [per_key(k) for k in keys], 2)
    rows.append(("keys: + normalize + md5 (all per-key work)", len(keys), seconds))
    part = keys[:sample]
    seconds = best_of(lambda: [cert_utils.parse_key(k) for k in part], 1)
    rows.append(("keys: cert_utils.parse_key (full load)", len(part), seconds))
    return rows


# ---- report ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="lineages/certificates (10000)")
    parser.add_argument("--rsa-share", type=float, default=0.1, help="share of RSA 2048 keys (0.1)")
    parser.add_argument("--rounds", type=int, default=1, help="command-line runs, best kept (1)")
    parser.add_argument("--batch-size", type=int, default=500, help="--batch-size passed on (500)")
    parser.add_argument("--key-sample", type=int, default=500, help="keys for parse_key (500)")
    parser.add_argument("--profile", action="store_true", help="cProfile the in-process import")
    parser.add_argument("--no-cli", action="store_true", help="skip the command line run")
    parser.add_argument("--no-inprocess", action="store_true", help="skip the in-process run")
    args = parser.parse_args(argv)

    print(_common.machine_header())
    tree, generated = load_or_generate_tree(args.count, args.rsa_share)
    if generated is not None:
        print(f"generated the tree ({args.count:,} lineages) in {generated:.1f}s -> {tree}")
    certs, keys = read_tree(tree)
    count = len(certs)
    print(
        f"tree: {tree}  ({count:,} certificates, {count:,} distinct keys, rsa share {args.rsa_share:g})"
    )

    rows: list[tuple[str, int, float]] = []
    floor_seconds = best_of(lambda: [_common.floor_parse(p) for p in certs], 3)
    rows.append(("floor: cryptography parse, all fields", count, floor_seconds))
    floor = count / floor_seconds
    from peter_sslers.lib import cert_utils

    seconds = best_of(lambda: cert_utils.parse_certs_batch(certs), 3)
    rows.append(("cert_utils.parse_certs_batch (cryptography)", count, seconds))

    workdir = Path(tempfile.mkdtemp(prefix="peter_sslers_certbot_bench_"))
    results = {}
    try:
        if not args.no_cli:
            best = None
            for n in range(args.rounds):
                run = run_cli(workdir, tree, f"cli{n}", args.batch_size)
                best = run if best is None or run["seconds"] < best["seconds"] else best
            results["cli"] = best
            rows.append(("import-certbot CLI, end to end (wall clock)", count, best["seconds"]))
            rows.append(
                ("  of which import_tree (its own timer)", count, best["result"]["seconds"])
            )
        if not args.no_inprocess:
            run = run_inprocess(workdir, tree, "inproc", args.batch_size, False)
            results["inprocess"] = run
            rows.append(("import_tree in-process", count, run["seconds"]))
        if args.profile:  # a run of its own: the timed rows carry no profiler overhead
            profiled = run_inprocess(workdir, tree, "profiled", args.batch_size, True)
            results["inprocess"] = results.get("inprocess", profiled)
            results["profiler"] = profiled
        rows.extend(measure_keys(keys, min(args.key_sample, count)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{'measure':<48} {'n':>7} {'seconds':>8} {'per s':>9} {'vs floor':>9}")
    key_floor_rate = next((n / s for label, n, s in rows if label.startswith("keys")), None)
    for label, n, seconds in rows:
        rate = n / seconds
        base = key_floor_rate if label.startswith("keys") else floor  # keys: vs the key floor
        print(f"{label:<48} {n:>7} {seconds:>8.2f} {rate:>9,.0f} {rate / base:>8.3f}x")
    for name, run in results.items():
        if name == "profiler":
            continue
        result = run["result"]
        print(f"\n{name}: imported {result['imported']}, already present {result['already_present']},"
              f" failed {result['failed']}, accounts {result['accounts_imported']}")  # fmt: skip
        print("  rows: " + ", ".join(f"{k} {v}" for k, v in run["counts"].items()))
        if result["failed"]:
            print("  failures: " + json.dumps(result["failures"][:5]))
    if {"cli", "inprocess"} <= set(results) and results["cli"]["counts"] != results["inprocess"][
        "counts"
    ]:
        print("\n!! the command line and the in-process import wrote different row counts")
    if "cli" in results:
        rate = count / results["cli"]["seconds"]
        print(f"\ncommand line: {rate:,.0f} certs/s end to end (target >= {TARGET:,.0f}): "
              f"{'OK' if rate >= TARGET else 'MISSED'}; {rate / floor:.3f}x the parse floor")  # fmt: skip
    profiler = results.get("profiler", {}).get("profiler")
    if profiler is not None:
        for order in ("tottime", "cumulative"):
            print(f"\n-- in-process import_tree, top 15 by {order} (with profiler overhead) --")
            pstats.Stats(profiler, stream=sys.stdout).strip_dirs().sort_stats(order).print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
