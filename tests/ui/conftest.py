"""An application on its own database, filled with one of everything the store can hold
without an ACME server, shared by the UI tests (API docs, fuzzing, link crawl, Lynx, screenshots)."""

from __future__ import annotations

import dataclasses
import datetime
import secrets

import pytest
import sqlalchemy as sa
import webtest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from sqlalchemy.orm import Session

from peter_sslers import main
from peter_sslers.model import (
    AcmeAccount,
    AcmeAuthorization,
    AcmeChallenge,
    AcmeEventLog,
    AcmeOrder,
    AcmeOrder2AcmeAuthorization,
    AcmeServer,
    CertificateSigned,
    Domain,
)
from peter_sslers.model.enums import (
    AcmeAuthorizationStatus,
    AcmeChallengeStatus,
    AcmeChallengeType,
    AcmeOrderStatus,
    AcmeOrderType,
    EventResult,
    KeyTechnology,
    PrivateKeyCycle,
    ProcessingStrategy,
)
from peter_sslers.scripts.initializedb import initialize
from tests import pki as pki_module
from tests import route_coverage
from tests.conftest import TEST_HOST, TEST_INI, settings_for
from tests.services.live_app import LiveServer

ADMIN = "/.well-known/admin"


@dataclasses.dataclass
class World:
    """The filled application, and the ids of the rows made for the pages under test."""

    app: object
    ids: dict[str, str]

    def client(self) -> webtest.TestApp:
        return webtest.TestApp(
            self.app, extra_environ={"HTTP_HOST": TEST_HOST, "REMOTE_ADDR": "192.0.2.10"}
        )


def _upload(
    client, path: str, files: list[tuple[str, str, bytes]], fields: dict | None = None
) -> dict:
    return client.post(ADMIN + path, fields or {}, upload_files=files).json


def _csr(key, name: str) -> bytes:
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, name)]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    ).public_bytes(serialization.Encoding.PEM)


def _upload_store(client, ids: dict[str, str]) -> None:
    """Certificates (one expiring soon, one expired), a key, a CSR, a CA and an account."""
    pki = pki_module.make_pki()
    now = pki_module.NOW
    leaves = {
        "certificate_signed": pki_module.make_leaf(
            ["www.example.com", "example.com"], pki.intermediate
        ),
        "certificate_soon": pki_module.make_leaf(
            ["soon.example.com"], pki.intermediate, not_before=now - datetime.timedelta(days=70)
        ),
        "certificate_expired": pki_module.make_leaf(
            ["old.example.net"], pki.intermediate, not_before=now - datetime.timedelta(days=200)
        ),
        "certificate_renewed": pki_module.make_leaf(
            ["www.example.com", "example.com"],
            pki.intermediate,
            not_before=now - datetime.timedelta(days=40),
        ),
    }
    for label, leaf in leaves.items():
        data = _upload(
            client,
            "/certificate-signed/upload.json",
            [
                ("certificate_file", "cert.pem", leaf.pem.encode()),
                ("private_key_file", "privkey.pem", leaf.key_pem.encode()),
                ("chain_file", "chain.pem", pki.intermediate.pem.encode()),
            ],
        )
        ids[label] = data["certificate_signed"]["id"]
        ids.setdefault("private_key", data["private_key"]["id"])
        if data.get("certificate_ca_chain_id"):
            ids.setdefault("certificate_ca_chain", data["certificate_ca_chain_id"])
    lone_key = pki_module.ec_key()
    data = _upload(
        client,
        "/private-key/upload.json",
        [("private_key_file", "key.pem", pki_module.key_pem(lone_key).encode())],
    )
    ids["private_key_lone"] = data["private_key"]["id"]
    data = _upload(
        client,
        "/certificate-request/upload.json",
        [("csr_file", "r.csr", _csr(lone_key, "csr.example.org"))],
    )
    ids["certificate_request"] = data["certificate_request"]["id"]
    data = _upload(
        client,
        "/certificate-ca/upload-cert.json",
        [("certificate_file", "ca.pem", pki.root.pem.encode())],
    )
    ids["certificate_ca"] = data["certificate_ca"]["id"]


