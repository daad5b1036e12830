"""AcmeDnsProvider against the fake acme-dns HTTP API (acme-dns is not packaged in
Debian 12, so no real server can run here)."""

from __future__ import annotations

import pytest

from peter_sslers.lib.acme.dns_providers import (
    AcmeDnsProvider,
    DnsProviderError,
    provider_from_config,
)


@pytest.fixture
def credentials(acme_dns_fake) -> dict:
    return AcmeDnsProvider.register(acme_dns_fake.url)


def test_register_returns_config_ready_credentials(acme_dns_fake, credentials):
    assert credentials["api_url"] == acme_dns_fake.url
    assert credentials["fulldomain"] == f"{credentials['subdomain']}.{acme_dns_fake.domain}"
    provider = provider_from_config("acme-dns", credentials)
    assert isinstance(provider, AcmeDnsProvider)
    assert provider.fulldomain == credentials["fulldomain"]
    provider.close()


def test_update_keeps_the_two_latest_values(acme_dns_fake, credentials, challenge_value):
    provider = provider_from_config("acme-dns", credentials)
    values = [challenge_value() for _ in range(3)]
    provider.set_txt("_acme-challenge.example.com", values[0])
    provider.set_txt("_acme-challenge.example.com", values[1])
    assert acme_dns_fake.records(credentials["subdomain"]) == values[:2]
    provider.clear_txt("_acme-challenge.example.com", values[0])  # documented no-op
    assert acme_dns_fake.records(credentials["subdomain"]) == values[:2]
    provider.set_txt("_acme-challenge.example.com", values[2])
    assert acme_dns_fake.records(credentials["subdomain"]) == values[1:]
    provider.close()


def test_wrong_password_is_reported(acme_dns_fake, credentials, challenge_value):
    provider = AcmeDnsProvider(
        acme_dns_fake.url, credentials["username"], "wrong", credentials["subdomain"]
    )
    with pytest.raises(
        DnsProviderError, match="HTTP 401 forbidden: acme-dns rejected the credentials"
    ):
        provider.set_txt("_acme-challenge.example.com", challenge_value())
    assert acme_dns_fake.records(credentials["subdomain"]) == []


def test_value_must_be_43_characters(acme_dns_fake, credentials):
    provider = provider_from_config("acme-dns", credentials)
    before = len(acme_dns_fake.requests_seen)
    with pytest.raises(DnsProviderError, match="43-character"):
        provider.set_txt("_acme-challenge.example.com", "too-short")
    assert len(acme_dns_fake.requests_seen) == before  # refused before any request


def test_server_rejection_is_reported(acme_dns_fake, credentials, challenge_value):
    provider = AcmeDnsProvider(
        acme_dns_fake.url,
        credentials["username"],
        credentials["password"],
        "another-accounts-subdomain",
    )
    with pytest.raises(DnsProviderError, match=f"{acme_dns_fake.url}/update"):
        provider.set_txt("_acme-challenge.example.com", challenge_value())


def test_unreachable_api_is_reported():
    from tests.services.common import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(DnsProviderError, match=f"acme-dns register: POST {url}/register"):
        AcmeDnsProvider.register(url, timeout=1)
