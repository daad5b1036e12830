"""Fixtures for the hostile-input suite: key material, a populated store, a network guard,
a snapshot of the whole database, and an application with the admin views switched off."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import http.server
import ipaddress
import json
import socket
import threading

import pytest
import sqlalchemy as sa
import webtest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from peter_sslers import main
from peter_sslers.model import (
    AcmeAccount,
    AcmeEventLog,
    AcmeOrder,
    AcmeServer,
    Base,
    CertificateCA,
    CertificateCAPreference,
    DnsProvider,
    OperationsEvent,
    QueueCertificate,
    RateLimited,
)
from peter_sslers.model.enums import (
    AcmeAccountStatus,
    AcmeOrderStatus,
    AcmeOrderType,
    EventResult,
    KeyTechnology,
    PrivateKeyCycle,
    ProcessingStatus,
    ProcessingStrategy,
)
from peter_sslers.scripts.initializedb import initialize
from tests import factories, route_coverage
from tests import pki as pki_module
from tests.conftest import TEST_HOST, TEST_INI, settings_for
from tests.store.conftest import ADMIN, leaf_multi, leaf_single, pki  # noqa: F401 (fixtures)

# ---- key material made once per session ------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _ec_jwk(key) -> dict:
    numbers = key.private_numbers()
    public = numbers.public_numbers
    return {
        "kty": "EC", "crv": "P-256",
        "x": _b64url(public.x.to_bytes(32, "big")), "y": _b64url(public.y.to_bytes(32, "big")),
        "d": _b64url(numbers.private_value.to_bytes(32, "big")),
    }


def _csr(key, names: list[str], *, cn: str | None = None, ips=()) -> str:
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)] if cn else [])
    )
    entries = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    if entries:
        builder = builder.add_extension(x509.SubjectAlternativeName(entries), critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def _tamper_signature(pem: str) -> str:
    """The same CSR with the last byte of its signature flipped."""
    der = bytearray(x509.load_pem_x509_csr(pem.encode()).public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01
    body = base64.encodebytes(bytes(der)).decode().replace("\n", "")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE REQUEST-----\n"


@dataclasses.dataclass
class Material:
    account_key_pem: str  # the world's AcmeAccount key
    spare_ec_key: object  # a key nothing in the store uses
    rsa1024_pem: str
    p521_pem: str
    ed25519_pem: str
    encrypted_pem: str
    public_key_pem: str
    csr_pem: str
    csr_bad_signature: str
    csr_bad_name: str
    csr_no_names: str
    csr_101_names: str
    csr_ip_only: str
    jwk: dict  # a valid private EC JWK nothing in the store uses
    jwk_mismatched: dict  # d of one key, x/y of another

    @property
    def spare_ec_pem(self) -> str:
        return pki_module.key_pem(self.spare_ec_key)


@pytest.fixture(scope="session")
def material() -> Material:
    account_key = pki_module.ec_key()
    spare = pki_module.ec_key()
    other = pki_module.ec_key()
    csr_key = pki_module.ec_key()
    jwk_bad = _ec_jwk(spare)
    other_jwk = _ec_jwk(other)
    jwk_bad["x"], jwk_bad["y"] = other_jwk["x"], other_jwk["y"]
    p521 = ec.generate_private_key(ec.SECP521R1())
    csr_pem = _csr(csr_key, ["csr.example.com", "www.csr.example.com"], cn="csr.example.com")
    return Material(
        account_key_pem=pki_module.key_pem(account_key),
        spare_ec_key=spare,
        rsa1024_pem=pki_module.key_pem(pki_module.rsa_key(1024)),
        p521_pem=pki_module.key_pem(p521),
        ed25519_pem=pki_module.key_pem(ed25519.Ed25519PrivateKey.generate()),
        encrypted_pem=spare.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"hunter2"),
        ).decode(),
        public_key_pem=spare.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode(),
        csr_pem=csr_pem,
        csr_bad_signature=_tamper_signature(csr_pem),
        csr_bad_name=_csr(csr_key, ["bad_name..example.com"]),
        csr_no_names=_csr(csr_key, []),
        csr_101_names=_csr(csr_key, [f"n{i}.example.com" for i in range(101)]),
        csr_ip_only=_csr(csr_key, [], ips=["192.0.2.1"]),
        jwk=_ec_jwk(spare),
        jwk_mismatched=jwk_bad,
    )


# ---- no traffic leaves the machine ----------------------------------------------------------


@dataclasses.dataclass
class NetworkLog:
    attempts: list = dataclasses.field(default_factory=list)


def _is_local(host) -> bool:
    if host in (None, "localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def network_log(monkeypatch) -> NetworkLog:
    """Refuse (and record) every connection or lookup that would leave the loopback interface.

    Refused input must be refused before any ACME server is contacted; a case that reaches
    the network shows up in ``attempts`` instead of silently talking to Let's Encrypt.
    """
    log = NetworkLog()
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
            log.attempts.append(("connect", address))
            raise OSError(f"tests/security: network access refused ({address!r})")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host.decode() if isinstance(host, bytes) else host):
            log.attempts.append(("getaddrinfo", host))
            raise socket.gaierror(f"tests/security: name lookup refused ({host!r})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return log


# ---- a local directory that demands the terms of service -----------------------------------


@pytest.fixture(scope="session")
def tos_directory_url():
    """An ACME directory on 127.0.0.1 whose meta names terms of service (nothing else works)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            base = f"http://127.0.0.1:{self.server.server_port}"
            body = json.dumps({
                "newNonce": base + "/nonce", "newAccount": base + "/account", "newOrder": base + "/order",
                "meta": {"termsOfService": base + "/terms.pdf"},
            }).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/directory"
    server.shutdown()
    server.server_close()


