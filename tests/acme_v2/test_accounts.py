"""Account operations against a real Pebble: create, find, contact, deactivate, rollover, EAB."""

from __future__ import annotations

import pytest

from peter_sslers.lib.acme_v2 import AcmeClient, AcmeExchange
from peter_sslers.lib.acme_v2.errors import (
    AccountDoesNotExist,
    ExternalAccountRequired,
    Unauthorized,
)
from peter_sslers.lib.acme_v2.jws import b64url
from tests.services.pebble import Http01Responder, PebbleServer

from .conftest import EAB_KEYS
from .helpers import issue, make_key_pem, unique_name

pytestmark = pytest.mark.pebble


def client_for(pebble: PebbleServer, key_pem: str, **kwargs: object) -> AcmeClient:
    return AcmeClient(
        pebble.directory_url, key_pem, ca_bundle=pebble.ca_bundle, timeout=10, **kwargs
    )  # type: ignore[arg-type]


def test_new_account_then_find_it(pebble: PebbleServer) -> None:
    key_pem = make_key_pem("ec256")
    exchanges: list[AcmeExchange] = []
    client = client_for(pebble, key_pem, event_sink=exchanges.append)
    account = client.new_account(["mailto:new@example.com"], terms_of_service_agreed=True)
    assert account.status == "valid" and account.contact == ["mailto:new@example.com"]
    assert client.account_url == account.url and account.url.startswith("https://127.0.0.1")
    assert exchanges[-1].response_status == 201 and account.created is True

    again = client.new_account(terms_of_service_agreed=True)  # same key: the same account
    assert again.url == account.url and exchanges[-1].response_status == 200
    assert again.created is False

    fresh = client_for(pebble, key_pem)
    found = fresh.find_account()
    assert found.url == account.url and fresh.account_url == account.url
    assert fresh.get_account().status == "valid"


def test_find_account_of_an_unknown_key(pebble: PebbleServer) -> None:
    client = client_for(pebble, make_key_pem())
    with pytest.raises(AccountDoesNotExist):
        client.find_account()
    assert client.account_url is None


def test_update_contact(pebble: PebbleServer) -> None:
    client = client_for(pebble, make_key_pem())
    client.new_account(["mailto:old@example.com"], terms_of_service_agreed=True)
    updated = client.update_contact(["mailto:fresh@example.com"])
    assert updated.contact == ["mailto:fresh@example.com"]
    assert client.get_account().contact == ["mailto:fresh@example.com"]


def test_deactivate_account(pebble: PebbleServer) -> None:
    client = client_for(pebble, make_key_pem())
    client.new_account(terms_of_service_agreed=True)
    assert client.deactivate_account().status == "deactivated"
    with pytest.raises(Unauthorized, match="deactivated"):
        client.new_order([unique_name()])
    with pytest.raises(Unauthorized):
        client.find_account()


@pytest.mark.parametrize("new_kind", ["rsa2048", "ec384"])
def test_key_rollover(pebble: PebbleServer, new_kind: str) -> None:
    old_pem, new_pem = make_key_pem("ec256"), make_key_pem(new_kind)
    client = client_for(pebble, old_pem)
    account = client.new_account(terms_of_service_agreed=True)
    exchanges: list[AcmeExchange] = []
    client.net.event_sink = exchanges.append
    client.key_rollover(new_pem)
    assert exchanges[-1].action == "keyChange" and exchanges[-1].response_status == 200
    assert client.get_account().raw["key"]["kty"] == ("RSA" if new_kind == "rsa2048" else "EC")
    assert client_for(pebble, new_pem).find_account().url == account.url
    with pytest.raises(AccountDoesNotExist):
        client_for(pebble, old_pem).find_account()


@pytest.mark.parametrize("kind", ["rsa2048", "ec256", "ec384"])
def test_account_key_types_issue_certificates(
    pebble: PebbleServer, http01: Http01Responder, kind: str
) -> None:
    client = client_for(pebble, make_key_pem(kind))
    client.new_account(terms_of_service_agreed=True)
    assert client.signer.alg == {"rsa2048": "RS256", "ec256": "ES256", "ec384": "ES384"}[kind]
    order, chains, _ = issue(client, [unique_name(kind)], http01=http01)
    assert order.status == "valid" and "BEGIN CERTIFICATE" in chains.default


def test_external_account_binding(pebble_eab: PebbleServer) -> None:
    client = client_for(pebble_eab, make_key_pem())
    assert client.directory.meta.external_account_required
    with pytest.raises(ExternalAccountRequired):
        client.new_account(terms_of_service_agreed=True)
    wrong = b64url(b"x" * 48)
    with pytest.raises(Unauthorized, match="verification"):
        client.new_account(terms_of_service_agreed=True, eab=("kid-1", wrong))
    with pytest.raises(Unauthorized, match="kid"):
        client.new_account(terms_of_service_agreed=True, eab=("kid-unknown", EAB_KEYS["kid-1"]))
    account = client.new_account(terms_of_service_agreed=True, eab=("kid-2", EAB_KEYS["kid-2"]))
    assert account.status == "valid" and client.account_url == account.url
    assert client.get_account().status == "valid"
