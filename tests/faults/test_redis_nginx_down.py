"""Case 6: Redis down during ``/api/redis/prime.json``; nginx servers down (or hanging)
during ``/api/nginx/cache-flush.json``.

Redis: a clear 409 (connection refused, or a connection reset through the TCP proxy), an
OperationsEvent that survives the failed request, config.json unaffected, and priming works
again once Redis is back on the same port. nginx: the servers that answer are flushed, the
others are reported one by one (refused, timed out), and the request itself is a 200.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
import sqlalchemy as sa
import webtest

from peter_sslers import main
from peter_sslers.model import OperationsEvent
from peter_sslers.scripts.initializedb import initialize
from tests import pki as pki_module
from tests.conftest import TEST_HOST, TEST_INI, require_binary, settings_for
from tests.services.flaky_proxy import FlakyProxy

from .conftest import ADMIN

NAMES = ("r0.down.example.test", "r1.down.example.test")


def _app(database_url: str, **overrides) -> webtest.TestApp:
    return webtest.TestApp(main({}, **settings_for(database_url, **overrides)), extra_environ={"HTTP_HOST": TEST_HOST})


@pytest.fixture(scope="module")
def database(make_database_url) -> str:
    url = make_database_url("faults_ops")
    initialize(TEST_INI, settings_for(url))
    pki = pki_module.make_pki()
    app = _app(url)
    for name in NAMES:
        leaf = pki_module.make_leaf([name], pki.intermediate)
        files = [("certificate_file", "cert.pem", leaf.pem.encode()),
                 ("private_key_file", "privkey.pem", leaf.key_pem.encode()),
                 ("chain_file", "chain.pem", pki.intermediate.pem.encode())]  # fmt: skip
        app.post(ADMIN + "/certificate-signed/upload.json", upload_files=files)
    return url


def _config_ok(app) -> bool:
    payload = app.get(f"{ADMIN}/domain/{NAMES[0]}/config.json").json
    return payload["domain"]["domain_name"] == NAMES[0] and "BEGIN CERTIFICATE" in (
        payload["certificate_signed__latest_single"]["certificate"]["pem"])  # fmt: skip


def _events(app, event_type: str) -> list[dict]:
    factory = app.app.registry["dbsession_factory"]
    with factory() as session:
        rows = session.execute(sa.select(OperationsEvent.payload_json).where(OperationsEvent.event_type == event_type)
                               .order_by(OperationsEvent.id)).scalars()  # fmt: skip
        return [json.loads(r or "{}") for r in rows]


def test_redis_down_during_prime(database, tmp_path, record):
    require_binary("redis-server", "apt-get install redis-server")
    from tests.services.redis import RedisServer

    redis = RedisServer(tmp_path / "redis").start()
    reset = FlakyProxy("127.0.0.1", redis.port).start()  # TCP: forwards, or resets connections
    try:
        app = _app(database, **{"redis.url": redis.url(9)})
        through_proxy = _app(database, **{"redis.url": f"redis://127.0.0.1:{reset.port}/9"})
        assert app.post(ADMIN + "/api/redis/prime.json").json["domains_primed"] == len(NAMES)
        errors_before = len(_events(app, "Redis__prime__error"))

        reset.set_fault("drop")  # Redis reachable, every connection reset
        res = through_proxy.post(ADMIN + "/api/redis/prime.json", status=409)
        assert f"Redis at redis://127.0.0.1:{reset.port}/9 failed" in res.json["error"]

        redis.stop()
        started = time.monotonic()
        res = app.post(ADMIN + "/api/redis/prime.json", status=409)
        refused_seconds = time.monotonic() - started
        assert res.json["result"] == "error" and f"Redis at {redis.url(9)} failed" in res.json["error"]
        assert "Connection refused" in res.json["error"] or "connecting" in res.json["error"]
        assert len(_events(app, "Redis__prime__error")) == errors_before + 2  # survived the aborted requests
        assert _config_ok(app)  # serving certificates does not need Redis
        assert app.get(ADMIN + "/api/redis/prime.json").json["redis_config"]["redis.url"] == redis.url(9)

        again = RedisServer(tmp_path / "redis-again", port=redis.port).start()
        try:
            assert app.post(ADMIN + "/api/redis/prime.json").json["domains_primed"] == len(NAMES)
            assert again.client(9).exists(f"d1:{NAMES[0]}")
        finally:
            again.stop()
    finally:
        reset.stop()
        redis.stop()
    record("6 Redis/nginx down", "redis-server stopped (and: connections reset by a TCP proxy) during prime.json",
           "409 'Redis at ... failed' + Redis__prime__error event; config.json 200; prime works after restart",
           seconds_to_fail_when_refused=round(refused_seconds, 3))  # fmt: skip


def test_nginx_servers_down_during_cache_flush(database, tmp_path, record):
    require_binary("/usr/sbin/nginx", "apt-get install nginx libnginx-mod-http-lua")
    from tests.services.nginx import (
        CACHE_PUT_PATH,
        DEFAULT_STATUS_PATH,
        NginxServer,
        cache_admin_config,
        lua_available,
    )

    if not lua_available():
        require_binary("/usr/lib/nginx/modules/ngx_http_lua_module.so", "apt-get install libnginx-mod-http-lua")
    servers = [NginxServer(tmp_path / f"nginx-{i}", cache_admin_config, lua=True, name=f"nginx-{i}").start()
               for i in range(3)]  # fmt: skip
    up, behind_proxy, down = servers
    down.stop()
    hanging = FlakyProxy("127.0.0.1", behind_proxy.port).start()
    hanging.set_fault("delay", seconds=3)  # accepts, then says nothing for longer than nginx.timeout
    try:
        for server in (up, behind_proxy):
            for name in NAMES:
                requests.get(server.url + CACHE_PUT_PATH, params={"domain": name}, timeout=5).raise_for_status()
        pool = [up.url, hanging.url(), down.url]
        app = _app(database, **{"nginx.servers_pool": ",".join(pool), "nginx.timeout": "1"})
        started = time.monotonic()
        data = app.post(ADMIN + "/api/nginx/cache-flush.json").json
        elapsed = time.monotonic() - started
        assert data["result"] == "partial"
        status = data["servers_status"]
        assert status["success"] == [up.url] and status["errors"] == [hanging.url(), down.url]
        assert "timed out after 1s" in status["servers"][hanging.url()]["error"]
        assert "could not connect" in status["servers"][down.url]["error"]
        assert elapsed < 2.5  # in parallel: one timeout, not one per server
        kept = requests.get(up.url + DEFAULT_STATUS_PATH, timeout=5).json()["keys"]
        assert kept == {"valid": [], "invalid": [], "autocert": []}  # the server that answered was flushed
        assert _events(app, "Nginx__cache_flush")[-1]["result"] == "partial"
        assert _config_ok(app)
    finally:
        hanging.stop()
        for server in servers:
            server.stop()
    record("6 Redis/nginx down", "3 nginx cache servers: one up, one hanging (TCP proxy, 3 s > nginx.timeout=1), "
           "one stopped", "200 result=partial; the live one flushed; per-server errors 'timed out after 1s' "
           "and 'could not connect'", seconds=round(elapsed, 2))  # fmt: skip