# ---- a populated store ------------------------------------------------------------------------


@dataclasses.dataclass
class World:
    """The rows the corpus aims at, and the key material to aim with."""

    pki: object
    leaf: object  # uploaded: tests.pki.Issued for www/api/example.com
    other_leaf: object  # not uploaded
    mat: Material
    ids: dict[str, str]


def _id(value) -> str:
    return str(value)


@pytest.fixture(scope="session")
def app_settings_raw(make_database_url) -> dict:
    """The suite's own database: the world below is committed there once, for every case."""
    settings = settings_for(make_database_url("security"))
    initialize(TEST_INI, settings)
    return settings


@pytest.fixture(scope="session")
def app(app_settings_raw):
    """Overrides the root ``app`` so that ``connection``, ``dbsession`` and ``testapp`` use the
    suite's database (a session fixture of the root would be shared with other suites)."""
    application = main({}, **app_settings_raw)
    route_coverage.install(application.registry)
    return application


@pytest.fixture(scope="session")
def world(app, pki, leaf_multi, leaf_single, material, tos_directory_url) -> World:  # noqa: F811
    """Build the store once (committed); each test then runs in a rolled-back transaction."""
    client = webtest.TestApp(app, extra_environ={"HTTP_HOST": TEST_HOST, "REMOTE_ADDR": "192.0.2.10"})
    ids: dict[str, str] = {}
    # a certificate with its key and chain, uploaded the way a user does it
    data = client.post(
        ADMIN + "/certificate-signed/upload.json",
        upload_files=[
            ("certificate_file", "cert.pem", leaf_multi.pem.encode()),
            ("private_key_file", "privkey.pem", leaf_multi.key_pem.encode()),
            ("chain_file", "chain.pem", pki.intermediate.pem.encode()),
        ],
    ).json
    ids["cert_id"] = data["certificate_signed"]["id"]
    ids["key_id"] = data["private_key"]["id"]
    ids["chain_id"] = data["certificate_ca_chain_id"]
    ids["root_ca_id"] = client.post(
        ADMIN + "/certificate-ca/upload-cert.json",
        upload_files=[("certificate_file", "root.pem", pki.root.pem.encode())],
    ).json["certificate_ca"]["id"]
    ids["csr_id"] = client.post(
        ADMIN + "/certificate-request/upload.json",
        upload_files=[("csr_file", "csr.pem", material.csr_pem.encode())],
    ).json["certificate_request"]["id"]
    focus = client.get(ADMIN + f"/certificate-signed/{ids['cert_id']}.json").json
    ids["set_id"] = focus["certificate_signed"]["unique_fqdn_set_id"]
    ids["domain_name"] = "example.com"
    ids["domain_id"] = client.get(ADMIN + "/domain/example.com.json").json["domain"]["id"]
    with app.registry["dbsession_factory"]() as session:
        servers = {s.name: s for s in session.execute(sa.select(AcmeServer)).scalars()}
        ids["server_id"] = _id(servers["letsencrypt_staging"].id)
        ids["server_prod_id"] = _id(servers["letsencrypt"].id)
    # an account uploaded from a PEM key on letsencrypt_staging ...
    ids["account_id"] = client.post(
        ADMIN + "/acme-account/upload.json",
        {"acme_server_id": ids["server_id"], "contact": "admin@example.com"},
        upload_files=[("account_key_file", "account.pem", material.account_key_pem.encode())],
    ).json["acme_account"]["id"]

    with app.registry["dbsession_factory"]() as session, session.begin():
        staging_id = int(ids["server_id"])
        fingerprint = pki.intermediate.cert.fingerprint(hashes.SHA256()).hex()
        ids["ca_id"] = _id(session.execute(
            sa.select(CertificateCA.id).where(CertificateCA.fingerprint_sha256 == fingerprint)
        ).scalar_one())
        # ... then "registered" by hand, so that orders get past the account checks
        account = session.get(AcmeAccount, int(ids["account_id"]))
        account.account_url = "https://acme-staging-v02.api.letsencrypt.org/acme/acct/4242"
        ids["account_key_id"] = _id(account.keys[0].id)
        tos_server = AcmeServer(name="security-tos", directory_url=tos_directory_url, server="127.0.0.1")
        off_account = AcmeAccount(acme_server_id=staging_id, status=AcmeAccountStatus.DEACTIVATED, is_active=False)
        provider = DnsProvider(name="security-manual", provider_type="manual", config_json="{}", is_active=True)
        session.add_all([tos_server, off_account, provider])
        session.flush()
        ids["server_tos_id"], ids["account_off_id"] = _id(tos_server.id), _id(off_account.id)
        ids["dns_id"] = _id(provider.id)
        flow_challenge = factories.orderless_challenge(session)
        off_flow = factories.orderless_challenge(session, is_active=False)
        ids["flow_id"], ids["flow_challenge_id"] = _id(flow_challenge.acme_orderless_id), _id(flow_challenge.id)
        ids["flow_off_id"], ids["flow_off_challenge_id"] = _id(off_flow.acme_orderless_id), _id(off_flow.id)
        challenge = factories.http01_challenge(session)
        ids["challenge_id"], ids["authz_id"] = _id(challenge.id), _id(challenge.acme_authorization_id)
        ids["challenge_token"], ids["challenge_keyauth"] = challenge.token, challenge.keyauthorization
        # a failed order of the deactivated account: every action on it is refused locally
        order = AcmeOrder(
            status=AcmeOrderStatus.INVALID, order_type=AcmeOrderType.NEW,
            processing_strategy=ProcessingStrategy.PROCESS_SINGLE,
            processing_status=ProcessingStatus.COMPLETED_FAILURE,
            acme_account_id=off_account.id, unique_fqdn_set_id=int(ids["set_id"]),
            private_key_cycle=PrivateKeyCycle.SINGLE_CERTIFICATE, private_key_technology=KeyTechnology.EC_P256,
        )
        # a second certificate whose names already wait in the renewal queue
        busy_cert = factories.certificate_signed_row(session, not_after=pki_module.NOW + datetime.timedelta(days=10))
        session.add(order)
        session.flush()
        queued = QueueCertificate(unique_fqdn_set_id=busy_cert.unique_fqdn_set_id, certificate_signed_id=busy_cert.id)
        event = AcmeEventLog(acme_event="directory", result=EventResult.SUCCESS, method="GET",
                             url="https://acme.example/dir", acme_server_id=staging_id)
        # the server rate-limited the world account: an order that passes every check stops
        # here (429) instead of reaching the network
        limited = RateLimited(acme_server_id=staging_id, acme_account_id=int(ids["account_id"]),
                              problem_detail="security suite",
                              timestamp_retry_after=pki_module.NOW + datetime.timedelta(days=3650))
        preference = CertificateCAPreference(slot=1, certificate_ca_id=int(ids["ca_id"]))
        session.add_all([queued, event, limited, preference])
        session.flush()
        ids["order_id"], ids["busy_cert_id"], ids["queue_id"] = _id(order.id), _id(busy_cert.id), _id(queued.id)
        ids["event_id"] = _id(event.id)
        ids["op_id"] = _id(session.execute(sa.select(sa.func.max(OperationsEvent.id))).scalar_one())
    return World(pki=pki, leaf=leaf_multi, other_leaf=leaf_single, mat=material, ids=ids)


