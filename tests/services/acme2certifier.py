"""Start acme2certifier (PyPI) as an ACME server with ARI (RFC 9773) and profiles, for tests.

Pebble 2.4 has neither, so these tests use acme2certifier 0.46.3 (GPL-3.0: a test tool,
never a runtime dependency). See /work/shared/docs/SERVICES.md for the recipe and traps:

* its WSGI app is served by a tiny launcher script of our own, run with ``sys.executable``
  in a separate process (the module's own ``__main__`` would bind 0.0.0.0:80);
* the config selects the ``openssl_ca_handler`` twice (``multi_handler``): profile
  ``classic`` and profile ``shortlived``, with their own validity, both signing with one
  throwaway CA made here with ``cryptography``;
* challenge validation is disabled (``ACME2CERTIFIER_I_KNOW_THE_RISK=1``), so every
  challenge is valid as soon as it is answered;
* the ARI window is computed on each request from the SQLite table ``certificate``
  (``issue_uts``, ``expire_uts``, lower-case hex ``serial``): :meth:`move_window` edits it.
"""

from __future__ import annotations

import configparser
import datetime
import importlib.util
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .common import ManagedProcess, free_port, wait_until

PACKAGE = "acme2certifier"
INSTALL_HINT = "pip install acme2certifier==0.46.3"
START_TIMEOUT = 20.0

#: profile name -> certificate lifetime in days
DEFAULT_PROFILES = {"classic": 90, "shortlived": 6}
#: what the tests' servers answer: ARI windows from 85 % of the lifetime, Retry-After 6 hours
RENEWAL_THRESHOLD_PCTG = 85.0
RETRY_AFTER = 21600

_LAUNCHER = '''\
"""Serve acme2certifier's WSGI app on 127.0.0.1:<port> (written by the peter_sslers tests)."""
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

# loads the config named by ACME_SRV_CONFIGFILE and creates the SQLite database
from acme2certifier.share import acme2certifier_wsgi as a2c


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


server = make_server(
    "127.0.0.1", int(sys.argv[1]), a2c.application,
    server_class=ThreadingWSGIServer, handler_class=a2c.get_handler_cls(),
)
print("acme2certifier listening on 127.0.0.1:%s" % sys.argv[1], flush=True)
server.serve_forever()
'''


def acme2certifier_available() -> bool:
    """True when the ``acme2certifier`` package is importable by ``sys.executable``."""
    return importlib.util.find_spec(PACKAGE) is not None


def require_acme2certifier() -> None:
    """Skip the calling test when acme2certifier is missing; fail instead when ``CI`` is set."""
    import pytest

    if acme2certifier_available():
        return
    message = f"the {PACKAGE} package is not installed: run `{INSTALL_HINT}`"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI must not skip for a missing service)", pytrace=False)
    pytest.skip(message)


