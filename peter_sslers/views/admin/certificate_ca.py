"""CA certificates, CA chains and the CA preference list that picks default chains."""

from __future__ import annotations

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib import formats, presenters, redis_sync
from ...lib.db import certificate_cas
from ...lib.db.common import paginate
from ...lib.errors import InvalidRequest, is_id
from ...model import (
    CertificateCA,
    CertificateCAChain,
    CertificateCAChainItem,
    CertificateSignedChain,
)
from ._base import download, instructions, page_number, read_field, see_other
from .redis_nginx import sync_after_commit


class CertificateCAViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.dbsession = request.dbsession

    @view_config(route_name="admin:certificate_cas", renderer="/admin/certificate_cas.mako")
    @view_config(route_name="admin:certificate_cas|json", renderer="json")
    def listing(self):
        query = sa.select(CertificateCA).order_by(CertificateCA.id.desc())
        page = paginate(self.dbsession, query, page_number(self.request))
        return {
            "result": "success",
            "certificate_cas": [presenters.certificate_ca(c) for c in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:certificate_ca:upload_cert", request_method="GET",
                 renderer="/admin/certificate_ca_upload.mako")
    @view_config(route_name="admin:certificate_ca:upload_cert|json", request_method="GET", renderer="json")
    def upload_form(self):
        return instructions(
            "POST one root or intermediate certificate.",
            {"certificate_file": "required: the CA certificate (PEM)"},
            "curl --form certificate_file=@isrgrootx1.pem ADMIN/certificate-ca/upload-cert.json",
        )

    def _upload(self) -> dict:
        ca, created = certificate_cas.import_certificate_ca(
            self.dbsession, read_field(self.request, "certificate_file")
        )
        return {"result": "success", "certificate_ca": {**presenters.certificate_ca(ca), "created": created}}

    @view_config(route_name="admin:certificate_ca:upload_cert|json", request_method="POST", renderer="json")
    def upload_json(self):
        return self._upload()

    @view_config(route_name="admin:certificate_ca:upload_cert", request_method="POST")
    def upload_html(self):
        data = self._upload()
        return see_other(self.request, "admin:certificate_ca:focus", "upload", id=data["certificate_ca"]["id"])

    @view_config(route_name="admin:certificate_ca:focus", renderer="/admin/certificate_ca.mako")
    @view_config(route_name="admin:certificate_ca:focus|json", renderer="json")
    def focus(self):
        ca = self.context
        chains = self.dbsession.execute(
            sa.select(CertificateCAChain)
            .where(CertificateCAChain.id.in_(
                sa.select(CertificateCAChainItem.certificate_ca_chain_id)
                .where(CertificateCAChainItem.certificate_ca_id == ca.id)
            ))
            .order_by(CertificateCAChain.id.desc())
            .limit(50)
        ).scalars().all()
        preferred = [p.certificate_ca_id for p in certificate_cas.preference_list(self.dbsession)]
        return {
            "result": "success",
            "certificate_ca": presenters.certificate_ca(ca),
            "certificate_ca_chains": [presenters.certificate_ca_chain(c) for c in chains],
            "preference_slot": preferred.index(ca.id) + 1 if ca.id in preferred else None,
        }

    @view_config(route_name="admin:certificate_ca:download")
    def download_file(self):
        filename = self.request.matchdict["filename"]
        _, suffix = formats.split_filename(filename)
        body, content_type = formats.certificate(self.context.cert_pem, suffix, ca=True)
        return download(body, content_type, filename)

    # ---- preferences ----

    def _preferences(self) -> dict:
        prefs = certificate_cas.preference_list(self.dbsession)
        return {
            "result": "success",
            "preferences": [
                {"slot": p.slot, "certificate_ca": presenters.certificate_ca(p.certificate_ca)} for p in prefs
            ],
        }

    @view_config(route_name="admin:certificate_ca:preferences", request_method="GET",
                 renderer="/admin/certificate_ca_preferences.mako")
    @view_config(route_name="admin:certificate_ca:preferences|json", request_method="GET", renderer="json")
    def preferences(self):
        data = self._preferences()
        data["instructions"] = (
            "POST action=add|delete|up|down with certificate_ca_id (or fingerprint_sha1) to edit the list; "
            "the first preferred CA found in a certificate's chains picks its default chain."
        )
        return data

    def _edit(self) -> dict:
        action = self.request.POST.get("action", "")
        ca_id = self.request.POST.get("certificate_ca_id", "")
        fingerprint = self.request.POST.get("fingerprint_sha1", "").strip().lower().replace(":", "")
        if fingerprint and not ca_id:
            ca_id = str(self.dbsession.execute(
                sa.select(CertificateCA.id).where(CertificateCA.fingerprint_sha1 == fingerprint)
            ).scalar_one_or_none() or "")
        if not is_id(ca_id):
            raise InvalidRequest("name a CertificateCA", {"certificate_ca_id": "an id (or give fingerprint_sha1)"})
        before = [p.certificate_ca_id for p in certificate_cas.preference_list(self.dbsession)]
        after = certificate_cas.edit_preferences(self.dbsession, action, int(ca_id))
        # the default chains may change: rewrite the Redis keys embedding them (d1: "i", d2: "f")
        sync = sync_after_commit(
            self.request, lambda session: redis_sync.domains_with_new_default_chain(session, before, after),
            operation=f"CertificateCAPreference__edit__{action}",
        )
        return {**self._preferences(), "operation": f"preference {action}", **sync}

    @view_config(route_name="admin:certificate_ca:preferences|json", request_method="POST", renderer="json")
    def edit_json(self):
        return self._edit()

    @view_config(route_name="admin:certificate_ca:preferences", request_method="POST")
    def edit_html(self):
        data = self._edit()
        return see_other(self.request, "admin:certificate_ca:preferences", data["operation"])

    # ---- chains ----

    @view_config(route_name="admin:certificate_ca_chains", renderer="/admin/certificate_ca_chains.mako")
    @view_config(route_name="admin:certificate_ca_chains|json", renderer="json")
    def chains(self):
        query = sa.select(CertificateCAChain).order_by(CertificateCAChain.id.desc())
        page = paginate(self.dbsession, query, page_number(self.request))
        return {
            "result": "success",
            "certificate_ca_chains": [presenters.certificate_ca_chain(c) for c in page.items],
            "pagination": page.as_json(),
        }

    @view_config(route_name="admin:certificate_ca_chain:upload_chain", request_method="GET",
                 renderer="/admin/certificate_ca_chain_upload.mako")
    @view_config(route_name="admin:certificate_ca_chain:upload_chain|json", request_method="GET", renderer="json")
    def chain_upload_form(self):
        return instructions(
            "POST a chain of CA certificates, the one nearest the leaf first.",
            {"chain_file": "required: the intermediate certificates (PEM bundle)"},
            "curl --form chain_file=@chain.pem ADMIN/certificate-ca-chain/upload-chain.json",
        )

    def _chain_upload(self) -> dict:
        chain, created = certificate_cas.import_certificate_ca_chain(
            self.dbsession, read_field(self.request, "chain_file")
        )
        return {"result": "success", "certificate_ca_chain": {**presenters.certificate_ca_chain(chain), "created": created}}

    @view_config(route_name="admin:certificate_ca_chain:upload_chain|json", request_method="POST", renderer="json")
    def chain_upload_json(self):
        return self._chain_upload()

    @view_config(route_name="admin:certificate_ca_chain:upload_chain", request_method="POST")
    def chain_upload_html(self):
        data = self._chain_upload()
        return see_other(
            self.request, "admin:certificate_ca_chain:focus", "upload", id=data["certificate_ca_chain"]["id"]
        )

    @view_config(route_name="admin:certificate_ca_chain:focus", renderer="/admin/certificate_ca_chain.mako")
    @view_config(route_name="admin:certificate_ca_chain:focus|json", renderer="json")
    def chain_focus(self):
        chain = self.context
        cas = [item.certificate_ca for item in chain.items]
        count = self.dbsession.execute(
            sa.select(sa.func.count()).select_from(CertificateSignedChain)
            .where(CertificateSignedChain.certificate_ca_chain_id == chain.id)
        ).scalar_one()
        return {
            "result": "success",
            "certificate_ca_chain": presenters.certificate_ca_chain(chain),
            "certificate_cas": [presenters.certificate_ca(c) for c in cas],
            "count_certificates_signed": count,
        }

    @view_config(route_name="admin:certificate_ca_chain:download")
    def chain_download(self):
        filename = self.request.matchdict["filename"]
        _, suffix = formats.split_filename(filename)
        body, content_type = formats.pem_bundle(self.context.chain_pem, suffix)
        return download(body, content_type, filename)
