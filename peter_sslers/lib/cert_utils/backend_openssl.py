"""The OpenSSL command-line backend (no Python crypto packages needed).

OpenSSL loads and checks every object. From its text output we take the
validity dates, key identifiers and basicConstraints (fixed-format fields).
Values that are attacker-controlled strings or need exact bytes are read from
the same DER in pure Python (:mod:`.x509_der`): RFC 4514 names (OpenSSL
escapes them differently from ``cryptography``), SAN entries and the AIA
caIssuers URI (OpenSSL prints them unescaped, so they are ambiguous), serial
bytes and the SubjectPublicKeyInfo. Fingerprints use :mod:`hashlib`.

Certificates are parsed in batches: the DER certificates are wrapped into one
PKCS#7 bundle and printed by a single ``openssl pkcs7 -print_certs -text``.
"""

from __future__ import annotations

import datetime
import hashlib
import re

from . import x509_der
from .errors import InvalidJWKError, InvalidPEMError, OpenSSLError
from .jose import ec_jwk, ec_private_der, rsa_jwk, rsa_private_der
from .model import CertInfo, CsrInfo, KeyInfo
from .openssl_cli import InputFile, run, summarize_stderr
from .pem import Block, b64url_encode, decode_blocks, der_to_pem

NAME = "openssl"

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_HEX_ID_RE = re.compile(r"^(?:keyid:)?([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*)$")
_CERT_SPLIT_RE = re.compile(r"^Certificate:\n", re.M)
_KEY_VALID = b"Key is valid\n"


def _load_failed(exc: OpenSSLError, what: str) -> Exception:
    """Map a non-zero exit while loading validated input to InvalidPEMError."""
    if exc.returncode is None:
        return exc
    return InvalidPEMError(f"openssl could not load the {what}: {exc.stderr}")


# --- certificate text parsing ------------------------------------------------


def _parse_date(text: str) -> datetime.datetime:
    month, day, clock, year, zone = text.split()
    if zone != "GMT":
        raise OpenSSLError(f"unexpected date format from openssl: {text!r}")
    hour, minute, second = (int(v) for v in clock.split(":"))
    return datetime.datetime(
        int(year), _MONTHS[month], int(day), hour, minute, second, tzinfo=datetime.timezone.utc
    )


def _text_serial(lines: list[str], index: int) -> int:
    head = lines[index].split(":", 1)[1].strip()
    if head:  # "Serial Number: 4660 (0x1234)"
        return int(head.split()[0])
    raw = lines[index + 1].strip()
    negative = raw.startswith("(Negative)")
    value = int(raw.replace("(Negative)", "").replace(":", ""), 16)
    return -value if negative else value


def _parse_cert_text(text: str) -> dict:
    """Dates, serial and extension values from ``openssl x509 -text`` output."""
    lines = text.split("\n")
    out: dict = {}
    extensions: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_ext = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if line.startswith("        Serial Number:"):
            out["serial"] = _text_serial(lines, index)
        elif stripped.startswith("Not Before:"):
            out["not_before"] = _parse_date(stripped[11:])
        elif stripped.startswith("Not After :"):
            out["not_after"] = _parse_date(stripped[11:])
        elif line == "        X509v3 extensions:":
            in_ext = True
        elif line.startswith("    Signature Algorithm:"):
            in_ext = False
        elif in_ext and len(line) > 12 and line.startswith("            ") and line[12] != " ":
            header = (
                stripped.rsplit(":", 1)[0] if stripped.endswith(("critical", ":")) else stripped
            )
            current = extensions.setdefault(header.strip(), [])
        elif in_ext and current is not None and line.startswith("                "):
            current.append(stripped)
    if "not_before" not in out or "not_after" not in out or "serial" not in out:
        raise OpenSSLError("unexpected certificate text output from openssl")
    out["extensions"] = extensions
    return out


def _hex_id(values: list[str] | None) -> str | None:
    for value in values or []:
        match = _HEX_ID_RE.match(value)
        if match:
            return match.group(1).replace(":", "").lower()
    return None


