"""Fixtures for the ACME client tests: real Pebble instances shared per session.

One pebble-challtestsrv serves as DNS for every Pebble; one threaded HTTP-01 responder
listens on the ``httpPort`` that every Pebble instance dials. Each Pebble variant is a
session fixture started on first use.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator

import pytest

from tests.services.pebble import (
    Http01Responder,
    PebbleOptions,
    PebbleServer,
    PebbleStack,
)

from .helpers import make_key_pem

EAB_KEYS = {
    "kid-1": base64.urlsafe_b64encode(os.urandom(48)).rstrip(b"=").decode(),
    "kid-2": base64.urlsafe_b64encode(os.urandom(48)).rstrip(b"=").decode(),
}


@pytest.fixture(scope="session")
def http01(pebble_stack: PebbleStack) -> Iterator[Http01Responder]:
    """The HTTP-01 responder every Pebble instance validates against."""
    responder = Http01Responder().start()
    yield responder
    responder.stop()


def _options(http01: Http01Responder, **kwargs: object) -> PebbleOptions:
    kwargs.setdefault("nonce_reject", 0)
    kwargs.setdefault("authz_reuse", 0)
    return PebbleOptions(http_port=http01.port, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pebble(pebble_stack: PebbleStack, http01: Http01Responder) -> PebbleServer:
    """The main Pebble: no random badNonce, no authz reuse, no VA sleep."""
    return pebble_stack.add_pebble(_options(http01), name="main")


@pytest.fixture(scope="session")
def pebble_alternates(pebble_stack: PebbleStack, http01: Http01Responder) -> PebbleServer:
    """A Pebble with an alternate root and a 2-intermediate chain."""
    options = _options(http01, alternate_roots=1, chain_length=2)
    return pebble_stack.add_pebble(options, name="alternates")


@pytest.fixture(scope="session")
def pebble_eab(pebble_stack: PebbleStack, http01: Http01Responder) -> PebbleServer:
    """A Pebble that requires External Account Binding with :data:`EAB_KEYS`."""
    options = _options(http01, eab_required=True, eab_keys=EAB_KEYS)
    return pebble_stack.add_pebble(options, name="eab")


@pytest.fixture(scope="session")
def pebble_nonce_reject(pebble_stack: PebbleStack, http01: Http01Responder) -> PebbleServer:
    """A Pebble rejecting 50 % of good nonces (PEBBLE_WFE_NONCEREJECT=50)."""
    return pebble_stack.add_pebble(_options(http01, nonce_reject=50), name="noncereject")


@pytest.fixture(scope="session")
def account_key_pem() -> str:
    """A session-wide EC P-256 account key (one account per session on `pebble`)."""
    return make_key_pem("ec256")


@pytest.fixture(scope="session")
def pebble_strict(pebble_stack: PebbleStack, http01: Http01Responder) -> PebbleServer:
    """A Pebble started with ``-strict=true``."""
    return pebble_stack.add_pebble(_options(http01, strict=True), name="strict")
