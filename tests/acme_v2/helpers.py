"""Test helpers: keys and CSRs with ``cryptography``, and a full issuance flow."""

from __future__ import annotations

import ipaddress
import itertools
import os
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from peter_sslers.lib.acme_v2 import (
    AcmeClient,
    Authorization,
    CertificateChains,
    Order,
    Status,
)
from tests.services.pebble import ChallTestSrv, Http01Responder, PebbleServer

_counter = itertools.count()
_run = os.urandom(3).hex()


def unique_name(prefix: str = "t") -> str:
    """A DNS name no other test uses (Pebble resolves every name to 127.0.0.1)."""
    return f"{prefix}{next(_counter)}-{_run}.example.com"


def make_key_pem(kind: str = "ec256") -> str:
    """A private key as PKCS#8 PEM: ``rsa2048``, ``ec256`` or ``ec384``."""
    if kind == "rsa2048":
        key: object = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif kind == "ec384":
        key = ec.generate_private_key(ec.SECP384R1())
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def make_csr(names: Sequence[str], key_pem: str | None = None) -> tuple[bytes, str]:
    """``(csr_der, key_pem)`` for ``names`` (a new P-256 key unless given)."""
    key_pem = key_pem or make_key_pem("ec256")
    key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    sans: list[x509.GeneralName] = [
        x509.IPAddress(ipaddress.ip_address(n)) if _is_ip(n) else x509.DNSName(n) for n in names
    ]
    dns_names = [n for n in names if not _is_ip(n)]
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, dns_names[0])] if dns_names else []
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name(subject))
        .add_extension(x509.SubjectAlternativeName(sans), False)
        .sign(key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return csr.public_bytes(serialization.Encoding.DER), key_pem


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def new_client(pebble: PebbleServer, key_pem: str | None = None, **kwargs: object) -> AcmeClient:
    """An AcmeClient for ``pebble`` with a new account."""
    client = AcmeClient(
        pebble.directory_url,
        key_pem or make_key_pem("ec256"),
        ca_bundle=pebble.ca_bundle,
        timeout=10,
        **kwargs,  # type: ignore[arg-type]
    )
    client.new_account(["mailto:test@example.com"], terms_of_service_agreed=True)
    return client


def answer_authorization(
    client: AcmeClient,
    authz: Authorization,
    *,
    http01: Http01Responder | None = None,
    dns: ChallTestSrv | None = None,
) -> Authorization:
    """Answer one authorization with HTTP-01 (responder) or DNS-01 (challtestsrv)."""
    if authz.status == Status.VALID:
        return authz
    challenge_type = "dns-01" if dns is not None else "http-01"
    challenge = authz.challenge(challenge_type)
    assert challenge is not None and challenge.token
    if dns is not None:
        dns.set_txt(
            f"_acme-challenge.{authz.identifier.value}", client.dns01_txt_value(challenge.token)
        )
    else:
        assert http01 is not None
        http01.add(challenge.token, client.key_authorization(challenge.token))
    client.respond_challenge(challenge)
    return client.poll_authorization(authz.url, timeout=30)


def issue(
    client: AcmeClient,
    names: Sequence[str],
    *,
    http01: Http01Responder | None = None,
    dns: ChallTestSrv | None = None,
) -> tuple[Order, CertificateChains, str]:
    """New order -> challenges -> finalize -> download; returns (order, chains, key)."""
    order = client.new_order(names)
    for url in order.authorizations:
        authz = answer_authorization(client, client.get_authorization(url), http01=http01, dns=dns)
        assert authz.status == Status.VALID, authz.raw
    order = client.poll_order(order, timeout=30)
    assert order.status == Status.READY, order.raw
    csr_der, key_pem = make_csr(names)
    order = client.finalize(order, csr_der)
    order = client.poll_order(order, timeout=30)
    assert order.status == Status.VALID and order.certificate, order.raw
    return order, client.download_certificate(order.certificate), key_pem
