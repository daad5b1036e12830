"""End to end: certificates the app obtained from Pebble, primed into a real Redis, served by a
real nginx whose ``ssl_certificate_by_lua_block`` reads them by SNI name.

nginx is Debian's (libnginx-mod-http-lua + lua-resty-core's ``ngx.ssl``), the Redis client is
Debian's lua-nginx-redis (``require "nginx.redis"``); the Lua side is
tests/services/lua/peter_sslers_tls.lua and reads the shapes of the OpenResty contract:
``d2:{name}`` (prime style 2) and ``d1:{name}`` + ``c:``/``p:``/``i:`` (prime style 1).
Each style has its own Redis database and its own TLS port; an unknown name gets the
server's fallback self-signed certificate.
"""

from __future__ import annotations

import hashlib
import os
import re
import ssl
import subprocess
from pathlib import Path

import pytest
import webtest

from peter_sslers import main
from tests.acme.test_orders import new_order
from tests.conftest import TEST_HOST, require_binary
from tests.services.common import free_port
from tests.services.nginx import (
    INSTALL_HINT as NGINX_INSTALL_HINT,
)
from tests.services.nginx import (
    LUA_PACKAGE_PATH,
    NGINX_BIN,
    NginxServer,
    lua_available,
    make_self_signed_cert,
)
from tests.services.redis import INSTALL_HINT as REDIS_INSTALL_HINT
from tests.services.redis import RedisServer

ADMIN = "/.well-known/admin"
LUA_DIR = Path(__file__).resolve().parents[1] / "services" / "lua"
LUA_REDIS = "/usr/share/lua/5.1/nginx/redis.lua"
LUA_HINT = "apt-get install libnginx-mod-http-lua libnginx-mod-http-ndk lua-resty-core lua-resty-lrucache lua-nginx-redis"
DB_BY_STYLE = {"2": 9, "1": 10}  # style 2 in the contract's default database, style 1 next to it
PEM_RE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def _require_lua() -> None:
    if lua_available() and os.path.exists(LUA_REDIS):
        return
    message = f"nginx Lua module or lua-nginx-redis not found: install them with `{LUA_HINT}`"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must not skip for a missing service)")
    pytest.skip(message)


def _ders(pem_text: str) -> list[bytes]:
    return [ssl.PEM_cert_to_DER_cert(block) for block in PEM_RE.findall(pem_text)]


