"""The ``cryptography`` backend.

Imported lazily by :mod:`peter_sslers.lib.cert_utils`; importing this module
fails with ImportError when ``cryptography`` is missing. Functions receive
input already validated by :mod:`.inputs` (as :class:`~.pem.Block`).
"""

from __future__ import annotations

import hashlib
import ipaddress

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID, NameOID

from . import asn1
from .errors import InvalidJWKError, InvalidPEMError, UnsupportedKeyError
from .jose import ec_jwk, rsa_jwk
from .model import CertInfo, CsrInfo, KeyInfo
from .pem import Block, b64url_encode

NAME = "cryptography"

_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
_CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}
_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384}
_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
_PKCS8 = (serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
_PARSE_ERRORS = (ValueError, TypeError, x509.DuplicateExtension, x509.UnsupportedGeneralNameType)


def _key_info(public_key: object) -> tuple[str, int | None, str | None]:
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA", public_key.key_size, None
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        name = public_key.curve.name
        return "EC", public_key.curve.key_size, _CURVE_NAMES.get(name, name)
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "Ed25519", None, None
    if isinstance(public_key, ed448.Ed448PublicKey):
        return "Ed448", None, None
    if isinstance(public_key, dsa.DSAPublicKey):
        return "DSA", public_key.key_size, None
    raise UnsupportedKeyError(f"unsupported key type {type(public_key).__name__}")


def _public_key(obj: x509.Certificate | x509.CertificateSigningRequest) -> object:
    try:
        return obj.public_key()
    except UnsupportedAlgorithm as exc:
        raise UnsupportedKeyError(f"unsupported public key algorithm: {exc}") from None


def _load_private(block: Block, validate: bool = True) -> object:
    try:
        return serialization.load_der_private_key(
            block.der, None, unsafe_skip_rsa_key_validation=not validate
        )
    except UnsupportedAlgorithm as exc:
        raise UnsupportedKeyError(f"unsupported private key: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise InvalidPEMError(f"private key could not be loaded: {exc}") from None


# --- certificates ------------------------------------------------------------


def _extension_fields(cert: x509.Certificate) -> dict:
    out: dict = {"san_dns": [], "san_ips": [], "aki": None, "ski": None, "aia": None}
    out["is_ca"] = False
    for ext in cert.extensions:
        oid, value = ext.oid, ext.value
        if oid == ExtensionOID.SUBJECT_ALTERNATIVE_NAME:
            for name in value:
                if isinstance(name, x509.DNSName):
                    out["san_dns"].append(name.value)
                elif isinstance(name, x509.IPAddress):
                    out["san_ips"].append(str(name.value))
        elif oid == ExtensionOID.AUTHORITY_KEY_IDENTIFIER:
            out["aki"] = value.key_identifier
        elif oid == ExtensionOID.SUBJECT_KEY_IDENTIFIER:
            out["ski"] = value.digest
        elif oid == ExtensionOID.AUTHORITY_INFORMATION_ACCESS:
            for desc in value:
                if (
                    out["aia"] is None
                    and desc.access_method == AuthorityInformationAccessOID.CA_ISSUERS
                    and isinstance(desc.access_location, x509.UniformResourceIdentifier)
                ):
                    out["aia"] = desc.access_location.value
        elif oid == ExtensionOID.BASIC_CONSTRAINTS:
            out["is_ca"] = value.ca
    return out


def _common_name(name: x509.Name) -> str | None:
    for attr in name.get_attributes_for_oid(NameOID.COMMON_NAME):
        if isinstance(attr.value, str):
            return attr.value
    return None


#: issuer Name DER -> its RFC 4514 string: a few CAs issue most certificates, and building the
#: Name objects costs more than the rest of a certificate's fields (cleared when full)
_ISSUER_STRINGS: dict[bytes, str] = {}
_ISSUER_STRINGS_SIZE = 256


def _tlv_end(der: bytes, pos: int) -> tuple[int, int]:
    """(content start, end) of the DER TLV at ``pos`` (input already parsed by cryptography)."""
    first = der[pos + 1]
    if first < 0x80:
        return pos + 2, pos + 2 + first
    count = first & 0x7F
    start = pos + 2 + count
    return start, start + int.from_bytes(der[pos + 2 : start], "big")


def _issuer_der(der: bytes) -> bytes | None:
    """The issuer Name's TLV inside a certificate's DER (None if the layout is unexpected)."""
    try:
        pos = _tlv_end(der, 0)[0]  # into Certificate
        pos = _tlv_end(der, pos)[0]  # into tbsCertificate
        if der[pos] == 0xA0:  # [0] version
            pos = _tlv_end(der, pos)[1]
        pos = _tlv_end(der, pos)[1]  # serialNumber
        pos = _tlv_end(der, pos)[1]  # signature AlgorithmIdentifier
        if der[pos] != 0x30:
            return None
        return der[pos : _tlv_end(der, pos)[1]]
    except IndexError:
        return None


def _issuer_string(cert: x509.Certificate, der: bytes) -> str:
    key = _issuer_der(der)
    if key is None:
        return cert.issuer.rfc4514_string()
    found = _ISSUER_STRINGS.get(key)
    if found is None:
        found = cert.issuer.rfc4514_string()
        if len(_ISSUER_STRINGS) >= _ISSUER_STRINGS_SIZE:
            _ISSUER_STRINGS.clear()
        _ISSUER_STRINGS[key] = found
    return found


def _cert_info(der: bytes) -> CertInfo:
    cert = x509.load_der_x509_certificate(der)
    public_key = _public_key(cert)
    spki = public_key.public_bytes(*_SPKI)  # type: ignore[attr-defined]
    technology, bits, curve = _key_info(public_key)
    ext = _extension_fields(cert)
    serial = cert.serial_number
    subject_name = cert.subject  # one Name object for the string and the CN
    subject = subject_name.rfc4514_string()
    issuer = _issuer_string(cert, der)
    aki = ext["aki"]
    return CertInfo(
        subject=subject,
        issuer=issuer,
        common_name=_common_name(subject_name),
        san_dns=ext["san_dns"],
        san_ips=ext["san_ips"],
        serial=serial,
        serial_hex=format(serial, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        fingerprint_sha1=hashlib.sha1(der).hexdigest(),
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        spki_sha256=hashlib.sha256(spki).hexdigest(),
        key_technology=technology,
        key_bits=bits,
        key_curve=curve,
        authority_key_identifier=aki.hex() if aki is not None else None,
        subject_key_identifier=ext["ski"].hex() if ext["ski"] is not None else None,
        aia_ca_issuers=ext["aia"],
        is_ca=ext["is_ca"],
        is_self_issued=subject == issuer,
        ari_identifier=(
            f"{b64url_encode(aki)}.{b64url_encode(asn1.integer_bytes(serial))}"
            if aki is not None
            else None
        ),
    )


def parse_certs(blocks: list[Block]) -> list[CertInfo]:
    """Parse validated certificate blocks."""
    out = []
    for index, block in enumerate(blocks):
        try:
            out.append(_cert_info(block.der))
        except _PARSE_ERRORS as exc:
            where = f" #{index}" if len(blocks) > 1 else ""
            raise InvalidPEMError(f"certificate{where} could not be parsed: {exc}") from None
    return out


def verify_signature(cert: Block, issuer: Block) -> bool:
    """True if ``issuer``'s key made ``cert``'s signature (names checked by the caller)."""
    try:
        child = x509.load_der_x509_certificate(cert.der)
        parent = x509.load_der_x509_certificate(issuer.der)
        key = parent.public_key()
        alg = child.signature_hash_algorithm
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(child.signature, child.tbs_certificate_bytes, padding.PKCS1v15(), alg)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(child.signature, child.tbs_certificate_bytes, ec.ECDSA(alg))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(child.signature, child.tbs_certificate_bytes)
        else:
            raise UnsupportedKeyError(f"cannot verify signatures of {type(key).__name__}")
    except InvalidSignature:
        return False
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise InvalidPEMError(f"certificate could not be verified: {exc}") from None
    return True


# --- CSRs and keys ------------------------------------------------------------


def parse_csr(block: Block) -> CsrInfo:
    """Parse a validated CSR block."""
    try:
        csr = x509.load_der_x509_csr(block.der)
        if not csr.is_signature_valid:
            raise InvalidPEMError("the certificate request's self-signature does not verify")
        public_key = _public_key(csr)
        technology, bits, curve = _key_info(public_key)
        cn = _common_name(csr.subject)
        dns: list[str] = [cn] if cn else []
        ips: list[str] = []
        try:
            san = csr.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        except x509.ExtensionNotFound:
            san = None
        if san is not None:
            for name in san.value:
                if isinstance(name, x509.DNSName) and name.value not in dns:
                    dns.append(name.value)
                elif isinstance(name, x509.IPAddress):
                    ips.append(str(name.value))
        spki = public_key.public_bytes(*_SPKI)  # type: ignore[attr-defined]
        subject = csr.subject.rfc4514_string()
    except _PARSE_ERRORS as exc:
        raise InvalidPEMError(f"CSR could not be parsed: {exc}") from None
    return CsrInfo(subject, cn, dns, ips, technology, bits, curve, hashlib.sha256(spki).hexdigest())


def parse_key(block: Block) -> KeyInfo:
    """Load (with consistency checks) and summarise a private key."""
    public_key = _load_private(block).public_key()  # type: ignore[attr-defined]
    technology, bits, curve = _key_info(public_key)
    spki = public_key.public_bytes(*_SPKI)
    return KeyInfo(technology, bits, curve, hashlib.sha256(spki).hexdigest())


def key_to_pkcs8_der(block: Block) -> bytes:
    """Re-encode a private key as unencrypted PKCS#8 DER."""
    return _load_private(block).private_bytes(serialization.Encoding.DER, *_PKCS8)  # type: ignore[attr-defined]


def export_pkcs12(key: Block, cert: Block, chain: list[Block], passphrase: bytes | None) -> bytes:
    """PKCS#12 with key, certificate and chain (AES-256/SHA-256 when a passphrase is set)."""
    private_key = _load_private(key)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return pkcs12.serialize_key_and_certificates(
        None,
        private_key,  # type: ignore[arg-type]
        x509.load_der_x509_certificate(cert.der),
        [x509.load_der_x509_certificate(b.der) for b in chain] or None,
        encryption,
    )


def new_private_key(technology: str, bits: int, curve: str) -> str:
    """Generate an RSA or EC key; PKCS#8 PEM."""
    if technology == "RSA":
        key: object = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    else:
        key = ec.generate_private_key(_CURVES[curve]())
    return key.private_bytes(serialization.Encoding.PEM, *_PKCS8).decode("ascii")  # type: ignore[attr-defined]


def make_csr(
    dns_names: list[str], ips: list[str], common_name: str | None, key: Block, hash_name: str
) -> str:
    """Build and sign a CSR; PEM."""
    private_key = _load_private(key, validate=False)
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, common_name)] if common_name else []
    )
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(subject)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(private_key, _HASHES[hash_name]())  # type: ignore[arg-type]
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


