"""The app's nginx cache control (flush, expire, status) against real nginx + Lua servers."""

from __future__ import annotations

import pytest
import requests
import webtest

from peter_sslers import main
from tests import pki as pki_module
from tests import route_coverage
from tests.conftest import TEST_HOST, settings_for
from tests.services.nginx import CACHE_PUT_PATH, DEFAULT_STATUS_PATH

from .conftest import USERPASS

ADMIN = "/.well-known/admin"
AUTH = tuple(USERPASS.split(":", 1))



@pytest.fixture
def app_for(shared_database):
    """``app_for(servers, userpass=USERPASS)``: a WebTest app whose nginx.servers_pool is ``servers``.

    It commits for real into this module's own database (``shared_database``).
    """

    def make(servers, userpass: str = USERPASS) -> webtest.TestApp:
        app = main({}, **settings_for(shared_database, **{
            "nginx.servers_pool": ", ".join(s.url for s in servers),
            "nginx.userpass": userpass, "nginx.timeout": "3",
        }))  # fmt: skip
        route_coverage.install(app.registry)
        return webtest.TestApp(app, extra_environ={"HTTP_HOST": TEST_HOST})

    return make


def _put(server, domain: str, kind: str = "valid") -> None:
    res = requests.get(server.url + CACHE_PUT_PATH, params={"domain": domain, "kind": kind}, timeout=5)
    assert res.status_code == 200, res.text


def _keys(server) -> dict:
    res = requests.get(server.url + DEFAULT_STATUS_PATH, auth=AUTH, timeout=5)
    assert res.status_code == 200, res.text
    return {kind: sorted(names) for kind, names in res.json()["keys"].items()}


def test_flush_all_with_one_server_down(cache_admin_pool, app_for):
    up, down = cache_admin_pool
    for name in ("a.example.com", "b.example.com"):
        _put(up, name)
    _put(up, "c.example.com", "invalid")
    app = app_for([up, down])
    res = app.post(ADMIN + "/api/nginx/cache-flush.json")
    assert res.status_int == 200
    data = res.json
    assert data["result"] == "partial" and data["operation"] == "nginx-cache-flush"
    status = data["servers_status"]
    assert status["success"] == [up.url] and status["errors"] == [down.url]
    assert status["servers"][up.url]["expired"] == "all"
    assert status["servers"][up.url]["server"] == "peter_sslers:openresty"
    down_answer = status["servers"][down.url]
    assert down_answer["result"] == "error" and "could not connect" in down_answer["error"]
    assert _keys(up) == {"valid": [], "invalid": [], "autocert": []}  # really flushed
    # the HTML page shows both servers, the down one with its error
    _put(up, "a.example.com")
    page = app.post(ADMIN + "/api/nginx/cache-flush")
    assert "Result: partial" in page.text and down.url in page.text and "could not connect" in page.text
    assert _keys(up)["valid"] == []
    assert "POST to expire" in app.get(ADMIN + "/api/nginx/cache-flush").text
    assert app.get(ADMIN + "/api/nginx/cache-flush.json").json["result"] == "instructions"


def test_every_server_up_is_success(make_cache_admin, app_for):
    servers = [make_cache_admin(USERPASS), make_cache_admin(USERPASS)]
    for server in servers:
        _put(server, "a.example.com")
    data = app_for(servers).post(ADMIN + "/api/nginx/cache-flush.json").json
    assert data["result"] == "success"
    assert data["servers_status"]["success"] == [s.url for s in servers]
    assert all(_keys(s)["valid"] == [] for s in servers)


def test_wrong_password_is_an_error_per_server(cache_admin_pool, app_for):
    up, down = cache_admin_pool
    _put(up, "a.example.com")
    data = app_for([up, down], userpass="peter:wrong").post(ADMIN + "/api/nginx/cache-flush.json").json
    assert data["result"] == "error" and data["servers_status"]["success"] == []
    answer = data["servers_status"]["servers"][up.url]
    assert answer["status_code"] == 401 and "authentication failed" in answer["error"]
    assert _keys(up)["valid"] == ["a.example.com"]  # nothing was expired


