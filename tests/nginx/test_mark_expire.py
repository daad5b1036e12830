"""Marking a certificate expires its domains on the nginx servers (after the Redis write-through):
real nginx + Lua cache-admin servers, a real redis-server, real commits."""

from __future__ import annotations

import json

import pytest
import requests
import sqlalchemy as sa
import webtest

from peter_sslers import main
from peter_sslers.model import OperationsEvent
from tests import pki as pki_module
from tests import route_coverage
from tests.conftest import TEST_HOST, require_binary, settings_for
from tests.services.nginx import CACHE_PUT_PATH, DEFAULT_STATUS_PATH
from tests.services.redis import INSTALL_HINT, RedisServer

from .conftest import USERPASS

ADMIN = "/.well-known/admin"
AUTH = tuple(USERPASS.split(":", 1))



@pytest.fixture
def redis_server(tmp_path):
    require_binary("redis-server", INSTALL_HINT)
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def app_for(shared_database, redis_server):
    """``app_for(servers)``: an app on this module's database with Redis (style 1) and these
    nginx servers; its ``.events(kind)`` reads the committed OperationsEvents of that kind."""

    def make(servers) -> webtest.TestApp:
        router = main({}, **settings_for(shared_database, **{
            "nginx.servers_pool": ", ".join(s.url for s in servers), "nginx.userpass": USERPASS,
            "nginx.timeout": "3", "redis.url": redis_server.url(9), "redis.prime_style": "1",
        }))  # fmt: skip
        route_coverage.install(router.registry)
        app = webtest.TestApp(router, extra_environ={"HTTP_HOST": TEST_HOST})

        def events(kind: str) -> list[dict]:
            with router.registry["dbsession_factory"]() as session:
                rows = session.execute(
                    sa.select(OperationsEvent.payload_json).where(OperationsEvent.event_type == kind)
                    .order_by(OperationsEvent.id)
                ).scalars().all()
            return [json.loads(row) for row in rows]

        app.events = events
        return app

    return make


def _put(server, domain: str) -> None:
    res = requests.get(server.url + CACHE_PUT_PATH, params={"domain": domain, "kind": "valid"}, timeout=5)
    assert res.status_code == 200, res.text


def _cached(server) -> list[str]:
    res = requests.get(server.url + DEFAULT_STATUS_PATH, auth=AUTH, timeout=5)
    assert res.status_code == 200, res.text
    return sorted(res.json()["keys"]["valid"])


def test_mark_writes_through_then_expires(cache_admin_pool, app_for, redis_server, pki):
    up, down = cache_admin_pool
    app = app_for([up, down])
    names = ["m1.mark.example.com", "m2.mark.example.com"]
    cert_id = pki_module.upload_new_leaf(app, pki, names)
    pki_module.upload_new_leaf(app, pki, ["other.mark.example.com"])
    client = redis_server.client(9)
    assert client.exists("d1:m1.mark.example.com", "d1:m2.mark.example.com", "d1:other.mark.example.com") == 3
    for name in [*names, "other.mark.example.com"]:
        _put(up, name)

    data = app.post(f"{ADMIN}/certificate-signed/{cert_id}/mark.json", {"action": "inactive"}).json
    assert data["result"] == "success" and data["certificate_signed"]["is_active"] is False
    # Redis first: the certificate's domains have nothing left to serve
    assert (data["redis"]["result"], data["redis"]["domains"], data["redis"]["domains_removed"]) == ("success", 2, 2)
    assert not client.exists("d1:m1.mark.example.com", "d1:m2.mark.example.com")
    assert client.hget("d1:other.mark.example.com", "c") is not None
    # then nginx: the expire requests reached the server that is up, for those domains only
    nginx = data["nginx"]
    assert (nginx["result"], nginx["expired"], nginx["domains"]) == ("partial", "domain", names)
    assert nginx["servers_status"]["success"] == [up.url] and nginx["servers_status"]["errors"] == [down.url]
    answers = nginx["servers_status"]["servers"][up.url]["domains"]
    assert {name: answers[name]["domain"] for name in names} == {name: name for name in names}
    assert "could not connect" in nginx["servers_status"]["servers"][down.url]["error"]
    assert _cached(up) == ["other.mark.example.com"]
    failures = app.events("Nginx__cache_expire__error")
    assert [(e["operation"], e["result"], e["errors"], e["domains"]) for e in failures] == [
        ("CertificateSigned__mark__inactive", "partial", [down.url], names)
    ]
    assert app.events("Redis__write_through__error") == []

    # active again: written back, expired again; revoked: removed, expired
    for name in names:
        _put(up, name)
    data = app.post(f"{ADMIN}/certificate-signed/{cert_id}/mark.json", {"action": "active"}).json
    assert data["redis"]["domains_primed"] == 2 and data["nginx"]["result"] == "partial"
    assert {client.hget(f"d1:{name}", "c").decode() for name in names} == {cert_id}
    assert _cached(up) == ["other.mark.example.com"]
    for name in names:
        _put(up, name)
    res = app.post(f"{ADMIN}/certificate-signed/{cert_id}/mark", {"action": "revoked"}, status=303)
    assert "mark revoked" in res.follow().text
    assert not client.exists("d1:m1.mark.example.com", "d1:m2.mark.example.com")
    assert _cached(up) == ["other.mark.example.com"]
    assert [e["operation"] for e in app.events("Nginx__cache_expire__error")] == [
        "CertificateSigned__mark__inactive", "CertificateSigned__mark__active", "CertificateSigned__mark__revoked",
    ]  # fmt: skip


def test_every_server_up_records_nothing(make_cache_admin, app_for, pki):
    server = make_cache_admin(USERPASS)
    app = app_for([server])
    names = ["ok1.mark.example.com", "ok2.mark.example.com"]
    cert_id = pki_module.upload_new_leaf(app, pki, names)
    for name in names:
        _put(server, name)
    before = len(app.events("Nginx__cache_expire__error"))
    data = app.post(f"{ADMIN}/certificate-signed/{cert_id}/mark.json", {"action": "inactive"}).json
    assert data["nginx"]["result"] == "success" and data["nginx"]["servers_status"]["success"] == [server.url]
    assert _cached(server) == []
    assert len(app.events("Nginx__cache_expire__error")) == before


def test_redis_and_nginx_down(cache_admin_pool, app_for, redis_server, pki):
    """Nothing answers: the mark is committed all the same, and both failures are reported."""
    _, down = cache_admin_pool
    app = app_for([down])
    cert_id = pki_module.upload_new_leaf(app, pki, ["dead.mark.example.com"])
    redis_server.stop()
    data = app.post(f"{ADMIN}/certificate-signed/{cert_id}/mark.json", {"action": "inactive"}).json
    assert data["result"] == "success"
    assert data["redis"]["result"] == "error" and "failed" in data["redis"]["error"]
    assert data["nginx"]["result"] == "error" and data["nginx"]["servers_status"]["errors"] == [down.url]
    assert app.get(f"{ADMIN}/certificate-signed/{cert_id}.json").json["certificate_signed"]["is_active"] is False
    assert app.events("Redis__write_through__error")[-1]["operation"] == "CertificateSigned__mark__inactive"
    assert app.events("Nginx__cache_expire__error")[-1]["result"] == "error"
