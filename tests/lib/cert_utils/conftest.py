"""Fixtures for the cert_utils suite: a CA hierarchy built with ``cryptography`` directly.

Everything is session scoped; RSA keys are few (one 4096, two 2048, one 1024).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import ipaddress
from collections.abc import Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from peter_sslers.lib import cert_utils

UTC = datetime.timezone.utc
NOT_BEFORE = datetime.datetime(2025, 1, 1, 12, 30, 15, tzinfo=UTC)
BACKENDS = ("cryptography", "openssl")

PKCS8 = (
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
)
TRADITIONAL = (
    serialization.Encoding.PEM,
    serialization.PrivateFormat.TraditionalOpenSSL,
    serialization.NoEncryption(),
)


def pkcs8(key) -> str:
    return key.private_bytes(*PKCS8).decode()


def traditional(key) -> str:
    return key.private_bytes(*TRADITIONAL).decode()


@dataclasses.dataclass
class Issued:
    """A certificate with its key and the values it was built with."""

    cert: x509.Certificate
    key: object
    pem: str
    key_pem: str
    expected: dict


def _name(cn: str | None, *extra: x509.NameAttribute) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)] if cn else []
    return x509.Name([*extra, *attrs])


def _add_extensions(builder, *, ca, ski, aki, dns, ips, aia):
    """Let's Encrypt-shaped extensions: basicConstraints, SKI, AKI, SAN, AIA, EKU."""
    builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
    builder = builder.add_extension(ski, False)
    builder = builder.add_extension(x509.AuthorityKeyIdentifier(aki, None, None), False)
    if dns or ips:
        names = [x509.DNSName(n) for n in dns]
        names += [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), False)
    if aia:
        ocsp = x509.AccessDescription(
            AuthorityInformationAccessOID.OCSP,
            x509.UniformResourceIdentifier("http://ocsp.example.test"),
        )
        issuers = x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(aia)
        )
        builder = builder.add_extension(x509.AuthorityInformationAccess([ocsp, issuers]), False)
    if not ca:
        eku = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])
        builder = builder.add_extension(eku, False)
    return builder


def issue(
    subject: x509.Name,
    key,
    issuer: Issued | None,
    *,
    serial: int,
    ca: bool = False,
    dns: tuple[str, ...] = (),
    ips: tuple[str, ...] = (),
    aia: str | None = None,
    aki: bytes | None = None,
    extensions: bool = True,
    days: int = 90,
    pss: bool = False,
    ski: bytes | None = None,
) -> Issued:
    """Build and sign one certificate (self-signed when issuer is None)."""
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else subject
    ski = (
        x509.SubjectKeyIdentifier(ski)
        if ski
        else x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_BEFORE + datetime.timedelta(days=days))
    )
    if aki is None and issuer is not None:
        aki = x509.SubjectKeyIdentifier.from_public_key(issuer.key.public_key()).digest
    if aki is None and issuer is None:
        aki = ski.digest
    if extensions:
        builder = _add_extensions(builder, ca=ca, ski=ski, aki=aki, dns=dns, ips=ips, aia=aia)
    if isinstance(signer_key, ed25519.Ed25519PrivateKey):
        cert = builder.sign(signer_key, None)
    elif pss:
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        cert = builder.sign(signer_key, hashes.SHA256(), rsa_padding=pad)
    else:
        cert = builder.sign(signer_key, hashes.SHA256())
    expected = {
        "serial": serial,
        "san_dns": list(dns),
        "san_ips": [str(ipaddress.ip_address(i)) for i in ips],
        "aki": aki.hex() if (aki is not None and extensions) else None,
        "ski": ski.digest.hex() if extensions else None,
        "aia": aia if extensions else None,
        "is_ca": ca and extensions,
        "not_after": NOT_BEFORE + datetime.timedelta(days=days),
    }
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return Issued(cert, key, pem, pkcs8(key), expected)


