"""Fixtures for the ARI (RFC 9773) and profile tests: one acme2certifier per session.

Pebble 2.4 offers neither renewalInfo nor profiles, so these tests run our ACME client
against acme2certifier (see tests/services/acme2certifier.py). A missing package skips
the tests locally and fails them when ``CI`` is set.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest
from cryptography import x509

from peter_sslers.lib.acme_v2 import AcmeClient, AcmeExchange, Order, Status, ari_cert_id
from tests.acme_v2.helpers import make_csr, make_key_pem, unique_name
from tests.services import acme2certifier as a2c
from tests.services.acme2certifier import Acme2CertifierServer


class Exchanges(list[AcmeExchange]):
    """An event sink that keeps every exchange of a client."""

    def __call__(self, exchange: AcmeExchange) -> None:
        self.append(exchange)

    def last(self, action: str) -> AcmeExchange:
        """The most recent exchange of ``action`` (``newOrder``, ...)."""
        return next(e for e in reversed(self) if e.action == action)


@dataclass
class Issued:
    """A certificate issued by acme2certifier through our client."""

    order: Order
    chain_pem: str
    leaf: x509.Certificate

    @property
    def ari_cert_id(self) -> str:
        aki = self.leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
        assert aki.value.key_identifier is not None
        return ari_cert_id(aki.value.key_identifier, self.leaf.serial_number)

    @property
    def lifetime_days(self) -> float:
        delta = self.leaf.not_valid_after_utc - self.leaf.not_valid_before_utc
        return delta.total_seconds() / 86400


@pytest.fixture(scope="session")
def acme2certifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Acme2CertifierServer]:
    """A running acme2certifier with profiles ``classic`` (90 d) and ``shortlived`` (6 d)."""
    yield from a2c.serve(tmp_path_factory.mktemp("acme2certifier"))


def make_client(
    server: Acme2CertifierServer, key_kind: str = "ec256", **kwargs: object
) -> AcmeClient:
    """A client for ``server`` (plain HTTP) with a new account."""
    client = AcmeClient(
        server.directory_url,
        make_key_pem(key_kind),
        timeout=10,
        poll_initial_delay=0.02,
        poll_max_delay=0.25,
        **kwargs,  # type: ignore[arg-type]
    )
    client.new_account(["mailto:ari@example.com"], terms_of_service_agreed=True)
    return client


@pytest.fixture(scope="session")
def exchanges() -> Exchanges:
    """Every exchange of the session's ``client``."""
    return Exchanges()


@pytest.fixture(scope="session")
def client(acme2certifier: Acme2CertifierServer, exchanges: Exchanges) -> Iterator[AcmeClient]:
    """One EC P-256 account shared by the tests."""
    acme_client = make_client(acme2certifier, event_sink=exchanges)
    yield acme_client
    acme_client.close()


def issue(
    client: AcmeClient,
    names: Sequence[str] | None = None,
    *,
    profile: str | None = None,
    replaces: str | None = None,
) -> Issued:
    """newOrder -> answer challenges (validation disabled) -> finalize -> download."""
    names = list(names or [unique_name("ari")])
    order = client.new_order(names, profile=profile, replaces=replaces)
    for url in order.authorizations:
        authz = client.get_authorization(url)
        if authz.status != Status.VALID:
            challenge = authz.challenge("http-01")
            assert challenge is not None, authz.raw
            client.respond_challenge(challenge)
            authz = client.poll_authorization(url, timeout=15)
        assert authz.status == Status.VALID, authz.raw
    order = client.poll_order(order, timeout=15)
    assert order.status == Status.READY, order.raw
    csr_der, _key_pem = make_csr(names)
    order = client.poll_order(client.finalize(order, csr_der), timeout=15)
    assert order.status == Status.VALID and order.certificate, order.raw
    chains = client.download_certificate(order.certificate)
    leaf = x509.load_pem_x509_certificate(chains.default.encode())
    return Issued(order=order, chain_pem=chains.default, leaf=leaf)


@pytest.fixture(scope="session")
def classic_cert(client: AcmeClient) -> Issued:
    """A certificate of the ``classic`` profile, shared by the read-only tests."""
    return issue(client, profile="classic")
