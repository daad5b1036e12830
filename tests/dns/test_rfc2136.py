"""Rfc2136Provider against a real BIND 9 with a TSIG-protected zone."""

from __future__ import annotations

import dns.name
import pytest

from peter_sslers.lib.acme.dns_providers import (
    DnsProviderError,
    Rfc2136Provider,
    lookup_txt,
    provider_from_config,
)
from tests.services.bind9 import Bind9Server, make_tsig_secret


def _provider(bind9: Bind9Server, **overrides) -> Rfc2136Provider:
    options = {
        "port": bind9.port,
        "zone": bind9.zone,
        "tsig_key_name": bind9.key_name,
        "tsig_secret": bind9.key_secret,
        "tsig_algorithm": bind9.key_algorithm,
        "timeout": 3,
    }
    options.update(overrides)
    return Rfc2136Provider(bind9.address, **options)


def _served(bind9: Bind9Server, fqdn: str) -> set[str]:
    return lookup_txt(fqdn, nameserver=bind9.address, port=bind9.port, timeout=2)


def test_two_values_of_one_name_then_clear_one(bind9, record_name, challenge_value):
    """example.com and *.example.com share one name: both values must coexist."""
    provider = _provider(bind9)
    fqdn = record_name(bind9.zone)
    first, second = challenge_value(), challenge_value()

    provider.set_txt(fqdn, first)
    provider.set_txt(fqdn, second)
    assert _served(bind9, fqdn) == {first, second}

    provider.clear_txt(fqdn, first)
    assert _served(bind9, fqdn) == {second}
    provider.clear_txt(fqdn, second)
    assert _served(bind9, fqdn) == set()


def test_wrong_tsig_secret_is_refused(bind9, record_name, challenge_value):
    provider = _provider(bind9, tsig_secret=make_tsig_secret())
    fqdn = record_name(bind9.zone)
    with pytest.raises(DnsProviderError) as caught:
        provider.set_txt(fqdn, challenge_value())
    message = caught.value.message
    assert "refused" in message
    assert f"{bind9.address}:{bind9.port}" in message
    assert bind9.key_name in message
    assert _served(bind9, fqdn) == set()


def test_update_without_key_is_refused(bind9, record_name, challenge_value):
    provider = _provider(bind9, tsig_key_name=None, tsig_secret=None)
    with pytest.raises(DnsProviderError, match="rcode REFUSED: the server refused the update"):
        provider.set_txt(record_name(bind9.zone), challenge_value())


def test_zone_is_found_by_soa_lookup(bind9, record_name, challenge_value):
    provider = _provider(bind9, zone=None)
    fqdn = record_name(f"www.{bind9.zone}")
    assert provider.find_zone(fqdn) == dns.name.from_text(bind9.zone + ".")
    assert provider.find_zone(bind9.zone) == dns.name.from_text(bind9.zone + ".")

    value = challenge_value()
    provider.set_txt(fqdn, value)
    assert _served(bind9, fqdn) == {value}
    provider.clear_txt(fqdn, value)
    assert _served(bind9, fqdn) == set()


def test_name_outside_every_zone_of_the_server(bind9):
    provider = _provider(bind9, zone=None)
    with pytest.raises(DnsProviderError, match="not authoritative for any zone"):
        provider.find_zone("_acme-challenge.www.elsewhere.invalid")


def test_wait_until_visible(bind9, record_name, challenge_value):
    provider = _provider(bind9)
    fqdn = record_name(bind9.zone)
    value = challenge_value()
    assert provider.wait_until_visible(fqdn, value, timeout=0.3, interval=0.1) is False
    provider.set_txt(fqdn, value)
    assert provider.wait_until_visible(fqdn, value, timeout=5, interval=0.1) is True
    # asking the same server explicitly
    assert provider.wait_until_visible(
        fqdn, value, timeout=5, nameserver=bind9.address, port=bind9.port
    )
    provider.clear_txt(fqdn, value)
    assert provider.wait_until_visible(fqdn, value, timeout=0.3, interval=0.1) is False


def test_unreachable_server_names_the_server(record_name, challenge_value):
    from tests.services.common import free_port

    port = free_port(udp=True)  # nothing listens there
    provider = Rfc2136Provider("127.0.0.1", port, zone="example.test", timeout=1)
    with pytest.raises(DnsProviderError, match=f"127.0.0.1:{port}"):
        provider.set_txt(record_name("example.test"), challenge_value())


def test_built_from_config(bind9, record_name, challenge_value):
    provider = provider_from_config(
        "rfc2136",
        {
            "server": bind9.address,
            "port": str(bind9.port),  # stored JSON may hold strings
            "tsig_key_name": bind9.key_name,
            "tsig_secret": bind9.key_secret,
        },
    )
    assert isinstance(provider, Rfc2136Provider)
    fqdn = record_name(bind9.zone)
    value = challenge_value()
    provider.set_txt(fqdn, value)
    assert _served(bind9, fqdn) == {value}
    provider.clear_txt(fqdn, value)


def test_bad_tsig_secret_is_caught_at_construction():
    with pytest.raises(DnsProviderError, match="bad TSIG key 'k'"):
        Rfc2136Provider("127.0.0.1", tsig_key_name="k", tsig_secret="not base64!")
    with pytest.raises(DnsProviderError, match="both tsig_key_name and tsig_secret"):
        Rfc2136Provider("127.0.0.1", tsig_key_name="k")
