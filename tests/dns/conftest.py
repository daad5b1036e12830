"""Fixtures for the DNS-01 provider tests: a real BIND 9, the fake acme-dns API, and
helpers for unique record names and 43-character challenge values."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import require_binary
from tests.services.acme_dns_fake import AcmeDnsFake
from tests.services.bind9 import INSTALL_HINT, NAMED_BIN, Bind9Server


@pytest.fixture(scope="session")
def bind9(tmp_path_factory) -> Iterator[Bind9Server]:
    """``named`` serving ``example.test`` on a free 127.0.0.1 port (updates need TSIG)."""
    require_binary(NAMED_BIN, INSTALL_HINT)
    server = Bind9Server(tmp_path_factory.mktemp("bind9"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def acme_dns_fake() -> Iterator[AcmeDnsFake]:
    """The stand-in acme-dns HTTP API (acme-dns is not packaged in Debian 12)."""
    with AcmeDnsFake() as fake:
        yield fake


@pytest.fixture
def challenge_value() -> Callable[[], str]:
    """A factory of fresh DNS-01 values (base64url SHA-256: 43 characters)."""

    def make() -> str:
        digest = hashlib.sha256(secrets.token_bytes(16)).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    return make


@pytest.fixture
def record_name() -> Callable[[str], str]:
    """``_acme-challenge.<unique label>.<domain>``: tests never see each other's records."""

    def make(domain: str) -> str:
        label = f"t{secrets.token_hex(4)}"
        return f"_acme-challenge.{label}.{domain}"

    return make
