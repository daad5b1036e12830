"""Issuer checks and chain ordering / validation.

Name comparison and signature-algorithm checks are shared pure Python; the
signature itself is verified by the active backend.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from . import inputs, x509_der
from .api import _cert_blocks
from .config import backend
from .errors import ChainError
from .pem import Block

log = logging.getLogger(__name__)


class _Cert:
    """A validated certificate with its names pre-decoded."""

    __slots__ = ("block", "issuer", "label", "self_issued", "sig", "spki_tech", "subject")

    def __init__(self, block: Block) -> None:
        parts = x509_der.read_certificate(block.der)
        self.block = block
        self.subject = _name_key(parts.subject)
        self.issuer = _name_key(parts.issuer)
        self.label = x509_der.rfc4514(x509_der.name_attributes(parts.subject)) or "(empty subject)"
        self.sig = parts.signed.signature_oid
        self.spki_tech = x509_der.spki_key_info(parts.spki)[0]
        self.self_issued = self.subject == self.issuer


def _name_key(name: x509_der.Element) -> tuple:
    """Comparable form of a Name (RDN order kept, attribute order within an RDN ignored)."""
    return tuple(frozenset(rdn) for rdn in x509_der.name_attributes(name))


def _signed_by(child: _Cert, parent: _Cert) -> bool:
    if child.issuer != parent.subject:
        return False
    technology, _hash = x509_der.require_signature_algorithm(child.sig)
    if technology != parent.spki_tech:
        return False
    return backend().verify_signature(child.block, parent.block)


def cert_signed_by(cert_pem: str | bytes, ca_cert_pem: str | bytes) -> bool:
    """True if ``ca_cert_pem`` issued ``cert_pem``: issuer name matches the CA's
    subject and the signature verifies with the CA's public key.

    Raises :class:`UnsupportedKeyError` for signature algorithms other than
    RSA PKCS#1 v1.5, ECDSA (SHA-1/2) and Ed25519.
    """
    return _signed_by(_Cert(inputs.load_cert(cert_pem)), _Cert(inputs.load_cert(ca_cert_pem)))


def order_chain(
    leaf_pem: str | bytes, candidates: Iterable[str | bytes] | str | bytes
) -> list[str]:
    """Order certificates leaf-to-root: returns ``[leaf, issuer, issuer's issuer, ...]``.

    Issuers are looked up among ``candidates`` (a list of PEMs or a bundle) by
    name and verified by signature; the walk stops at a self-issued
    certificate or when no issuer is found. Candidates not on the path are
    dropped. Returns canonical PEM strings.
    """
    leaf = _Cert(inputs.load_cert(leaf_pem))
    pool: list[_Cert] = []
    seen = {leaf.block.der}
    for block in _cert_blocks(candidates):
        if block.der not in seen:
            seen.add(block.der)
            pool.append(_Cert(block))
    path = [leaf]
    current = leaf
    while not current.self_issued:
        parent = next((c for c in pool if c not in path and _signed_by(current, c)), None)
        if parent is None:
            break
        path.append(parent)
        current = parent
    if len(path) - 1 < len(pool):
        log.debug("order_chain: %d candidate(s) not on the path", len(pool) - len(path) + 1)
    return [c.block.pem for c in path]


def validate_chain(leaf_pem: str | bytes, chain_pems: Iterable[str | bytes] | str | bytes) -> None:
    """Check that ``chain_pems`` (leaf's issuer first) certifies ``leaf_pem``.

    Each certificate must name the next one as issuer, match its key
    identifier, be signed by it, and the next one must be a CA. Validity
    dates are not checked. Raises :class:`ChainError` with the broken link.
    """
    certs = [_Cert(inputs.load_cert(leaf_pem))] + [_Cert(b) for b in _cert_blocks(chain_pems)]
    if len(certs) < 2:
        raise ChainError("the chain is empty; give at least the issuer of the leaf certificate")
    infos = backend().parse_certs([c.block for c in certs])
    for index in range(len(certs) - 1):
        child, parent = certs[index], certs[index + 1]
        where = f"certificate #{index} ({child.label}) and #{index + 1} ({parent.label})"
        if child.issuer != parent.subject:
            raise ChainError(f"{where}: issuer name does not match the next subject")
        if not infos[index + 1].is_ca:
            raise ChainError(f"{where}: the issuer is not a CA certificate")
        aki, ski = infos[index].authority_key_identifier, infos[index + 1].subject_key_identifier
        if aki and ski and aki != ski:
            raise ChainError(f"{where}: authority key identifier does not match the issuer")
        if not _signed_by(child, parent):
            raise ChainError(f"{where}: signature does not verify with the issuer's key")
