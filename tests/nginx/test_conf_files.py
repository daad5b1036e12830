"""The example files of conf/: `nginx -t` on every nginx file, and the two site files run for real.

conf/*.conf are http{}-context files (what goes in /etc/nginx/sites-enabled/). For a test they
are wrapped into a complete nginx.conf with every listen address moved to 127.0.0.1 on a free
port and every file path (TLS files, htpasswd, logs) moved to a temp dir.
"""

from __future__ import annotations

import configparser
import http.client
import re
import shlex
import ssl
from pathlib import Path

import pytest
import requests

from tests import factories
from tests.services.common import free_port
from tests.services.nginx import LUA_PACKAGE_PATH, make_self_signed_cert, write_htpasswd

from .conftest import USERPASS

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
NGINX_FILES = sorted(CONF_DIR.rglob("*.conf"))

_LISTEN = re.compile(r"^(\s*listen\s+)([^\s;]+)((?:\s+[^;]*)?;)", re.M)
_FILE_DIRECTIVE = re.compile(
    r"^(\s*)(ssl_certificate|ssl_certificate_key|ssl_trusted_certificate|auth_basic_user_file"
    r"|access_log|error_log|root)(\s+)([^\s;]+)([^;]*;)",
    re.M,
)

# A stand-in for lua-resty-peter_sslers (not packaged for Debian): every entry point records
# its call, and the admin routes print the record (and $location), so a test can check how the
# example config drives the module. `nginx -t` compiles no Lua: only a running server does.
LUA_STUB = """-- test stub of lua-resty-peter_sslers 0.5
local _M = {_VERSION = "0.5.0"}
local calls = {}
local function record(name, ...)
    local args = {}
    for i = 1, select("#", ...) do args[#args + 1] = tostring((select(i, ...))) end
    calls[#calls + 1] = name .. "(" .. table.concat(args, ",") .. ")"
end
function _M.initialize(...) record("initialize", ...) return true end
function _M.initialize_worker(...) record("initialize_worker", ...) return true end
function _M.redis_update_defaults(...) record("redis_update_defaults", ...) end
function _M.set_ssl_certificate(...) record("set_ssl_certificate", ...) end
local function report(route)
    ngx.header.content_type = "text/plain"
    ngx.say("route=", route)
    ngx.say("location=", tostring(ngx.var.location))
    ngx.say(table.concat(calls, "\\n"))
end
function _M.expire_ssl_certs() report("expire") end
function _M.status_ssl_certs() report("status") end
return _M
"""


class Localized:
    """A conf/ file rewritten for this machine; ``ports`` maps each original listen address."""

    def __init__(
        self, source: Path, workdir: Path, *, upstreams: dict[str, list[str]] | None = None
    ):
        self.source = source
        self.workdir = workdir
        self.ports: dict[str, int] = {}
        self.cert, self.key = make_self_signed_cert(workdir / "tls")
        self.htpasswd = write_htpasswd(workdir / "htpasswd", USERPASS)
        (workdir / "logs").mkdir(exist_ok=True)
        (workdir / "www").mkdir(exist_ok=True)
        text = source.read_text()
        text = _LISTEN.sub(self._listen, text)
        text = _FILE_DIRECTIVE.sub(self._file, text)
        for name, servers in (upstreams or {}).items():
            text = _rewrite_upstream(text, name, servers)
        self.text = text
        self.lua = "_by_lua" in text

    def _listen(self, m: re.Match) -> str:
        port = self.ports.setdefault(m.group(2), free_port())
        return f"{m.group(1)}127.0.0.1:{port}{m.group(3)}"

    def _file(self, m: re.Match) -> str:
        directive, value = m.group(2), m.group(4)
        replacement = {
            "ssl_certificate": str(self.cert),
            "ssl_trusted_certificate": str(self.cert),
            "ssl_certificate_key": str(self.key),
            "auth_basic_user_file": str(self.htpasswd),
            "root": str(self.workdir / "www"),
        }.get(directive)
        if replacement is None:  # logs
            replacement = value if value == "off" else str(self.workdir / "logs" / Path(value).name)
        return f"{m.group(1)}{directive}{m.group(3)}{replacement}{m.group(5)}"

    def lua_package_path(self) -> str:
        stub = self.workdir / "lua" / "resty" / "peter_sslers.lua"
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(LUA_STUB)
        return f"{self.workdir / 'lua'}/?.lua;{LUA_PACKAGE_PATH}"


