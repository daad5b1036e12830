"""Certificate requests (CSRs): import and lookup."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import CertificateRequest, PrivateKey
from ...model.enums import CertificateRequestSource
from .. import cert_utils
from ..domain_names import parse_domain_names
from ..errors import InvalidRequest
from .common import get_or_create, log_operation
from .crypto_input import field_errors
from .domains import get_or_create_unique_fqdn_set


def import_certificate_request(
    dbsession: Session, csr_pem: str, *, field: str = "csr_file",
    source: CertificateRequestSource = CertificateRequestSource.IMPORTED,
    private_key_id: int | None = None,
) -> tuple[CertificateRequest, bool]:
    """Store a CSR (de-duplicated by its PEM), its names as a UniqueFQDNSet, its key if known."""
    with field_errors(field, "invalid certificate request"):
        pem = cert_utils.normalize_pem(csr_pem)
        info = cert_utils.parse_csr(pem)
    try:
        names = parse_domain_names(info.domain_names, field=field)
    except InvalidRequest as exc:
        raise InvalidRequest("the CSR names invalid domains", {field: exc.form_errors.get(field, exc.message)}) from None
    fqdn_set, _ = get_or_create_unique_fqdn_set(dbsession, names)
    if private_key_id is None:
        private_key_id = dbsession.execute(
            sa.select(PrivateKey.id).where(PrivateKey.spki_sha256 == info.spki_sha256)
        ).scalar_one_or_none()
    digest = hashlib.sha256(pem.encode("ascii")).hexdigest()

    def create() -> CertificateRequest:
        return CertificateRequest(
            csr_pem=pem, csr_pem_sha256=digest, spki_sha256=info.spki_sha256, source=source,
            private_key_id=private_key_id, unique_fqdn_set_id=fqdn_set.id,
        )

    csr, created = get_or_create(dbsession, CertificateRequest, {"csr_pem_sha256": digest}, create)
    if created:
        log_operation(
            dbsession, "CertificateRequest__insert", {"id": csr.id},
            [("CertificateRequest", csr.id, "insert")],
        )
    return csr, created
