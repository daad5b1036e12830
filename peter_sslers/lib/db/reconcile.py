"""CA reconciliation: fetch each CA certificate's AIA issuer and enrol what comes back."""

from __future__ import annotations

import logging
import urllib.parse

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import CertificateCA
from ...model.meta import utcnow
from .. import cert_utils
from ..errors import InvalidRequest
from .certificate_cas import import_certificate_ca
from .common import log_operation

log = logging.getLogger(__name__)
MAX_DOWNLOAD_BYTES = 256 * 1024
MAX_ROUNDS = 5  # issuers of issuers: a chain is never deeper than this in practice


def _download(session: requests.Session, uri: str, timeout: float) -> str:
    """The certificate at ``uri`` as PEM (AIA answers are usually DER, sometimes PEM)."""
    with session.get(uri, timeout=timeout, stream=True) as response:
        response.raise_for_status()
        body = response.raw.read(MAX_DOWNLOAD_BYTES + 1, decode_content=True)
    if len(body) > MAX_DOWNLOAD_BYTES:
        raise ValueError("answer larger than 256 KiB")
    if body.lstrip().startswith(b"-----BEGIN"):
        return cert_utils.normalize_pem(body.decode("ascii", "replace"))
    return cert_utils.cert_der_to_pem(body)


def reconcile_one(dbsession: Session, ca: CertificateCA, session: requests.Session, timeout: float) -> dict:
    """Fetch one CA's issuer; record the outcome on the CA either way."""
    uri = ca.cert_issuer_uri
    outcome = {"certificate_ca_id": str(ca.id), "uri": uri}
    try:
        if urllib.parse.urlsplit(uri).scheme not in ("http", "https"):
            raise ValueError("only http and https issuer URIs are fetched")
        pem = _download(session, uri, timeout)
        if not cert_utils.cert_signed_by(ca.cert_pem, pem):
            raise ValueError("the downloaded certificate did not sign this CA certificate")
        issuer, created = import_certificate_ca(dbsession, pem, field="uri")
    except (requests.RequestException, ValueError, cert_utils.CryptoError, InvalidRequest) as exc:
        ca.cert_issuer__reconciled = False
        ca.timestamp_reconciled = utcnow()
        outcome.update(result="error", error=str(getattr(exc, "message", exc))[:500])
        log.info("reconcile CertificateCA %s from %s failed: %s", ca.id, uri, outcome["error"])
        return outcome
    ca.cert_issuer__reconciled = True
    ca.cert_issuer__certificate_ca_id = issuer.id
    ca.timestamp_reconciled = utcnow()
    uris = set(filter(None, (issuer.reconciled_uris or "").split("\n")))
    uris.add(uri)
    issuer.reconciled_uris = "\n".join(sorted(uris))
    outcome.update(result="success", issuer_certificate_ca_id=str(issuer.id), issuer_created=created)
    return outcome


def reconcile_cas(dbsession: Session, *, timeout: float = 10.0, ca_bundle: str | bool = True) -> dict:
    """Reconcile every CA with an issuer URI not yet reconciled, following new issuers too."""
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_bundle
    results = []
    tried: set[int] = set()
    for _ in range(MAX_ROUNDS):
        pending = list(
            dbsession.execute(
                sa.select(CertificateCA).where(
                    CertificateCA.cert_issuer_uri.is_not(None),
                    CertificateCA.is_self_signed.is_(False),
                    sa.or_(CertificateCA.cert_issuer__reconciled.is_(None),
                           CertificateCA.cert_issuer__reconciled.is_(False)),
                    CertificateCA.id.not_in(tried) if tried else sa.true(),
                )
            ).scalars()
        )
        if not pending:
            break
        for ca in pending:
            tried.add(ca.id)
            results.append(reconcile_one(dbsession, ca, session, timeout))
        dbsession.flush()
    summary = {
        "reconciled": sum(1 for r in results if r["result"] == "success"),
        "failed": sum(1 for r in results if r["result"] == "error"),
        "results": results,
    }
    log_operation(dbsession, "CertificateCA__reconcile", {k: summary[k] for k in ("reconciled", "failed")})
    return summary