def test_expire_a_domain_and_a_certificate(cache_admin_pool, app_for, pki):
    up, down = cache_admin_pool
    app = app_for([up, down])
    names = ["x1.expire.example.com", "x2.expire.example.com"]
    cert_id = pki_module.upload_new_leaf(app, pki, names)
    pki_module.upload_new_leaf(app, pki, ["solo.expire.example.com"])
    for name in [*names, "solo.expire.example.com"]:
        _put(up, name)
    # one domain
    data = app.post(ADMIN + "/domain/solo.expire.example.com/nginx-cache-expire.json").json
    assert data["result"] == "partial" and data["expired"] == "domain"
    assert data["domains"] == ["solo.expire.example.com"]
    up_answer = data["servers_status"]["servers"][up.url]
    assert up_answer["result"] == "success"
    assert up_answer["domains"]["solo.expire.example.com"]["domain"] == "solo.expire.example.com"
    assert data["servers_status"]["servers"][down.url]["result"] == "error"
    assert _keys(up)["valid"] == sorted(names)
    # every domain of a certificate
    data = app.post(f"{ADMIN}/certificate-signed/{cert_id}/nginx-cache-expire.json").json
    assert data["domains"] == names and data["target"]["type"] == "CertificateSigned"
    assert _keys(up)["valid"] == []
    # instructions and HTML pages
    info = app.get(f"{ADMIN}/certificate-signed/{cert_id}/nginx-cache-expire.json").json
    assert info["result"] == "instructions" and info["target"]["domains"] == names
    assert "x1.expire.example.com" in app.get(f"{ADMIN}/certificate-signed/{cert_id}/nginx-cache-expire").text
    assert "solo.expire.example.com" in app.get(ADMIN + "/domain/solo.expire.example.com/nginx-cache-expire").text
    page = app.post(ADMIN + "/domain/solo.expire.example.com/nginx-cache-expire")
    assert "Result: partial" in page.text
    assert "Result: partial" in app.post(f"{ADMIN}/certificate-signed/{cert_id}/nginx-cache-expire").text
    app.post(ADMIN + "/domain/nothing.example.com/nginx-cache-expire.json", status=404)
    # both were recorded as operations events
    events = app.get(ADMIN + "/operations-events.json").json
    kinds = {e["event_type"] for e in events["operations_events"]}
    assert {"Domain__nginx_cache_expire", "CertificateSigned__nginx_cache_expire"} <= kinds


def test_status_shape(cache_admin_pool, app_for):
    up, down = cache_admin_pool
    _put(up, "a.example.com")
    _put(up, "b.example.com", "invalid")
    app = app_for([up, down])
    data = app.get(ADMIN + "/api/nginx/status.json").json
    # the shape of the original README: servers_status {errors, success, servers: {url: payload}}, result
    assert set(data["servers_status"]) == {"errors", "success", "servers"}
    assert data["result"] == "partial"
    assert data["servers_status"]["success"] == [up.url]
    assert data["servers_status"]["errors"] == [down.url]
    payload = data["servers_status"]["servers"][up.url]
    assert payload["result"] == "success"
    assert payload["keys"] == {"valid": ["a.example.com"], "invalid": ["b.example.com"], "autocert": []}
    assert "expiries" in payload["config"]
    assert data["servers_status"]["servers"][down.url]["result"] == "error"
    assert app.post(ADMIN + "/api/nginx/status.json").json["servers_status"]["success"] == [up.url]
    page = app.get(ADMIN + "/api/nginx/status")
    assert "a.example.com" in page.text and "could not connect" in page.text
    assert "Refresh" in app.post(ADMIN + "/api/nginx/status").text


def test_empty_pool_is_an_error(testapp, dbsession):
    """The session app has no nginx.servers_pool: every action answers 400, saying so."""
    from tests import factories

    factories.domain(dbsession, "pool.example.com")
    for path in ("/api/nginx/cache-flush", "/api/nginx/status", "/domain/pool.example.com/nginx-cache-expire"):
        res = testapp.post(ADMIN + path + ".json", status=400)
        assert res.json["result"] == "error" and "nginx.servers_pool" in res.json["error"]
        assert "nginx.servers_pool" in testapp.post(ADMIN + path, status=400).text
    assert testapp.get(ADMIN + "/api/nginx/status.json", status=400).json["result"] == "error"
    testapp.get(ADMIN + "/api/nginx/status", status=400)
    assert "No nginx server is configured" in testapp.get(ADMIN + "/api/nginx/cache-flush").text
    assert testapp.get(ADMIN + "/api/nginx/cache-flush.json").json["nginx_config"]["nginx.servers_pool"] == []
    assert testapp.get(ADMIN + "/domain/pool.example.com/nginx-cache-expire.json").json["result"] == "instructions"
