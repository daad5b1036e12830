"""Start a real nginx (Debian's 1.22, optionally with the Lua module) for tests.

``NginxServer`` writes a complete ``nginx.conf`` into its own directory (pid, logs and every
``*_temp_path`` inside it, ``daemon off;``), starts ``/usr/sbin/nginx -p DIR -c DIR/nginx.conf``
as a direct child without a shell, waits for its port and stops it by that PID (SIGQUIT, then
SIGKILL to its own process group). See /work/shared/docs/SERVICES.md.

Builders return the ``http {}`` body (server blocks and friends) for two setups:

- ``acme_challenge_proxy_config``: the public port 80 of a web server handing HTTP-01 requests
  to one or more peter_sslers instances;
- ``cache_admin_config``: the admin routes of lua-resty-peter_sslers 0.5 (expire/status of
  its ``ngx.shared.cert_cache``), emulated in inline Lua because the module itself (and
  OpenResty) is not packaged for Debian. Shapes follow /work/shared/spec/openresty-contract.md.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import os
import secrets
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

from .common import free_port, wait_until

NGINX_BIN = "/usr/sbin/nginx"
INSTALL_HINT = "apt-get install nginx libnginx-mod-http-lua"
MODULES_DIR = "/usr/lib/nginx/modules"
LUA_MODULES = ("ndk_http_module.so", "ngx_http_lua_module.so")
# Debian's lua-resty-core / lua-resty-lrucache (and lua-nginx-redis) live here
LUA_PACKAGE_PATH = "/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua;;"
START_TIMEOUT = 10.0

# the defaults of lua-resty-peter_sslers 0.5 and of peter_sslers' nginx.* settings
DEFAULT_RESET_PATH = "/.peter_sslers/nginx/shared_cache/expire"
DEFAULT_STATUS_PATH = "/.peter_sslers/nginx/shared_cache/status"
MODULE_VERSION = "0.5.0"
# test-only location of ``cache_admin_config`` that puts entries into the shared dict
CACHE_PUT_PATH = "/.peter_sslers-test/cache/put"

ConfigSource = str | Callable[[int], str]


def lua_available() -> bool:
    """True when both Lua dynamic modules are installed."""
    return all(os.path.exists(os.path.join(MODULES_DIR, m)) for m in LUA_MODULES)


def _port_answers(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


class NginxServer:
    """One nginx master (plus one worker) serving a config written into ``workdir``.

    ``config`` is the body of ``http {}``: a string, or a builder ``f(port) -> str`` called
    with ``port`` (a free port unless given). The port is what readiness is checked on.
    """

    def __init__(
        self,
        workdir: str | os.PathLike[str],
        config: ConfigSource,
        *,
        port: int | None = None,
        lua: bool = False,
        lua_package_path: str = LUA_PACKAGE_PATH,
        master_process: bool = True,
        name: str = "nginx",
        nginx_bin: str = NGINX_BIN,
    ) -> None:
        self.dir = Path(workdir).resolve()
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "logs").mkdir(exist_ok=True)
        (self.dir / "temp").mkdir(exist_ok=True)
        self.name = name
        self.nginx_bin = nginx_bin
        self.lua = lua
        self.lua_package_path = lua_package_path
        self.master_process = master_process
        self.port = port if port is not None else free_port()
        self.conf_path = self.dir / "nginx.conf"
        self.pid_path = self.dir / "nginx.pid"
        self.error_log_path = self.dir / "logs" / "error.log"
        self.access_log_path = self.dir / "logs" / "access.log"
        self.stdout_path = self.dir / "logs" / "stdout.log"
        self._popen: subprocess.Popen[bytes] | None = None
        self.write_config(config)

    # --- configuration ---------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def render(self, config: ConfigSource) -> str:
        """The full nginx.conf around ``config`` (the ``http {}`` body)."""
        body = config(self.port) if callable(config) else config
        return full_config(
            self.dir,
            body,
            lua=self.lua,
            lua_package_path=self.lua_package_path,
            master_process=self.master_process,
            error_log=self.error_log_path,
            access_log=self.access_log_path,
            pid=self.pid_path,
        )

    def write_config(self, config: ConfigSource) -> None:
        self.conf_path.write_text(self.render(config))

    def _argv(self, *extra: str) -> list[str]:
        # -e: nginx logs to its compiled-in /var/log path until it has read the config
        return [
            self.nginx_bin, "-p", f"{self.dir}/", "-c", str(self.conf_path),
            "-e", str(self.error_log_path), *extra,
        ]  # fmt: skip

    def check_config(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` on the written config (returncode 0 when valid)."""
        return subprocess.run(self._argv("-t"), capture_output=True, text=True, timeout=30)

    # --- process -----------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._popen.pid if self._popen is not None else None

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def start(self, timeout: float = START_TIMEOUT) -> NginxServer:
        if self.running:
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        with open(self.stdout_path, "ab") as out:
            self._popen = subprocess.Popen(
                self._argv(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers stay with it
            )
        atexit.register(self.stop)  # never leave a server behind if teardown is skipped
        try:
            wait_until(lambda: _port_answers(self.port), timeout=timeout, what=f"{self.name} on {self.port}",
                       process=self)  # fmt: skip
        except BaseException:
            self.stop()
            raise
        return self

    def reload(self, config: ConfigSource | None = None, timeout: float = START_TIMEOUT) -> None:
        """Rewrite the config (when given), check it, SIGHUP the master, wait for the new worker."""
        if not self.master_process:
            raise RuntimeError("reload needs master_process on")
        if config is not None:
            self.write_config(config)
        checked = self.check_config()
        if checked.returncode != 0:
            raise RuntimeError(f"{self.name}: new config is invalid:\n{checked.stderr}")
        before = self._count_in_error_log("start worker process")
        os.kill(self._require_pid(), signal.SIGHUP)
        wait_until(
            lambda: self._count_in_error_log("start worker process") > before and _port_answers(self.port),
            timeout=timeout, what=f"{self.name} reload", process=self,
        )  # fmt: skip

    def stop(self, timeout: float = 5.0) -> None:
        """Graceful stop (SIGQUIT) of the master we started; SIGKILL its process group if stuck."""
        popen = self._popen
        if popen is None or popen.poll() is not None:
            return
        popen.send_signal(signal.SIGQUIT)
        try:
            popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(popen.pid, signal.SIGKILL)  # the group is ours: start_new_session
            except ProcessLookupError:
                pass
            popen.wait(timeout=timeout)

    def _require_pid(self) -> int:
        if not self.running:
            raise RuntimeError(f"{self.name} is not running")
        assert self._popen is not None
        return self._popen.pid

    # --- logs --------------------------------------------------------------------------

    def _count_in_error_log(self, needle: str) -> int:
        try:
            return self.error_log_path.read_text(errors="replace").count(needle)
        except OSError:
            return 0

    def access_log_lines(self) -> list[str]:
        """Lines of the access log (format ``peter_sslers``: see ``full_config``)."""
        try:
            return self.access_log_path.read_text(errors="replace").splitlines()
        except OSError:
            return []

    def log_tail(self, lines: int = 30) -> str:
        """The end of stdout/stderr and of the error log, for failure messages."""
        parts = []
        for path in (self.stdout_path, self.error_log_path):
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            parts.append(f"--- {path.name}\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(parts)


def full_config(
    directory: str | os.PathLike[str],
    http_body: str,
    *,
    lua: bool = False,
    lua_package_path: str = LUA_PACKAGE_PATH,
    master_process: bool = True,
    error_log: str | os.PathLike[str] | None = None,
    access_log: str | os.PathLike[str] | None = None,
    pid: str | os.PathLike[str] | None = None,
) -> str:
    """A complete nginx.conf whose every writable path is under ``directory``."""
    d = Path(directory)
    error_log = error_log or d / "logs" / "error.log"
    access_log = access_log or d / "logs" / "access.log"
    pid = pid or d / "nginx.pid"
    lines: list[str] = []
    if lua:
        lines += [f"load_module {MODULES_DIR}/{m};" for m in LUA_MODULES]
    lines += [
        "daemon off;",
        f"master_process {'on' if master_process else 'off'};",
        "worker_processes 1;",
    ]
    if master_process and os.geteuid() == 0:
        # workers would otherwise switch to `nobody` and fail to read files in 0700 temp dirs
        lines.append("user root;")
    lines += [
        f"pid {pid};",
        f"error_log {error_log} notice;",
        "events { worker_connections 256; }",
        "http {",
        f"    client_body_temp_path {d}/temp/client_body;",
        f"    proxy_temp_path {d}/temp/proxy;",
        f"    fastcgi_temp_path {d}/temp/fastcgi;",
        f"    uwsgi_temp_path {d}/temp/uwsgi;",
        f"    scgi_temp_path {d}/temp/scgi;",
        "    default_type application/octet-stream;",
        "    log_format peter_sslers '$remote_addr \"$request\" $status upstream=$upstream_addr host=$host';",
        f"    access_log {access_log} peter_sslers;",
    ]
    if lua:
        lines.append(f'    lua_package_path "{lua_package_path}";')
    lines.append(_indent(http_body, 4))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line if line.strip() else line for line in text.strip("\n").splitlines())


# --- builders ----------------------------------------------------------------------------


def acme_challenge_proxy_config(
    listen_port: int,
    upstreams: list[str],
    *,
    admin_prefix: str = "/.well-known/admin",
    upstream_name: str = "peter_sslers_public",
) -> str:
    """Port ``listen_port`` proxies HTTP-01 requests to ``upstreams`` ("host:port"), round-robin.

    The admin prefix and everything else answer 404.
    """
    if not upstreams:
        raise ValueError("at least one upstream is needed")
    servers = "\n".join(f"    server {u} max_fails=0;" for u in upstreams)
    return f"""
upstream {upstream_name} {{
{servers}
}}

server {{
    listen 127.0.0.1:{listen_port};
    server_name _;

    location /.well-known/acme-challenge/ {{
        proxy_pass http://{upstream_name};
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_connect_timeout 5s;
        proxy_read_timeout 10s;
    }}

    location {admin_prefix} {{
        return 404;
    }}

    location / {{
        return 404;
    }}
}}
"""


def make_self_signed_cert(
    directory: str | os.PathLike[str], name: str = "localhost"
) -> tuple[Path, Path]:
    """A self-signed certificate (SAN DNS:name, IP:127.0.0.1) and its key: (cert_path, key_path)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / f"{name}.crt"
    key_path = directory / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def write_htpasswd(path: str | os.PathLike[str], userpass: str) -> Path:
    """Write an htpasswd file for ``user:password`` (apr1 via openssl, else nginx's {SSHA})."""
    user, sep, password = userpass.partition(":")
    if not sep or not user:
        raise ValueError("userpass must be 'user:password'")
    try:
        hashed = subprocess.run(
            ["openssl", "passwd", "-apr1", "-stdin"],
            input=password, capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        salt = secrets.token_bytes(8)
        digest = hashlib.sha1(password.encode() + salt).digest()
        hashed = "{SSHA}" + base64.b64encode(digest + salt).decode()
    path = Path(path)
    path.write_text(f"{user}:{hashed}\n")
    path.chmod(0o600)
    return path


_STATUS_LUA = r"""
        local cert_cache = ngx.shared.cert_cache
        ngx.header.content_type = "application/json"
        ngx.header["x-peter-sslers"] = "__VERSION__"
        local valid, invalid, autocert = {}, {}, {}
        for _, k in ipairs(cert_cache:get_keys(1024)) do
            -- each domain is stored twice, as "{domain}:c" and "{domain}:k"
            if k:sub(-2) == ":c" then
                local d = k:sub(1, -3)
                local v = cert_cache:get(k)
                if v == "x" then
                    table.insert(invalid, '"' .. d .. '"')
                elseif v == "ac" then
                    table.insert(autocert, '"' .. d .. '"')
                else
                    table.insert(valid, '"' .. d .. '"')
                end
            end
        end
        ngx.say('{"result": "success", "note": "This is a max(1024) listening of keys in the '
            .. 'ngx.shared.DICT `cert_cache`. This does not show the worker\'s own LRU cache, or Redis."'
            .. ', "keys": {"valid": [' .. table.concat(valid, ",")
            .. '], "invalid": [' .. table.concat(invalid, ",")
            .. '], "autocert": [' .. table.concat(autocert, ",") .. ']}'
            .. ', "config": {"expiries": {"ngx.shared.cert_cache": 600, "resty.lrucache": 60}'
            .. ', "maxitems": {"resty.lrucache": 200}}'
            .. ', "server": "peter_sslers:openresty", "server_version": "__VERSION__"}')
"""

_EXPIRE_LUA = r"""
        local cert_cache = ngx.shared.cert_cache
        ngx.header.content_type = "application/json"
        ngx.header["x-peter-sslers"] = "__VERSION__"
        local tail = '"server": "peter_sslers:openresty", "server_version": "__VERSION__"}'
        -- like the module: the prefix comes from `set $location ...;`, matched on request_uri
        local prefix = ngx.var.location
        if ngx.var.request_uri == prefix .. "/all" then
            cert_cache:flush_all()
            ngx.say('{"result": "success", "expired": "all", ' .. tail)
            return
        end
        local domain = string.match(ngx.var.request_uri, "^" .. prefix .. "/domain/([%w-.]+)$")
        if domain then
            if __DOMAIN_BUG__ then
                cert_cache:delete(domain)  -- the 0.5.0 module's bug: that key never exists
            else
                cert_cache:delete(domain .. ":c")
                cert_cache:delete(domain .. ":k")
            end
            ngx.say('{"result": "success", "expired": "domain", "domain": "' .. domain .. '", ' .. tail)
            return
        end
        ngx.status = 404
        ngx.say('{"result": "error", "expired": "None", "reason": "Unknown URI", ' .. tail)
"""

_PUT_LUA = r"""
        -- test-only: ?domain=NAME&kind=valid|invalid|autocert
        local args = ngx.req.get_uri_args()
        local values = {valid = "-----BEGIN CERTIFICATE-----", invalid = "x", autocert = "ac"}
        local value = values[args.kind or "valid"]
        if not args.domain or not value then
            ngx.status = 400
            ngx.say("domain= and kind=valid|invalid|autocert are required")
            return
        end
        ngx.shared.cert_cache:set(args.domain .. ":c", value, 600)
        ngx.shared.cert_cache:set(args.domain .. ":k", value, 600)
        ngx.say("ok")
"""


def cache_admin_config(
    listen_port: int,
    reset_path: str = DEFAULT_RESET_PATH,
    status_path: str = DEFAULT_STATUS_PATH,
    userpass: str | None = None,
    *,
    htpasswd_path: str | os.PathLike[str] | None = None,
    put_path: str | None = CACHE_PUT_PATH,
    module_domain_bug: bool = False,
) -> str:
    """A Lua server answering lua-resty-peter_sslers 0.5's expire/status routes (needs ``lua=True``).

    Entries live in ``lua_shared_dict cert_cache`` as the module keeps them ("{domain}:c" and
    "{domain}:k"; value "x" = invalid, "ac" = autocert in progress, else a PEM), so expiring
    really clears them. ``put_path`` (no auth) fills the dict for tests; ``None`` leaves it out.
    With ``userpass`` ("user:password") the admin routes need HTTP basic auth; the htpasswd is
    written to ``htpasswd_path`` (required then). ``module_domain_bug=True`` reproduces the
    0.5.0 module, whose per-domain expire deletes a key that never exists.
    """
    auth = ""
    if userpass is not None:
        if htpasswd_path is None:
            raise ValueError("htpasswd_path is required with userpass")
        write_htpasswd(htpasswd_path, userpass)
        auth = f'auth_basic "peter_sslers-nginx";\n        auth_basic_user_file {Path(htpasswd_path).resolve()};'
    status_lua = _STATUS_LUA.replace("__VERSION__", MODULE_VERSION)
    expire_lua = _EXPIRE_LUA.replace("__VERSION__", MODULE_VERSION).replace(
        "__DOMAIN_BUG__", "true" if module_domain_bug else "false"
    )
    put = ""
    if put_path:
        put = f"""
    location = {put_path} {{
        content_by_lua_block {{{_PUT_LUA}        }}
    }}
"""
    return f"""
lua_shared_dict cert_cache 1m;

server {{
    listen 127.0.0.1:{listen_port};
    server_name _;

    location {reset_path} {{
        {auth}
        set $location {reset_path};
        content_by_lua_block {{{expire_lua}        }}
    }}

    location {status_path} {{
        {auth}
        content_by_lua_block {{{status_lua}        }}
    }}
{put}
    location / {{
        return 404;
    }}
}}
"""
