"""Write-through: what a domain serves reaches Redis as soon as it changes (and Redis being
down never breaks the change itself)."""

from __future__ import annotations

import pytest
import webtest

from peter_sslers import main
from peter_sslers.scripts.initializedb import initialize
from tests import pki
from tests.conftest import TEST_INI, require_binary, settings_for

ADMIN = "/.well-known/admin"


@pytest.fixture
def redis_app(make_database_url, tmp_path):
    from tests.services.redis import RedisServer

    require_binary("redis-server", "apt-get install redis-server")
    server = RedisServer(tmp_path / "redis").start()
    settings = settings_for(make_database_url("writethrough"), **{"redis.url": server.url(9), "redis.prime_style": "2"})
    initialize(TEST_INI, settings)
    yield webtest.TestApp(main({}, **settings)), server
    server.stop()


def test_config_json_openresty_and_marks_write_through(redis_app):
    app, server = redis_app
    issuer = pki.make_pki()
    leaf = pki.make_leaf(["wt.example.com"], issuer.intermediate)
    cert_id = app.post(ADMIN + "/certificate-signed/upload.json", upload_files=[
        ("certificate_file", "c.pem", leaf.pem.encode()), ("private_key_file", "k.pem", leaf.key_pem.encode()),
        ("chain_file", "ch.pem", issuer.intermediate.pem.encode())]).json["certificate_signed"]["id"]
    client = server.client(9)
    assert client.exists("d2:wt.example.com")  # a new certificate is written through at once
    client.delete("d2:wt.example.com")
    app.get(ADMIN + "/domain/wt.example.com/config.json")  # without openresty=1: no write
    assert not client.exists("d2:wt.example.com")
    app.get(ADMIN + "/domain/wt.example.com/config.json?openresty=1")
    stored = client.hgetall("d2:wt.example.com")
    assert stored[b"f"].decode() == leaf.pem + issuer.intermediate.pem and stored[b"p"].decode() == leaf.key_pem
    # the certificate is deactivated: the domain has nothing to serve, its key goes
    app.post(f"{ADMIN}/certificate-signed/{cert_id}/mark.json", {"action": "inactive"})
    assert not client.exists("d2:wt.example.com")
    app.post(f"{ADMIN}/certificate-signed/{cert_id}/mark.json", {"action": "active"})
    assert client.exists("d2:wt.example.com")
    app.post(ADMIN + "/domain/wt.example.com/mark.json", {"action": "inactive"})
    assert not client.exists("d2:wt.example.com")
    app.post(ADMIN + "/domain/wt.example.com/mark.json", {"action": "active"})
    # Redis down: the store and the payload still answer
    server.stop()
    res = app.get(ADMIN + "/domain/wt.example.com/config.json?openresty=1")
    assert res.json["certificate_signed__latest_single"]["id"] == cert_id
    assert app.post(f"{ADMIN}/certificate-signed/{cert_id}/mark.json", {"action": "inactive"}).json["result"] == "success"