def _ext_values(extensions: dict[str, list[str]]) -> dict:
    basic = extensions.get("X509v3 Basic Constraints", [])
    return {
        "aki": _hex_id(extensions.get("X509v3 Authority Key Identifier")),
        "ski": _hex_id(extensions.get("X509v3 Subject Key Identifier")),
        "is_ca": bool(basic) and basic[0].startswith("CA:TRUE"),
    }


def _cert_info(der: bytes, text: str) -> CertInfo:
    parts = x509_der.read_certificate(der)
    parsed = _parse_cert_text(text)
    serial = parts.serial
    if parsed["serial"] != serial:
        raise OpenSSLError("openssl output does not match the input certificate (serial)")
    ext = _ext_values(parsed["extensions"])
    subject_rdns = x509_der.name_attributes(parts.subject)
    subject = x509_der.rfc4514(subject_rdns)
    issuer = x509_der.rfc4514(x509_der.name_attributes(parts.issuer))
    san_dns, san_ips = x509_der.subject_alt_names(parts.extensions)
    technology, bits, curve = x509_der.spki_key_info(parts.spki)
    aki = ext["aki"]
    return CertInfo(
        subject=subject,
        issuer=issuer,
        common_name=x509_der.common_name(subject_rdns),
        san_dns=san_dns,
        san_ips=san_ips,
        serial=serial,
        serial_hex=format(serial, "x"),
        not_before=parsed["not_before"],
        not_after=parsed["not_after"],
        fingerprint_sha1=hashlib.sha1(der).hexdigest(),
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        spki_sha256=hashlib.sha256(parts.spki).hexdigest(),
        key_technology=technology,
        key_bits=bits,
        key_curve=curve,
        authority_key_identifier=aki,
        subject_key_identifier=ext["ski"],
        aia_ca_issuers=x509_der.aia_ca_issuers(parts.extensions),
        is_ca=ext["is_ca"],
        is_self_issued=subject == issuer,
        ari_identifier=(
            f"{b64url_encode(bytes.fromhex(aki))}.{b64url_encode(parts.serial_bytes)}"
            if aki
            else None
        ),
    )


def _print_certs(ders: list[bytes]) -> list[str]:
    if len(ders) == 1:
        args, stdin = ["x509", "-inform", "DER", "-noout", "-text"], ders[0]
    else:
        args = ["pkcs7", "-inform", "DER", "-print_certs", "-text", "-noout"]
        stdin = x509_der.pkcs7_bundle(ders)
    output = run(args, stdin=stdin).stdout.decode("utf-8", "replace")
    texts = [t for t in _CERT_SPLIT_RE.split(output) if t.strip()]
    if len(texts) != len(ders):
        raise OpenSSLError(f"openssl printed {len(texts)} certificates for {len(ders)} inputs")
    return texts


def _locate_failure(ders: list[bytes], exc: OpenSSLError) -> Exception:
    """Bisect a failed batch (log2(n) openssl runs) to name the bad certificate."""
    low, high = 0, len(ders)
    while high - low > 1:
        middle = (low + high) // 2
        try:
            _print_certs(ders[low:middle])
            low = middle
        except OpenSSLError as inner:
            if inner.returncode is None:
                return inner
            high, exc = middle, inner
    try:
        _print_certs(ders[low:high])
    except OpenSSLError as inner:
        if inner.returncode is None:
            return inner
        where = f" #{low}" if len(ders) > 1 else ""
        return InvalidPEMError(f"openssl could not load certificate{where}: {inner.stderr}")
    return exc  # every part loads alone: report the original failure


def parse_certs(blocks: list[Block]) -> list[CertInfo]:
    """Parse certificates with one openssl process for the whole batch."""
    if not blocks:
        return []
    ders = [b.der for b in blocks]
    try:
        texts = _print_certs(ders)
    except OpenSSLError as exc:
        if exc.returncode is None:
            raise
        raise _locate_failure(ders, exc) from None
    return [_cert_info(der, text) for der, text in zip(ders, texts, strict=True)]


