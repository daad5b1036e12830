"""Start Pebble (Let's Encrypt's ACME test server) and pebble-challtestsrv for tests.

Plain classes and functions, so that pytest fixtures in any test package and the
benchmarks can share them. See /work/shared/docs/SERVICES.md for the flags and traps:
every address is given explicitly, ``-dnsserver`` always points at our challtestsrv and
``-defaultIPv6 ""`` keeps Pebble away from ``::1``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .common import ManagedProcess, free_port, wait_until

PEBBLE_BIN = "/usr/bin/pebble"
CHALLTESTSRV_BIN = "/usr/bin/pebble-challtestsrv"
START_TIMEOUT = 15.0


def require_pebble() -> None:
    """Skip the calling test when Pebble is not installed; fail instead when ``CI`` is set."""
    import pytest

    missing = [b for b in (PEBBLE_BIN, CHALLTESTSRV_BIN) if not os.access(b, os.X_OK)]
    if not missing:
        return
    message = f"{', '.join(missing)} not found: run `apt-get install pebble`"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


# --- TLS material --------------------------------------------------------------------


@dataclass(frozen=True)
class TlsMaterial:
    """A throwaway CA and a ``localhost`` certificate (SAN DNS:localhost, IP:127.0.0.1)."""

    ca_cert_path: Path
    cert_path: Path
    key_path: Path


def _write_pem(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def make_localhost_tls(directory: Path) -> TlsMaterial:
    """Create the CA + ``localhost`` server certificate files in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "peter_sslers test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return TlsMaterial(
        ca_cert_path=_write_pem(
            directory / "ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM)
        ),
        cert_path=_write_pem(directory / "cert.pem", cert.public_bytes(serialization.Encoding.PEM)),
        key_path=_write_pem(directory / "key.pem", key_pem),
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _plain_session() -> requests.Session:
    # REQUESTS_CA_BUNDLE & co. are set on this machine: never let the env pick the CA.
    session = requests.Session()
    session.trust_env = False
    return session


# --- pebble-challtestsrv -------------------------------------------------------------


class ChallTestSrv:
    """pebble-challtestsrv as Pebble's DNS: every name resolves to 127.0.0.1 (A only)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.dns_port = free_port(udp=True)
        self.management_port = free_port()
        self.management_url = f"http://127.0.0.1:{self.management_port}"
        self.process = ManagedProcess(
            "pebble-challtestsrv",
            [
                CHALLTESTSRV_BIN,
                "-defaultIPv4", "127.0.0.1",
                "-defaultIPv6", "",
                "-dns01", f"127.0.0.1:{self.dns_port}",
                "-http01", "",
                "-https01", "",
                "-tlsalpn01", "",
                "-management", f"127.0.0.1:{self.management_port}",
            ],
            log_path=self.workdir / "challtestsrv.log",
        )  # fmt: skip
        self._session = _plain_session()

    @property
    def dns_address(self) -> str:
        """``host:port`` to pass to Pebble's ``-dnsserver``."""
        return f"127.0.0.1:{self.dns_port}"

    def start(self) -> None:
        """Start the server and wait until its management API answers."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process.start()
        wait_until(
            lambda: self._post("/clear-txt", {"host": "ready.invalid."}) is None,
            timeout=START_TIMEOUT,
            what="challtestsrv management API",
            process=self.process,
        )

    def stop(self) -> None:
        """Stop the process we started."""
        self.process.stop()
        self._session.close()

    def _post(self, path: str, body: dict[str, Any]) -> None:
        response = self._session.post(self.management_url + path, json=body, timeout=5)
        response.raise_for_status()

    def set_txt(self, host: str, value: str) -> None:
        """Add a TXT record (``host`` gets a trailing dot when missing)."""
        self._post("/set-txt", {"host": _fqdn(host), "value": value})

    def clear_txt(self, host: str) -> None:
        """Remove every TXT record of ``host``."""
        self._post("/clear-txt", {"host": _fqdn(host)})


def _fqdn(host: str) -> str:
    return host if host.endswith(".") else host + "."


# --- Pebble ----------------------------------------------------------------------------


@dataclass
class PebbleOptions:
    """Knobs of one Pebble instance; ``None`` keeps Pebble's own default."""

    strict: bool = False
    va_nosleep: bool = True
    nonce_reject: int | None = None  # PEBBLE_WFE_NONCEREJECT (Pebble default: 5 %)
    authz_reuse: int | None = None  # PEBBLE_AUTHZREUSE (Pebble default: 50 %)
    va_always_valid: bool = False
    chain_length: int | None = None  # PEBBLE_CHAIN_LENGTH
    alternate_roots: int | None = None  # PEBBLE_ALTERNATE_ROOTS
    eab_keys: dict[str, str] | None = None  # kid -> base64url HMAC key
    eab_required: bool = False
    certificate_validity_period: int | None = None
    http_port: int | None = None  # where Pebble's VA sends HTTP-01 requests
    tls_port: int | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        """The PEBBLE_* environment for these options."""
        env: dict[str, str] = {"PEBBLE_VA_NOSLEEP": "1" if self.va_nosleep else "0"}
        if self.nonce_reject is not None:
            env["PEBBLE_WFE_NONCEREJECT"] = str(self.nonce_reject)
        if self.authz_reuse is not None:
            env["PEBBLE_AUTHZREUSE"] = str(self.authz_reuse)
        if self.va_always_valid:
            env["PEBBLE_VA_ALWAYS_VALID"] = "1"
        if self.chain_length is not None:
            env["PEBBLE_CHAIN_LENGTH"] = str(self.chain_length)
        if self.alternate_roots is not None:
            env["PEBBLE_ALTERNATE_ROOTS"] = str(self.alternate_roots)
        env.update(self.extra_env)
        return env


