"""Download formats: file suffix -> (body, MIME type), as the spec's translation table lists."""

from __future__ import annotations

from . import cert_utils
from .errors import InvalidRequest

PEM = "application/x-pem-file"
TEXT = "text/plain"


def certificate(pem: str, suffix: str, *, ca: bool = False) -> tuple[str | bytes, str]:
    """cert.{pem,pem.txt,cer,crt,der} for a leaf (``ca=False``) or a CA certificate."""
    if suffix == "pem":
        return pem, PEM
    if suffix == "pem.txt":
        return pem, TEXT
    der = cert_utils.cert_pem_to_der(pem)
    if suffix == "cer":
        return der, "application/pkix-cert"
    if suffix in ("crt", "der"):
        return der, "application/x-x509-ca-cert" if ca else "application/x-x509-server-cert"
    raise InvalidRequest(f"unknown certificate format {suffix!r}")


def pem_bundle(pem: str, suffix: str) -> tuple[str, str]:
    """chain/fullchain.{pem,pem.txt}."""
    if suffix == "pem":
        return pem, PEM
    if suffix == "pem.txt":
        return pem, TEXT
    raise InvalidRequest(f"{suffix!r}: a chain is offered as .pem or .pem.txt")


def private_key(pem: str, suffix: str) -> tuple[str | bytes, str]:
    """key.{pem,pem.txt} as stored, key.key as DER PKCS#8."""
    if suffix == "pem":
        return pem, PEM
    if suffix == "pem.txt":
        return pem, TEXT
    if suffix == "key":
        return cert_utils.key_to_pkcs8_der(pem), "application/pkcs8"
    raise InvalidRequest(f"unknown key format {suffix!r}")


def certificate_request(pem: str, suffix: str) -> tuple[str, str]:
    """csr.{pem,pem.txt,csr}: all PEM."""
    if suffix == "pem":
        return pem, PEM
    if suffix == "pem.txt":
        return pem, TEXT
    if suffix == "csr":
        return pem, "application/pkcs10"
    raise InvalidRequest(f"unknown CSR format {suffix!r}")


def split_filename(filename: str) -> tuple[str, str]:
    """``fullchain.pem.txt`` -> (``fullchain``, ``pem.txt``)."""
    stem, _, suffix = filename.partition(".")
    return stem, suffix