# --- JOSE --------------------------------------------------------------------


def jwk_public(key: Block) -> dict:
    """Public JWK of an RSA or EC private key."""
    public_key = _load_private(key, validate=False).public_key()  # type: ignore[attr-defined]
    if isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        return rsa_jwk(numbers.n, numbers.e)
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        numbers = public_key.public_numbers()
        size = (public_key.curve.key_size + 7) // 8
        name = _CURVE_NAMES.get(public_key.curve.name, public_key.curve.name)
        return ec_jwk(name, numbers.x.to_bytes(size, "big"), numbers.y.to_bytes(size, "big"))
    raise UnsupportedKeyError(f"{type(public_key).__name__} cannot be expressed as a JWK here")


def jws_sign(key: Block, hash_name: str, size: int, data: bytes) -> bytes:
    """RS256 (PKCS#1 v1.5) or ES256/ES384 raw r||s signature over ``data``."""
    private_key = _load_private(key, validate=False)
    algorithm = _HASHES[hash_name]()
    if isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.sign(data, padding.PKCS1v15(), algorithm)
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(algorithm)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    raise UnsupportedKeyError(f"{type(private_key).__name__} cannot sign JWS here")


def jwk_to_pem(parsed: dict) -> str:
    """PKCS#8 PEM from a validated private JWK (see :func:`.jose.parse_private_jwk`)."""
    try:
        if parsed["kty"] == "RSA":
            v = parsed
            numbers = rsa.RSAPrivateNumbers(
                v["p"],
                v["q"],
                v["d"],
                v["dp"],
                v["dq"],
                v["qi"],
                rsa.RSAPublicNumbers(v["e"], v["n"]),
            )
            key: object = numbers.private_key()
        else:
            public = ec.EllipticCurvePublicNumbers(
                parsed["x"], parsed["y"], _CURVES[parsed["crv"]]()
            )
            key = ec.EllipticCurvePrivateNumbers(parsed["d"], public).private_key()
    except ValueError as exc:
        raise InvalidJWKError(f"JWK does not describe a valid key: {exc}") from None
    return key.private_bytes(serialization.Encoding.PEM, *_PKCS8).decode("ascii")  # type: ignore[attr-defined]
