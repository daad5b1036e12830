"""Pure-Python reading of the X.509 / PKCS structures ``cert_utils`` needs.

Used by the shared input validation (structure checks of certificates, CSRs
and private keys) and by the OpenSSL backend for values that OpenSSL's text
output renders ambiguously or not at all: exact RFC 4514 names (mirroring
``cryptography``'s rendering), SAN entries, serial number bytes and the DER
SubjectPublicKeyInfo. Also builds small DER structures (ECDSA signatures,
PKCS#7 certificate bundles).
"""

from __future__ import annotations

import dataclasses
import ipaddress

from . import asn1
from .asn1 import Element
from .errors import InvalidPEMError, UnsupportedKeyError, WrongTypeError

OID_RSA = "1.2.840.113549.1.1.1"
OID_RSA_PSS = "1.2.840.113549.1.1.10"
OID_EC = "1.2.840.10045.2.1"
OID_DSA = "1.2.840.10040.4.1"
OID_ED25519 = "1.3.101.112"
OID_ED448 = "1.3.101.113"
OID_SAN = "2.5.29.17"
OID_AIA = "1.3.6.1.5.5.7.1.1"
OID_CA_ISSUERS = "1.3.6.1.5.5.7.48.2"

#: curve OID -> (name as reported, key size in bits, coordinate length in bytes)
CURVES: dict[str, tuple[str, int, int]] = {
    "1.2.840.10045.3.1.7": ("P-256", 256, 32),
    "1.3.132.0.34": ("P-384", 384, 48),
    "1.3.132.0.35": ("P-521", 521, 66),
    "1.3.132.0.10": ("secp256k1", 256, 32),
    "1.3.36.3.3.2.8.1.1.7": ("brainpoolP256r1", 256, 32),
    "1.3.36.3.3.2.8.1.1.11": ("brainpoolP384r1", 384, 48),
    "1.3.36.3.3.2.8.1.1.13": ("brainpoolP512r1", 512, 64),
}
CURVE_OIDS = {name: oid for oid, (name, _bits, _size) in CURVES.items()}

#: short names used by cryptography's Name.rfc4514_string(); others use the dotted OID
_SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}
OID_COMMON_NAME = "2.5.4.3"

#: signature algorithm OID -> (key technology, hash name or None for EdDSA)
SIGNATURE_ALGORITHMS: dict[str, tuple[str, str | None]] = {
    "1.2.840.113549.1.1.5": ("RSA", "sha1"),
    "1.2.840.113549.1.1.14": ("RSA", "sha224"),
    "1.2.840.113549.1.1.11": ("RSA", "sha256"),
    "1.2.840.113549.1.1.12": ("RSA", "sha384"),
    "1.2.840.113549.1.1.13": ("RSA", "sha512"),
    "1.2.840.10045.4.1": ("EC", "sha1"),
    "1.2.840.10045.4.3.1": ("EC", "sha224"),
    "1.2.840.10045.4.3.2": ("EC", "sha256"),
    "1.2.840.10045.4.3.3": ("EC", "sha384"),
    "1.2.840.10045.4.3.4": ("EC", "sha512"),
    OID_ED25519: ("Ed25519", None),
}


@dataclasses.dataclass
class SignedDer:
    """A certificate or CSR split into its signed part and signature."""

    tbs: bytes
    tbs_element: Element
    signature_oid: str
    signature: bytes


def check_envelope(der: bytes, what: str) -> None:
    """Cheap check: ``der`` is exactly one complete DER SEQUENCE (catches truncation)."""
    if asn1.parse(der).tag != asn1.SEQUENCE:
        raise InvalidPEMError(f"{what} is not a DER SEQUENCE")


def split_signed(der: bytes, what: str) -> SignedDer:
    """Check the outer ``SEQUENCE { tbs SEQUENCE, AlgorithmIdentifier, BIT STRING }``."""
    root = asn1.parse(der)
    if root.tag != asn1.SEQUENCE:
        raise InvalidPEMError(f"{what} is not a DER SEQUENCE")
    parts = root.children()
    if len(parts) != 3 or parts[0].tag != asn1.SEQUENCE or parts[1].tag != asn1.SEQUENCE:
        raise InvalidPEMError(f"{what} does not have the structure of a signed object")
    alg = parts[1].children()
    if not alg:
        raise InvalidPEMError(f"{what} has an empty signature algorithm")
    return SignedDer(
        tbs=parts[0].encoded,
        tbs_element=parts[0],
        signature_oid=alg[0].as_oid(),
        signature=parts[2].bit_string_bytes(),
    )


@dataclasses.dataclass
class CertDer:
    """The parts of a certificate that are read in pure Python."""

    signed: SignedDer
    serial_bytes: bytes
    issuer: Element
    subject: Element
    spki: bytes
    extensions: dict[str, bytes]

    @property
    def serial(self) -> int:
        """The serial number as a (possibly negative) int."""
        return int.from_bytes(self.serial_bytes, "big", signed=True)


