"""The multi-server picture: two public/admin app processes behind nginx on one PostgreSQL and one
Redis, Pebble validating through nginx (whichever instance it picks must answer), and two queue
workers renewing at once without ever ordering a certificate twice."""

from __future__ import annotations

import collections
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from peter_sslers.model import AcmeOrder, CertificateSigned, get_engine
from peter_sslers.scripts.initializedb import initialize
from tests.conftest import TEST_INI, require_binary, settings_for
from tests.services.common import free_port, wait_until
from tests.services.pebble import PebbleOptions

ADMIN = "/.well-known/admin"
RUNNER = r"""
import json, sys
import waitress
from peter_sslers import main
settings = json.loads(open(sys.argv[1]).read())
settings["peter_sslers.environment"] = sys.argv[3]
waitress.serve(main({}, **settings), host="127.0.0.1", port=int(sys.argv[2]), threads=8, backlog=1024)
"""


def _ini(path: Path, settings: dict) -> None:
    """An ini for prequest: these settings as [app:main], test.ini's logging sections after."""
    lines = [f"{k} = {v}" for k, v in settings.items() if k not in ("here", "__file__") and "%" not in str(v)]
    rest = Path(TEST_INI).read_text().split("[server:main]", 1)[1]
    path.write_text("[app:main]\nuse = egg:peter_sslers\n" + "\n".join(lines) + "\n\n[server:main]" + rest)


@pytest.fixture(scope="module")
def deployment(postgres_cluster, pebble_stack, tmp_path_factory):
    import json

    from tests.services.nginx import (
        INSTALL_HINT,
        NGINX_BIN,
        NginxServer,
        acme_challenge_proxy_config,
    )
    from tests.services.redis import RedisServer

    require_binary(NGINX_BIN, INSTALL_HINT)
    require_binary("redis-server", "apt-get install redis-server")
    workdir = tmp_path_factory.mktemp("deployment")
    redis = RedisServer(workdir / "redis").start()
    ports = [free_port(), free_port()]
    nginx = NginxServer(workdir / "nginx", lambda port: acme_challenge_proxy_config(
        port, [f"127.0.0.1:{p}" for p in ports])).start()
    pebble = pebble_stack.add_pebble(PebbleOptions(http_port=nginx.port, nonce_reject=0, authz_reuse=0), name="deploy")
    url = postgres_cluster.create_database(f"deploy_{secrets.token_hex(3)}")
    settings = settings_for(url, certificate_authority="pebble", certificate_authority_directory=pebble.directory_url,
                            certificate_authority_ca_bundle=pebble.ca_bundle, **{"redis.url": redis.url(9)})
    initialize(TEST_INI, settings)
    settings_file = workdir / "settings.json"
    settings_file.write_text(json.dumps(settings))
    ini = workdir / "deploy.ini"
    _ini(ini, settings)
    processes = [
        subprocess.Popen([sys.executable, "-c", RUNNER, str(settings_file), str(port), f"instance-{i}"],
                         stdout=subprocess.DEVNULL, stderr=open(workdir / f"app{i}.log", "wb"))
        for i, port in enumerate(ports)
    ]
    for port in ports:
        wait_until(lambda p=port: requests.get(f"http://127.0.0.1:{p}/.well-known/public/whoami", timeout=2).ok,
                   timeout=60, what="an app instance")
    yield {"ports": ports, "nginx": nginx, "redis": redis, "ini": ini, "url": url}
    for process in processes:
        process.terminate()
        process.wait(timeout=10)
    nginx.stop()
    redis.stop()


def test_two_instances_two_workers(deployment):
    a, b = (f"http://127.0.0.1:{p}{ADMIN}" for p in deployment["ports"])
    account = requests.post(a + "/acme-account/new.json", data={"contact": "ops@example.com", "tos_agreed": "1"},
                            timeout=60).json()["acme_account"]
    requests.post(f"{b}/acme-account/{account['id']}/mark-global-default.json", timeout=30).raise_for_status()
    tag = secrets.token_hex(3)
    orders = []
    for i in range(6):  # orders made on either instance
        base = a if i % 2 else b
        res = requests.post(base + "/acme-order/new.json", data={
            "acme_account_id": account["id"], "domain_names_http01": f"m{i}-{tag}.example.test,n{i}-{tag}.example.test"},
            timeout=120)
        assert res.status_code == 200, res.text
        orders.append(res.json()["acme_order"])
    assert all(o["status"] == "valid" for o in orders)
    # both instances answered Pebble's validation requests through nginx
    upstreams = collections.Counter(
        m.group(1) for line in deployment["nginx"].access_log_lines() if "/.well-known/acme-challenge/" in line
        for m in [re.search(r"upstream=(\S+)", line)] if m and " 200 " in line)
    assert len(upstreams) == 2, upstreams
    # everything due: two workers process the renewal queue at the same time
    engine = get_engine({"sqlalchemy.url": deployment["url"]})
    with engine.begin() as conn:
        conn.execute(sa.update(CertificateSigned).values(timestamp_renew_after=sa.func.now() - sa.text("interval '1 minute'")))
    assert requests.post(a + "/queue-certificates/update.json", timeout=60).json()["queued"] == 6
    prequest = str(Path(sys.executable).parent / "prequest")
    workers = [subprocess.Popen([prequest, "-m", "POST", str(deployment["ini"]),
                                 f"{ADMIN}/queue-certificates/process.json?limit=6"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    with engine.connect() as conn:
        renewals = conn.execute(sa.select(AcmeOrder.acme_order_id__renewal_of, AcmeOrder.certificate_signed_id)
                                .where(AcmeOrder.acme_order_id__renewal_of.is_not(None))).all()
    engine.dispose()
    renewed = [r.acme_order_id__renewal_of for r in renewals]
    assert sorted(renewed) == sorted(int(o["id"]) for o in orders)  # each renewed exactly once
    assert all(r.certificate_signed_id for r in renewals)
    # one Redis for all: prime from the other instance, read what nginx/OpenResty would read
    primed = requests.post(b + "/api/redis/prime.json", timeout=60).json()
    assert primed["result"] == "success"
    client = deployment["redis"].client(9)
    assert client.exists(f"d1:m0-{tag}.example.test") or client.exists(f"d2:m0-{tag}.example.test")
