"""The OpenResty module's cache admin routes, emulated by a real nginx + Lua (see the contract)."""

from __future__ import annotations

import pytest
import requests

from tests.services.nginx import CACHE_PUT_PATH, DEFAULT_RESET_PATH, DEFAULT_STATUS_PATH

from .conftest import USERPASS

AUTH = tuple(USERPASS.split(":", 1))


def _put(server, domain: str, kind: str = "valid") -> None:
    res = requests.get(
        server.url + CACHE_PUT_PATH, params={"domain": domain, "kind": kind}, timeout=5
    )
    assert res.status_code == 200, res.text


def _status(server, path: str = DEFAULT_STATUS_PATH, auth=None) -> dict:
    res = requests.get(server.url + path, auth=auth, timeout=5)
    assert res.status_code == 200, res.text
    assert res.headers["Content-Type"] == "application/json"
    return res.json()


def _keys(server, **kw) -> dict:
    return {kind: sorted(names) for kind, names in _status(server, **kw)["keys"].items()}


def test_status_shape(make_cache_admin):
    server = make_cache_admin()
    _put(server, "a.example.com")
    _put(server, "b.example.com", "invalid")
    _put(server, "c.example.com", "autocert")
    body = _status(server)
    assert body["result"] == "success"
    assert body["keys"] == {
        "valid": ["a.example.com"],
        "invalid": ["b.example.com"],
        "autocert": ["c.example.com"],
    }
    assert isinstance(body["config"], dict)
    assert body["config"]["expiries"] == {"ngx.shared.cert_cache": 600, "resty.lrucache": 60}
    assert body["server"] == "peter_sslers:openresty"
    assert body["server_version"] == "0.5.0"


def test_status_of_an_empty_cache(make_cache_admin):
    body = _status(make_cache_admin())
    assert body["keys"] == {"valid": [], "invalid": [], "autocert": []}


def test_expire_all_flushes_the_cache(make_cache_admin):
    server = make_cache_admin()
    for name in ("a.example.com", "b.example.com"):
        _put(server, name)
    res = requests.get(server.url + DEFAULT_RESET_PATH + "/all", timeout=5)
    assert res.status_code == 200
    body = res.json()
    assert body["result"] == "success"
    assert body["expired"] == "all"
    assert body["server"] == "peter_sslers:openresty"
    assert _keys(server) == {"valid": [], "invalid": [], "autocert": []}


def test_expire_one_domain(make_cache_admin):
    server = make_cache_admin()
    _put(server, "a.example.com")
    _put(server, "b.example.com", "invalid")
    res = requests.get(server.url + DEFAULT_RESET_PATH + "/domain/a.example.com", timeout=5)
    assert res.status_code == 200
    body = res.json()
    assert (body["result"], body["expired"], body["domain"]) == (
        "success",
        "domain",
        "a.example.com",
    )
    assert _keys(server) == {"valid": [], "invalid": ["b.example.com"], "autocert": []}


def test_module_domain_bug_can_be_reproduced(make_cache_admin):
    """The real 0.5.0 module answers success for a domain but clears nothing (contract note)."""
    server = make_cache_admin(module_domain_bug=True)
    _put(server, "a.example.com")
    res = requests.get(server.url + DEFAULT_RESET_PATH + "/domain/a.example.com", timeout=5)
    assert res.json()["expired"] == "domain"
    assert _keys(server)["valid"] == ["a.example.com"]


def test_unknown_expire_uri_is_404_json(make_cache_admin):
    server = make_cache_admin()
    for tail in ("", "/nothing", "/all?x=1", "/domain/"):
        res = requests.get(server.url + DEFAULT_RESET_PATH + tail, timeout=5)
        assert res.status_code == 404, tail
        assert res.json()["result"] == "error"


def test_custom_paths_use_set_location(make_cache_admin):
    reset, status = "/.custom/expire", "/.custom/status"
    server = make_cache_admin(reset_path=reset, status_path=status)
    assert f"set $location {reset};" in server.conf_path.read_text()
    _put(server, "a.example.com")
    assert requests.get(server.url + reset + "/all", timeout=5).json()["expired"] == "all"
    assert _keys(server, path=status)["valid"] == []
    assert requests.get(server.url + DEFAULT_STATUS_PATH, timeout=5).status_code == 404


def test_basic_auth_is_required(make_cache_admin):
    server = make_cache_admin(USERPASS)
    _put(server, "a.example.com")
    for path in (
        DEFAULT_STATUS_PATH,
        DEFAULT_RESET_PATH + "/all",
        DEFAULT_RESET_PATH + "/domain/a.example.com",
    ):
        assert requests.get(server.url + path, timeout=5).status_code == 401, path
        assert (
            requests.get(server.url + path, auth=("peter", "wrong"), timeout=5).status_code == 401
        ), path
    assert _keys(server, auth=AUTH)["valid"] == ["a.example.com"]  # nothing was expired
    res = requests.get(server.url + DEFAULT_RESET_PATH + "/all", auth=AUTH, timeout=5)
    assert res.status_code == 200
    assert res.json()["expired"] == "all"
    assert _keys(server, auth=AUTH)["valid"] == []


def test_pool_with_a_server_down(cache_admin_pool):
    up, down = cache_admin_pool
    assert up.running and not down.running
    assert _status(up, auth=AUTH)["result"] == "success"
    with pytest.raises(requests.ConnectionError):
        requests.get(down.url + DEFAULT_STATUS_PATH, auth=AUTH, timeout=5)


def test_reload_keeps_the_shared_dict(make_cache_admin):
    """ngx.shared dicts survive a reload (the module's README): only expire clears them."""
    server = make_cache_admin()
    _put(server, "a.example.com")
    pid = server.pid
    server.reload()
    assert server.pid == pid
    assert _keys(server)["valid"] == ["a.example.com"]
