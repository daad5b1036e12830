"""Start BIND 9 (Debian's ``bind9``) as an authoritative server that accepts RFC 2136 updates.

One primary zone (``example.test`` by default) in a temp dir, answering on 127.0.0.1 and a
free port (UDP and TCP), with ``allow-update`` limited to one HMAC-SHA256 TSIG key made up
here. ``named -g`` stays in the foreground and logs to stderr, so the PID we keep is the
server's own and stopping it touches nothing else. Run as root it keeps root (no ``-u``):
the zone journal is written next to the zone file in our temp dir.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import tempfile
from pathlib import Path

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from .common import ManagedProcess, free_port, wait_until

NAMED_BIN = "/usr/sbin/named"
INSTALL_HINT = "apt-get install bind9"
START_TIMEOUT = 15.0
KEY_NAME = "peter-test"
KEY_ALGORITHM = "hmac-sha256"


def make_tsig_secret() -> str:
    """A random base64 HMAC-SHA256 secret, as ``tsig-keygen`` would write it."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


class Bind9Server:
    """One ``named`` serving ``zone`` on 127.0.0.1:``port``; updates need the TSIG key."""

    def __init__(self, workdir: Path | None = None, zone: str = "example.test") -> None:
        self._own_dir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="bind9-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.zone = zone.rstrip(".")
        self.port = free_port(udp=True)
        self.key_name = KEY_NAME
        self.key_algorithm = KEY_ALGORITHM
        self.key_secret = make_tsig_secret()
        config_path = self._write_files()
        self.process = ManagedProcess(
            "named",
            [NAMED_BIN, "-g", "-4", "-c", str(config_path), "-p", str(self.port)],
            log_path=self.workdir / "named.log",
            cwd=self.workdir,
        )

    @property
    def address(self) -> str:
        """The IP address the server listens on."""
        return "127.0.0.1"

    def _write_files(self) -> Path:
        zone_path = self.workdir / f"{self.zone}.zone"
        zone_path.write_text(
            f"$ORIGIN {self.zone}.\n"
            "$TTL 60\n"
            "@ IN SOA ns1 hostmaster 1 3600 600 86400 60\n"
            "@ IN NS ns1\n"
            "ns1 IN A 127.0.0.1\n"
        )
        config_path = self.workdir / "named.conf"
        config_path.write_text(
            f"""
key "{self.key_name}" {{
    algorithm {self.key_algorithm};
    secret "{self.key_secret}";
}};
options {{
    directory "{self.workdir}";
    pid-file "{self.workdir}/named.pid";
    session-keyfile "{self.workdir}/session.key";
    managed-keys-directory "{self.workdir}";
    listen-on port {self.port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    allow-query {{ any; }};
    notify no;
}};
controls {{ }};
zone "{self.zone}" {{
    type primary;
    file "{zone_path}";
    allow-update {{ key "{self.key_name}"; }};
}};
"""
        )
        return config_path

    def _answers_soa(self) -> bool:
        query = dns.message.make_query(self.zone + ".", dns.rdatatype.SOA)
        response = dns.query.udp(query, self.address, timeout=1, port=self.port)
        return response.rcode() == dns.rcode.NOERROR and bool(response.answer)

    def start(self) -> Bind9Server:
        """Start ``named`` and wait until it answers for the zone's SOA."""
        self.process.start()
        wait_until(
            self._answers_soa,
            timeout=START_TIMEOUT,
            what=f"named answering SOA {self.zone} on port {self.port}",
            process=self.process,
        )
        return self

    def stop(self) -> None:
        """Stop the ``named`` process we started; remove the temp dir if we made it."""
        self.process.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Bind9Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
