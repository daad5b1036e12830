"""Private keys and certificate requests: listings, uploads, focus pages, downloads, marking."""

from __future__ import annotations

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib import formats, presenters
from ...lib.db import certificate_requests, certificates, private_keys, queries
from ...lib.db.common import paginate
from ...model import CertificateRequest, PrivateKey
from ._base import download, instructions, page_number, read_field, see_other


class PrivateKeyViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.dbsession = request.dbsession

    @view_config(route_name="admin:private_keys", renderer="/admin/private_keys.mako")
    @view_config(route_name="admin:private_keys|json", renderer="json")
    def listing(self):
        query = sa.select(PrivateKey).order_by(PrivateKey.id.desc())
        if self.request.params.get("compromised") == "1":
            query = query.where(PrivateKey.is_compromised.is_(True))
        page = paginate(self.dbsession, query, page_number(self.request))
        return {
            "result": "success",
            "private_keys": [presenters.private_key(k) for k in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:private_key:upload", request_method="GET", renderer="/admin/private_key_upload.mako")
    @view_config(route_name="admin:private_key:upload|json", request_method="GET", renderer="json")
    def upload_form(self):
        return instructions(
            "POST a private key (RSA 2048/3072/4096 or EC P-256/P-384).",
            {"private_key_file": "required: the private key (PEM)"},
            "curl --form private_key_file=@privkey.pem ADMIN/private-key/upload.json",
        )

    def _upload(self) -> dict:
        key, created = private_keys.import_private_key(self.dbsession, read_field(self.request, "private_key_file"))
        return {"result": "success", "private_key": {**presenters.private_key(key), "created": created}}

    @view_config(route_name="admin:private_key:upload|json", request_method="POST", renderer="json")
    def upload_json(self):
        return self._upload()

    @view_config(route_name="admin:private_key:upload", request_method="POST")
    def upload_html(self):
        data = self._upload()
        return see_other(self.request, "admin:private_key:focus", "upload", id=data["private_key"]["id"])

    @view_config(route_name="admin:private_key:focus", renderer="/admin/private_key.mako")
    @view_config(route_name="admin:private_key:focus|json", renderer="json")
    def focus(self):
        key = self.context
        certs = self.dbsession.execute(
            certificates.certificates_query(private_key_id=key.id).limit(50)
        ).scalars().all()
        return {
            "result": "success",
            "private_key": presenters.private_key(key),
            "certificates_signed": [presenters.certificate_signed(c) for c in certs],
        }

    @view_config(route_name="admin:private_key:mark|json", request_method="GET", renderer="json")
    def mark_instructions(self):
        return instructions(
            "POST an action: compromised (permanent; flags every certificate using the key), active or inactive.",
            {"action": "compromised, active or inactive"},
        )

    def _mark(self) -> dict:
        action = self.request.POST.get("action", "")
        extra = private_keys.mark_private_key(self.dbsession, self.context, action)
        return {"result": "success", "operation": f"mark {action}",
                "private_key": presenters.private_key(self.context), **extra}

    @view_config(route_name="admin:private_key:mark|json", request_method="POST", renderer="json")
    def mark_json(self):
        return self._mark()

    @view_config(route_name="admin:private_key:mark", request_method="POST")
    def mark_html(self):
        result = self._mark()
        return see_other(self.request, "admin:private_key:focus", result["operation"], id=str(self.context.id))

    @view_config(route_name="admin:private_key:download")
    def download_file(self):
        filename = self.request.matchdict["filename"]
        body, content_type = formats.private_key(self.context.key_pem, formats.split_filename(filename)[1])
        return download(body, content_type, filename)

    # ---- certificate requests ----

    @view_config(route_name="admin:certificate_requests", renderer="/admin/certificate_requests.mako")
    @view_config(route_name="admin:certificate_requests|json", renderer="json")
    def csr_listing(self):
        query = sa.select(CertificateRequest).order_by(CertificateRequest.id.desc())
        page = paginate(self.dbsession, query, page_number(self.request))
        names = queries.domain_names_for_sets(self.dbsession, [c.unique_fqdn_set_id for c in page.items])
        return {
            "result": "success",
            "certificate_requests": [
                {**presenters.certificate_request(c), "domain_names": names.get(c.unique_fqdn_set_id, [])}
                for c in page.items
            ],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:certificate_request:upload", request_method="GET",
                 renderer="/admin/certificate_request_upload.mako")
    @view_config(route_name="admin:certificate_request:upload|json", request_method="GET", renderer="json")
    def csr_upload_form(self):
        return instructions(
            "POST a certificate signing request to track it.",
            {"csr_file": "required: the CSR (PEM)"},
            "curl --form csr_file=@request.csr ADMIN/certificate-request/upload.json",
        )

    def _csr_upload(self) -> dict:
        csr, created = certificate_requests.import_certificate_request(
            self.dbsession, read_field(self.request, "csr_file")
        )
        return {"result": "success", "certificate_request": {**presenters.certificate_request(csr), "created": created}}

    @view_config(route_name="admin:certificate_request:upload|json", request_method="POST", renderer="json")
    def csr_upload_json(self):
        return self._csr_upload()

    @view_config(route_name="admin:certificate_request:upload", request_method="POST")
    def csr_upload_html(self):
        data = self._csr_upload()
        return see_other(self.request, "admin:certificate_request:focus", "upload", id=data["certificate_request"]["id"])

    @view_config(route_name="admin:certificate_request:focus", renderer="/admin/certificate_request.mako")
    @view_config(route_name="admin:certificate_request:focus|json", renderer="json")
    def csr_focus(self):
        csr = self.context
        names = queries.domain_names_for_sets(self.dbsession, [csr.unique_fqdn_set_id])
        certs = self.dbsession.execute(
            sa.select(certificates.CertificateSigned)
            .where(certificates.CertificateSigned.certificate_request_id == csr.id)
            .order_by(certificates.CertificateSigned.id.desc())
        ).scalars().all()
        return {
            "result": "success",
            "certificate_request": presenters.certificate_request(csr),
            "domain_names": names.get(csr.unique_fqdn_set_id, []),
            "certificates_signed": [presenters.certificate_signed(c) for c in certs],
        }

    @view_config(route_name="admin:certificate_request:download")
    def csr_download(self):
        filename = self.request.matchdict["filename"]
        body, content_type = formats.certificate_request(self.context.csr_pem, formats.split_filename(filename)[1])
        return download(body, content_type, filename)
