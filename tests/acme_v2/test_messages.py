"""Typed ACME objects built from JSON, and ARI renewal info parsing."""

from __future__ import annotations

import datetime

import pytest

from peter_sslers.lib.acme_v2 import AcmeClient, AcmeUnsupported, ari_cert_id
from peter_sslers.lib.acme_v2.errors import AcmeProtocolError, RejectedIdentifier
from peter_sslers.lib.acme_v2.messages import (
    Authorization,
    Directory,
    Identifier,
    Order,
    RenewalInfo,
    parse_datetime,
)
from peter_sslers.lib.acme_v2.pem import der_to_pem, split_chain, to_der

from .fakes import BASE, DIRECTORY, FakeAcmeServer, problem
from .helpers import make_key_pem

UTC = datetime.timezone.utc


def test_parse_datetime_variants() -> None:
    assert parse_datetime("2025-03-01T10:20:30Z") == datetime.datetime(
        2025, 3, 1, 10, 20, 30, tzinfo=UTC
    )
    nanos = parse_datetime("2025-03-01T10:20:30.123456789Z")
    assert nanos is not None and nanos.microsecond == 123456
    offset = parse_datetime("2025-03-01T12:20:30+02:00")
    assert offset == datetime.datetime(2025, 3, 1, 10, 20, 30, tzinfo=UTC)
    assert parse_datetime("yesterday") is None and parse_datetime(None) is None


def test_directory_meta_profiles_and_ari() -> None:
    plain = Directory.from_json(DIRECTORY, url=f"{BASE}/dir")
    assert not plain.supports_ari and not plain.supports_profiles
    assert plain.meta.terms_of_service == f"{BASE}/tos" and not plain.meta.external_account_required
    rich = Directory.from_json(
        {
            **DIRECTORY,
            "renewalInfo": f"{BASE}/ari",
            "meta": {
                "profiles": {"classic": "90 days", "shortlived": "6 days"},
                "externalAccountRequired": True,
            },
        }
    )
    assert rich.supports_ari and rich.supports_profiles
    assert rich.meta.profiles["shortlived"] == "6 days" and rich.meta.external_account_required


def test_order_and_authorization_from_json() -> None:
    order = Order.from_json(
        {
            "status": "invalid",
            "expires": "2025-01-01T00:00:00Z",
            "identifiers": [{"type": "dns", "value": "a.test"}],
            "authorizations": [f"{BASE}/authz/1"],
            "finalize": f"{BASE}/fin",
            "error": {
                "type": "urn:ietf:params:acme:error:rejectedIdentifier",
                "detail": "no",
                "subproblems": [
                    {
                        "type": "urn:ietf:params:acme:error:caa",
                        "identifier": {"type": "dns", "value": "a.test"},
                    }
                ],
            },
            "profile": "classic",
            "replaces": "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
        },
        url=f"{BASE}/order/1",
    )
    assert order.identifiers == [Identifier("dns", "a.test")] and order.expires is not None
    assert order.error is not None and order.error.subproblems[0].identifier == Identifier(
        "dns", "a.test"
    )
    assert isinstance(order.error.to_exception(), RejectedIdentifier)
    assert order.profile == "classic" and order.replaces and order.certificate is None
    authz = Authorization.from_json(
        {
            "status": "pending",
            "identifier": {"type": "dns", "value": "a.test"},
            "wildcard": True,
            "challenges": [
                {"type": "http-01", "url": f"{BASE}/chall/1", "status": "pending", "token": "tok"},
                {"type": "dns-01", "url": f"{BASE}/chall/2", "status": "pending", "token": "tok2"},
            ],
        },
        url=f"{BASE}/authz/1",
    )
    assert authz.wildcard and authz.challenge("dns-01").token == "tok2"  # type: ignore[union-attr]
    assert authz.challenge("tls-alpn-01") is None


def test_identifier_of_names_and_ips() -> None:
    assert Identifier.of("example.com") == Identifier("dns", "example.com")
    assert Identifier.of("192.0.2.1") == Identifier("ip", "192.0.2.1")
    assert Identifier.of("2001:db8::1").type == "ip"
    assert Identifier.of({"type": "dns", "value": "x.test"}).value == "x.test"


def test_renewal_info_parsing() -> None:
    info = RenewalInfo.from_json(
        {
            "suggestedWindow": {"start": "2025-01-02T04:00:00Z", "end": "2025-01-03T04:00:00Z"},
            "explanationURL": "https://ca.example/incident",
        },
        retry_after=21600,
    )
    assert info.suggested_window_start == datetime.datetime(2025, 1, 2, 4, tzinfo=UTC)
    assert info.suggested_window_end.tzinfo is not None
    assert info.explanation_url == "https://ca.example/incident" and info.retry_after == 21600
    with pytest.raises(ValueError):
        RenewalInfo.from_json(
            {"suggestedWindow": {"start": "2025-01-03T00:00:00Z", "end": "2025-01-02T00:00:00Z"}}
        )


def test_client_renewal_info_over_http() -> None:
    server = FakeAcmeServer({**DIRECTORY, "renewalInfo": f"{BASE}/ari/"})
    window = {"suggestedWindow": {"start": "2025-01-02T00:00:00Z", "end": "2025-01-03T00:00:00Z"}}
    server.route("GET", "/ari/abc.def", lambda r: (200, {"Retry-After": "3600"}, window))
    server.route("GET", "/ari/bad.id", lambda r: (200, {}, {"suggestedWindow": {}}))
    server.route("GET", "/ari/gone.id", lambda r: problem("malformed", "unknown cert", 404))
    client = AcmeClient(f"{BASE}/dir", make_key_pem(), session=server.session())
    info = client.renewal_info("abc.def")
    assert info.retry_after == 3600 and info.suggested_window_start.day == 2
    with pytest.raises(AcmeProtocolError):
        client.renewal_info("bad.id")
    with pytest.raises(Exception, match="unknown cert"):
        client.renewal_info("gone.id")


def test_renewal_info_unsupported_without_directory_entry() -> None:
    client = AcmeClient(f"{BASE}/dir", make_key_pem(), session=FakeAcmeServer().session())
    with pytest.raises(AcmeUnsupported):
        client.renewal_info("abc.def")


def test_ari_cert_id_rfc9773_example() -> None:
    # RFC 9773 section 4.1: keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4,
    # serial 0x0087654321 -> "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
    aki = bytes.fromhex("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")
    assert ari_cert_id(aki, 0x87654321) == "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"


def test_pem_helpers() -> None:
    pem = der_to_pem(b"\x30\x03\x02\x01\x01") + der_to_pem(b"\x30\x03\x02\x01\x02")
    assert [to_der(p, "CERTIFICATE") for p in split_chain(pem)] == [
        b"\x30\x03\x02\x01\x01",
        b"\x30\x03\x02\x01\x02",
    ]
    assert to_der(b"\x30\x00", "CERTIFICATE") == b"\x30\x00"
    csr = der_to_pem(b"\x30\x00", "NEW CERTIFICATE REQUEST")
    assert to_der(csr, "CERTIFICATE REQUEST") == b"\x30\x00"
    with pytest.raises(ValueError):
        to_der(pem, "CERTIFICATE REQUEST")
