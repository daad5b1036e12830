"""Benchmark Redis priming (not a test): ``prime_all`` in both styles next to the redis-py floor.

Usage: .venv/bin/python bench/redis_prime.py [--domains 100000] [--pems 2000] [--batch 1000]
                                             [--repeat 3] [--ttl] [--keep]

A temp SQLite database gets D domains by bulk Core inserts: one single-name certificate per
domain (PEMs reused from a cached set of real ones), one key per 10 certificates, two chains
(every 5th certificate also links the alternate chain, whose CA is preferred), unique sets,
links and ``latest_single``. Its own redis-server (tests/services/redis.py) is started.

For each style: ``prime_all`` is timed from an empty Redis; then the floor, redis-py
pipelined writes (one pipeline per batch of domains, the same commands, keys and values,
read from the database beforehand, untimed), is timed from an empty Redis too, and both
results are compared key by key on a sample. Runs are paired (prime, then floor) and the
median ratio counts, in wall-clock and in CPU time of this process (steadier when other
processes share the machine). Target (docs/BENCHMARKS.md): <= 1.5x floor.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from bench import _common  # noqa: E402

TARGET = 1.5


def _digest(kind: str, index: int, size: int = 64) -> str:
    return hashlib.sha256(f"{kind}{index}".encode()).hexdigest()[:size]


def _insert(conn, table, rows: list[dict], chunk: int = 20_000) -> None:
    for start in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[start:start + chunk])


def build_database(workdir: Path, domains: int, pki: _common.BenchPKI) -> dict:
    from peter_sslers import model
    from peter_sslers.model.enums import CertificateSource, KeyTechnology, PrivateKeySource

    settings = _common.new_database(workdir, "redis_prime")
    now = datetime.datetime.now(datetime.timezone.utc)
    keys = max(1, domains // 10)
    engine = model.get_engine(settings)
    with engine.begin() as conn:
        _insert(conn, model.CertificateCA.__table__, [{
            "id": i, "display_name": f"Bench CA {i}", "cert_pem": pki.chain_pem,
            "fingerprint_sha1": _digest("ca1-", i, 40), "fingerprint_sha256": _digest("ca256-", i),
            "spki_sha256": _digest("caspki", i), "cert_subject": f"CN=Bench CA {i}", "cert_issuer": "CN=Bench Root",
            "key_technology": KeyTechnology.EC_P256, "timestamp_not_before": now - datetime.timedelta(days=365),
            "timestamp_not_after": now + datetime.timedelta(days=3650),
        } for i in (1, 2)])  # fmt: skip
        _insert(conn, model.CertificateCAChain.__table__, [{
            "id": i, "display_name": f"Bench chain {i}", "chain_pem": pki.chain_pem if i == 1 else pki.chain_pem + "\n",
            "chain_pem_sha256": _digest("chain", i), "chain_length": 1, "certificate_ca_0_id": i,
            "certificate_ca_n_id": i,
        } for i in (1, 2)])  # fmt: skip
        _insert(conn, model.CertificateCAChainItem.__table__,
                [{"certificate_ca_chain_id": i, "position": 0, "certificate_ca_id": i} for i in (1, 2)])
        _insert(conn, model.CertificateCAPreference.__table__, [{"slot": 1, "certificate_ca_id": 2}])
        _insert(conn, model.PrivateKey.__table__, [{
            "id": k + 1, "key_pem": pki.key_pem, "key_pem_md5": _digest("md5", k, 32),
            "spki_sha256": _digest("key", k), "key_technology": KeyTechnology.EC_P256,
            "source": PrivateKeySource.IMPORTED,
        } for k in range(keys)])  # fmt: skip
        _insert(conn, model.UniqueFQDNSet.__table__,
                [{"id": i + 1, "domain_ids_string": str(i + 1), "count_domains": 1} for i in range(domains)])
        _insert(conn, model.CertificateSigned.__table__, [{
            "id": i + 1, "cert_pem": pki.leaves[i % len(pki.leaves)],
            "fingerprint_sha1": _digest("sha1-", i, 40), "fingerprint_sha256": _digest("sha256-", i),
            "spki_sha256": _digest("key", i % keys), "serial": _digest("serial", i, 32),
            "cert_subject": f"CN=d{i}", "cert_issuer": "CN=Bench CA 1", "key_technology": KeyTechnology.EC_P256,
            "timestamp_not_before": now - datetime.timedelta(days=10),
            "timestamp_not_after": now + datetime.timedelta(days=80), "is_single_domain": True,
            "source": CertificateSource.IMPORTED, "private_key_id": i % keys + 1, "unique_fqdn_set_id": i + 1,
        } for i in range(domains)])  # fmt: skip
        links = [{"certificate_signed_id": i + 1, "certificate_ca_chain_id": 1, "is_upstream_default": True}
                 for i in range(domains)]  # fmt: skip
        links += [{"certificate_signed_id": i + 1, "certificate_ca_chain_id": 2, "is_upstream_default": False}
                  for i in range(0, domains, 5)]  # fmt: skip
        _insert(conn, model.CertificateSignedChain.__table__, links)
        _insert(conn, model.Domain.__table__, [{
            "id": j + 1, "domain_name": f"d{j}.z{j % 997}.redis-bench.example",
            "certificate_signed_id__latest_single": j + 1,
        } for j in range(domains)])  # fmt: skip
        _insert(conn, model.UniqueFQDNSet2Domain.__table__,
                [{"unique_fqdn_set_id": j + 1, "domain_id": j + 1} for j in range(domains)])
    engine.dispose()
    return settings


# -- the floor: the same writes, values read beforehand -------------------------------------------


def floor_batches(session, style: str, batch: int) -> list[list[tuple]]:
    """The commands of a prime, batch by batch: ("SET", key, value) / ("HSET", key, mapping).

    Read with plain statements and the app's own chain rule (untimed); c:/p:/i: strings are
    queued once, in the batch of the first domain that needs them, as the app does.
    """
    from peter_sslers.lib.db.certificate_cas import pick_default_chain, preference_list
    from peter_sslers.model import CertificateCAChain, CertificateCAChainItem

    conn = session.connection()
    preferred = [p.certificate_ca_id for p in preference_list(session)]
    cas = {}
    for row in conn.execute(sa.select(CertificateCAChainItem).order_by(CertificateCAChainItem.position)):
        cas.setdefault(row.certificate_ca_chain_id, []).append(row.certificate_ca_id)
    chain_pems = dict(conn.execute(sa.select(CertificateCAChain.id, CertificateCAChain.chain_pem)).all())
    chain_pems[0] = ""
    links: dict[int, list] = {}
    for row in conn.exec_driver_sql(
        "SELECT certificate_signed_id, certificate_ca_chain_id, is_upstream_default FROM certificate_signed_chain ORDER BY id"
    ):
        links.setdefault(row.certificate_signed_id, []).append(row)
    rows = conn.exec_driver_sql(
        "SELECT d.domain_name, c.id, c.cert_pem, k.id, k.key_pem FROM domain d "
        "JOIN certificate_signed c ON c.id = d.certificate_signed_id__latest_single "
        "JOIN private_key k ON k.id = c.private_key_id "
        "WHERE d.is_active AND c.is_active AND NOT c.is_revoked ORDER BY d.id"
    ).all()
    done: set[str] = set()
    batches = []
    for start in range(0, len(rows), batch):
        commands = []
        for name, cert_id, cert_pem, key_id, key_pem in rows[start:start + batch]:
            pick = pick_default_chain([(r, cas[r.certificate_ca_chain_id]) for r in links.get(cert_id, [])], preferred)
            chain_id = pick.certificate_ca_chain_id if pick else 0
            if style == "1":
                for key, value in ((f"c:{cert_id}", cert_pem), (f"p:{key_id}", key_pem),
                                   (f"i:{chain_id}", chain_pems[chain_id])):  # fmt: skip
                    if key not in done:
                        done.add(key)
                        commands.append(("SET", key, value))
                commands.append(("HSET", f"d1:{name}", {"c": cert_id, "p": key_id, "i": chain_id}))
            else:
                commands.append(("HSET", f"d2:{name}", {"f": cert_pem + chain_pems[chain_id], "p": key_pem}))
        batches.append(commands)
    return batches


def run_floor(client, batches: list[list[tuple]], ttls: dict) -> tuple[float, float]:
    """redis-py's public API, one non-transactional pipeline per batch: (wall, CPU) seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    for commands in batches:
        pipe = client.pipeline(transaction=False)
        for kind, key, value in commands:
            if kind == "SET":
                pipe.set(key, value, ex=ttls[key.split(":", 1)[0]])
            else:
                pipe.hset(key, mapping=value)
                if ttls["d"]:
                    pipe.expire(key, ttls["d"])
        pipe.execute()
    return time.perf_counter() - wall, time.process_time() - cpu