@dataclasses.dataclass
class Keys:
    root_rsa4096: rsa.RSAPrivateKey
    rsa_a: rsa.RSAPrivateKey
    rsa_b: rsa.RSAPrivateKey
    rsa_1024: rsa.RSAPrivateKey
    ec256: ec.EllipticCurvePrivateKey
    ec384: ec.EllipticCurvePrivateKey
    ec521: ec.EllipticCurvePrivateKey
    ed25519: ed25519.Ed25519PrivateKey
    dsa: dsa.DSAPrivateKey


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(
        root_rsa4096=rsa.generate_private_key(65537, 4096),
        rsa_a=rsa.generate_private_key(65537, 2048),
        rsa_b=rsa.generate_private_key(65537, 2048),
        rsa_1024=rsa.generate_private_key(65537, 1024),
        ec256=ec.generate_private_key(ec.SECP256R1()),
        ec384=ec.generate_private_key(ec.SECP384R1()),
        ec521=ec.generate_private_key(ec.SECP521R1()),
        ed25519=ed25519.Ed25519PrivateKey.generate(),
        dsa=dsa.generate_private_key(1024),
    )


class Pki:
    """root(RSA 4096) -> int_ec(P-384) -> leaf_rsa; root -> int_rsa -> leaf_ec;
    root_ec -> i1 -> i2 -> i3 -> i4 -> leaf_long; plus special certificates."""

    def __init__(self, k: Keys) -> None:
        self.root = issue(_name("Test Root X1", _org("Test PKI")), k.root_rsa4096, None,
                          serial=1, ca=True, days=3650)  # fmt: skip
        self.int_ec = issue(_name("Test E5", _org("Test PKI")), k.ec384, self.root,
                            serial=0x80FF, ca=True, aia="http://x1.i.example.test/", days=1095)  # fmt: skip
        self.int_rsa = issue(_name("Test R11", _org("Test PKI")), k.rsa_b, self.root,
                             serial=0x0A0B, ca=True, aia="http://x1.i.example.test/", days=1095)  # fmt: skip
        self.leaf_rsa = issue(_name("www.example.com"), k.rsa_a, self.int_ec,
                              serial=0x03A1B2C3D4E5F60718293A4B5C6D7E8F9012,
                              dns=("www.example.com", "example.com", "api.example.com"),
                              aia="http://e5.i.example.test/")  # fmt: skip
        self.leaf_ec = issue(_name("*.example.org"), k.ec256, self.int_rsa,
                             serial=0xF1E2D3C4B5A6978899AABBCCDDEEFF0011,
                             dns=("*.example.org", "example.org", "xn--bcher-kva.example"),
                             ips=("192.0.2.7", "2001:db8::1"),
                             aia="http://r11.i.example.test/")  # fmt: skip
        self._long_chain(k)
        self._specials(k)

    def _long_chain(self, k: Keys) -> None:
        self.root_ec = issue(_name("Long Root"), ec.generate_private_key(ec.SECP256R1()), None,
                             serial=100, ca=True, days=3650)  # fmt: skip
        parent = self.root_ec
        self.long_intermediates = []
        for index in range(1, 5):
            key = ec.generate_private_key(ec.SECP256R1())
            parent = issue(_name(f"Long Intermediate {index}"), key, parent,
                           serial=100 + index, ca=True, aia=f"http://l{index}.example.test/")  # fmt: skip
            self.long_intermediates.append(parent)
        self.leaf_long = issue(_name("deep.example.net"), k.ec256, parent, serial=199,
                               dns=("deep.example.net",), aia="http://l4.example.test/")  # fmt: skip

    def _specials(self, k: Keys) -> None:
        ari_aki = bytes.fromhex("69885B6B87464041E1B37B847BA0AE2CDE01C8D4")
        self.ari = issue(_name("ari.example.com"), k.ec256, None, serial=0x87654321,
                         aki=ari_aki, dns=("ari.example.com",))  # fmt: skip
        weird = x509.Name(
            [
                x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE")]),
                x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "example")]),
                x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bücher, Inc.")]),
                x509.RelativeDistinguishedName(
                    [
                        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "+plus;semi<lt>"),
                        x509.NameAttribute(NameOID.USER_ID, "uid1"),
                    ]
                ),
                x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.EMAIL_ADDRESS, "hostmaster@example.com")]),
                x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.LOCALITY_NAME, "#hash trailing ")]),
                x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COMMON_NAME, 'quo"te\\back')]),
            ]
        )  # fmt: skip
        self.weird = issue(weird, k.ec256, None, serial=7, dns=("weird.example",))
        # strings that would forge lines in `openssl x509 -text` output if printed raw
        forged = (
            "x\n        Validity\n            Not Before: Jan  1 00:00:00 2099 GMT\nCertificate:\n"
        )
        self.injection = issue(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, forged)]),
                               k.ec256, None, serial=0x1D,
                               aia="http://a\n                CA Issuers - URI:http://evil/",
                               dns=("injection.example",))  # fmt: skip
        self.bare = issue(x509.Name([]), k.ec256, self.root, serial=1, extensions=False)
        self.ed25519 = issue(_name("Ed25519 Root"), k.ed25519, None, serial=0x7F, ca=True)
        self.ed_leaf = issue(_name("ed.example"), k.ec256, self.ed25519, serial=0x80,
                             dns=("ed.example",))  # fmt: skip
        self.pss_leaf = issue(_name("pss.example"), k.ec256, self.int_rsa, serial=0x55,
                              dns=("pss.example",), pss=True)  # fmt: skip
        self.ec521_leaf = issue(_name("p521.example"), k.ec521, self.int_ec, serial=0x521,
                                dns=("p521.example",))  # fmt: skip
        self.rsa4096_leaf = issue(_name("big.example"), k.root_rsa4096, self.int_ec, serial=4096,
                                  dns=("big.example",))  # fmt: skip

    def all_certs(self) -> list[Issued]:
        """Every certificate, for cross-backend comparisons."""
        return [
            self.root, self.int_ec, self.int_rsa, self.leaf_rsa, self.leaf_ec, self.root_ec,
            *self.long_intermediates, self.leaf_long, self.ari, self.weird, self.injection, self.bare,
            self.ed25519, self.ed_leaf, self.pss_leaf, self.ec521_leaf, self.rsa4096_leaf,
        ]  # fmt: skip