def read_certificate(der: bytes) -> CertDer:
    """Split a DER certificate into the fields ``cert_utils`` reads in Python."""
    signed = split_signed(der, "certificate")
    fields = signed.tbs_element.children()
    if fields and fields[0].tag == 0xA0:
        fields = fields[1:]
    if len(fields) < 6:
        raise InvalidPEMError("certificate: tbsCertificate has too few fields")
    serial = fields[0].expect(asn1.INTEGER, "serial number").value
    if not serial:
        raise InvalidPEMError("certificate: empty serial number")
    for index in (1, 3, 4, 5):
        fields[index].expect(asn1.SEQUENCE, "tbsCertificate field")
    extensions: dict[str, bytes] = {}
    for extra in fields[6:]:
        if extra.tag == 0xA3:
            extensions = _read_extensions(extra)
    return CertDer(
        signed=signed,
        serial_bytes=serial,
        issuer=fields[2].expect(asn1.SEQUENCE, "issuer"),
        subject=fields[4],
        spki=fields[5].encoded,
        extensions=extensions,
    )


def _read_extensions(wrapper: Element) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    (seq,) = wrapper.children()
    for ext in seq.expect(asn1.SEQUENCE, "extensions").children():
        parts = ext.children()
        if len(parts) < 2:
            raise InvalidPEMError("certificate: malformed extension")
        oid = parts[0].as_oid()
        if oid in out:
            raise InvalidPEMError(f"certificate: duplicate extension {oid}")
        out[oid] = parts[-1].expect(asn1.OCTET_STRING, "extension value").value
    return out


@dataclasses.dataclass
class CsrDer:
    """The parts of a CSR read in pure Python."""

    signed: SignedDer
    subject: Element
    spki: bytes
    extensions: dict[str, bytes]


def read_csr(der: bytes) -> CsrDer:
    """Split a DER PKCS#10 request into subject, SPKI and requested extensions."""
    signed = split_signed(der, "certificate signing request")
    fields = signed.tbs_element.children()
    if len(fields) < 3:
        raise InvalidPEMError("CSR: certificationRequestInfo has too few fields")
    fields[0].expect(asn1.INTEGER, "CSR version")
    extensions: dict[str, bytes] = {}
    if len(fields) > 3 and fields[3].tag == 0xA0:
        for attribute in fields[3].children():
            oid_el, values = attribute.children()[:2]
            if oid_el.as_oid() == "1.2.840.113549.1.9.14":  # extensionRequest
                wrapped = asn1.tlv(0xA3, values.value)
                extensions = _read_extensions(asn1.parse(wrapped))
    return CsrDer(
        signed=signed,
        subject=fields[1].expect(asn1.SEQUENCE, "CSR subject"),
        spki=fields[2].expect(asn1.SEQUENCE, "CSR public key").encoded,
        extensions=extensions,
    )


# --- names -------------------------------------------------------------------


def _decode_string(element: Element) -> str | bytes:
    raw = element.value
    try:
        if element.tag == asn1.BMP_STRING:
            return raw.decode("utf-16-be")
        if element.tag == asn1.UNIVERSAL_STRING:
            return raw.decode("utf-32-be")
        if element.tag == asn1.BIT_STRING:
            return element.bit_string_bytes()
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidPEMError("name attribute is not valid text") from None


def name_attributes(name: Element) -> list[list[tuple[str, str | bytes]]]:
    """Decode a Name into RDNs of (oid, value) in encoded order."""
    rdns = []
    for rdn in name.expect(asn1.SEQUENCE, "name").children():
        attrs = []
        for atv in rdn.expect(asn1.SET, "relative distinguished name").children():
            parts = atv.children()
            if len(parts) != 2:
                raise InvalidPEMError("malformed name attribute")
            attrs.append((parts[0].as_oid(), _decode_string(parts[1])))
        if not attrs:
            raise InvalidPEMError("empty relative distinguished name")
        rdns.append(attrs)
    return rdns


def _escape(value: str | bytes) -> str:
    """Mirror of cryptography.x509.name._escape_dn_value."""
    if not value:
        return ""
    if isinstance(value, bytes):
        return "#" + value.hex()
    for char in ("\\", '"', "+", ",", ";", "<", ">"):
        value = value.replace(char, "\\" + char)
    value = value.replace("\0", "\\00")
    if value[0] == "#" or (value[0] == " " and len(value) > 1):
        value = "\\" + value
    if value[-1] == " ":
        value = value[:-1] + "\\ "
    return value