def _rewrite_upstream(text: str, name: str, servers: list[str]) -> str:
    block = re.search(r"upstream\s+" + re.escape(name) + r"\s*\{(.*?)\n\}", text, re.S)
    assert block, f"no upstream {name}"
    count = iter(range(10_000))
    body = re.sub(r"^(\s*server\s+)(\S+?)([\s;])",
                  lambda m: m.group(1) + servers[next(count) % len(servers)] + m.group(3),
                  block.group(1), flags=re.M)  # fmt: skip
    return text[: block.start(1)] + body + text[block.end(1) :]


def _server_for(make_nginx, tmp_path, source: Path, listen: str | None = None, **kwargs):
    """(Localized, NginxServer not started) answering on the port that replaced ``listen``."""
    localized = Localized(source, tmp_path, **kwargs)
    extra = {"lua": True, "lua_package_path": localized.lua_package_path()} if localized.lua else {}
    port = localized.ports[listen] if listen else next(iter(localized.ports.values()))
    server = make_nginx(localized.text, start=False, port=port, name="nginx-conf", **extra)
    return localized, server


def test_conf_has_the_expected_files():
    names = {p.relative_to(CONF_DIR).as_posix() for p in CONF_DIR.rglob("*") if p.is_file()}
    assert {
        "README.md", "nginx-acme-challenge.conf", "nginx-admin-private.conf", "openresty-peter_sslers.conf",
        "cron.example", "systemd/peter_sslers.service", "systemd/peter_sslers-renewals.service",
        "systemd/peter_sslers-renewals.timer",
    } <= names  # fmt: skip
    readme = (CONF_DIR / "README.md").read_text()
    for name in names - {"README.md"}:
        assert name in readme, f"conf/README.md does not explain {name}"


@pytest.mark.parametrize("source", NGINX_FILES, ids=[p.name for p in NGINX_FILES])
def test_nginx_syntax(source, make_nginx, tmp_path, request):
    text = source.read_text()
    if re.search(r"^\s*(http|events)\s*\{", text, re.M):
        pytest.fail(f"{source.name} is a complete nginx.conf: conf/ files are http{{}} context")
    if "_by_lua" in text:
        request.getfixturevalue("nginx_lua")
    _localized, server = _server_for(make_nginx, tmp_path, source)
    checked = server.check_config()
    assert checked.returncode == 0, (
        f"{source.name}:\n{checked.stderr}\n{server.conf_path.read_text()}"
    )


def test_acme_challenge_conf_in_front_of_two_instances(make_nginx, tmp_path, app_instances):
    localized, server = _server_for(
        make_nginx, tmp_path, CONF_DIR / "nginx-acme-challenge.conf", listen="80",
        upstreams={"peter_sslers_public": [i.hostport for i in app_instances]},
    )  # fmt: skip
    server.start()
    session = app_instances[0].dbsession()
    try:
        challenge = factories.http01_challenge(session, domain_name="conf.example.com")
        token, keyauth = challenge.token, challenge.keyauthorization
        session.commit()
    finally:
        session.close()
    seen = set()
    for _ in range(4):
        res = requests.get(f"{server.url}/.well-known/acme-challenge/{token}",
                           headers={"Host": "conf.example.com"}, timeout=10)  # fmt: skip
        assert res.status_code == 200 and res.text == keyauth
        assert res.headers["Cache-Control"] == "no-store"
        seen.add(res.headers["X-Peter-SSLers"])
    assert seen == {"nginx-a", "nginx-b"}
    res = requests.get(f"{server.url}/.well-known/acme-challenge/nope", timeout=10)
    assert res.status_code == 404
    for path in ("/.well-known/admin", "/.well-known/admin/", "/.well-known/admin/index.json"):
        res = requests.get(server.url + path, timeout=10, allow_redirects=False)
        assert res.status_code == 404 and "X-Peter-SSLers" not in res.headers, path
    res = requests.get(server.url + "/page?x=1", headers={"Host": "conf.example.com"}, timeout=10,
                       allow_redirects=False)  # fmt: skip
    assert res.status_code == 301
    assert res.headers["Location"] == "https://conf.example.com/page?x=1"