def _org(value: str) -> x509.NameAttribute:
    return x509.NameAttribute(NameOID.ORGANIZATION_NAME, value)


@pytest.fixture(scope="session")
def pki(keys: Keys) -> Pki:
    return Pki(keys)


def build_csr(key, cn: str | None, dns: list[str], ips: list[str] = ()) -> str:
    """A CSR built with cryptography (independent of the code under test)."""
    names = [x509.DNSName(n) for n in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    builder = x509.CertificateSigningRequestBuilder().subject_name(_name(cn))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), False)
    csr = builder.sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


@contextlib.contextmanager
def use_backend(name: str) -> Iterator[str]:
    """Temporarily switch the cert_utils backend."""
    previous = cert_utils.configure(name)
    try:
        yield name
    finally:
        cert_utils.configure(**previous)


def on_both(func, *args, **kwargs) -> dict:
    """Run ``func`` on both backends; return {backend: result}."""
    results = {}
    for name in BACKENDS:
        with use_backend(name):
            results[name] = func(*args, **kwargs)
    return results


@pytest.fixture(params=BACKENDS)
def backend(request) -> Iterator[str]:
    """Run the test once per backend (configure() before, restore after)."""
    with use_backend(request.param) as name:
        assert cert_utils.current_backend() == name
        yield name


def mutate_tbs(cert_der: bytes, change) -> str:
    """Re-encode a certificate after ``change(list_of_tbs_field_encodings)``; the
    signature is kept (and so becomes invalid) - parsing does not verify it."""
    from peter_sslers.lib.cert_utils import asn1
    from peter_sslers.lib.cert_utils.pem import der_to_pem

    tbs, alg, sig = asn1.parse(cert_der).children()
    fields = [f.encoded for f in tbs.children()]
    fields = change(fields)
    return der_to_pem(
        asn1.sequence(asn1.sequence(*fields), alg.encoded, sig.encoded), "CERTIFICATE"
    )
