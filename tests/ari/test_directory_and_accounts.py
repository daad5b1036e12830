"""acme2certifier's directory advertises ARI and profiles; accounts with EC and RSA keys."""

from __future__ import annotations

import pytest
from cryptography import x509

from peter_sslers.lib.acme_v2 import AcmeClient
from peter_sslers.lib.acme_v2.pem import split_chain
from tests.services.acme2certifier import DEFAULT_PROFILES as PROFILES
from tests.services.acme2certifier import Acme2CertifierServer

from .conftest import Issued, make_client


def test_directory_advertises_renewal_info_and_profiles(client: AcmeClient) -> None:
    directory = client.refresh_directory()
    assert directory.supports_ari
    assert directory.renewal_info and directory.renewal_info.startswith("http://127.0.0.1:")
    assert directory.supports_profiles
    assert set(directory.meta.profiles) == set(PROFILES)
    assert all(isinstance(text, str) and text for text in directory.meta.profiles.values())


@pytest.mark.parametrize(("key_kind", "alg"), [("ec256", "ES256"), ("rsa2048", "RS256")])
def test_new_account(acme2certifier: Acme2CertifierServer, key_kind: str, alg: str) -> None:
    # acme2certifier only accepts EC keys signed with an explicit alg=ES256
    with make_client(acme2certifier, key_kind) as acme_client:
        assert acme_client.signer.alg == alg
        account = acme_client.get_account()
        assert account.status == "valid"
        assert account.url == acme_client.account_url
        assert acme_client.find_account().url == account.url


def test_issued_certificate(acme2certifier: Acme2CertifierServer, classic_cert: Issued) -> None:
    leaf = classic_cert.leaf
    names = {i.value for i in classic_cert.order.identifiers}
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.DNSName)) == names
    assert leaf.issuer == acme2certifier.ca_cert.subject
    chain = split_chain(classic_cert.chain_pem)
    assert x509.load_pem_x509_certificate(chain[-1].encode()) == acme2certifier.ca_cert