def _add_account_and_order(client, app, ids: dict[str, str]) -> None:
    """An account (uploaded) and an order made in the database: no ACME server is needed."""
    engine = app.registry["db_engine"]
    with Session(engine) as session:
        server_id = session.execute(
            sa.select(AcmeServer.id).where(AcmeServer.name == "letsencrypt_staging")
        ).scalar_one()
    data = _upload(
        client,
        "/acme-account/upload.json",
        [("account_key_file", "k.pem", pki_module.key_pem(pki_module.ec_key()).encode())],
        {"acme_server_id": str(server_id), "contact": "ops@example.com"},
    )
    ids["acme_account"] = data["acme_account"]["id"]
    with Session(engine) as session, session.begin():
        account = session.get(AcmeAccount, int(ids["acme_account"]))
        ids["acme_account_key"] = str(account.keys[0].id)
        cert = session.get(CertificateSigned, int(ids["certificate_signed"]))
        order = AcmeOrder(
            status=AcmeOrderStatus.VALID,
            order_type=AcmeOrderType.NEW,
            processing_strategy=ProcessingStrategy.CREATE_ORDER,
            order_url=f"https://acme.example/order/{secrets.token_hex(6)}",
            acme_account_id=account.id,
            unique_fqdn_set_id=cert.unique_fqdn_set_id,
            private_key_id=cert.private_key_id,
            private_key_cycle=PrivateKeyCycle.SINGLE_CERTIFICATE,
            private_key_technology=KeyTechnology.EC_P256,
            certificate_signed_id=cert.id,
        )
        session.add(order)
        domain = session.execute(
            sa.select(Domain).where(Domain.domain_name == "www.example.com")
        ).scalar_one()
        authz = AcmeAuthorization(
            authorization_url=f"https://acme.example/authz/{secrets.token_hex(6)}",
            status=AcmeAuthorizationStatus.VALID,
            domain_id=domain.id,
        )
        session.add(authz)
        session.flush()
        session.add(
            AcmeOrder2AcmeAuthorization(acme_order_id=order.id, acme_authorization_id=authz.id)
        )
        token = secrets.token_urlsafe(32)
        challenge = AcmeChallenge(
            acme_authorization_id=authz.id,
            domain_id=domain.id,
            challenge_type=AcmeChallengeType.HTTP_01,
            status=AcmeChallengeStatus.VALID,
            challenge_url=f"https://acme.example/chall/{secrets.token_hex(6)}",
            token=token,
            keyauthorization=f"{token}.{secrets.token_urlsafe(32)}",
        )
        session.add(challenge)
        event = AcmeEventLog(
            acme_event="new-order",
            result=EventResult.SUCCESS,
            method="POST",
            url=order.order_url,
            status_code=201,
            elapsed_ms=12,
            request_json='{"identifiers": [{"type": "dns", "value": "www.example.com"}]}',
            response_json='{"status": "valid"}',
            acme_server_id=server_id,
            acme_account_id=account.id,
            acme_order_id=order.id,
        )
        session.add(event)
        session.flush()
        ids.update(
            acme_order=str(order.id),
            acme_authorization=str(authz.id),
            acme_challenge=str(challenge.id),
            acme_event_log=str(event.id),
            domain="www.example.com",
            domain_id=str(domain.id),
            acme_server=str(server_id),
        )


def make_world(database_url: str) -> World:
    """A new application on ``database_url`` (empty), filled through its own upload routes."""
    settings = settings_for(database_url)
    initialize(TEST_INI, settings)
    app = main({}, **settings)
    route_coverage.install(app.registry)
    world = World(app, {})
    client = world.client()
    _upload_store(client, world.ids)
    _add_account_and_order(client, app, world.ids)
    cert = client.get(f"{ADMIN}/certificate-signed/{world.ids['certificate_signed']}.json").json
    world.ids["unique_fqdn_set"] = cert["certificate_signed"]["unique_fqdn_set_id"]
    cas = client.get(ADMIN + "/certificate-cas.json").json["certificate_cas"]
    world.ids["certificate_ca_intermediate"] = next(c["id"] for c in cas if not c["is_self_signed"])
    events = client.get(ADMIN + "/operations-events.json").json["operations_events"]
    world.ids["operations_event"] = events[0]["id"]
    return world


@pytest.fixture(scope="session")
def ui_world(make_database_url) -> World:
    return make_world(make_database_url("ui"))


@pytest.fixture(scope="session")
def ui_live(ui_world):
    """The filled application behind a real HTTP server (for Lynx and Chromium)."""
    server = LiveServer(ui_world.app).start()
    yield server
    server.stop()