def snapshot(client, sample: list[bytes]) -> tuple[int, list]:
    pipe = client.pipeline(transaction=False)
    for key in sample:
        pipe.type(key)
        pipe.dump(key)
    return client.dbsize(), pipe.execute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=100_000)
    parser.add_argument("--pems", type=int, default=2000, help="distinct real certificate PEMs to reuse")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="paired runs (prime, then floor); the median ratio counts")
    parser.add_argument("--keep", action="store_true", help="keep the temp database")
    parser.add_argument("--ttl", action="store_true", help="set every redis.timeout.* (adds EXPIRE/EX)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    import redis

    from peter_sslers.lib.redis_prime import prime_all
    from peter_sslers.model import get_engine, get_session_factory
    from peter_sslers.settings import parse_settings
    from tests.services.redis import RedisServer

    print(_common.machine_header())
    print(f"redis-py {redis.__version__}, hiredis: {redis.utils.HIREDIS_AVAILABLE}")
    workdir = Path(tempfile.mkdtemp(prefix="peter_sslers_redis_bench_"))
    pki, generated = _common.load_or_generate_pki(args.pems)
    if generated:
        print(f"generated {args.pems} PEMs in {generated:.1f}s (cached for the next run)")
    started = time.perf_counter()
    raw = build_database(workdir, args.domains, pki)
    print(f"database: {args.domains} domains in {time.perf_counter() - started:.1f}s ({workdir})")
    server = RedisServer(workdir / "redis").start()
    client = server.client(9)
    ttl_values = {"certca": "86400", "cert": "86400", "pkey": "86400", "domain": "86400"} if args.ttl else {}
    table = []
    try:
        engine = get_engine(raw)
        session = get_session_factory(engine)()
        for style in ("1", "2"):
            overrides = {"redis.url": server.url(9), "redis.prime_style": style,
                         **{f"redis.timeout.{k}": v for k, v in ttl_values.items()}}  # fmt: skip
            settings = parse_settings({**raw, **overrides})
            batches = floor_batches(session, style, args.batch)  # untimed: values read first
            session.rollback()
            ttls = {"c": settings.redis_timeout_cert, "p": settings.redis_timeout_pkey,
                    "i": settings.redis_timeout_certca, "d": settings.redis_timeout_domain}  # fmt: skip
            walls, cpus, same = [], [], True
            for _ in range(args.repeat):  # paired runs, back to back: the machine may be shared
                client.flushall()
                wall, cpu = time.perf_counter(), time.process_time()
                counts = prime_all(session, settings, batch_size=args.batch)
                app = (time.perf_counter() - wall, time.process_time() - cpu)
                session.rollback()
                keys = client.keys("*")
                sample = random.Random(7).sample(keys, min(2000, len(keys)))
                app_state = snapshot(client, sample)
                client.flushall()
                floor = run_floor(client, batches, ttls)
                same = same and snapshot(client, sample) == app_state
                walls.append((app[0], floor[0]))
                cpus.append((app[1], floor[1]))
            writes = sum(len(b) for b in batches)
            table.append((style, counts["domains_primed"], app_state[0], writes, walls, cpus, same))
        session.close()
        engine.dispose()
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{'style':>5} {'domains':>8} {'keys':>8} {'writes':>8} {'prime_all s':>11} {'floor s':>8} "
          f"{'ratio':>6} {'cpu ratio':>9} {'same keys':>9}  target <= {TARGET}x (median of {args.repeat} pairs)")
    for style, domains, dbsize, writes, walls, cpus, same in table:
        ratio = statistics.median(a / f for a, f in walls)
        cpu_ratio = statistics.median(a / f for a, f in cpus)
        verdict = "ok" if ratio <= TARGET and same else "MISSED"
        print(f"{style:>5} {domains:>8} {dbsize:>8} {writes:>8} {min(a for a, _ in walls):>11.2f} "
              f"{min(f for _, f in walls):>8.2f} {ratio:>5.2f}x {cpu_ratio:>8.2f}x {('yes' if same else 'NO'):>9}  {verdict}")
    print(f"load average after the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(above the core count, other processes shared the CPUs: ratios are noisier)")


if __name__ == "__main__":
    main()
