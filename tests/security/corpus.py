"""The bad-input corpus: one row per hostile request to an admin route, and what must come back.

Each :class:`Case` names a method, a path under the admin prefix (``{placeholders}`` are the
ids of the rows ``conftest.world`` created), the form fields / uploaded files / raw body /
query to send, the 4xx status (or statuses) expected, and optionally the ``form_errors`` key
and a fragment of the message. Values may be callables of the world (``lambda w: ...``).

``bug`` marks a case the application gets wrong today (strict xfail, see the test module);
``bug_db`` limits that to one database kind.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from cryptography.hazmat.primitives import serialization

MAX_UPLOAD = 1024 * 1024  # max_upload_bytes in test.ini (the default)
OMIT = object()  # leave a field out of the request
HUGE_ID = str(2**63)  # one more than the largest BIGINT
HUGER_ID = "9" * 20
UNKNOWN_ID = "987654321"


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    status: int | tuple[int, ...]
    fields: tuple = ()  # (name, value) pairs
    files: tuple = ()  # (field, filename, content) triples
    query: str = ""  # raw, already URL-encoded
    body: Any = None  # a raw body (bytes or callable) sent as is
    content_type: str | None = None
    error_key: str | None = None
    message: str | None = None
    bug: str | None = None
    bug_db: str | None = None

    @property
    def statuses(self) -> tuple[int, ...]:
        return self.status if isinstance(self.status, tuple) else (self.status,)

    @property
    def is_json(self) -> bool:
        return self.path.endswith(".json")


def resolve(value, world):
    return value(world) if callable(value) else value


# ---- ways to spoil PEM text --------------------------------------------------------------------


def truncated(pem: str) -> str:
    return pem[: len(pem) // 2]


def bad_base64(pem: str) -> str:
    lines = pem.splitlines()
    lines[2] = "!!**" + lines[2][4:]
    return "\n".join(lines) + "\n"


def with_nul(pem: str) -> str:
    lines = pem.splitlines()
    lines[1] = lines[1][:10] + "\x00" + lines[1][10:]
    return "\n".join(lines) + "\n"


def not_utf8(pem: str) -> bytes:
    raw = pem.encode()
    return raw[:40] + b"\xff\xfe\xc3\x28" + raw[40:]


def utf16(pem: str) -> bytes:
    return pem.encode("utf-16")


def oversized(pem: str) -> str:
    # no newlines: cgi.FieldStorage reads an upload line by line, a megabyte of newlines takes seconds
    return pem + " " * (MAX_UPLOAD + 16)


def relabel(pem: str, label: str) -> str:
    return pem.replace("CERTIFICATE-----", f"{label}-----")


def no_footer(pem: str) -> str:
    return "\n".join(line for line in pem.splitlines() if not line.startswith("-----END")) + "\n"


def cert_der(issued) -> bytes:
    return issued.cert.public_bytes(serialization.Encoding.DER)


def key_der(issued) -> bytes:
    return issued.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def csr_der(pem: str) -> bytes:
    from cryptography import x509

    return x509.load_pem_x509_csr(pem.encode()).public_bytes(serialization.Encoding.DER)


NO_BOUNDARY = dict(body=b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n",
                   content_type="multipart/form-data")
DEEP_JSON = "[" * 100_000 + "]" * 100_000


# ---- certificate-signed/upload ----------------------------------------------------------------


def cert_upload(cid, *, cert=None, key=None, chain=None, status=400, error_key=None, message=None,
                path="/certificate-signed/upload.json", bug=None) -> Case:
    """The not-yet-stored leaf_single triple, with one part replaced (``OMIT`` drops it)."""
    parts = (
        ("certificate_file", "cert.pem", cert if cert is not None else (lambda w: w.other_leaf.pem)),
        ("private_key_file", "privkey.pem", key if key is not None else (lambda w: w.other_leaf.key_pem)),
        ("chain_file", "chain.pem", chain if chain is not None else (lambda w: w.pki.intermediate.pem)),
    )
    files = tuple(p for p in parts if p[2] is not OMIT)
    return Case(cid, "POST", path, status, files=files, error_key=error_key, message=message, bug=bug)


CERT, KEY, CHAIN = "certificate_file", "private_key_file", "chain_file"

CERTIFICATE_SIGNED = [
    cert_upload("cs-garbage-cert", cert=b"not a certificate at all", error_key=CERT),
    cert_upload("cs-key-in-cert-field", cert=lambda w: w.other_leaf.key_pem, error_key=CERT),
    cert_upload("cs-csr-in-cert-field", cert=lambda w: w.mat.csr_pem, error_key=CERT),
    cert_upload("cs-cert-in-key-field", key=lambda w: w.other_leaf.pem, error_key=KEY),
    cert_upload("cs-chain-in-key-field", key=lambda w: w.pki.intermediate.pem, error_key=KEY),
    cert_upload("cs-key-in-chain-field", chain=lambda w: w.other_leaf.key_pem, error_key=CHAIN),
    cert_upload("cs-csr-in-chain-field", chain=lambda w: w.mat.csr_pem, error_key=CHAIN),
    cert_upload("cs-garbage-chain", chain=b"garbage", error_key=CHAIN),
    cert_upload("cs-key-cert-mismatch", key=lambda w: w.mat.spare_ec_pem, error_key=KEY, message="does not match"),
    cert_upload("cs-stored-cert-foreign-key", cert=lambda w: w.leaf.pem, key=lambda w: w.other_leaf.key_pem,
                error_key=KEY),
    cert_upload("cs-chain-does-not-sign", chain=lambda w: w.pki.root_b.pem, error_key=CHAIN),
    cert_upload("cs-stored-cert-chain-does-not-sign", cert=lambda w: w.leaf.pem, key=lambda w: w.leaf.key_pem,
                chain=lambda w: w.pki.root_b.pem, error_key=CHAIN),
    cert_upload("cs-chain-reversed", chain=lambda w: w.pki.root.pem + w.pki.intermediate.pem, error_key=CHAIN),
    cert_upload("cs-leaf-as-chain", chain=lambda w: w.other_leaf.pem, error_key=CHAIN),
    cert_upload("cs-truncated-cert", cert=lambda w: truncated(w.other_leaf.pem), error_key=CERT),
    cert_upload("cs-truncated-key", key=lambda w: truncated(w.other_leaf.key_pem), error_key=KEY),
    cert_upload("cs-truncated-chain", chain=lambda w: truncated(w.pki.intermediate.pem), error_key=CHAIN),
    cert_upload("cs-bad-base64-cert", cert=lambda w: bad_base64(w.other_leaf.pem), error_key=CERT),
    cert_upload("cs-bad-base64-key", key=lambda w: bad_base64(w.other_leaf.key_pem), error_key=KEY),
    cert_upload("cs-bad-base64-chain", chain=lambda w: bad_base64(w.pki.intermediate.pem), error_key=CHAIN),
    cert_upload("cs-der-cert", cert=lambda w: cert_der(w.other_leaf), error_key=CERT),
    cert_upload("cs-der-key", key=lambda w: key_der(w.other_leaf), error_key=KEY),
    cert_upload("cs-der-chain", chain=lambda w: cert_der(w.pki.intermediate), error_key=CHAIN),
    cert_upload("cs-empty-cert", cert=b"", error_key=CERT),
    cert_upload("cs-empty-key", key=b"", error_key=KEY),
    cert_upload("cs-whitespace-cert", cert=b"  \n\t \r\n", error_key=CERT),
    cert_upload("cs-whitespace-key", key=b"\n\n   \n", error_key=KEY),
    cert_upload("cs-missing-cert", cert=OMIT, error_key=CERT),
    cert_upload("cs-missing-key", key=OMIT, error_key=KEY),
    Case("cs-no-fields", "POST", "/certificate-signed/upload.json", 400, error_key=CERT),
    cert_upload("cs-two-certs-in-cert-field", cert=lambda w: w.other_leaf.pem + w.leaf.pem, error_key=CERT),
    cert_upload("cs-ca-cert-as-leaf", cert=lambda w: w.pki.intermediate.pem, key=lambda w: w.pki.intermediate.key_pem,
                chain=lambda w: w.pki.root.pem, error_key=CERT),
    cert_upload("cs-root-as-leaf", cert=lambda w: w.pki.root.pem, key=lambda w: w.pki.root.key_pem, chain=OMIT,
                error_key=CERT),
    cert_upload("cs-oversized-cert", cert=lambda w: oversized(w.other_leaf.pem), status=413, error_key=CERT),
    cert_upload("cs-oversized-key", key=lambda w: oversized(w.other_leaf.key_pem), status=413, error_key=KEY),
    cert_upload("cs-oversized-chain", chain=lambda w: oversized(w.pki.intermediate.pem), status=413, error_key=CHAIN),
    cert_upload("cs-nul-in-cert", cert=lambda w: with_nul(w.other_leaf.pem), error_key=CERT),
    cert_upload("cs-nul-in-key", key=lambda w: with_nul(w.other_leaf.key_pem), error_key=KEY),
    cert_upload("cs-not-utf8-cert", cert=lambda w: not_utf8(w.other_leaf.pem), error_key=CERT),
    cert_upload("cs-not-utf8-key", key=lambda w: not_utf8(w.other_leaf.key_pem), error_key=KEY),
    cert_upload("cs-not-utf8-chain", chain=lambda w: not_utf8(w.pki.intermediate.pem), error_key=CHAIN),
    cert_upload("cs-utf16-cert", cert=lambda w: utf16(w.other_leaf.pem), error_key=CERT),
    cert_upload("cs-wrong-pem-label", cert=lambda w: relabel(w.other_leaf.pem, "X509 CRL"), error_key=CERT),
    cert_upload("cs-no-pem-footer", cert=lambda w: no_footer(w.other_leaf.pem), error_key=CERT),
    cert_upload("cs-encrypted-key", key=lambda w: w.mat.encrypted_pem, error_key=KEY),
    cert_upload("cs-rsa1024-key", key=lambda w: w.mat.rsa1024_pem, error_key=KEY),
    cert_upload("cs-two-keys-in-key-field", key=lambda w: w.mat.spare_ec_pem + w.other_leaf.key_pem, error_key=KEY),
    Case("cs-cert-as-text-field", "POST", "/certificate-signed/upload.json", 400,
         fields=(("certificate_file", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),),
         files=(("private_key_file", "k.pem", lambda w: w.other_leaf.key_pem),), error_key=CERT),
    cert_upload("cs-html-mismatch", key=lambda w: w.mat.spare_ec_pem, path="/certificate-signed/upload",
                error_key=KEY, message="does not match"),
    cert_upload("cs-html-garbage", cert=b"\x00\x01garbage", path="/certificate-signed/upload", error_key=CERT),
    Case("cs-json-body", "POST", "/certificate-signed/upload.json", 400,
         body=lambda w: json.dumps({"certificate_file": w.other_leaf.pem}).encode(),
         content_type="application/json", error_key=CERT),
    Case("cs-multipart-truncated", "POST", "/certificate-signed/upload.json", 400,
         body=b'--xyz\r\nContent-Disposition: form-data; name="certificate_file"; filename="c.pem"\r\n\r\n-----BEGIN CERT',
         content_type="multipart/form-data; boundary=xyz"),
    Case("cs-multipart-no-boundary", "POST", "/certificate-signed/upload.json", 400, **NO_BOUNDARY),
    Case("cs-body-far-too-large", "POST", "/certificate-signed/upload.json", 413,
         body=b"certificate_file=" + b"A" * (4 * MAX_UPLOAD + 70_000),
         content_type="application/x-www-form-urlencoded"),
]

# ---- private-key/upload -----------------------------------------------------------------------


def key_upload(cid, content, *, status=400, message=None, path="/private-key/upload.json", bug=None) -> Case:
    files = () if content is OMIT else (("private_key_file", "privkey.pem", content),)
    return Case(cid, "POST", path, status, files=files, error_key="private_key_file", message=message, bug=bug)


PRIVATE_KEY = [
    key_upload("pk-garbage", b"garbage"),
    key_upload("pk-certificate", lambda w: w.other_leaf.pem),
    key_upload("pk-csr", lambda w: w.mat.csr_pem),
    key_upload("pk-public-key", lambda w: w.mat.public_key_pem),
    key_upload("pk-truncated", lambda w: truncated(w.other_leaf.key_pem)),
    key_upload("pk-bad-base64", lambda w: bad_base64(w.other_leaf.key_pem)),
    key_upload("pk-der", lambda w: key_der(w.other_leaf)),
    key_upload("pk-empty", b""),
    key_upload("pk-whitespace", b"   \n"),
    key_upload("pk-missing", OMIT),
    key_upload("pk-oversized", lambda w: oversized(w.other_leaf.key_pem), status=413),
    key_upload("pk-nul", lambda w: with_nul(w.other_leaf.key_pem)),
    key_upload("pk-not-utf8", lambda w: not_utf8(w.other_leaf.key_pem)),
    key_upload("pk-rsa1024", lambda w: w.mat.rsa1024_pem, message="not supported"),
    key_upload("pk-ec-p521", lambda w: w.mat.p521_pem),
    key_upload("pk-ed25519", lambda w: w.mat.ed25519_pem),
    key_upload("pk-encrypted", lambda w: w.mat.encrypted_pem),
    key_upload("pk-two-keys", lambda w: w.mat.spare_ec_pem + w.other_leaf.key_pem),
    key_upload("pk-html-garbage", b"garbage", path="/private-key/upload"),
    Case("pk-multipart-no-boundary", "POST", "/private-key/upload.json", 400, **NO_BOUNDARY),
]

# ---- certificate-request/upload ---------------------------------------------------------------


def csr_upload(cid, content, *, status=400, path="/certificate-request/upload.json", bug=None) -> Case:
    files = () if content is OMIT else (("csr_file", "request.csr", content),)
    return Case(cid, "POST", path, status, files=files, error_key="csr_file", bug=bug)


CERTIFICATE_REQUEST = [
    csr_upload("csr-garbage", b"garbage"),
    csr_upload("csr-certificate", lambda w: w.other_leaf.pem),
    csr_upload("csr-private-key", lambda w: w.other_leaf.key_pem),
    csr_upload("csr-truncated", lambda w: truncated(w.mat.csr_pem)),
    csr_upload("csr-bad-base64", lambda w: bad_base64(w.mat.csr_pem)),
    csr_upload("csr-der", lambda w: csr_der(w.mat.csr_pem)),
    csr_upload("csr-empty", b""),
    csr_upload("csr-missing", OMIT),
    csr_upload("csr-oversized", lambda w: oversized(w.mat.csr_pem), status=413),
    csr_upload("csr-nul", lambda w: with_nul(w.mat.csr_pem)),
    csr_upload("csr-not-utf8", lambda w: not_utf8(w.mat.csr_pem)),
    csr_upload("csr-bad-signature", lambda w: w.mat.csr_bad_signature),
    csr_upload("csr-invalid-name", lambda w: w.mat.csr_bad_name),
    csr_upload("csr-no-names", lambda w: w.mat.csr_no_names),
    csr_upload("csr-101-names", lambda w: w.mat.csr_101_names),
    csr_upload("csr-ip-address-only", lambda w: w.mat.csr_ip_only),
    csr_upload("csr-html-garbage", b"garbage", path="/certificate-request/upload"),
]

# ---- certificate-ca/upload-cert and certificate-ca-chain/upload-chain -------------------------


def ca_upload(cid, content, *, status=400, message=None) -> Case:
    files = () if content is OMIT else (("certificate_file", "ca.pem", content),)
    return Case(cid, "POST", "/certificate-ca/upload-cert.json", status, files=files, error_key="certificate_file",
                message=message)


def chain_upload(cid, content, *, status=400) -> Case:
    files = () if content is OMIT else (("chain_file", "chain.pem", content),)
    return Case(cid, "POST", "/certificate-ca-chain/upload-chain.json", status, files=files, error_key="chain_file")


CERTIFICATE_CA = [
    ca_upload("ca-leaf-certificate", lambda w: w.other_leaf.pem, message="not a CA"),
    ca_upload("ca-private-key", lambda w: w.pki.root.key_pem),
    ca_upload("ca-csr", lambda w: w.mat.csr_pem),
    ca_upload("ca-garbage", b"garbage"),
    ca_upload("ca-empty", b""),
    ca_upload("ca-missing", OMIT),
    ca_upload("ca-truncated", lambda w: truncated(w.pki.root_b.pem)),
    ca_upload("ca-bad-base64", lambda w: bad_base64(w.pki.root_b.pem)),
    ca_upload("ca-der", lambda w: cert_der(w.pki.root_b)),
    ca_upload("ca-oversized", lambda w: oversized(w.pki.root_b.pem), status=413),
    ca_upload("ca-two-certificates", lambda w: w.pki.root_b.pem + w.pki.intermediate_b.pem),
    ca_upload("ca-not-utf8", lambda w: not_utf8(w.pki.root_b.pem)),
    ca_upload("ca-nul", lambda w: with_nul(w.pki.root_b.pem)),
    chain_upload("chain-reversed", lambda w: w.pki.root.pem + w.pki.intermediate.pem),
    chain_upload("chain-with-leaf", lambda w: w.other_leaf.pem + w.pki.intermediate.pem),
    chain_upload("chain-unrelated-certificates", lambda w: w.pki.intermediate.pem + w.pki.root_b.pem),
    chain_upload("chain-private-key", lambda w: w.pki.intermediate.key_pem),
    chain_upload("chain-garbage", b"garbage"),
    chain_upload("chain-empty", b""),
    chain_upload("chain-missing", OMIT),
    chain_upload("chain-truncated", lambda w: truncated(w.pki.intermediate_b.pem)),
    chain_upload("chain-der", lambda w: cert_der(w.pki.intermediate_b)),
    chain_upload("chain-oversized", lambda w: oversized(w.pki.intermediate_b.pem), status=413),
    chain_upload("chain-not-utf8", lambda w: not_utf8(w.pki.intermediate_b.pem)),
    chain_upload("chain-with-key-appended", lambda w: w.pki.intermediate_b.pem + w.pki.intermediate_b.key_pem),
]

# ---- acme-account/upload: a PEM key, or certbot's account files ------------------------------


def account_upload(cid, *, key=lambda w: w.mat.spare_ec_pem, server="{server_id}", contact=None, status=400,
                   error_key=None, message=None, bug=None, bug_db=None) -> Case:
    fields = []
    if server is not OMIT:
        fields.append(("acme_server_id", server))
    if contact is not None:
        fields.append(("contact", contact))
    files = () if key is OMIT else (("account_key_file", "account.pem", key),)
    return Case(cid, "POST", "/acme-account/upload.json", status, fields=tuple(fields), files=files,
                error_key=error_key, message=message, bug=bug, bug_db=bug_db)


def certbot(cid, *, jwk=lambda w: json.dumps(w.mat.jwk), regr='{"body": {}}', meta=None, server=None,
            status=400, error_key=None, bug=None) -> Case:
    files = []
    for field, value in (("certbot_private_key_json", jwk), ("certbot_regr_json", regr), ("certbot_meta_json", meta)):
        if value is not None and value is not OMIT:
            files.append((field, field + ".json", value))
    fields = (("certbot_server", server),) if server is not None else ()
    return Case(cid, "POST", "/acme-account/upload.json", status, fields=fields, files=tuple(files),
                error_key=error_key, bug=bug)


def _jwk_without(member):
    return lambda w: json.dumps({k: v for k, v in w.mat.jwk.items() if k != member})



ACME_ACCOUNT_UPLOAD = [
    account_upload("acct-up-no-server", server=OMIT, error_key="acme_server_id"),
    account_upload("acct-up-server-not-a-number", server="abc", error_key="acme_server_id"),
    account_upload("acct-up-server-unknown", server=UNKNOWN_ID, status=404),
    account_upload("acct-up-server-20-digits", server=HUGER_ID, error_key="acme_server_id"),
    account_upload("acct-up-server-unicode-digit", server="\u00b2", error_key="acme_server_id"),
    account_upload("acct-up-server-negative", server="-1", error_key="acme_server_id"),
    account_upload("acct-up-garbage-key", key=b"garbage", error_key="account_key_file"),
    account_upload("acct-up-certificate-as-key", key=lambda w: w.other_leaf.pem, error_key="account_key_file"),
    account_upload("acct-up-rsa1024", key=lambda w: w.mat.rsa1024_pem, error_key="account_key_file"),
    account_upload("acct-up-ed25519", key=lambda w: w.mat.ed25519_pem, error_key="account_key_file"),
    account_upload("acct-up-encrypted-key", key=lambda w: w.mat.encrypted_pem, error_key="account_key_file"),
    account_upload("acct-up-missing-key", key=OMIT, error_key="account_key_file"),
    account_upload("acct-up-empty-key", key=b"", error_key="account_key_file"),
    account_upload("acct-up-oversized-key", key=lambda w: oversized(w.mat.spare_ec_pem), status=413,
                   error_key="account_key_file"),
    account_upload("acct-up-not-utf8-key", key=lambda w: not_utf8(w.mat.spare_ec_pem), error_key="account_key_file"),
    account_upload("acct-up-bad-contact", contact="nope", error_key="contact"),
    account_upload("acct-up-contact-too-long", contact="a" * 300 + "@example.com", error_key="contact"),
    account_upload("acct-up-contact-nul", contact="ad\x00min@example.com", error_key="contact"),
    account_upload("acct-up-contact-spaces", contact="not an@email address", error_key="contact"),
    account_upload("acct-up-key-of-account-on-other-server", key=lambda w: w.mat.account_key_pem,
                   server="{server_prod_id}", status=409, error_key="account_key_file"),
    certbot("cb-invalid-json", jwk="{not json", error_key="certbot_private_key_json"),
    certbot("cb-json-array", jwk="[1, 2, 3]", error_key="certbot_private_key_json"),
    certbot("cb-json-string", jwk='"a string"', error_key="certbot_private_key_json"),
    certbot("cb-jwk-public-only", jwk=_jwk_without("d"), error_key="certbot_private_key_json"),
    certbot("cb-jwk-missing-crv", jwk=_jwk_without("crv"), error_key="certbot_private_key_json"),
    certbot("cb-jwk-missing-x", jwk=_jwk_without("x"), error_key="certbot_private_key_json"),
    certbot("cb-jwk-rsa-missing-members", jwk='{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}',
            error_key="certbot_private_key_json"),
    certbot("cb-jwk-unknown-kty", jwk='{"kty": "oct", "k": "AAAA", "d": "AAAA"}', error_key="certbot_private_key_json"),
    certbot("cb-jwk-bad-base64", jwk=lambda w: json.dumps({**w.mat.jwk, "x": "!!!*"}),
            error_key="certbot_private_key_json"),
    certbot("cb-jwk-mismatched-public-point", jwk=lambda w: json.dumps(w.mat.jwk_mismatched),
            error_key="certbot_private_key_json"),
    certbot("cb-regr-missing", regr=OMIT, error_key="certbot_regr_json"),
    certbot("cb-regr-invalid-json", regr="{", error_key="certbot_regr_json"),
    certbot("cb-regr-array", regr="[]", error_key="certbot_regr_json"),
    certbot("cb-meta-invalid-json", meta="nope", error_key="certbot_meta_json"),
    certbot("cb-unknown-server", server="acme.example.net/directory", error_key="certbot_server"),
    certbot("cb-unknown-account-url-host", regr='{"uri": "https://acme.evil.example/acct/1", "body": {}}',
            error_key="certbot_server"),
    certbot("cb-deeply-nested-json", jwk=DEEP_JSON, error_key="certbot_private_key_json"),
]

# ---- acme-account/new -------------------------------------------------------------------------


def new_account(cid, status=400, error_key=None, bug=None, **fields) -> Case:
    base = {"tos_agreed": "1", "acme_server_id": "{server_id}", "contact": "admin@example.com"}
    base.update(fields)
    return Case(cid, "POST", "/acme-account/new.json", status,
                fields=tuple((k, v) for k, v in base.items() if v is not OMIT), error_key=error_key, bug=bug)


ACME_ACCOUNT_NEW = [
    new_account("acct-new-bad-contact", contact="nope", error_key="contact"),
    new_account("acct-new-two-contacts", contact="a@example.com,b@example.com", error_key="contact"),
    new_account("acct-new-bad-key-technology", key_technology="DSA_1024", error_key="key_technology"),
    new_account("acct-new-key-technology-lowercase", key_technology="ec_p256", error_key="key_technology"),
    new_account("acct-new-bad-private-key-technology", private_key_technology="RSA_1024",
                error_key="private_key_technology"),
    new_account("acct-new-bad-cycle", private_key_cycle="hourly", error_key="private_key_cycle"),
    new_account("acct-new-cycle-account-default", private_key_cycle="account_key_default",
                error_key="private_key_cycle"),
    new_account("acct-new-server-not-a-number", acme_server_id="abc", error_key="acme_server_id"),
    new_account("acct-new-server-unicode-digit", acme_server_id="\u00b2", error_key="acme_server_id"),
    new_account("acct-new-server-20-digits", acme_server_id=HUGER_ID, error_key="acme_server_id"),
    new_account("acct-new-server-unknown", acme_server_id=UNKNOWN_ID, status=404),
    new_account("acct-new-eab-kid-only", eab_kid="kid-1", error_key="eab_hmac_key"),
    new_account("acct-new-eab-hmac-only", eab_hmac_key="c2VjcmV0", error_key="eab_hmac_key"),
    # the directory (a local one, see conftest) names terms of service and tos_agreed is missing
    new_account("acct-new-tos-missing", tos_agreed=OMIT, acme_server_id="{server_tos_id}", error_key="tos_agreed"),
]

# ---- acme-order/new ---------------------------------------------------------------------------


def new_order(cid, status=400, error_key=None, path="/acme-order/new.json", bug=None, files=(), **fields) -> Case:
    base = {"acme_account_id": "{account_id}", "domain_names_http01": "new-order.example.com"}
    base.update(fields)
    return Case(cid, "POST", path, status, fields=tuple((k, v) for k, v in base.items() if v is not OMIT),
                files=files, error_key=error_key, bug=bug)


H01 = "domain_names_http01"
ACME_ORDER_NEW = [
    new_order("order-no-account", acme_account_id=OMIT, error_key="acme_account_id"),
    new_order("order-account-not-a-number", acme_account_id="abc", error_key="acme_account_id"),
    new_order("order-account-20-digits", acme_account_id=HUGER_ID, error_key="acme_account_id"),
    new_order("order-account-2-63", acme_account_id=HUGE_ID, error_key="acme_account_id"),
    new_order("order-account-unicode-superscript", acme_account_id="\u00b2", error_key="acme_account_id"),
    new_order("order-account-arabic-indic-digit", acme_account_id="\u0663", error_key="acme_account_id"),
    new_order("order-account-negative", acme_account_id="-5", error_key="acme_account_id"),
    new_order("order-account-float", acme_account_id="1.0", error_key="acme_account_id"),
    new_order("order-account-unknown", acme_account_id=UNKNOWN_ID, status=404),
    new_order("order-account-deactivated", acme_account_id="{account_off_id}", status=409, error_key="acme_account_id"),
    new_order("order-no-names", domain_names_http01="", error_key=H01),
    new_order("order-only-separators", domain_names_http01=" ,\n, \t", error_key=H01),
    new_order("order-invalid-name", domain_names_http01="not a domain!", error_key=H01),
    new_order("order-ip-address", domain_names_http01="192.0.2.1", error_key=H01),
    new_order("order-single-label", domain_names_http01="localhost", error_key=H01),
    new_order("order-label-too-long", domain_names_http01="a" * 64 + ".example.com", error_key=H01),
    new_order("order-name-too-long", domain_names_http01=".".join(["a" * 60] * 5) + ".com", error_key=H01),
    new_order("order-underscore", domain_names_http01="bad_name.example.com", error_key=H01),
    new_order("order-nul-in-name", domain_names_http01="exa\x00mple.com", error_key=H01),
    new_order("order-path-traversal-name", domain_names_http01="../../etc/passwd", error_key=H01),
    new_order("order-duplicate-names", domain_names_http01="a.example.com a.example.com", error_key=H01),
    new_order("order-duplicate-after-normalising", domain_names_http01="A.Example.com a.example.com.",
              error_key=H01),
    new_order("order-duplicate-across-types", domain_names_dns01="a.example.com", dns_provider_id="{dns_id}",
              domain_names_http01="a.example.com", error_key=H01),
    new_order("order-wildcard-on-http01", domain_names_http01="*.example.com", error_key=H01, ),
    new_order("order-101-names", domain_names_http01=" ".join(f"n{i}.example.com" for i in range(101)),
              error_key=H01),
    new_order("order-dns01-without-provider", domain_names_dns01="*.example.org", domain_names_http01="",
              error_key="dns_provider_id"),
    new_order("order-dns01-unknown-provider", domain_names_dns01="*.example.org", domain_names_http01="",
              dns_provider_id=UNKNOWN_ID, error_key="dns_provider_id"),
    new_order("order-dns-provider-not-a-number", dns_provider_id="x1", error_key="dns_provider_id"),
    new_order("order-bad-key-option", private_key_option="steal", error_key="private_key_option"),
    new_order("order-existing-key-without-id", private_key_option="existing", error_key="private_key_id"),
    new_order("order-existing-key-unknown", private_key_option="existing", private_key_id=UNKNOWN_ID, status=404),
    new_order("order-key-id-not-a-number", private_key_option="existing", private_key_id="1 OR 1=1",
              error_key="private_key_id"),
    new_order("order-upload-key-missing", private_key_option="upload", error_key="private_key_file"),
    new_order("order-upload-key-garbage", private_key_option="upload", error_key="private_key_file",
              files=(("private_key_file", "k.pem", b"garbage"),)),
    new_order("order-upload-key-rsa1024", private_key_option="upload", error_key="private_key_file",
              files=(("private_key_file", "k.pem", lambda w: w.mat.rsa1024_pem),)),
    new_order("order-bad-cycle", private_key_cycle="hourly", error_key="private_key_cycle"),
    new_order("order-bad-technology", private_key_technology="RSA_1024", error_key="private_key_technology"),
    new_order("order-bad-strategy", processing_strategy="process_everything", error_key="processing_strategy"),
    new_order("order-profile-not-offered", profile="classic", error_key="profile"),
    new_order("order-rate-limited", status=429, error_key="rate_limit"),
    new_order("order-html-invalid-name", path="/acme-order/new", domain_names_http01="not a domain!",
              error_key=H01),
    Case("order-multipart-no-boundary", "POST", "/acme-order/new.json", 400, **NO_BOUNDARY),
]

# ---- marks and other one-object actions -------------------------------------------------------


def post(cid, path, status=400, error_key=None, message=None, bug=None, bug_db=None, **fields) -> Case:
    return Case(cid, "POST", path, status, fields=tuple((k, v) for k, v in fields.items() if v is not OMIT),
                error_key=error_key, message=message, bug=bug, bug_db=bug_db)


DOMAIN_MARK = "/domain/{domain_id}/mark.json"
CERT_MARK = "/certificate-signed/{cert_id}/mark.json"
KEY_MARK = "/private-key/{key_id}/mark.json"
PREFS = "/certificate-ca/preferences.json"
MARKS = [
    post("domain-mark-bogus", DOMAIN_MARK, action="bogus", error_key="action"),
    post("domain-mark-empty", DOMAIN_MARK, action="", error_key="action"),
    post("domain-mark-missing", DOMAIN_MARK, error_key="action"),
    post("domain-mark-uppercase", DOMAIN_MARK, action="ACTIVE", error_key="action"),
    post("domain-mark-already-active", DOMAIN_MARK, 409, action="active"),
    post("domain-mark-by-name-bogus", "/domain/{domain_name}/mark.json", action="../inactive", error_key="action"),
    post("domain-mark-html-bogus", "/domain/{domain_id}/mark", action="bogus", error_key="action"),
    Case("domain-mark-not-utf8", "POST", DOMAIN_MARK, 400, body=b"action=%FF%FEactive",
         content_type="application/x-www-form-urlencoded", error_key="action"),
    post("cert-mark-bogus", CERT_MARK, action="bogus", error_key="action"),
    post("cert-mark-case", CERT_MARK, action="Revoked", error_key="action"),
    post("cert-mark-trailing-space", CERT_MARK, action="revoked ", error_key="action"),
    post("cert-mark-missing", CERT_MARK, error_key="action"),
    post("cert-mark-already-active", CERT_MARK, 409, action="active"),
    post("cert-mark-html-bogus", "/certificate-signed/{cert_id}/mark", action="bogus", error_key="action"),
    # a repeated field: the last value counts (WebOb), and it is refused
    Case("cert-mark-repeated-field", "POST", CERT_MARK, 400, fields=(("action", "revoked"), ("action", "bogus")),
         error_key="action"),
    post("key-mark-bogus", KEY_MARK, action="bogus", error_key="action"),
    post("key-mark-missing", KEY_MARK, error_key="action"),
    post("key-mark-already-active", KEY_MARK, 409, action="active"),
    post("key-mark-html-bogus", "/private-key/{key_id}/mark", action="compromise", error_key="action"),
    post("dns-mark-bogus", "/dns-provider/{dns_id}/mark.json", action="on", error_key="action"),
    post("dns-mark-already-active", "/dns-provider/{dns_id}/mark.json", 409, action="active"),
    post("queue-item-mark-bogus", "/queue-certificate/{queue_id}/mark.json", action="delete", error_key="action"),
    post("queue-item-requeue-queued", "/queue-certificate/{queue_id}/mark.json", action="requeue",
         error_key="action"),
    post("queue-item-mark-missing", "/queue-certificate/{queue_id}/mark.json", error_key="action"),
    post("pref-bogus-action", PREFS, action="promote", certificate_ca_id="{root_ca_id}", error_key="action"),
    post("pref-missing-ca", PREFS, action="add", error_key="certificate_ca_id"),
    post("pref-ca-not-a-number", PREFS, action="add", certificate_ca_id="abc", error_key="certificate_ca_id"),
    post("pref-ca-20-digits", PREFS, action="add", certificate_ca_id=HUGER_ID, error_key="certificate_ca_id"),
    post("pref-ca-unicode-digit", PREFS, action="add", certificate_ca_id="\u00b2", error_key="certificate_ca_id"),
    post("pref-ca-unknown", PREFS, 404, action="add", certificate_ca_id=UNKNOWN_ID),
    post("pref-unknown-fingerprint", PREFS, action="add", fingerprint_sha1="00" * 20, error_key="certificate_ca_id"),
    post("pref-add-listed", PREFS, 409, action="add", certificate_ca_id="{ca_id}"),
    post("pref-up-at-top", PREFS, 409, action="up", certificate_ca_id="{ca_id}"),
    post("pref-down-at-bottom", PREFS, 409, action="down", certificate_ca_id="{ca_id}"),
    post("pref-delete-unlisted", PREFS, 409, action="delete", certificate_ca_id="{root_ca_id}"),
    post("pref-html-bogus", "/certificate-ca/preferences", action="promote", certificate_ca_id="{root_ca_id}",
         error_key="action"),
]

ACCOUNT = "/acme-account/{account_id}"
ACCOUNT_OFF = "/acme-account/{account_off_id}"
ORDER = "/acme-order/{order_id}"
ACME_ACTIONS = [
    post("acct-update-contact-invalid", ACCOUNT + "/update-contact.json", contact="nope", error_key="contact"),
    post("acct-update-contact-two", ACCOUNT + "/update-contact.json", contact="a@example.com b@example.com",
         error_key="contact"),
    post("acct-update-contact-no-key", ACCOUNT_OFF + "/update-contact.json", 409, contact="x@example.com"),
    post("acct-edit-defaults-bad-cycle", ACCOUNT + "/edit-defaults.json", private_key_cycle="hourly",
         private_key_technology="EC_P256", error_key="private_key_cycle"),
    post("acct-edit-defaults-account-default", ACCOUNT + "/edit-defaults.json",
         private_key_cycle="account_key_default", private_key_technology="EC_P256", error_key="private_key_cycle"),
    post("acct-edit-defaults-bad-technology", ACCOUNT + "/edit-defaults.json", private_key_cycle="account_daily",
         private_key_technology="EC_P999", error_key="private_key_technology"),
    post("acct-edit-defaults-missing", ACCOUNT + "/edit-defaults.json", error_key="private_key_cycle"),
    post("acct-key-rollover-bad-technology", ACCOUNT + "/key-rollover.json", key_technology="RSA_512",
         error_key="key_technology"),
    post("acct-key-rollover-no-key", ACCOUNT_OFF + "/key-rollover.json", 409),
    post("acct-register-no-key", ACCOUNT_OFF + "/register.json", 409, tos_agreed="1"),
    post("acct-authenticate-no-key", ACCOUNT_OFF + "/authenticate.json", 409),
    post("acct-deactivate-deactivated", ACCOUNT_OFF + "/deactivate.json", 409),
    post("acct-global-default-inactive", ACCOUNT_OFF + "/mark-global-default.json", 409),
    post("acct-global-default-html-inactive", ACCOUNT_OFF + "/mark-global-default", 409),
    post("order-sync-never-submitted", ORDER + "/sync.json", 409),
    post("order-advance-unknown-step", ORDER + "/advance.json", 409, step="../../finalize", message="unknown step"),
    post("order-advance-auto-nothing-left", ORDER + "/advance.json", 409, step="auto"),
    post("order-process-nothing-left", ORDER + "/process.json", 409),
    post("order-complete-challenges-no-key", ORDER + "/complete-challenges.json", 409),
    post("order-finalize-invalid-order", ORDER + "/finalize.json", 409),
    post("order-download-invalid-order", ORDER + "/download.json", 409),
    post("order-retry-inactive-account", ORDER + "/retry.json", 409),
    post("order-renew-now-inactive-account", ORDER + "/renew-now.json", 409),
    post("order-mark-invalid-twice", ORDER + "/mark-invalid.json", 409),
    post("order-deactivate-authorizations-no-key", ORDER + "/deactivate-authorizations.json", 409),
    post("order-auto-renew-bogus", ORDER + "/auto-renew.json", is_auto_renew="yes please", error_key="is_auto_renew"),
    post("order-auto-renew-missing", ORDER + "/auto-renew.json", error_key="is_auto_renew"),
    post("order-auto-renew-html-bogus", ORDER + "/auto-renew", is_auto_renew="2", error_key="is_auto_renew"),
]

# ---- acme-flow, DNS providers -----------------------------------------------------------------

FLOW_NEW = "/acme-flow/new.json"
FLOW = "/acme-flow/{flow_id}"
TOK = "tok_" + "A" * 20
FLOWS = [
    post("flow-new-empty", FLOW_NEW, challenges="", error_key="challenges"),
    post("flow-new-comments-only", FLOW_NEW, challenges="# nothing\n\n", error_key="challenges"),
    post("flow-new-two-parts", FLOW_NEW, challenges=f"a.example.com {TOK}", error_key="challenges"),
    post("flow-new-four-parts", FLOW_NEW, challenges=f"a.example.com {TOK} {TOK}.thumb extra",
         error_key="challenges"),
    post("flow-new-bad-domain", FLOW_NEW, challenges=f"not_a_domain {TOK} {TOK}.thumb", error_key="challenges"),
    post("flow-new-bad-token", FLOW_NEW, challenges="a.example.com ../../etc ../../etc.thumb",
         error_key="challenges"),
    post("flow-new-keyauth-mismatch", FLOW_NEW, challenges=f"a.example.com {TOK} other.thumb",
         error_key="challenges"),
    post("flow-new-keyauth-no-thumbprint", FLOW_NEW, challenges=f"a.example.com {TOK} {TOK}.",
         error_key="challenges"),
    post("flow-new-duplicate", FLOW_NEW, challenges=f"a.example.com {TOK} {TOK}.t\na.example.com {TOK} {TOK}.t",
         error_key="challenges"),
    post("flow-new-nul-token", FLOW_NEW, challenges="a.example.com to\x00k to\x00k.thumb", error_key="challenges"),
    post("flow-new-token-too-long", FLOW_NEW, challenges=f"a.example.com {'A' * 300} {'A' * 300}.thumb",
         error_key="challenges"),
    post("flow-new-bad-type", FLOW_NEW, challenges=f"a.example.com {TOK} {TOK}.thumb", challenge_type="tls-alpn-01",
         error_key="challenge_type"),
    post("flow-new-html-bad-line", "/acme-flow/new", challenges="one two", error_key="challenges"),
    post("flow-add-bad-domain", FLOW + "/add-challenge.json", domain_name="-bad-.example.com", token=TOK,
         keyauthorization=TOK + ".thumb", error_key="token"),
    post("flow-add-bad-token", FLOW + "/add-challenge.json", domain_name="b.example.com", token="a/b",
         keyauthorization="a/b.thumb", error_key="token"),
    post("flow-add-keyauth-mismatch", FLOW + "/add-challenge.json", domain_name="b.example.com", token=TOK,
         keyauthorization="x.thumb", error_key="token"),
    post("flow-add-bad-type", FLOW + "/add-challenge.json", domain_name="b.example.com", token=TOK,
         keyauthorization=TOK + ".thumb", challenge_type="http-02", error_key="challenge_type"),
    post("flow-add-to-deactivated", "/acme-flow/{flow_off_id}/add-challenge.json", 409, domain_name="b.example.com",
         token=TOK, keyauthorization=TOK + ".thumb"),
    post("flow-edit-unknown-challenge", FLOW + "/edit-challenge.json", 404, acme_challenge_id=UNKNOWN_ID, token=TOK,
         keyauthorization=TOK + ".thumb"),
    post("flow-edit-challenge-of-other-flow", FLOW + "/edit-challenge.json", 404,
         acme_challenge_id="{flow_off_challenge_id}", token=TOK, keyauthorization=TOK + ".thumb"),
    post("flow-edit-bad-token", FLOW + "/edit-challenge.json", acme_challenge_id="{flow_challenge_id}",
         token="bad token", keyauthorization="bad token.thumb", error_key="keyauthorization"),
    post("flow-deactivate-deactivated", "/acme-flow/{flow_off_id}/deactivate.json", 409),
]

DNS_NEW = "/dns-provider/new.json"


def dns(cid, config, *, provider_type="rfc2136", name="sec-new", status=400, error_key="config_json", bug=None,
        bug_db=None) -> Case:
    return post(cid, DNS_NEW, status, error_key=error_key, bug=bug, bug_db=bug_db, name=name,
                provider_type=provider_type, config_json=config)


DNS_PROVIDERS = [
    dns("dns-not-json", "{server: 10.0.0.53}"),
    dns("dns-json-array", '["10.0.0.53"]'),
    dns("dns-json-string", '"10.0.0.53"'),
    dns("dns-unknown-type", "{}", provider_type="route53", error_key="provider_type"),
    dns("dns-missing-type", "{}", provider_type=OMIT, error_key="provider_type"),
    dns("dns-missing-name", '{"server": "10.0.0.53"}', name=OMIT, error_key="name"),
    dns("dns-blank-name", '{"server": "10.0.0.53"}', name="   ", error_key="name"),
    dns("dns-name-too-long", '{"server": "10.0.0.53"}', name="n" * 129, error_key="name"),
    dns("dns-duplicate-name", "{}", provider_type="manual", name="security-manual", status=409, error_key="name"),
    dns("dns-acme-dns-missing-keys", '{"api_url": "https://auth.example"}', provider_type="acme-dns"),
    dns("dns-challtestsrv-missing-url", "{}", provider_type="challtestsrv"),
    dns("dns-unknown-key", '{"server": "10.0.0.53", "password": "x"}'),
    dns("dns-bad-port", '{"server": "10.0.0.53", "port": "fifty-three"}'),
    dns("dns-tsig-half", '{"server": "10.0.0.53", "tsig_key_name": "peter"}'),
    dns("dns-bad-tsig-secret", '{"server": "10.0.0.53", "tsig_key_name": "peter", "tsig_secret": "!!not base64!!"}'),
    dns("dns-bad-bool", '{"confirmed": "maybe"}', provider_type="manual"),
    dns("dns-bad-zone", '{"server": "10.0.0.53", "zone": "a..example.com"}'),
    dns("dns-infinite-port", '{"server": "10.0.0.53", "port": 1e400}'),
    dns("dns-deeply-nested-json", DEEP_JSON),
    dns("dns-nul-in-name", "{}", provider_type="manual", name="sec\x00manual", error_key="name"),
]

# ---- queues, certificate-if-needed, autocert, search, redis/nginx ----------------------------

LIMIT_BASE = "/queue-certificates/process.json"
AUTOMATION = [
    post("queue-domains-add-empty", "/queue-domains/add.json", domain_names="", error_key="domain_names"),
    post("queue-domains-add-separators-only", "/queue-domains/add.json", domain_names=" ,\n,\t",
         error_key="domain_names"),
    post("queue-domains-add-missing", "/queue-domains/add.json", error_key="domain_names"),
    post("queue-domains-add-html-empty", "/queue-domains/add", domain_names="", error_key="domain_names"),
    post("queue-domains-add-all-invalid", "/queue-domains/add.json", domain_names="not_valid!! bad..name 192.0.2.1",
         error_key="domain_names"),
    post("queue-domains-process-account-not-a-number", "/queue-domains/process.json", acme_account_id="x",
         error_key="acme_account_id"),
    post("queue-domains-process-batch-zero", "/queue-domains/process.json", batch_size="0", error_key="batch_size"),
    post("queue-domains-process-batch-not-a-number", "/queue-domains/process.json", batch_size="ten",
         error_key="batch_size"),
    post("queue-domains-process-unknown-account", "/queue-domains/process.json", 409, acme_account_id=UNKNOWN_ID),
    Case("queue-certs-process-limit-zero", "POST", LIMIT_BASE, 400, query="limit=0", error_key="limit"),
    Case("queue-certs-process-limit-negative", "POST", LIMIT_BASE, 400, query="limit=-1", error_key="limit"),
    Case("queue-certs-process-limit-not-a-number", "POST", LIMIT_BASE, 400, query="limit=abc", error_key="limit"),
    Case("queue-certs-process-limit-too-big", "POST", LIMIT_BASE, 400, query="limit=1001", error_key="limit"),
    Case("queue-certs-process-limit-unicode-digit", "POST", LIMIT_BASE, 400, query="limit=%C2%B2", error_key="limit"),
    Case("queue-certs-process-limit-20-digits", "POST", LIMIT_BASE, 400, query="limit=" + HUGER_ID,
         error_key="limit"),
    post("cert-queue-already-queued", "/certificate-signed/{busy_cert_id}/queue.json", 409),
    post("cert-queue-account-not-a-number", "/certificate-signed/{cert_id}/queue.json", acme_account_id="one",
         error_key="acme_account_id"),
    post("cert-queue-unknown-account", "/certificate-signed/{cert_id}/queue.json", acme_account_id=UNKNOWN_ID,
         error_key="acme_account_id"),
    post("cert-queue-bad-cycle", "/certificate-signed/{cert_id}/queue.json", private_key_cycle="never",
         error_key="private_key_cycle"),
    post("cert-queue-bad-technology", "/certificate-signed/{cert_id}/queue.json", private_key_technology="DSA",
         error_key="private_key_technology"),
    post("if-needed-empty", "/api/domain/certificate-if-needed.json", domain_names="", error_key="domain_names"),
    post("if-needed-101-names", "/api/domain/certificate-if-needed.json",
         domain_names=",".join(f"n{i}.example.com" for i in range(101)), error_key="domain_names"),
    post("if-needed-account-not-a-number", "/api/domain/certificate-if-needed.json", domain_names="a.example.com",
         acme_account_id="abc", error_key="acme_account_id"),
    post("if-needed-no-automation-account", "/api/domain/certificate-if-needed.json", 409,
         domain_names="a.example.com", error_key="acme_account_id"),
    post("if-needed-bad-cycle", "/api/domain/certificate-if-needed.json", domain_names="a.example.com",
         acme_account_id="{account_id}", private_key_cycle="hourly", error_key="private_key_cycle"),
    post("if-needed-bad-technology", "/api/domain/certificate-if-needed.json", domain_names="a.example.com",
         acme_account_id="{account_id}", private_key_technology="EC_P1", error_key="private_key_technology"),
    post("if-needed-all-invalid", "/api/domain/certificate-if-needed.json", domain_names="bad_name *..x 192.0.2.1",
         acme_account_id="{account_id}", error_key="domain_names"),
    post("autocert-invalid-name", "/api/domain/autocert.json", domain_name="not a name", error_key="domain_name"),
    post("autocert-wildcard", "/api/domain/autocert.json", domain_name="*.example.com", error_key="domain_name"),
    post("autocert-empty", "/api/domain/autocert.json", domain_name="", error_key="domain_name"),
    post("autocert-missing", "/api/domain/autocert.json", error_key="domain_name"),
    post("autocert-ip-address", "/api/domain/autocert.json", domain_name="192.0.2.1", error_key="domain_name"),
    post("autocert-nul", "/api/domain/autocert.json", domain_name="a\x00.example.com", error_key="domain_name"),
    post("autocert-5000-chars", "/api/domain/autocert.json", domain_name="a" * 5000 + ".com",
         error_key="domain_name"),
    Case("autocert-raw-body-wildcard", "POST", "/api/domain/autocert.json", 400, body=b"domain_name=%2A.example.com",
         content_type="", error_key="domain_name"),
    Case("autocert-raw-body-not-utf8", "POST", "/api/domain/autocert.json", 400, body=b"domain_name=\xff\xfe.com",
         content_type="", error_key="domain_name"),
    post("autocert-html-wildcard", "/api/domain/autocert", domain_name="*.example.com", error_key="domain_name"),
    post("redis-prime-unconfigured", "/api/redis/prime.json", 400),
    post("nginx-cache-flush-no-servers", "/api/nginx/cache-flush.json", 400),
    Case("nginx-status-no-servers", "GET", "/api/nginx/status.json", 400),
    post("nginx-expire-domain-no-servers", "/domain/{domain_id}/nginx-cache-expire.json", 400),
    post("nginx-expire-cert-no-servers", "/certificate-signed/{cert_id}/nginx-cache-expire.json", 400),
]

SEARCH = [
    Case("search-too-long", "GET", "/search.json", 400, query="q=" + "a" * 256, error_key="q"),
    Case("search-html-too-long", "GET", "/search", 400, query="q=" + "a" * 5000, error_key="q"),
    Case("search-nul", "GET", "/search.json", 400, query="q=%00", error_key="q"),
]

# ---- listings: paging and filters -------------------------------------------------------------

LISTINGS = [
    "/domains", "/unique-fqdn-sets", "/certificate-signeds", "/certificate-cas", "/certificate-ca-chains",
    "/private-keys", "/certificate-requests", "/acme-accounts", "/acme-account-keys", "/acme-orders",
    "/acme-authorizations", "/acme-challenges", "/queue-domains", "/queue-certificates", "/notifications",
    "/acme-event-logs", "/operations-events", "/acme-flows",
]
PAGING = [
    Case(f"page-{bad_id}{path.replace('/', '-')}", "GET", path + ".json", 400, query=f"page={raw}", error_key="page")
    for path in LISTINGS
    for bad_id, raw in (("zero", "0"), ("abc", "abc"), ("superscript", "%C2%B2"))
] + [
    Case("page-negative-domains", "GET", "/domains.json", 400, query="page=-1", error_key="page"),
    Case("page-ten-million-certificates", "GET", "/certificate-signeds.json", 400, query="page=10000000",
         error_key="page"),
    Case("page-20-digits-orders", "GET", "/acme-orders.json", 400, query="page=" + HUGER_ID, error_key="page"),
    Case("page-html-abc-domains", "GET", "/domains", 400, query="page=abc", error_key="page"),
    Case("page-html-zero-keys", "GET", "/private-keys", 400, query="page=0", error_key="page"),
]
FILTERS = [
    Case("certs-state-bogus", "GET", "/certificate-signeds.json", 400, query="state=bogus", error_key="state"),
    Case("certs-days-abc", "GET", "/certificate-signeds.json", 400, query="days=abc", error_key="days"),
    Case("certs-days-zero", "GET", "/certificate-signeds.json", 400, query="state=expiring&days=0", error_key="days"),
    Case("certs-days-huge", "GET", "/certificate-signeds.json", 400, query="state=expiring&days=" + str(2**63 - 1),
         error_key="days"),
    Case("certs-domain-id-abc", "GET", "/certificate-signeds.json", 400, query="domain_id=abc", error_key="domain_id"),
    Case("certs-key-id-superscript", "GET", "/certificate-signeds.json", 400, query="private_key_id=%C2%B2",
         error_key="private_key_id"),
    Case("certs-html-state-bogus", "GET", "/certificate-signeds", 400, query="state=%3Cscript%3E", error_key="state"),
    Case("orders-state-bogus", "GET", "/acme-orders.json", 400, query="state=bogus", error_key="state"),
    Case("orders-account-abc", "GET", "/acme-orders.json", 400, query="acme_account_id=abc",
         error_key="acme_account_id"),
    Case("authorizations-status-bogus", "GET", "/acme-authorizations.json", 400, query="status=bogus",
         error_key="status"),
    Case("queue-domains-status-bogus", "GET", "/queue-domains.json", 400, query="status=bogus", error_key="status"),
    Case("queue-certs-status-bogus", "GET", "/queue-certificates.json", 400, query="status=bogus",
         error_key="status"),
    Case("notifications-type-bogus", "GET", "/notifications.json", 400, query="notification_type=bogus",
         error_key="notification_type"),
    Case("notifications-result-bogus", "GET", "/notifications.json", 400, query="result=maybe", error_key="result"),
    Case("event-logs-result-bogus", "GET", "/acme-event-logs.json", 400, query="result=maybe", error_key="result"),
    Case("event-logs-order-id-abc", "GET", "/acme-event-logs.json", 400, query="acme_order_id=abc",
         error_key="acme_order_id"),
    Case("event-logs-server-id-20-digits", "GET", "/acme-event-logs.json", 400, query="acme_server_id=" + HUGER_ID,
         error_key="acme_server_id"),
]

# ---- unknown ids (404) on focus, action and download routes ----------------------------------

ID_ROUTES = [
    "/unique-fqdn-set/{id}.json", "/certificate-signed/{id}.json", "/certificate-signed/{id}",
    "/certificate-signed/{id}/config.json", "/certificate-signed/{id}/config.zip", "/certificate-signed/{id}/cert.p12",
    "/certificate-signed/{id}/privkey.pem", "/certificate-signed/{id}/via-certificate-ca-chain/1/chain.pem",
    "/certificate-signed/{id}/mark.json", "/certificate-signed/{id}/queue.json",
    "/certificate-signed/{id}/nginx-cache-expire.json",
    "/certificate-ca/{id}.json", "/certificate-ca/{id}/cert.pem", "/certificate-ca-chain/{id}.json",
    "/certificate-ca-chain/{id}/chain.pem", "/private-key/{id}.json", "/private-key/{id}/key.pem",
    "/private-key/{id}/mark.json", "/certificate-request/{id}.json", "/certificate-request/{id}/csr.pem",
    "/acme-server/{id}/check.json", "/acme-account/{id}.json", "/acme-account-key/{id}.json",
    "/acme-account-key/{id}/key.pem", "/acme-order/{id}.json",
    *(f"/acme-account/{{id}}/{action}.json" for action in (
        "register", "authenticate", "update-contact", "edit-defaults", "deactivate", "key-rollover",
        "deactivate-pending-authorizations", "mark-global-default")),
    *(f"/acme-order/{{id}}/{action}.json" for action in (
        "sync", "advance", "process", "complete-challenges", "finalize", "download", "retry", "renew-now",
        "mark-invalid", "deactivate-authorizations", "auto-renew")),
    "/dns-provider/{id}.json", "/dns-provider/{id}/mark.json", "/acme-authorization/{id}.json",
    "/acme-challenge/{id}.json", "/acme-flow/{id}.json",
    *(f"/acme-flow/{{id}}/{action}.json" for action in ("add-challenge", "edit-challenge", "deactivate")),
    "/queue-certificate/{id}.json", "/queue-certificate/{id}/mark.json", "/acme-event-log/{id}.json",
    "/operations-event/{id}.json", "/domain/{id}.json", "/domain/{id}/config.json", "/domain/{id}/mark.json",
]


def _method_for(path: str) -> str:
    """POST for action routes (``/{id}/action.json``), GET for pages, payloads and downloads."""
    if re.search(r"/\{id\}/[a-z-]+\.json$", path) and not path.endswith("/config.json"):
        return "POST"
    return "GET"


def _slug(path: str) -> str:
    return path.replace("/{id}", "").replace("/", "-").replace(".", "-").strip("-")


UNKNOWN_IDS = [
    Case(f"unknown-id-{_slug(p)}", _method_for(p), p.replace("{id}", UNKNOWN_ID), 404) for p in ID_ROUTES
] + [
    Case(f"id-2-63-{_slug(p)}", "GET", p.replace("{id}", HUGE_ID), 404) for p in ID_ROUTES
    if p.endswith("}.json")
] + [
    Case("id-20-digits-certificate-signed", "GET", f"/certificate-signed/{HUGER_ID}.json", 404),
    Case("id-zero-private-key", "GET", "/private-key/0.json", 404),
    Case("id-arabic-indic-digit-acme-order", "GET", "/acme-order/%D9%A3.json", 404),
    Case("id-superscript-acme-account", "GET", "/acme-account/%C2%B2.json", 404),
    Case("id-2-63-post-mark", "POST", f"/private-key/{HUGE_ID}/mark.json", 404),
    Case("domain-unknown-name", "GET", "/domain/nosuch.example.net.json", 404),
    Case("domain-unknown-name-config", "GET", "/domain/nosuch.example.net/config.json", 404),
    Case("domain-5000-chars", "GET", "/domain/" + "a" * 5000 + ".json", 404),
    Case("domain-nul", "GET", "/domain/%00.json", 404, bug_db="postgresql"),
    Case("domain-nul-config", "GET", "/domain/a%00b/config.json", 404, bug_db="postgresql"),
    Case("domain-html-unknown", "GET", "/domain/nosuch.example.net", 404),
]

DOWNLOADS = [
    Case("dl-traversal-encoded-slash", "GET", "/certificate-signed/{cert_id}/..%2F..%2Fprivate-key%2F{key_id}%2Fkey.pem",
         404),
    Case("dl-traversal-dot-segments", "GET", "/certificate-signed/{cert_id}/%2e%2e/%2e%2e/private-key/{key_id}/key.pem",
         404),
    Case("dl-traversal-double-encoded", "GET", "/certificate-signed/{cert_id}/..%252F..%252Fetc%252Fpasswd", 404),
    Case("dl-nul-in-filename", "GET", "/certificate-signed/{cert_id}/privkey.pem%00.txt", 404),
    Case("dl-unknown-suffix", "GET", "/certificate-signed/{cert_id}/privkey.der", 404),
    Case("dl-chain-as-key", "GET", "/certificate-signed/{cert_id}/chain.key", 404),
    Case("dl-cert-as-key", "GET", "/certificate-signed/{cert_id}/cert.key", 400, message="unknown certificate format"),
    Case("dl-fullchain-der", "GET", "/certificate-signed/{cert_id}/fullchain.der", 400, message="exactly one"),
    Case("dl-uppercase", "GET", "/certificate-signed/{cert_id}/CERT.PEM", 404),
    Case("dl-trailing-slash", "GET", "/certificate-signed/{cert_id}/cert.pem/", 404),
    Case("dl-via-unknown-chain", "GET", "/certificate-signed/{cert_id}/via-certificate-ca-chain/" + UNKNOWN_ID
         + "/chain.pem", 404),
    Case("dl-via-chain-privkey", "GET", "/certificate-signed/{cert_id}/via-certificate-ca-chain/{chain_id}/privkey.pem",
         404),
    Case("dl-private-key-der", "GET", "/private-key/{key_id}/key.der", 404),
    Case("dl-private-key-traversal", "GET", "/private-key/{key_id}/..%2F..%2Fcertificate-signed", 404),
    Case("dl-ca-key", "GET", "/certificate-ca/{ca_id}/cert.key", 404),
    Case("dl-ca-chain-der", "GET", "/certificate-ca-chain/{chain_id}/chain.der", 404),
    Case("dl-csr-der", "GET", "/certificate-request/{csr_id}/csr.der", 404),
    Case("dl-account-key-der", "GET", "/acme-account-key/{account_key_id}/key.der", 404),
    Case("dl-wrong-method", "PUT", "/certificate-signed/upload.json", (404, 405)),
]

CORPUS: list[Case] = [
    *CERTIFICATE_SIGNED, *PRIVATE_KEY, *CERTIFICATE_REQUEST, *CERTIFICATE_CA, *ACME_ACCOUNT_UPLOAD,
    *ACME_ACCOUNT_NEW, *ACME_ORDER_NEW, *MARKS, *ACME_ACTIONS, *FLOWS, *DNS_PROVIDERS, *AUTOMATION, *SEARCH,
    *PAGING, *FILTERS, *UNKNOWN_IDS, *DOWNLOADS,
]

_ids = [case.id for case in CORPUS]
assert len(_ids) == len(set(_ids)), sorted({i for i in _ids if _ids.count(i) > 1})


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(value, world):
    """``{name}`` placeholders replaced by the world's ids (other braces, e.g. JSON, stay)."""
    if not isinstance(value, str):
        return value
    return _PLACEHOLDER.sub(lambda m: world.ids.get(m[1], m[0]), value)


def resolve_case(case: Case, world) -> dict[str, Any]:
    """The concrete request of ``case``: path, fields, files, body."""
    fields = [(name, fill(resolve(value, world), world)) for name, value in case.fields]
    files = []
    for field, filename, content in case.files:
        data = resolve(content, world)
        files.append((field, filename, data.encode() if isinstance(data, str) else data))
    return {"path": fill(case.path, world), "fields": fields, "files": files, "body": resolve(case.body, world)}