def test_admin_private_conf_filters_by_address_and_password(make_nginx, tmp_path, app_instances):
    admin = app_instances[0]
    localized, server = _server_for(
        make_nginx, tmp_path, CONF_DIR / "nginx-admin-private.conf", listen="10.0.0.5:8443",
        upstreams={"peter_sslers_admin": [admin.hostport]},
    )  # fmt: skip
    server.start()
    base = f"https://127.0.0.1:{server.port}"
    url = base + "/.well-known/admin/index.json"
    verify = str(localized.cert)  # never the environment's CA bundle
    assert requests.get(url, verify=verify, timeout=10).status_code == 401
    assert requests.get(url, verify=verify, auth=("peter", "nope"), timeout=10).status_code == 401
    res = requests.get(url, verify=verify, auth=tuple(USERPASS.split(":", 1)), timeout=10)
    assert res.status_code == 200
    assert res.headers["X-Peter-SSLers"] == admin.name
    res = requests.get(base + "/", verify=verify, auth=tuple(USERPASS.split(":", 1)), timeout=10,
                       allow_redirects=False)  # fmt: skip
    assert res.status_code == 302 and res.headers["Location"].endswith("/.well-known/admin/")
    res = requests.get(
        base + "/other", verify=verify, auth=tuple(USERPASS.split(":", 1)), timeout=10
    )
    assert res.status_code == 404
    # a client outside the allowed networks: 127.0.0.2 is not 127.0.0.1 nor 10.0.0.0/24
    context = ssl.create_default_context(cafile=verify)
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, source_address=("127.0.0.2", 0),
                                       context=context, timeout=10)  # fmt: skip
    try:
        conn.request("GET", "/.well-known/admin/index.json")
        assert conn.getresponse().status == 403
    finally:
        conn.close()


def test_openresty_conf_drives_the_module_as_the_contract_says(make_nginx, tmp_path, nginx_lua):
    """Run the OpenResty example on Debian's nginx + Lua with the recording stub of the module."""
    localized, server = _server_for(
        make_nginx, tmp_path, CONF_DIR / "openresty-peter_sslers.conf", listen="443"
    )
    server.start()
    base = f"https://127.0.0.1:{server.port}"
    verify = str(localized.cert)  # the default certificate: the stub picks none
    auth = tuple(USERPASS.split(":", 1))
    reset = "/.peter_sslers/nginx/shared_cache/expire"
    assert requests.get(base + reset + "/all", verify=verify, timeout=10).status_code == 401
    res = requests.get(base + reset + "/all", verify=verify, auth=auth, timeout=10)
    assert res.status_code == 200, server.log_tail()
    lines = res.text.splitlines()
    assert lines[:2] == ["route=expire", f"location={reset}"]  # `set $location` = reset_path
    assert "initialize()" in lines
    assert "initialize_worker(90,30,200)" in lines
    assert "redis_update_defaults(127.0.0.1,6379,9)" in lines  # all three, db 9
    # called at the TLS handshake of this very request
    handshake = "set_ssl_certificate(1,http://127.0.0.1:7202/.well-known/admin,1)"
    assert handshake in lines
    res = requests.get(
        base + "/.peter_sslers/nginx/shared_cache/status", verify=verify, auth=auth, timeout=10
    )
    assert res.status_code == 200
    # $location is set in the expire location only
    assert res.text.splitlines()[:2] == ["route=status", "location="]
    res = requests.get(base + "/.peter_sslers/other", verify=verify, auth=auth, timeout=10)
    assert res.status_code == 404


# --- systemd units and cron -----------------------------------------------------------------

QUEUE = "/.well-known/admin/queue-certificates/process.json"
EXPIRED = "/.well-known/admin/api/deactivate-expired.json"


def _unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string((CONF_DIR / "systemd" / name).read_text())
    return parser


def test_systemd_units():
    service = _unit("peter_sslers.service")
    assert service["Service"]["ExecStart"].split()[1] == "/etc/peter_sslers/production.ini"
    assert "pserve" in service["Service"]["ExecStart"]
    assert service["Install"]["WantedBy"] == "multi-user.target"
    timer = _unit("peter_sslers-renewals.timer")
    assert timer["Timer"]["Unit"] == "peter_sslers-renewals.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    text = (CONF_DIR / "systemd" / "peter_sslers-renewals.service").read_text()
    assert "Type=oneshot" in text
    execs = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    assert len(execs) == 2
    for line, path in zip(execs, (QUEUE, EXPIRED), strict=True):
        assert f"prequest -d -m POST /etc/peter_sslers/admin.ini {path} < /dev/null" in line
        assert "$(" not in line.replace("$$(", "")  # systemd needs "$$" for the shell's "$"


def test_cron_example():
    entries = [line for line in (CONF_DIR / "cron.example").read_text().splitlines()
               if line.strip() and not line.startswith("#") and "=" not in line.split()[0]]  # fmt: skip
    assert len(entries) == 2
    for line, path in zip(entries, (QUEUE, EXPIRED), strict=True):
        words = shlex.split(line)
        assert len(words) > 5 and all(re.fullmatch(r"[\d*,/-]+", w) for w in words[:5]), line
        command = " ".join(words[5:])
        assert f"prequest -d -m POST /etc/peter_sslers/admin.ini {path} < /dev/null" in command
