"""A small PKI made with `cryptography` for store tests: roots, intermediates, leaves, keys."""

from __future__ import annotations

import dataclasses
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def key_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def cert_pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


@dataclasses.dataclass
class Issued:
    cert: x509.Certificate
    key: object

    @property
    def pem(self) -> str:
        return cert_pem(self.cert)

    @property
    def key_pem(self) -> str:
        return key_pem(self.key)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "peter_sslers tests")])


def make_ca(cn: str, issuer: Issued | None = None, *, aia: str | None = None, key=None, days: int = 3650) -> Issued:
    key = key or ec_key()
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else _name(cn)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), critical=False
        )
    )
    if aia:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess([x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(aia))]),
            critical=False,
        )
    return Issued(builder.sign(signer_key, hashes.SHA256()), key)


def make_leaf(
    names: list[str], issuer: Issued, *, key=None, not_before=None, not_after=None,
    aia: str | None = "http://ca.example/intermediate.der",
) -> Issued:
    key = key or ec_key()
    not_before = not_before or NOW - datetime.timedelta(days=1)
    not_after = not_after or not_before + datetime.timedelta(days=90)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(issuer.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    )
    if aia:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess([x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(aia))]),
            critical=False,
        )
    return Issued(builder.sign(issuer.key, hashes.SHA256()), key)


def rsa_key(bits: int = 2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@dataclasses.dataclass
class Pki:
    root: Issued
    intermediate: Issued
    root_b: Issued
    intermediate_b: Issued  # same key and name as `intermediate`, issued by root_b: an alternate chain


def make_pki() -> Pki:
    root = make_ca("Test Root X1")
    intermediate = make_ca("Test Intermediate R1", root, aia="http://ca.example/root-x1.der")
    root_b = make_ca("Test Root X2")
    intermediate_b = make_ca("Test Intermediate R1", root_b, key=intermediate.key, aia="http://ca.example/root-x2.der")
    return Pki(root, intermediate, root_b, intermediate_b)


def upload_cert(testapp, leaf: Issued, chain_pem: str | None, status: int = 200, key_pem: str | None = None):
    """POST a leaf, its key (or ``key_pem``) and ``chain_pem`` to the admin's upload.json."""
    fields = [
        ("certificate_file", "cert.pem", leaf.pem.encode()),
        ("private_key_file", "privkey.pem", (key_pem or leaf.key_pem).encode()),
    ]
    if chain_pem is not None:
        fields.append(("chain_file", "chain.pem", chain_pem.encode()))
    return testapp.post("/.well-known/admin/certificate-signed/upload.json", upload_files=fields, status=status)


def upload_new_leaf(testapp, pki: Pki, names: list[str]) -> str:
    """Issue a leaf for ``names`` under ``pki``'s intermediate, upload it; its CertificateSigned id."""
    leaf = make_leaf(names, pki.intermediate)
    return upload_cert(testapp, leaf, pki.intermediate.pem).json["certificate_signed"]["id"]
