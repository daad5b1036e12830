"""Fixtures for the tools: a real certbot tree on disk and the fake server on a live port.

The tree mirrors /etc/letsencrypt: archive/NAME/{cert,chain,fullchain,privkey}N.pem, live/NAME/
symlinks to the newest version, renewal/NAME.conf and accounts/{SERVER}/{HASH}/ with certbot's
three JSON files.  Key material is made once per session; each test gets its own copy on disk.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.services.live_app import LiveServer
from tools import fake_server

PRODUCTION_SERVER = "acme-v02.api.letsencrypt.org/directory"
STAGING_SERVER = "acme-staging-v02.api.letsencrypt.org/directory"
ADMIN = "/.well-known/admin"
# lineage -> domain names on each version's certificate; example.com was renewed once
LINEAGES = {
    "example.com": [["example.com", "www.example.com"], ["example.com", "www.example.com"]],
    "example.org": [["example.org"]],
}
ACCOUNTS = {PRODUCTION_SERVER: "12345", STAGING_SERVER: "67890"}


def _pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _sign(
    subject: str, issuer: x509.Certificate | None, issuer_key, public_key, *, ca: bool, sans=()
):
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.subject if issuer else name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650 if ca else 90))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(san) for san in sans]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def rsa_jwk(key: rsa.RSAPrivateKey) -> dict:
    """The private key as certbot writes private_key.json (a JWK)."""
    private = key.private_numbers()
    public = private.public_numbers
    values = {
        "n": public.n, "e": public.e, "d": private.d, "p": private.p, "q": private.q,
        "dp": private.dmp1, "dq": private.dmq1, "qi": private.iqmp,
    }  # fmt: skip
    return {**{name: _b64(value) for name, value in values.items()}, "kty": "RSA"}


@pytest.fixture(scope="session")
def key_material():
    """PEM/JSON contents: {lineage: [version files]}, {server: account files}."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _sign("Fake Root X1", None, root_key, root_key.public_key(), ca=True)
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    intermediate = _sign(
        "Fake Intermediate R3", root, root_key, intermediate_key.public_key(), ca=True
    )
    chain = _cert_pem(intermediate)
    lineages = {}
    for lineage, versions in LINEAGES.items():
        lineages[lineage] = []
        for domains in versions:
            # certbot's default is ECDSA now; example.org keeps an older RSA key
            leaf_key = (
                rsa.generate_private_key(65537, 2048)
                if lineage == "example.org"
                else ec.generate_private_key(ec.SECP256R1())
            )
            cert = _cert_pem(
                _sign(
                    domains[0],
                    intermediate,
                    intermediate_key,
                    leaf_key.public_key(),
                    ca=False,
                    sans=domains,
                )
            )
            lineages[lineage].append(
                {"privkey": _pem(leaf_key), "cert": cert, "chain": chain, "fullchain": cert + chain}
            )
    accounts = {}
    for server, account_number in ACCOUNTS.items():
        key = rsa.generate_private_key(65537, 2048)
        public_der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        jwk = rsa_jwk(key)
        host = server.split("/")[0]
        regr = {
            "body": {
                "key": {"kty": "RSA", "n": jwk["n"], "e": jwk["e"]},
                "contact": ["mailto:admin@example.com"],
                "status": "valid",
                "agreement": "https://letsencrypt.org/documents/LE-SA-v1.4-April-3-2024.pdf",
            },
            "uri": f"https://{host}/acme/acct/{account_number}",
        }
        meta = {
            "creation_dt": "2024-01-02T03:04:05Z",
            "creation_host": "web1.example.com",
            "register_to_eff": None,
        }
        accounts[server] = {
            "hash": hashlib.md5(public_der, usedforsecurity=False).hexdigest(),
            "private_key.json": json.dumps(jwk),
            "regr.json": json.dumps(regr),
            "meta.json": json.dumps(meta),
        }
    return {"lineages": lineages, "accounts": accounts}