def verify_signature(cert: Block, issuer: Block) -> bool:
    """True if ``issuer``'s key made ``cert``'s signature (names checked by the caller)."""
    child = x509_der.read_certificate(cert.der)
    parent = x509_der.read_certificate(issuer.der)
    technology, hash_name = x509_der.require_signature_algorithm(child.signed.signature_oid)
    pub = InputFile(der_to_pem(parent.spki, "PUBLIC KEY").encode(), "issuer.pub")
    sig = InputFile(child.signed.signature, "sig.bin")
    if hash_name is None:  # Ed25519: pure EdDSA over the raw TBS
        args = ["pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-sigfile", sig]
        args += ["-in", InputFile(child.signed.tbs, "tbs.bin")]
        result = run(args, check=False)
        ok_text, bad_text = b"Signature Verified Successfully", b"Signature Verification Failure"
    else:
        args = ["dgst", f"-{hash_name}", "-verify", pub, "-signature", sig]
        result = run(args, stdin=child.signed.tbs, check=False)
        ok_text, bad_text = b"Verified OK", b"Verification failure"
    if result.returncode == 0 and ok_text in result.stdout:
        return True
    output = result.stdout + result.stderr
    # "Error verifying data": the signature cannot even be checked with this key
    # (e.g. ECDSA integers larger than the curve order) - cryptography says invalid too
    if bad_text in output or b"Error verifying data" in output:
        return False
    summary = summarize_stderr(result.stderr)
    if "read public key" in summary.lower() or "load" in summary.lower():
        raise InvalidPEMError(f"the issuer's public key could not be loaded: {summary}")
    raise OpenSSLError(f"openssl could not verify the {technology} signature: {summary}")


# --- CSRs and keys ------------------------------------------------------------


def parse_csr(block: Block) -> CsrInfo:
    """Parse a validated CSR (openssl loads it; fields read from the DER)."""
    try:
        run(["req", "-inform", "DER", "-noout"], stdin=block.der)
    except OpenSSLError as exc:
        raise _load_failed(exc, "certificate signing request") from None
    # openssl 3.0 exits 0 either way: read its verdict
    verdict = run(["req", "-inform", "DER", "-noout", "-verify"], stdin=block.der, check=False)
    if b"verify OK" not in verdict.stdout + verdict.stderr:
        raise InvalidPEMError("CSR could not be parsed: the certificate request's self-signature does not verify")
    parts = x509_der.read_csr(block.der)
    rdns = x509_der.name_attributes(parts.subject)
    cn = x509_der.common_name(rdns)
    san_dns, ips = x509_der.subject_alt_names(parts.extensions)
    dns = [cn] if cn else []
    dns += [name for name in san_dns if name not in dns]
    technology, bits, curve = x509_der.spki_key_info(parts.spki)
    return CsrInfo(
        subject=x509_der.rfc4514(rdns),
        common_name=cn,
        domain_names=dns,
        ip_addresses=ips,
        key_technology=technology,
        key_bits=bits,
        key_curve=curve,
        spki_sha256=hashlib.sha256(parts.spki).hexdigest(),
    )


def _public_spki(key: Block, check: bool) -> bytes:
    args = ["pkey", "-pubout", "-outform", "DER"] + (["-check"] if check else [])
    try:
        out = run(args, stdin=key.pem.encode()).stdout
    except OpenSSLError as exc:
        raise _load_failed(exc, "private key") from None
    return out[len(_KEY_VALID) :] if out.startswith(_KEY_VALID) else out


def parse_key(block: Block) -> KeyInfo:
    """Load (``pkey -check``) and summarise a private key."""
    spki = _public_spki(block, check=True)
    technology, bits, curve = x509_der.spki_key_info(spki)
    return KeyInfo(technology, bits, curve, hashlib.sha256(spki).hexdigest())


def key_to_pkcs8_der(block: Block) -> bytes:
    """Re-encode a private key as unencrypted PKCS#8 DER."""
    # "-outform DER" would write the traditional format; PEM output is PKCS#8
    try:
        out = run(["pkey", "-check"], stdin=block.pem.encode()).stdout
    except OpenSSLError as exc:
        raise _load_failed(exc, "private key") from None
    (pkcs8,) = decode_blocks(out, "openssl output")
    return pkcs8.der


