"""Benchmark certificate parsing in peter_sslers.lib.cert_utils (not a test).

Usage: .venv/bin/python bench/crypto.py [--count N] [--repeat R] [--single N]

Generates N certificates (one EC key reused, varied names/serials; cached in
the temp directory) and prints certs parsed per second for:
  (a) a bare ``cryptography`` loop reading the same fields (the floor),
  (b) the cryptography backend: parse_cert() per certificate and parse_certs_batch(),
  (c) the openssl backend: parse_certs_batch() (one openssl process) and, for a
      sample, parse_cert() (one process per certificate).
Goals: (b) >= 0.67x of (a); (c) batch >= 500 certs/s.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from cryptography.x509.oid import (  # noqa: E402
    AuthorityInformationAccessOID,
    ExtensionOID,
    NameOID,
)

from peter_sslers.lib import cert_utils  # noqa: E402

log = logging.getLogger("bench.crypto")
CACHE_VERSION = 1
SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _builder_common(issuer: x509.Name, key: ec.EllipticCurvePrivateKey) -> dict:
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    aia = x509.AuthorityInformationAccess(
        [
            x509.AccessDescription(
                AuthorityInformationAccessOID.CA_ISSUERS,
                x509.UniformResourceIdentifier("http://bench.i.example.test/"),
            )
        ]
    )
    aki = x509.AuthorityKeyIdentifier(ski.digest, None, None)
    return {"issuer": issuer, "ski": ski, "aki": aki, "aia": aia}


def generate(count: int) -> list[str]:
    """Build ``count`` Let's Encrypt-shaped leaves signed by one EC key."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench CA E1")])
    common = _builder_common(issuer, key)
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    out = []
    for index in range(count):
        name = f"host{index}.bench{index % 97}.example"
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(common["issuer"])
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start + datetime.timedelta(minutes=index))
            .not_valid_after(start + datetime.timedelta(days=90, minutes=index))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(common["ski"], False)
            .add_extension(common["aki"], False)
            .add_extension(common["aia"], False)
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name), x509.DNSName("www." + name)]),
                False,
            )
        )
        cert = builder.sign(key, hashes.SHA256())
        out.append(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))
    return out


def load_or_generate(count: int) -> list[str]:
    """Certificates from the temp-dir cache, generating them on a miss."""
    path = Path(tempfile.gettempdir()) / f"cert_utils_bench_v{CACHE_VERSION}_{count}.pem"
    if path.exists():
        text = path.read_text()
        marker = "-----BEGIN CERTIFICATE-----"
        certs = [marker + chunk for chunk in text.split(marker)[1:]]
        if len(certs) == count:
            return certs
    started = time.perf_counter()
    certs = generate(count)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("".join(certs))
    tmp.replace(path)
    print(f"generated {count} certificates in {time.perf_counter() - started:.1f}s -> {path}")
    return certs


def floor_parse(pem: str) -> dict:
    """The bare cryptography loop body: load and read the same fields as CertInfo."""
    cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
    public_key = cert.public_key()
    fields = {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": cert.serial_number,
        "not_before": cert.not_valid_before_utc,
        "not_after": cert.not_valid_after_utc,
        "sha1": cert.fingerprint(hashes.SHA1()).hex(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "spki": hashlib.sha256(public_key.public_bytes(*SPKI)).hexdigest(),
        "key": type(public_key).__name__,
        "bits": public_key.key_size if isinstance(public_key, rsa.RSAPublicKey) else None,
    }
    for ext in cert.extensions:
        if ext.oid == ExtensionOID.SUBJECT_ALTERNATIVE_NAME:
            fields["san"] = ext.value.get_values_for_type(x509.DNSName)
        elif ext.oid == ExtensionOID.AUTHORITY_KEY_IDENTIFIER:
            fields["aki"] = ext.value.key_identifier
        elif ext.oid == ExtensionOID.SUBJECT_KEY_IDENTIFIER:
            fields["ski"] = ext.value.digest
        elif ext.oid == ExtensionOID.AUTHORITY_INFORMATION_ACCESS:
            fields["aia"] = ext.value[0].access_location.value
        elif ext.oid == ExtensionOID.BASIC_CONSTRAINTS:
            fields["ca"] = ext.value.ca
    return fields


def best_rate(func: Callable[[], object], count: int, repeat: int) -> tuple[float, float]:
    """(best seconds, certs/s) over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best, count / best


def run(count: int, repeat: int, single: int) -> list[tuple[str, int, float, float]]:
    """Measure every variant; returns rows (label, n, seconds, rate)."""
    pems = load_or_generate(count)
    sample = pems[:single]
    rows = []
    seconds, rate = best_rate(lambda: [floor_parse(p) for p in pems], count, repeat)
    rows.append(("(a) bare cryptography loop (floor)", count, seconds, rate))
    previous = cert_utils.configure("cryptography")
    try:
        seconds, rate = best_rate(lambda: [cert_utils.parse_cert(p) for p in pems], count, repeat)
        rows.append(("(b) cryptography backend parse_cert", count, seconds, rate))
        seconds, rate = best_rate(lambda: cert_utils.parse_certs_batch(pems), count, repeat)
        rows.append(("(b) cryptography backend batch", count, seconds, rate))
        expected = cert_utils.parse_certs_batch(pems)
        cert_utils.configure("openssl")
        seconds, rate = best_rate(lambda: cert_utils.parse_certs_batch(pems), count, 1)
        rows.append(("(c) openssl backend batch (1 process)", count, seconds, rate))
        if cert_utils.parse_certs_batch(pems) != expected:
            raise SystemExit("openssl and cryptography backends disagree!")
        seconds, rate = best_rate(lambda: [cert_utils.parse_cert(p) for p in sample], single, 1)
        rows.append(("(c) openssl backend parse_cert (1 proc/cert)", single, seconds, rate))
    finally:
        cert_utils.configure(**previous)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="certificates (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per in-process variant")
    parser.add_argument("--single", type=int, default=200, help="sample for per-process parsing")
    args = parser.parse_args(argv)
    rows = run(args.count, args.repeat, min(args.single, args.count))
    floor = rows[0][3]
    print(f"\n{'variant':<46} {'certs':>7} {'seconds':>8} {'certs/s':>9} {'vs floor':>8}")
    for label, n, seconds, rate in rows:
        print(f"{label:<46} {n:>7} {seconds:>8.2f} {rate:>9.0f} {rate / floor:>7.2f}x")
    crypto_ratio = rows[1][3] / floor
    openssl_rate = rows[3][3]
    print(
        f"\ncryptography backend / floor = {crypto_ratio:.2f}x (goal >= 0.67x): "
        f"{'OK' if crypto_ratio >= 0.67 else 'MISSED'}"
    )
    print(
        f"openssl backend batch = {openssl_rate:.0f} certs/s (goal >= 500): "
        f"{'OK' if openssl_rate >= 500 else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
