"""ManualProvider behaviour and provider_from_config validation (no servers needed)."""

from __future__ import annotations

import pytest

from peter_sslers.lib.acme.dns_providers import (
    PROVIDER_TYPES,
    AcmeDnsProvider,
    ChallTestSrvProvider,
    DnsProviderError,
    ManualDnsRequired,
    ManualProvider,
    Rfc2136Provider,
    provider_from_config,
)
from peter_sslers.lib.errors import PeterSSLersError


def test_manual_provider_asks_for_the_records():
    provider = ManualProvider()
    with pytest.raises(ManualDnsRequired) as first:
        provider.set_txt("_acme-challenge.example.com", "value-1")
    assert first.value.records == [("_acme-challenge.example.com", "value-1")]
    with pytest.raises(ManualDnsRequired) as second:
        provider.set_txt("_acme-challenge.example.com.", "value-2")
    assert second.value.records == [
        ("_acme-challenge.example.com", "value-1"),
        ("_acme-challenge.example.com", "value-2"),
    ]
    assert provider.pending == second.value.records
    assert '_acme-challenge.example.com. TXT "value-2"' in second.value.message
    assert isinstance(second.value, DnsProviderError)
    assert isinstance(second.value, PeterSSLersError)

    provider.clear_txt("_acme-challenge.example.com", "value-1")
    assert provider.pending == [("_acme-challenge.example.com", "value-2")]


def test_manual_provider_confirmed_does_not_raise():
    provider = provider_from_config("manual", {"confirmed": "true"})
    assert isinstance(provider, ManualProvider)
    provider.set_txt("_acme-challenge.example.com", "value")
    assert provider.pending == [("_acme-challenge.example.com", "value")]


@pytest.mark.parametrize(
    ("provider_type", "config", "cls"),
    [
        (
            "acme-dns",
            {"api_url": "https://a.test", "username": "u", "password": "p", "subdomain": "s"},
            AcmeDnsProvider,
        ),
        ("rfc2136", {"server": "127.0.0.1", "zone": "example.test."}, Rfc2136Provider),
        ("challtestsrv", {"management_url": "http://127.0.0.1:8055"}, ChallTestSrvProvider),
        ("manual", {}, ManualProvider),
    ],
)
def test_every_type_builds(provider_type, config, cls):
    assert provider_type in PROVIDER_TYPES
    provider = provider_from_config(provider_type, config)
    assert type(provider) is cls
    assert provider.name == provider_type
    provider.close()


def test_missing_keys_are_listed():
    with pytest.raises(DnsProviderError) as caught:
        provider_from_config("acme-dns", {"api_url": "https://a.test", "username": ""})
    assert caught.value.message == (
        "acme-dns provider config is missing required key(s): username, password, subdomain "
        "(required: api_url, username, password, subdomain)"
    )


def test_unknown_keys_are_refused():
    with pytest.raises(DnsProviderError, match="unknown key.*: tsig_keyname .*allowed: server"):
        provider_from_config("rfc2136", {"server": "127.0.0.1", "tsig_keyname": "k"})


def test_bad_values_are_refused():
    with pytest.raises(DnsProviderError, match="bad value for 'port'"):
        provider_from_config("rfc2136", {"server": "127.0.0.1", "port": "fifty-three"})
    with pytest.raises(DnsProviderError, match="bad value for 'confirmed'"):
        provider_from_config("manual", {"confirmed": "maybe"})


def test_unknown_type_and_non_dict_config():
    with pytest.raises(DnsProviderError, match="unknown DNS provider type 'route53'.*acme-dns"):
        provider_from_config("route53", {})
    with pytest.raises(DnsProviderError, match="must be a JSON object"):
        provider_from_config("manual", ["confirmed"])  # type: ignore[arg-type]