def normalize_serial(serial: int | str) -> str:
    """A serial as acme2certifier stores it: lower-case hex of even length, no ``0x``/``:``."""
    if isinstance(serial, int):
        text = f"{serial:x}"
    else:
        text = serial.strip().lower().replace(":", "")
        text = text[2:] if text.startswith("0x") else text
        text = text.lstrip("0") or "0"
    return text.zfill(len(text) + len(text) % 2)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class Acme2CertifierServer:
    """One acme2certifier instance on a free 127.0.0.1 port, with its own CA and database.

    :param workdir: directory for the CA, config, database and log (a new temp dir if None)
    :param profiles: profile name -> certificate lifetime in days (the first is the default)
    :param renewal_threshold_pctg: ARI window start, in percent of the certificate lifetime
    :param retry_after: seconds sent as ``Retry-After`` with renewal information
    """

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        profiles: dict[str, int] | None = None,
        renewal_threshold_pctg: float = 85.0,
        retry_after: int = 21600,
    ) -> None:
        self._owns_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="acme2certifier-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.profiles = dict(profiles or DEFAULT_PROFILES)
        if not self.profiles:
            raise ValueError("at least one profile is needed")
        self.renewal_threshold_pctg = renewal_threshold_pctg
        self.retry_after = retry_after
        self.port = free_port()
        self.dbfile = self.workdir / "acme_srv.db"
        self.ca_dir = self.workdir / "ca"
        self.ca_cert_path = self.ca_dir / "ca-cert.pem"
        self.ca_key_path = self.ca_dir / "ca-key.pem"
        self.ca_cert: x509.Certificate = self._make_ca()
        self.config_path = self._write_config()
        self.launcher_path = self.workdir / "serve_acme2certifier.py"
        self.launcher_path.write_text(_LAUNCHER)
        self._session = requests.Session()
        self._session.trust_env = False
        self.process = ManagedProcess(
            "acme2certifier",
            [sys.executable, str(self.launcher_path), str(self.port)],
            log_path=self.workdir / "acme2certifier.log",
            env={
                "ACME_SRV_CONFIGFILE": str(self.config_path),
                "ACME2CERTIFIER_I_KNOW_THE_RISK": "1",
                "PYTHONWARNINGS": "ignore",
                "PYTHONUNBUFFERED": "1",
            },
            cwd=self.workdir,
        )

    # -- setup ---------------------------------------------------------------------------

    def _make_ca(self) -> x509.Certificate:
        """A self-signed P-256 CA (with a Subject Key Identifier, so leaves get an AKI)."""
        self.ca_dir.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.timezone.utc)
        key = ec.generate_private_key(ec.SECP256R1())
        # acme2certifier 0.46.3 answers 400 for an ARI CertID whose AKI (or serial) bytes
        # happen to be valid UTF-8 (its b64_decode returns str, then calls .hex()); keep
        # the CA out of that trap. Leaf serials are its own uuid4: ~1e-5 odds per cert.
        while _is_utf8(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()).digest
        ):  # pragma: no cover - rare
            key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "peter_sslers ARI test CA")])
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )  # fmt: skip
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        self.ca_key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self.ca_cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert

    def _write_config(self) -> Path:
        config = configparser.ConfigParser(interpolation=None)
        config["DEFAULT"] = {"debug": "False"}
        config["Nonce"] = {"nonce_check_disable": "False"}
        config["DBhandler"] = {"handler": "wsgi", "dbfile": str(self.dbfile)}
        config["Account"] = {"contact_check_disable": "True"}
        config["Challenge"] = {"challenge_validation_disable": "True"}
        names = list(self.profiles)
        config["CAhandler"] = {"multi_handler": "True", "default_handler": names[0]}
        for name, days in self.profiles.items():
            save_path = self.workdir / "certs" / name
            save_path.mkdir(parents=True, exist_ok=True)
            config[f"CAhandler:{name}"] = {
                "handler_module": "acme2certifier.cahandlers.openssl_ca_handler",
                "issuing_ca_key": str(self.ca_key_path),
                "issuing_ca_cert": str(self.ca_cert_path),
                # must be set; the file need not exist (no revocation in these tests)
                "issuing_ca_crl": str(self.ca_dir / "crl.pem"),
                "ca_cert_chain_list": json.dumps([str(self.ca_cert_path)]),
                "cert_save_path": str(save_path),
                "cert_validity_days": str(days),
            }
        config["Order"] = {
            "profiles": json.dumps({n: f"{d}-day certificates" for n, d in self.profiles.items()}),
            "profile_cahandler": json.dumps({n: n for n in names}),
        }
        config["Renewalinfo"] = {
            "renewalthreshold_pctg": str(self.renewal_threshold_pctg),
            "retry_after_timeout": str(self.retry_after),
        }
        path = self.workdir / "acme_srv.cfg"
        with open(path, "w") as handle:
            config.write(handle)
        return path

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def directory_url(self) -> str:
        """The ACME directory URL (plain HTTP)."""
        return f"{self.base_url}/directory"

    @property
    def pid(self) -> int | None:
        """PID of the server process."""
        return self.process.pid

    def start(self) -> Acme2CertifierServer:
        """Start the server process and wait until its directory answers."""
        self.process.start()
        wait_until(
            lambda: self._session.get(self.directory_url, timeout=2).status_code == 200,
            timeout=START_TIMEOUT,
            what="acme2certifier directory",
            process=self.process,
        )
        return self

    def stop(self) -> None:
        """Stop the process we started (by its PID); remove the temp dir we made."""
        self.process.stop()
        self._session.close()
        if self._owns_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Acme2CertifierServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        return self.process.log_tail(lines)

    # -- ARI window ----------------------------------------------------------------------

    def move_window(self, serial_hex: int | str, issue_uts: int, expire_uts: int) -> None:
        """Set a certificate's ``issue_uts``/``expire_uts``, from which the ARI window is built.

        The window becomes ``[issue + pctg * (expire - issue), expire]``.
        """
        serial = normalize_serial(serial_hex)
        conn = sqlite3.connect(self.dbfile, timeout=10)
        try:
            with conn:  # commits
                cursor = conn.execute(
                    "UPDATE certificate SET issue_uts = ?, expire_uts = ? WHERE serial = ?",
                    (int(issue_uts), int(expire_uts), serial),
                )
                updated = cursor.rowcount
        finally:
            conn.close()
        if updated != 1:
            raise LookupError(f"{updated} certificate rows with serial {serial!r}")


def serve(directory: Path) -> Iterator[Acme2CertifierServer]:
    """For fixtures: a server with the tests' configuration, started now and stopped after."""
    require_acme2certifier()
    server = Acme2CertifierServer(
        directory, profiles=DEFAULT_PROFILES, renewal_threshold_pctg=RENEWAL_THRESHOLD_PCTG, retry_after=RETRY_AFTER
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
