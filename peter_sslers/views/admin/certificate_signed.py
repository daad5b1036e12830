"""Signed certificates: listings by state, upload, focus, marking, downloads and payloads."""

from __future__ import annotations

import io
import zipfile

import sqlalchemy as sa
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ...lib import cert_utils, formats, presenters, redis_sync
from ...lib.db import certificate_cas, certificates, config_payloads, queries
from ...lib.db.common import paginate
from ...lib.errors import InvalidRequest
from ...model import CertificateCA, CertificateCAChain
from ._base import download, instructions, optional_int, page_number, read_field, see_other
from .redis_nginx import sync_after_commit

UPLOAD_FIELDS = {
    "private_key_file": "required: the certificate's private key (PEM)",
    "certificate_file": "required: the certificate (PEM)",
    "chain_file": "optional: the intermediate certificate(s), issuer of the certificate first (PEM)",
}


class CertificateSignedViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.dbsession = request.dbsession

    @view_config(route_name="admin:certificate_signeds", renderer="/admin/certificate_signeds.mako")
    @view_config(route_name="admin:certificate_signeds|json", renderer="json")
    def listing(self):
        state = self.request.params.get("state", "all")
        days = optional_int(self.request.params, "days") or 30
        if days > 3650:
            raise InvalidRequest("invalid days", {"days": "1 to 3650"})
        query = certificates.certificates_query(
            state, days=days, domain_id=optional_int(self.request.params, "domain_id"),
            unique_fqdn_set_id=optional_int(self.request.params, "unique_fqdn_set_id"),
            private_key_id=optional_int(self.request.params, "private_key_id"),
        )
        page = paginate(self.dbsession, query, page_number(self.request))
        return {
            "result": "success",
            "state": state,
            "days": days,
            "certificates_signed": [presenters.certificate_signed(c) for c in page.items],
            "pagination": page.as_json(),
        }

    # ---- upload ----

    @view_config(route_name="admin:certificate_signed:upload", request_method="GET",
                 renderer="/admin/certificate_signed_upload.mako")
    @view_config(route_name="admin:certificate_signed:upload|json", request_method="GET", renderer="json")
    def upload_form(self):
        return instructions(
            "POST the certificate, its private key and its chain as multipart form fields.",
            UPLOAD_FIELDS,
            "curl --form private_key_file=@privkey1.pem --form certificate_file=@cert1.pem "
            "--form chain_file=@chain1.pem ADMIN/certificate-signed/upload.json",
        )

    def _upload(self) -> dict:
        result = certificates.import_certificate_signed(
            self.dbsession,
            read_field(self.request, "certificate_file"),
            read_field(self.request, "private_key_file"),
            read_field(self.request, "chain_file", required=False),
            renewal=certificates.RenewalPolicy.from_settings(self.request.app_settings),
        )
        cert = result.certificate
        redis = None
        if result.created:
            redis = redis_sync.write_through_set(self.dbsession, self.request.app_settings, cert.unique_fqdn_set_id,
                                                 operation="CertificateSigned__upload")  # fmt: skip
        return {
            "result": "success",
            "certificate_signed": {**presenters.certificate_signed(cert), "created": result.created},
            "private_key": {"id": str(cert.private_key_id), "created": result.private_key_created},
            "certificate_ca_chain_id": presenters.sid(result.chain_id),
            "warnings": result.warnings,
            **({"redis": redis} if redis is not None else {}),
        }

    @view_config(route_name="admin:certificate_signed:upload|json", request_method="POST", renderer="json")
    def upload_json(self):
        return self._upload()

    @view_config(route_name="admin:certificate_signed:upload", request_method="POST")
    def upload_html(self):
        data = self._upload()
        operation = "upload" if data["certificate_signed"]["created"] else "upload (already present)"
        return see_other(self.request, "admin:certificate_signed:focus", operation, id=data["certificate_signed"]["id"])

    # ---- focus ----

    def _chains(self) -> list[dict]:
        cert = self.context
        preferred = [p.certificate_ca_id for p in certificate_cas.preference_list(self.dbsession)]
        links = certificate_cas.chains_for(self.dbsession, [cert.id]).get(cert.id, [])
        default = certificate_cas.pick_default_chain(links, preferred)
        ca_ids = {ca_id for _, ids in links for ca_id in ids}
        sha1 = dict(
            self.dbsession.execute(
                sa.select(CertificateCA.id, CertificateCA.fingerprint_sha1).where(CertificateCA.id.in_(ca_ids))
            ).all()
        ) if ca_ids else {}
        names = dict(
            self.dbsession.execute(
                sa.select(CertificateCAChain.id, CertificateCAChain.display_name).where(
                    CertificateCAChain.id.in_([link.certificate_ca_chain_id for link, _ in links])
                )
            ).all()
        ) if links else {}
        return [
            {
                "certificate_ca_chain_id": str(link.certificate_ca_chain_id),
                "display_name": names.get(link.certificate_ca_chain_id),
                "is_upstream_default": link.is_upstream_default,
                "is_default": default is link,
                "certificate_cas": [{"id": str(i), "fingerprint_sha1": sha1.get(i)} for i in ids],
            }
            for link, ids in links
        ]

    @view_config(route_name="admin:certificate_signed:focus", renderer="/admin/certificate_signed.mako")
    @view_config(route_name="admin:certificate_signed:focus|json", renderer="json")
    def focus(self):
        cert = self.context
        names = queries.domain_names_for_sets(self.dbsession, [cert.unique_fqdn_set_id])
        order = queries.order_for_certificate(self.dbsession, cert.id)
        return {
            "result": "success",
            "certificate_signed": presenters.certificate_signed(cert),
            "domain_names": names.get(cert.unique_fqdn_set_id, []),
            "certificate_ca_chains": self._chains(),
            "acme_order_id": presenters.sid(order.id if order else None),
            "private_key": presenters.private_key(cert.private_key),
        }

    # ---- mark ----

    @view_config(route_name="admin:certificate_signed:mark|json", request_method="GET", renderer="json")
    def mark_instructions(self):
        return instructions(
            "POST an action: active, inactive (reversible) or revoked (permanent).",
            {"action": "active, inactive or revoked"},
        )

    def _mark(self) -> dict:
        """Once the mark is committed, its domains are written through to Redis and expired
        on the nginx servers (``"redis"`` and ``"nginx"`` in the answer when configured)."""
        action = self.request.POST.get("action", "")
        cert = self.context
        certificates.mark_certificate(self.dbsession, cert, action)
        set_id = cert.unique_fqdn_set_id
        sync = sync_after_commit(
            self.request, lambda session: queries.domain_ids_for_sets(session, [set_id]),
            operation=f"CertificateSigned__mark__{action}", expire_nginx=True,
            objects=[("CertificateSigned", cert.id, action)],
        )
        return {"result": "success", "operation": f"mark {action}",
                "certificate_signed": presenters.certificate_signed(cert), **sync}

    @view_config(route_name="admin:certificate_signed:mark|json", request_method="POST", renderer="json")
    def mark_json(self):
        return self._mark()

    @view_config(route_name="admin:certificate_signed:mark", request_method="POST")
    def mark_html(self):
        result = self._mark()
        return see_other(self.request, "admin:certificate_signed:focus", result["operation"], id=str(self.context.id))

    # ---- payloads and downloads ----

    @view_config(route_name="admin:certificate_signed:config|json", renderer="json")
    def config(self):
        idonly = self.request.params.get("idonly") == "1"
        return config_payloads.certificate_config(self.dbsession, self.context, idonly=idonly)

    def _parts(self, chain_id: int | None = None) -> dict[str, str]:
        payload = config_payloads.certificate_config(self.dbsession, self.context, chain_id=chain_id)
        return {
            "cert": payload["certificate"]["pem"],
            "chain": payload["chain"]["pem"],
            "fullchain": payload["fullchain"]["pem"],
            "privkey": payload["private_key"]["pem"],
        }

    @view_config(route_name="admin:certificate_signed:download")
    def download_file(self):
        filename = self.request.matchdict["filename"]
        stem, suffix = formats.split_filename(filename)
        parts = self._parts()
        if stem == "cert":
            body, content_type = formats.certificate(parts["cert"], suffix)
        elif stem == "privkey":
            if suffix not in ("pem", "pem.txt", "key"):
                raise HTTPNotFound(f"no {filename}")
            body, content_type = formats.private_key(parts["privkey"], suffix)
        else:
            if suffix in ("cer", "crt", "der"):
                body, content_type = self._chain_der(parts[stem], stem, suffix)
            elif suffix in ("pem", "pem.txt"):
                body, content_type = formats.pem_bundle(parts[stem], suffix)
            else:
                raise HTTPNotFound(f"no {filename}")
        return download(body, content_type, filename)

    def _chain_der(self, pem: str, stem: str, suffix: str):
        """chain.{cer,crt,der}: DER holds one certificate, so only a one-certificate chain fits."""
        pems = cert_utils.split_pem_bundle(pem) if pem else []
        if stem != "chain" or len(pems) != 1:
            raise InvalidRequest(
                f"{stem}.{suffix} needs a chain of exactly one certificate; this one has {len(pems)}: use {stem}.pem"
            )
        return formats.certificate(pems[0], suffix, ca=True)

    @view_config(route_name="admin:certificate_signed:download_via_chain")
    def download_via_chain(self):
        chain_id = int(self.request.matchdict["chain_id"])
        links = certificate_cas.chains_for(self.dbsession, [self.context.id]).get(self.context.id, [])
        if chain_id not in {link.certificate_ca_chain_id for link, _ in links}:
            raise HTTPNotFound("this chain is not one of the certificate's chains")
        filename = self.request.matchdict["filename"]
        stem, suffix = formats.split_filename(filename)
        body, content_type = formats.pem_bundle(self._parts(chain_id)[stem], suffix)
        return download(body, content_type, filename)

    @view_config(route_name="admin:certificate_signed:config_zip")
    def config_zip(self):
        parts = self._parts()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for stem in ("cert", "chain", "fullchain", "privkey"):
                info = zipfile.ZipInfo(f"{stem}.pem", date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = 0o600 << 16
                archive.writestr(info, parts[stem])
        return download(buffer.getvalue(), "application/zip", f"certificate-{self.context.id}.zip")

    @view_config(route_name="admin:certificate_signed:p12")
    def p12(self):
        parts = self._parts()
        chain = cert_utils.split_pem_bundle(parts["chain"]) if parts["chain"] else []
        body = cert_utils.export_pkcs12(parts["privkey"], parts["cert"], chain)
        return download(body, "application/x-pkcs12", f"certificate-{self.context.id}.p12")
