"""The bulk certbot import's shortcuts give the same answers as the careful paths."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peter_sslers.lib import cert_utils, certbot_import
from peter_sslers.lib.cert_utils import asn1, x509_der
from peter_sslers.lib.cert_utils.pem import der_to_pem
from peter_sslers.model import CertificateSigned, Domain, get_engine, writer_bind
from peter_sslers.model.enums import KeyTechnology
from peter_sslers.scripts.initializedb import initialize
from tests.conftest import TEST_INI, settings_for

TRADITIONAL = serialization.PrivateFormat.TraditionalOpenSSL
PKCS8 = serialization.PrivateFormat.PKCS8


def pem(key, private_format) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, private_format, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(65537, 2048)


@pytest.mark.parametrize(
    ("make", "technology"),
    [
        (lambda rsa_key: pem(rsa_key, TRADITIONAL), KeyTechnology.RSA_2048),  # RSA PRIVATE KEY
        (lambda rsa_key: pem(rsa_key, PKCS8), KeyTechnology.RSA_2048),
        (
            lambda _: pem(ec.generate_private_key(ec.SECP256R1()), TRADITIONAL),
            KeyTechnology.EC_P256,
        ),
        (lambda _: pem(ec.generate_private_key(ec.SECP384R1()), PKCS8), KeyTechnology.EC_P384),
    ],
)
def test_key_identity_matches_the_crypto_backend(rsa_key, make, technology):
    key_pem = make(rsa_key)
    assert certbot_import.key_identity(key_pem) == (
        cert_utils.parse_key(key_pem).spki_sha256,
        technology,
    )


def test_ec_key_without_its_public_point_falls_back_to_the_backend():
    key = ec.generate_private_key(ec.SECP256R1())
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    curve = asn1.encode_oid(x509_der.CURVE_OIDS["P-256"])
    der = asn1.sequence(asn1.integer(1), asn1.octet_string(scalar), asn1.context(0, curve))
    key_pem = der_to_pem(der, "EC PRIVATE KEY")
    assert (
        certbot_import.key_identity(key_pem)[0] == cert_utils.parse_key(pem(key, PKCS8)).spki_sha256
    )


def test_unusable_keys_are_refused():
    with pytest.raises(certbot_import.ItemError, match="unsupported key"):
        certbot_import.key_identity(pem(ed25519.Ed25519PrivateKey.generate(), PKCS8))
    with pytest.raises(certbot_import.ItemError, match="invalid private key"):
        certbot_import.key_identity(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        )


def test_a_batch_that_collides_is_redone_one_by_one(make_database_url, letsencrypt, monkeypatch):
    settings = settings_for(make_database_url("collide"))
    initialize(TEST_INI, settings)
    engine = get_engine(settings)

    def collide(*_args):
        raise IntegrityError("INSERT", {}, Exception("another writer was first"))

    monkeypatch.setattr(certbot_import, "write_batch", collide)
    with Session(bind=writer_bind(engine), expire_on_commit=False) as session:
        summary = certbot_import.import_tree(session, letsencrypt.archive, commit=session.commit)
        assert (len(summary.imported), len(summary.failed)) == (3, 0)
        assert (
            session.execute(sa.select(sa.func.count()).select_from(CertificateSigned)).scalar_one()
            == 3
        )
        latest = session.execute(
            sa.select(Domain.certificate_signed_id__latest_multi).where(
                Domain.domain_name == "example.com"
            )
        ).scalar_one()
        assert latest is not None
    engine.dispose()