def export_pkcs12(key: Block, cert: Block, chain: list[Block], passphrase: bytes | None) -> bytes:
    """PKCS#12 with key, certificate and chain (AES-256/SHA-256 when a passphrase is set)."""
    args: list = ["pkcs12", "-export", "-inkey", InputFile(key.pem.encode(), "key.pem")]
    args += ["-in", InputFile(cert.pem.encode(), "cert.pem")]
    if chain:
        args += ["-certfile", InputFile("".join(b.pem for b in chain).encode(), "chain.pem")]
    env = {}
    if passphrase:
        args += ["-passout", "env:CERT_UTILS_P12_PASS"]
        env["CERT_UTILS_P12_PASS"] = passphrase.decode("utf-8")
    else:
        args += ["-passout", "pass:", "-keypbe", "NONE", "-certpbe", "NONE"]
    try:
        return run(args, env=env).stdout
    except OpenSSLError as exc:
        raise _load_failed(exc, "key or certificates for PKCS#12") from None


def new_private_key(technology: str, bits: int, curve: str) -> str:
    """Generate an RSA or EC key with ``openssl genpkey``; PKCS#8 PEM."""
    if technology == "RSA":
        args = ["genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}"]
    else:
        args = ["genpkey", "-algorithm", "EC", "-pkeyopt", f"ec_paramgen_curve:{curve}"]
        args += ["-pkeyopt", "ec_param_enc:named_curve"]
    return run(args).stdout.decode("ascii")


def _req_config(dns_names: list[str], ips: list[str], common_name: str | None) -> bytes:
    sans = [f"DNS:{n}" for n in dns_names] + [f"IP:{ip}" for ip in ips]
    lines = ["[req]", "prompt = no", "distinguished_name = dn", "req_extensions = ext", "[dn]"]
    if common_name:
        lines.append(f"CN = {common_name}")
    lines += ["[ext]", f"subjectAltName = {','.join(sans)}", ""]
    return "\n".join(lines).encode("ascii")


def make_csr(
    dns_names: list[str], ips: list[str], common_name: str | None, key: Block, hash_name: str
) -> str:
    """Build and sign a CSR with ``openssl req``; PEM."""
    config = InputFile(_req_config(dns_names, ips, common_name), "req.cnf")
    args = ["req", "-new", "-config", config, "-key", InputFile(key.pem.encode(), "key.pem")]
    args += [f"-{hash_name}", "-outform", "PEM"]
    if not common_name:
        args += ["-subj", "/"]
    try:
        return run(args).stdout.decode("ascii")
    except OpenSSLError as exc:
        raise _load_failed(exc, "private key") from None


# --- JOSE --------------------------------------------------------------------


def jwk_public(key: Block) -> dict:
    """Public JWK of an RSA or EC private key (via its SubjectPublicKeyInfo)."""
    numbers = x509_der.spki_public_numbers(_public_spki(key, check=False))
    if "n" in numbers:
        return rsa_jwk(numbers["n"], numbers["e"])
    return ec_jwk(numbers["curve"], numbers["x"], numbers["y"])


def jws_sign(key: Block, hash_name: str, size: int, data: bytes) -> bytes:
    """RS256 (PKCS#1 v1.5) or ES256/ES384 raw r||s signature via ``openssl dgst -sign``."""
    args = ["dgst", f"-{hash_name}", "-binary", "-sign", InputFile(key.pem.encode(), "key.pem")]
    try:
        signature = run(args, stdin=data).stdout
    except OpenSSLError as exc:
        raise _load_failed(exc, "private key") from None
    if size:
        return x509_der.ecdsa_der_to_raw(signature, size)
    return signature


def jwk_to_pem(parsed: dict) -> str:
    """PKCS#8 PEM from a validated private JWK: DER built in Python, checked by openssl."""
    if parsed["kty"] == "RSA":
        pem = der_to_pem(rsa_private_der(parsed), "RSA PRIVATE KEY")
    else:
        der = ec_private_der(parsed["crv"], parsed["size"], parsed["d"], parsed["x"], parsed["y"])
        pem = der_to_pem(der, "EC PRIVATE KEY")
    try:
        out = run(["pkey", "-check"], stdin=pem.encode()).stdout.decode("ascii")
    except OpenSSLError as exc:
        if exc.returncode is None:
            raise
        raise InvalidJWKError(f"JWK does not describe a valid key: {exc.stderr}") from None
    prefix = _KEY_VALID.decode()
    return out[len(prefix) :] if out.startswith(prefix) else out