def rfc4514(rdns: list[list[tuple[str, str | bytes]]]) -> str:
    """Render RDNs like cryptography's ``Name.rfc4514_string()`` (reversed order)."""
    return ",".join(
        "+".join(f"{_SHORT_NAMES.get(oid, oid)}={_escape(value)}" for oid, value in rdn)
        for rdn in reversed(rdns)
    )


def common_name(rdns: list[list[tuple[str, str | bytes]]]) -> str | None:
    """First CN value (as cryptography's get_attributes_for_oid(COMMON_NAME)[0])."""
    for rdn in rdns:
        for oid, value in rdn:
            if oid == OID_COMMON_NAME and isinstance(value, str):
                return value
    return None


# --- extensions --------------------------------------------------------------


def subject_alt_names(extensions: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """(DNS names, IP addresses) from the subjectAltName extension, in order."""
    raw = extensions.get(OID_SAN)
    if raw is None:
        return [], []
    dns: list[str] = []
    ips: list[str] = []
    for general_name in asn1.parse(raw).expect(asn1.SEQUENCE, "subjectAltName").children():
        if general_name.tag == 0x82:
            try:
                dns.append(general_name.value.decode("ascii"))
            except UnicodeDecodeError:
                raise InvalidPEMError("subjectAltName DNS name is not ASCII") from None
        elif general_name.tag == 0x87:
            if len(general_name.value) not in (4, 16):
                raise InvalidPEMError("subjectAltName IP address has a bad length")
            ips.append(str(ipaddress.ip_address(general_name.value)))
    return dns, ips


def aia_ca_issuers(extensions: dict[str, bytes]) -> str | None:
    """The first caIssuers URI of the authorityInfoAccess extension."""
    raw = extensions.get(OID_AIA)
    if raw is None:
        return None
    for description in asn1.parse(raw).expect(asn1.SEQUENCE, "authorityInfoAccess").children():
        parts = description.children()
        if len(parts) == 2 and parts[0].as_oid() == OID_CA_ISSUERS and parts[1].tag == 0x86:
            try:
                return parts[1].value.decode("ascii")
            except UnicodeDecodeError:
                raise InvalidPEMError("caIssuers URI is not ASCII") from None
    return None


# --- keys --------------------------------------------------------------------


def spki_key_info(spki: bytes) -> tuple[str, int | None, str | None]:
    """(technology, bits, curve) of a DER SubjectPublicKeyInfo."""
    root = asn1.parse(spki).expect(asn1.SEQUENCE, "SubjectPublicKeyInfo")
    parts = root.children()
    if len(parts) != 2:
        raise InvalidPEMError("malformed SubjectPublicKeyInfo")
    alg = parts[0].expect(asn1.SEQUENCE, "algorithm").children()
    oid = alg[0].as_oid()
    params = alg[1] if len(alg) > 1 else None
    if oid in (OID_RSA, OID_RSA_PSS):
        n = asn1.parse(parts[1].bit_string_bytes()).children()[0].as_int()
        return "RSA", n.bit_length(), None
    if oid == OID_EC:
        return _ec_info(params)
    return _other_key_info(oid, params)


def _ec_info(params: Element | None) -> tuple[str, int | None, str | None]:
    if params is None or params.tag != asn1.OID:
        raise UnsupportedKeyError("EC keys with explicit curve parameters are not supported")
    curve_oid = params.as_oid()
    if curve_oid not in CURVES:
        raise UnsupportedKeyError(f"unsupported EC curve {curve_oid}")
    name, bits, _size = CURVES[curve_oid]
    return "EC", bits, name


def _other_key_info(oid: str, params: Element | None) -> tuple[str, int | None, str | None]:
    if oid == OID_ED25519:
        return "Ed25519", None, None
    if oid == OID_ED448:
        return "Ed448", None, None
    if oid == OID_DSA and params is not None and params.tag == asn1.SEQUENCE:
        return "DSA", params.children()[0].as_int().bit_length(), None
    raise UnsupportedKeyError(f"unsupported key algorithm {oid}")


def spki_public_numbers(spki: bytes) -> dict:
    """RSA: {"n": int, "e": int}; EC: {"curve": name, "x": bytes, "y": bytes} (fixed length)."""
    technology, _bits, curve = spki_key_info(spki)
    root = asn1.parse(spki).children()
    key = root[1].bit_string_bytes()
    if technology == "RSA":
        n, e = asn1.parse(key).children()[:2]
        return {"n": n.as_int(), "e": e.as_int()}
    if technology == "EC":
        size = CURVES[CURVE_OIDS[curve]][2]  # type: ignore[index]
        if len(key) != 1 + 2 * size or key[0] != 4:
            raise UnsupportedKeyError("EC public key is not an uncompressed point")
        return {"curve": curve, "x": key[1 : 1 + size], "y": key[1 + size :]}
    raise UnsupportedKeyError(f"{technology} keys cannot be used as JWK here")


def private_key_summary(label: str, der: bytes) -> tuple[str, int | None, str | None]:
    """(technology, bits, curve) of a PKCS#8, PKCS#1 RSA, SEC1 EC or DSA private key DER."""
    root = asn1.parse(der)
    if root.tag != asn1.SEQUENCE:
        raise InvalidPEMError("private key is not a DER SEQUENCE")
    parts = root.children()
    if label == "RSA PRIVATE KEY":
        return _rsa_summary(parts)
    if label == "EC PRIVATE KEY":
        return _sec1_summary(parts, None)
    if label == "DSA PRIVATE KEY":
        if len(parts) != 6:
            raise InvalidPEMError("malformed DSA private key")
        return "DSA", parts[1].as_int().bit_length(), None
    return _pkcs8_summary(parts)


def _rsa_summary(parts: list[Element]) -> tuple[str, int | None, str | None]:
    if len(parts) < 9:
        raise InvalidPEMError("malformed RSA private key (PKCS#1)")
    values = [p.as_int() for p in parts[:9]]
    if values[1] <= 0 or values[2] <= 0:
        raise InvalidPEMError("malformed RSA private key (PKCS#1)")
    return "RSA", values[1].bit_length(), None


def _sec1_summary(
    parts: list[Element], outer_params: Element | None
) -> tuple[str, int | None, str | None]:
    if len(parts) < 2 or parts[0].as_int() != 1:
        raise InvalidPEMError("malformed EC private key (SEC1)")
    parts[1].expect(asn1.OCTET_STRING, "EC private key")
    params = outer_params
    for part in parts[2:]:
        if part.tag == 0xA0:
            params = part.children()[0]
    return _ec_info(params)


def _pkcs8_summary(parts: list[Element]) -> tuple[str, int | None, str | None]:
    if len(parts) < 3 or parts[0].tag != asn1.INTEGER or parts[1].tag != asn1.SEQUENCE:
        raise InvalidPEMError("malformed PKCS#8 private key")
    alg = parts[1].children()
    oid = alg[0].as_oid()
    params = alg[1] if len(alg) > 1 else None
    inner = parts[2].expect(asn1.OCTET_STRING, "PKCS#8 private key").value
    if oid in (OID_RSA, OID_RSA_PSS):
        return _rsa_summary(asn1.parse(inner).children())
    if oid == OID_EC:
        return _sec1_summary(asn1.parse(inner).children(), params)
    if oid in (OID_ED25519, OID_ED448):
        asn1.parse(inner).expect(asn1.OCTET_STRING, "EdDSA private key")
    return _other_key_info(oid, params)


# --- small builders ----------------------------------------------------------


def ecdsa_der_to_raw(signature: bytes, size: int) -> bytes:
    """DER ``ECDSA-Sig-Value`` -> fixed-length r||s (JWS format)."""
    parts = asn1.parse(signature).expect(asn1.SEQUENCE, "ECDSA signature").children()
    if len(parts) != 2:
        raise InvalidPEMError("malformed ECDSA signature")
    r, s = parts[0].as_int(), parts[1].as_int()
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def ecdsa_raw_to_der(raw: bytes) -> bytes:
    """Fixed-length r||s -> DER ``ECDSA-Sig-Value``."""
    half = len(raw) // 2
    r = int.from_bytes(raw[:half], "big")
    s = int.from_bytes(raw[half:], "big")
    return asn1.sequence(asn1.integer(r), asn1.integer(s))


def pkcs7_bundle(cert_ders: list[bytes]) -> bytes:
    """A degenerate PKCS#7 SignedData holding the certificates in the given order."""
    signed_data = asn1.sequence(
        asn1.integer(1),
        asn1.set_of([]),
        asn1.sequence(asn1.encode_oid("1.2.840.113549.1.7.1")),
        asn1.context(0, b"".join(cert_ders)),
        asn1.set_of([]),
    )
    return asn1.sequence(asn1.encode_oid("1.2.840.113549.1.7.2"), asn1.context(0, signed_data))


def require_signature_algorithm(oid: str) -> tuple[str, str | None]:
    """(key technology, hash) of a supported signature algorithm, else UnsupportedKeyError."""
    try:
        return SIGNATURE_ALGORITHMS[oid]
    except KeyError:
        raise UnsupportedKeyError(f"unsupported signature algorithm {oid}") from None


def private_key_label(der: bytes) -> str:
    """Guess the PEM label for a DER private key (PKCS#8, PKCS#1 RSA or SEC1 EC)."""
    for label in ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"):
        try:
            private_key_summary(label, der)
        except (InvalidPEMError, UnsupportedKeyError):
            continue
        return label
    raise WrongTypeError("DER data is not a PKCS#8, PKCS#1 or SEC1 private key")