def _sha256(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


@pytest.fixture(scope="module")
def issued(acme_app, tmp_path_factory) -> dict[str, dict]:
    """3 names, one certificate each, obtained through the app from Pebble:
    {name: {"id", "cert_der", "chain_ders"}} as the app serves them for download."""
    testapp = webtest.TestApp(acme_app, extra_environ={"HTTP_HOST": TEST_HOST})
    account = testapp.post(ADMIN + "/acme-account/new.json", {
        "contact": f"tls-{os.urandom(4).hex()}@example.com", "tos_agreed": "1",
    }).json["acme_account"]  # fmt: skip
    tag = os.urandom(4).hex()
    result = {}
    for i in range(3):
        name = f"tls{i}-{tag}.example.test"
        order = new_order(testapp, account, [name])["acme_order"]
        assert order["status"] == "valid", order
        cert_id = order["certificate_signed_id"]
        base = f"{ADMIN}/certificate-signed/{cert_id}"
        result[name] = {
            "id": cert_id,
            "cert_der": testapp.get(base + "/cert.der").body,
            "chain_ders": _ders(testapp.get(base + "/chain.pem").text),
        }
        assert result[name]["chain_ders"], "Pebble certificates come with a chain"
    return result


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    require_binary("redis-server", REDIS_INSTALL_HINT)
    server = RedisServer(tmp_path_factory.mktemp("tls-redis")).start()
    yield server
    server.stop()


def _tls_config(redis_port: int, ports: dict[str, int], fallback: tuple[Path, Path]) -> str:
    blocks = []
    for style, port in ports.items():
        blocks.append(f"""
server {{
    listen 127.0.0.1:{port} ssl;
    server_name _;
    ssl_certificate {fallback[0]};
    ssl_certificate_key {fallback[1]};
    ssl_certificate_by_lua_block {{
        require("peter_sslers_tls").serve({{host = "127.0.0.1", port = {redis_port}, db = {DB_BY_STYLE[style]}, style = {style}}})
    }}
    location / {{
        return 200 "style {style}\\n";
    }}
}}
""")
    return "\n".join(blocks)


@pytest.fixture(scope="module")
def tls_nginx(redis_server, tmp_path_factory):
    """nginx with one TLS port per prime style: {"server", "ports", "fallback_der"}."""
    require_binary(NGINX_BIN, NGINX_INSTALL_HINT)
    require_binary("openssl", "apt-get install openssl")
    _require_lua()
    workdir = tmp_path_factory.mktemp("tls-nginx")
    fallback = make_self_signed_cert(workdir / "fallback", "fallback.invalid")
    ports = {"2": free_port(), "1": free_port()}
    server = NginxServer(
        workdir,
        _tls_config(redis_server.port, ports, fallback),
        port=ports["2"],
        lua=True,
        lua_package_path=f"{LUA_DIR}/?.lua;{LUA_PACKAGE_PATH}",
        name="nginx-tls-redis",
    )
    checked = server.check_config()
    assert checked.returncode == 0, checked.stderr
    server.start()
    yield {"server": server, "ports": ports, "fallback_der": _ders(fallback[0].read_text())[0]}
    server.stop()


def s_client(port: int, name: str, roots: Path) -> tuple[list[bytes], str]:
    """(certificates the server sent, s_client's output) for a handshake with SNI ``name``."""
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", name, "-showcerts",
         "-CAfile", str(roots), "-verify_hostname", name],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=15,
    )  # fmt: skip
    sent = _ders(result.stdout)
    assert sent, f"no certificate from the handshake for {name}:\n{result.stdout}\n{result.stderr}"
    return sent, result.stdout


@pytest.mark.parametrize("style", ["2", "1"])
def test_nginx_serves_primed_certificates_by_sni(style, issued, redis_server, tls_nginx, acme_settings,
                                                 app_pebble, tmp_path):  # fmt: skip
    db = DB_BY_STYLE[style]
    client = redis_server.client(db)
    client.flushdb()
    # a second app on the same database, writing to this Redis database in this style
    settings = {**acme_settings, "redis.url": redis_server.url(db), "redis.prime_style": style}
    primer = webtest.TestApp(main({}, **settings), extra_environ={"HTTP_HOST": TEST_HOST})
    counts = primer.post(ADMIN + "/api/redis/prime.json").json
    assert counts["result"] == "success" and counts["prime_style"] == style
    assert counts["domains_primed"] >= len(issued)
    for name, cert in issued.items():
        if style == "2":
            assert set(client.hgetall(f"d2:{name}")) == {b"f", b"p"}
        else:
            ids = client.hgetall(f"d1:{name}")
            assert ids[b"c"].decode() == str(cert["id"])
            assert all(client.exists(f"{k}:{ids[k.encode()].decode()}") for k in "cpi")
    assert not client.exists(f"d{style}:unknown.example.test")

    roots = tmp_path / "roots.pem"
    roots.write_text("".join(app_pebble.roots))
    port = tls_nginx["ports"][style]
    for name, cert in issued.items():
        sent, output = s_client(port, name, roots)
        assert _sha256(sent[0]) == _sha256(cert["cert_der"]), (
            f"{name}: wrong leaf\n{tls_nginx['server'].log_tail()}"
        )
        assert sent[1:] == cert["chain_ders"], f"{name}: the chain is not the app's default chain"
        assert "Verify return code: 0 (ok)" in output, output
    sent, _ = s_client(port, "unknown.example.test", roots)
    assert sent == [tls_nginx["fallback_der"]]
    log = tls_nginx["server"].error_log_path.read_text()
    assert all(f"peter_sslers_tls: served {name} from d{style}:" in log for name in issued)
