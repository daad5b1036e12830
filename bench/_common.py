"""Helpers shared by the store benchmarks: machine header, a cached bench PKI, the parse floor,
throwaway databases and app settings.  Benchmarks only: never imported by the package or tests.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID, NameOID

ROOT = Path(__file__).resolve().parents[1]
TEST_INI = str(ROOT / "test.ini")
CACHE_VERSION = 1
SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def machine_header() -> str:
    """nproc, CPU model, Python and SQLite versions (and wrk's, when installed)."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk = shutil.which("wrk")
    wrk_version = "not installed"
    if wrk:
        probe = subprocess.run([wrk, "-v"], capture_output=True, text=True)
        wrk_version = (probe.stdout + probe.stderr).splitlines()[0].strip()
    return (
        f"machine: nproc={os.cpu_count()}  cpu={model}\n"
        f"python {platform.python_version()}  sqlite {sqlite3.sqlite_version}  wrk: {wrk_version}"
    )


@dataclass
class BenchPKI:
    """One root, one intermediate (the chain) and N leaves sharing one EC P-256 key."""

    key_pem: str
    chain_pem: str
    leaves: list[str]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca(cn: str, key, issuer_name: x509.Name, signer, now: datetime.datetime) -> x509.Certificate:
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=365))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(ski, False)
        .add_extension(aki, False)
        .sign(signer, hashes.SHA256())
    )


def leaf_names(index: int) -> list[str]:
    """Names of leaf ``index``: every third certificate also covers the www. name."""
    base = f"h{index}.z{index % 89}.store-bench.example"
    return [base, "www." + base] if index % 3 == 0 else [base]


def generate_pki(count: int) -> BenchPKI:
    """Build ``count`` leaves: not-before spread over 120 days, so some are expired or expiring."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    root_key, inter_key, leaf_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _ca("Store Bench Root X1", root_key, _name("Store Bench Root X1"), root_key, now)
    inter = _ca("Store Bench E1", inter_key, root.subject, root_key, now)
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(inter_key.public_key())
    aia = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier("http://e1.store-bench.example/"),
            )
        ]
    )
    leaves = []
    for index in range(count):
        names = leaf_names(index)
        start = now - datetime.timedelta(days=index % 120, minutes=index % 1440)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(inter.subject)
            .public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(aki, False)
            .add_extension(aia, False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
            .sign(inter_key, hashes.SHA256())
        )
        leaves.append(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))
    key_pem = leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return BenchPKI(key_pem, inter.public_bytes(serialization.Encoding.PEM).decode("ascii"), leaves)


def load_or_generate_pki(count: int) -> tuple[BenchPKI, float | None]:
    """The bench PKI from the temp-dir cache (keyed by ``count``); seconds spent if generated."""
    path = Path(tempfile.gettempdir()) / f"peter_sslers_store_bench_v{CACHE_VERSION}_{count}.json"
    if path.exists():
        try:
            data = json.loads(path.read_text())
            if len(data["leaves"]) == count:
                return BenchPKI(data["key_pem"], data["chain_pem"], data["leaves"]), None
        except (ValueError, KeyError):
            pass
    started = time.perf_counter()
    pki = generate_pki(count)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(
        json.dumps({"key_pem": pki.key_pem, "chain_pem": pki.chain_pem, "leaves": pki.leaves})
    )
    tmp.replace(path)
    return pki, time.perf_counter() - started


def floor_parse(pem: str) -> dict:
    """The bare ``cryptography`` read: subject, issuer, SANs, serial, dates, fingerprints, SPKI."""
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    fields = {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "sha1": cert.fingerprint(hashes.SHA1()).hex(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "spki": hashlib.sha256(cert.public_key().public_bytes(*SPKI)).hexdigest(),
    }
    try:
        san = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        fields["san"] = san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        fields["san"] = []
    return fields


def app_settings(database_url: str) -> dict:
    """test.ini's ``[app:main]`` settings pointed at ``database_url`` (as tests.conftest does)."""
    from pyramid.paster import get_appsettings

    settings = dict(get_appsettings(TEST_INI))
    settings["sqlalchemy.url"] = database_url
    return settings


def new_database(directory: Path, name: str) -> dict:
    """A migrated, seeded SQLite database in ``directory``; returns its app settings."""
    from peter_sslers.scripts.initializedb import initialize

    settings = app_settings(f"sqlite:///{directory / name}.sqlite")
    initialize(TEST_INI, settings)
    return settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")