@dataclass
class CertbotTree:
    root: Path
    contents: dict = field(repr=False)

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def live(self) -> Path:
        return self.root / "live"

    @property
    def accounts(self) -> Path:
        return self.root / "accounts"

    def account_dir(self, server: str) -> Path:
        return self.accounts / server / self.contents["accounts"][server]["hash"]

    def version(self, lineage: str, version: int) -> dict:
        return self.contents["lineages"][lineage][version - 1]

    @property
    def version_count(self) -> int:
        return sum(len(versions) for versions in LINEAGES.values())


def write_certbot_tree(root: Path, contents: dict) -> CertbotTree:
    tree = CertbotTree(root, contents)
    (root / "renewal").mkdir(parents=True)
    tree.live.mkdir()
    (tree.live / "README").write_text("This directory contains your keys and certificates.\n")
    for lineage, versions in contents["lineages"].items():
        archive_dir = tree.archive / lineage
        archive_dir.mkdir(parents=True)
        for number, files in enumerate(versions, start=1):
            for kind, data in files.items():
                (archive_dir / f"{kind}{number}.pem").write_bytes(data)
        live_dir = tree.live / lineage
        live_dir.mkdir()
        (live_dir / "README").write_text("`[cert name]/privkey.pem` : the private key\n")
        for kind in ("cert", "chain", "fullchain", "privkey"):
            (live_dir / f"{kind}.pem").symlink_to(
                f"../../archive/{lineage}/{kind}{len(versions)}.pem"
            )
        (root / "renewal" / f"{lineage}.conf").write_text(
            "# renew_before_expiry = 30 days\nversion = 2.11.0\n"
            f"archive_dir = {archive_dir}\n"
            + "".join(
                f"{kind} = {live_dir / kind}.pem\n"
                for kind in ("cert", "privkey", "chain", "fullchain")
            )
            + f"\n[renewalparams]\nauthenticator = webroot\nserver = https://{PRODUCTION_SERVER}\n"
        )
    for server, files in contents["accounts"].items():
        account_dir = tree.account_dir(server)
        account_dir.mkdir(parents=True)
        for filename in ("private_key.json", "regr.json", "meta.json"):
            (account_dir / filename).write_text(files[filename])
    return tree


@pytest.fixture
def letsencrypt(tmp_path, key_material) -> CertbotTree:
    """A fresh certbot tree (2 lineages, 3 versions, 2 accounts) under tmp_path/letsencrypt."""
    return write_certbot_tree(tmp_path / "letsencrypt", key_material)


class SwappableApp:
    """A WSGI app whose target each test replaces, so one live server serves the session
    (stopping a waitress server costs about a second)."""

    def __init__(self) -> None:
        self.target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


@pytest.fixture(scope="session")
def _live_servers():
    """Two loopback servers: one for the fake server, one for ad-hoc apps of a test."""
    apps = {"fake": SwappableApp(), "other": SwappableApp()}
    servers = {name: LiveServer(app, threads=2).start() for name, app in apps.items()}
    yield {name: (apps[name], servers[name].url) for name in apps}
    for server in servers.values():
        server.stop()


@dataclass
class RunningFake:
    app: fake_server.FakeServer
    url: str

    @property
    def admin(self) -> str:
        return self.url + ADMIN


@pytest.fixture
def fake(_live_servers) -> RunningFake:
    """A fresh fake server (empty upload record) on a live loopback port."""
    slot, url = _live_servers["fake"]
    slot.target = fake_server.FakeServer()
    yield RunningFake(slot.target, url)
    slot.target = None


@pytest.fixture
def serve(_live_servers):
    """serve(wsgi_app) -> the URL of a live server answering with that app for this test."""
    slot, url = _live_servers["other"]

    def start(app) -> str:
        slot.target = app
        return url

    yield start
    slot.target = None