# ---- the whole database, for "nothing changed" ------------------------------------------------


@pytest.fixture
def row_counts(dbsession):
    """{table: row count} over every table of the model, like tests/store's fixture of the same
    name, in one statement (the corpus takes two snapshots per case)."""
    tables = list(Base.metadata.tables.items())
    statement = sa.select(*[
        sa.select(sa.func.count()).select_from(table).scalar_subquery().label(f"t{i}")
        for i, (_, table) in enumerate(tables)
    ])

    def snapshot() -> dict[str, int]:
        row = dbsession.execute(statement).one()
        return {name: row[i] for i, (name, _) in enumerate(tables)}

    return snapshot


def _digest(session, names) -> dict[str, str]:
    result = {}
    for name in names:
        table = Base.metadata.tables[name]
        rows = sorted(repr(tuple(row)) for row in session.execute(sa.select(table)).all())
        result[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return result


_BASELINE: dict[str, dict[str, str]] = {}


@pytest.fixture
def db_digest(dbsession, row_counts, world):
    """{table: sha256 of its sorted rows}: catches changed columns that row counts cannot see.

    ``baseline`` is the committed world every test starts from (each test is rolled back, so it
    is taken once); ``current()`` reads the rows as the test's transaction sees them. Tables
    empty in the world are left to the row counts (an empty table cannot have changed rows).
    """

    class Digest:
        @property
        def baseline(self) -> dict[str, str]:
            if "world" not in _BASELINE:
                filled = [name for name, count in row_counts().items() if count]
                _BASELINE["world"] = _digest(dbsession, filled)
            return _BASELINE["world"]

        def current(self) -> dict[str, str]:
            return _digest(dbsession, list(self.baseline))

    return Digest()


# ---- an application with only the public views ------------------------------------------------


@pytest.fixture(scope="session")
def public_only_wsgi(app_settings_raw):
    return main({}, **{**app_settings_raw, "enable_views_admin": "false"})


@pytest.fixture
def public_only_app(public_only_wsgi, connection):
    """The admin-off application, its writes kept inside the test's rolled-back transaction."""
    factory = public_only_wsgi.registry["dbsession_factory"]
    engine = public_only_wsgi.registry["db_engine"]
    factory.configure(bind=connection, join_transaction_mode="create_savepoint")
    yield webtest.TestApp(public_only_wsgi, extra_environ={"HTTP_HOST": TEST_HOST, "REMOTE_ADDR": "192.0.2.10"})
    factory.configure(bind=engine, join_transaction_mode="conservative_savepoint")
