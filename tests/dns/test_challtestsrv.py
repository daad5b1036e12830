"""ChallTestSrvProvider against the session's real pebble-challtestsrv."""

from __future__ import annotations

import pytest

from peter_sslers.lib.acme.dns_providers import (
    ChallTestSrvProvider,
    DnsProviderError,
    lookup_txt,
    provider_from_config,
)

pytestmark = pytest.mark.pebble


@pytest.fixture
def challtestsrv(pebble_stack):
    return pebble_stack.challtestsrv


@pytest.fixture
def provider(challtestsrv):
    provider = ChallTestSrvProvider(
        challtestsrv.management_url, dns_server="127.0.0.1", dns_port=challtestsrv.dns_port
    )
    yield provider
    provider.close()


def _served(challtestsrv, fqdn: str) -> set[str]:
    return lookup_txt(fqdn, nameserver="127.0.0.1", port=challtestsrv.dns_port, timeout=2)


def test_set_then_clear(provider, challtestsrv, record_name, challenge_value):
    fqdn = record_name("example.com")
    value = challenge_value()
    provider.set_txt(fqdn, value)
    assert _served(challtestsrv, fqdn) == {value}
    provider.clear_txt(fqdn, value)
    assert _served(challtestsrv, fqdn) == set()


def test_clear_one_of_two_values_keeps_the_other(
    provider, challtestsrv, record_name, challenge_value
):
    fqdn = record_name("example.com")
    first, second = challenge_value(), challenge_value()
    provider.set_txt(fqdn, first)
    provider.set_txt(fqdn, second)
    assert _served(challtestsrv, fqdn) == {first, second}
    provider.clear_txt(fqdn, first)
    assert _served(challtestsrv, fqdn) == {second}
    provider.clear_txt(fqdn, second)
    assert _served(challtestsrv, fqdn) == set()


def test_wait_until_visible(provider, record_name, challenge_value):
    fqdn = record_name("example.com")
    value = challenge_value()
    assert provider.wait_until_visible(fqdn, value, timeout=0.3, interval=0.1) is False
    provider.set_txt(fqdn, value)
    assert provider.wait_until_visible(fqdn, value, timeout=5, interval=0.1) is True
    provider.clear_txt(fqdn, value)


def test_built_from_config(challtestsrv, record_name, challenge_value):
    provider = provider_from_config(
        "challtestsrv", {"management_url": challtestsrv.management_url + "/"}
    )
    fqdn = record_name("example.org")
    value = challenge_value()
    provider.set_txt(fqdn, value)
    assert _served(challtestsrv, fqdn) == {value}
    provider.clear_txt(fqdn, value)
    provider.close()


def test_management_api_down_is_reported():
    from tests.services.common import free_port

    url = f"http://127.0.0.1:{free_port()}"
    provider = ChallTestSrvProvider(url, timeout=1)
    with pytest.raises(DnsProviderError, match=f"challtestsrv /set-txt: POST {url}/set-txt"):
        provider.set_txt("_acme-challenge.example.com", "x")