class PebbleServer:
    """One Pebble instance on free 127.0.0.1 ports, using ``challtestsrv`` as its DNS."""

    def __init__(
        self,
        workdir: Path,
        challtestsrv: ChallTestSrv,
        options: PebbleOptions | None = None,
        *,
        tls: TlsMaterial | None = None,
    ) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.challtestsrv = challtestsrv
        self.options = options or PebbleOptions()
        self.tls = tls or make_localhost_tls(self.workdir / "tls")
        self.port = free_port()
        self.management_port = free_port()
        self.http_port = self.options.http_port or free_port()
        self.tls_port = self.options.tls_port or free_port()
        self.roots: list[str] = []
        self.intermediates: list[str] = []
        self._session = _plain_session()
        self._session.verify = str(self.tls.ca_cert_path)
        config_path = self._write_config()
        self.process = ManagedProcess(
            "pebble",
            [
                PEBBLE_BIN,
                "-config", str(config_path),
                "-dnsserver", challtestsrv.dns_address,
                f"-strict={'true' if self.options.strict else 'false'}",
            ],
            log_path=self.workdir / "pebble.log",
            env=self.options.environment(),
            cwd=self.workdir,
        )  # fmt: skip

    @property
    def directory_url(self) -> str:
        """The ACME directory URL."""
        return f"https://127.0.0.1:{self.port}/dir"

    @property
    def ca_bundle(self) -> str:
        """Path of the CA file that signs Pebble's HTTPS certificate (for ``verify=``)."""
        return str(self.tls.ca_cert_path)

    @property
    def management_url(self) -> str:
        """Base URL of the HTTPS management API (same certificate as the ACME API)."""
        return f"https://127.0.0.1:{self.management_port}"

    @property
    def challtestsrv_url(self) -> str:
        """Base URL of challtestsrv's management API (``/set-txt`` ...)."""
        return self.challtestsrv.management_url

    def _write_config(self) -> Path:
        pebble: dict[str, Any] = {
            "listenAddress": f"127.0.0.1:{self.port}",
            "managementListenAddress": f"127.0.0.1:{self.management_port}",
            "certificate": str(self.tls.cert_path),
            "privateKey": str(self.tls.key_path),
            "httpPort": self.http_port,
            "tlsPort": self.tls_port,
            "ocspResponderURL": "",
            "externalAccountBindingRequired": self.options.eab_required,
        }
        if self.options.eab_keys:
            pebble["externalAccountMACKeys"] = dict(self.options.eab_keys)
        if self.options.certificate_validity_period is not None:
            pebble["certificateValidityPeriod"] = self.options.certificate_validity_period
        path = self.workdir / "pebble-config.json"
        path.write_text(json.dumps({"pebble": pebble}, indent=2))
        return path

    def start(self) -> None:
        """Start Pebble, wait for its directory, then fetch its (fresh) roots/intermediates."""
        self.process.start()
        wait_until(
            lambda: self._session.get(self.directory_url, timeout=2).status_code == 200,
            timeout=START_TIMEOUT,
            what="Pebble directory",
            process=self.process,
        )
        self.roots = self._fetch_numbered("/roots/")
        self.intermediates = self._fetch_numbered("/intermediates/")

    def _fetch_numbered(self, prefix: str) -> list[str]:
        found: list[str] = []
        while True:
            response = self._session.get(f"{self.management_url}{prefix}{len(found)}", timeout=5)
            if response.status_code != 200 or "BEGIN CERTIFICATE" not in response.text:
                return found
            found.append(response.text)

    def stop(self) -> None:
        """Stop the Pebble process we started."""
        self.process.stop()
        self._session.close()

    def cert_status(self, serial: int | str) -> dict[str, Any]:
        """Management API ``/cert-status-by-serial/HEX`` (``serial`` as int or hex)."""
        serial_hex = format(serial, "x") if isinstance(serial, int) else serial.lower()
        response = self._session.get(
            f"{self.management_url}/cert-status-by-serial/{serial_hex}", timeout=5
        )
        response.raise_for_status()
        return response.json()

    def __enter__(self) -> PebbleServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class PebbleStack:
    """challtestsrv plus any number of Pebble instances sharing it, in one temp dir."""

    def __init__(self, workdir: Path | None = None) -> None:
        self._own_dir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="pebble-"))
        self.challtestsrv = ChallTestSrv(self.workdir / "challtestsrv")
        self.tls = make_localhost_tls(self.workdir / "tls")
        self.servers: list[PebbleServer] = []
        self._started = False

    def start(self) -> PebbleStack:
        """Start challtestsrv (Pebbles are started by :meth:`add_pebble`)."""
        if not self._started:
            self.challtestsrv.start()
            self._started = True
        return self

    def add_pebble(self, options: PebbleOptions | None = None, name: str = "") -> PebbleServer:
        """Start one more Pebble with ``options`` and return it once its directory answers."""
        self.start()
        name = name or f"pebble{len(self.servers)}"
        server = PebbleServer(self.workdir / name, self.challtestsrv, options, tls=self.tls)
        self.servers.append(server)
        server.start()
        return server

    def stop(self) -> None:
        """Stop every process this stack started; remove the temp dir if we made it."""
        for server in self.servers:
            server.stop()
        self.challtestsrv.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> PebbleStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- HTTP-01 responder -----------------------------------------------------------------


class Http01Responder:
    """Serves ``/.well-known/acme-challenge/<token>`` on 127.0.0.1 for Pebble's VA.

    Threaded with a large listen backlog: Pebble sends 3 validation GETs per name, and
    ``http.server``'s default backlog of 5 drops connections under load.
    """

    PREFIX = "/.well-known/acme-challenge/"

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.tokens: dict[str, str] = {}
        self.requests_seen = 0
        self._server: Any = None
        self._thread: Any = None

    def start(self) -> Http01Responder:
        """Bind and serve in a daemon thread."""
        import http.server
        import threading

        responder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                responder.requests_seen += 1
                token = (
                    self.path[len(responder.PREFIX) :]
                    if self.path.startswith(responder.PREFIX)
                    else None
                )
                body = responder.tokens.get(token or "")
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("ascii")
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 1024
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def add(self, token: str, key_authorization: str) -> None:
        """Serve ``key_authorization`` for ``token``."""
        self.tokens[token] = key_authorization

    def remove(self, token: str) -> None:
        """Stop serving ``token``."""
        self.tokens.pop(token, None)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
