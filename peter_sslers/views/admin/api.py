"""Store-wide operations (update-recents, deactivate-expired, reconcile-cas) and search."""

from __future__ import annotations

from pyramid.view import view_config

from ...lib import presenters
from ...lib.db import recents, reconcile
from ...lib.db.search import search
from ._base import instructions
from .redis_nginx import sync_after_commit

OPERATIONS = {
    "admin:api:update_recents": (
        "update-recents",
        "Cache each domain's latest single- and multi-name certificate on the domain (one set-based update).",
    ),
    "admin:api:deactivate_expired": (
        "deactivate-expired",
        "Deactivate expired certificates, except those still the latest for some domain.",
    ),
    "admin:api:reconcile_cas": (
        "reconcile-cas",
        "Download the issuer (AIA) of every CA certificate that names one, and enrol what comes back.",
    ),
}


def _route_base(request) -> str:
    return request.matched_route.name.removesuffix("|json")


def _run(request) -> dict:
    name = _route_base(request)
    if name == "admin:api:update_recents":
        change = recents.update_recents_changed(request.dbsession)
        sync = sync_after_commit(request, change.domain_ids, operation="Domain__update_recents")
        return {"domains_updated": change.count, **sync}
    if name == "admin:api:deactivate_expired":
        change = recents.deactivate_expired_changed(request.dbsession)
        sync = sync_after_commit(request, change.domain_ids, operation="CertificateSigned__deactivate_expired")
        return {"certificates_deactivated": change.count, **sync}
    return reconcile.reconcile_cas(request.dbsession, timeout=10.0)


@view_config(route_name="admin:api:update_recents", request_method="GET", renderer="/admin/api_operation.mako")
@view_config(route_name="admin:api:update_recents|json", request_method="GET", renderer="json")
@view_config(route_name="admin:api:deactivate_expired", request_method="GET", renderer="/admin/api_operation.mako")
@view_config(route_name="admin:api:deactivate_expired|json", request_method="GET", renderer="json")
@view_config(route_name="admin:api:reconcile_cas", request_method="GET", renderer="/admin/api_operation.mako")
@view_config(route_name="admin:api:reconcile_cas|json", request_method="GET", renderer="json")
def operation_form(request):
    operation, purpose = OPERATIONS[_route_base(request)]
    data = instructions(f"POST to run: {purpose}", {})
    data["operation"] = operation
    return data


@view_config(route_name="admin:api:update_recents|json", request_method="POST", renderer="json")
@view_config(route_name="admin:api:deactivate_expired|json", request_method="POST", renderer="json")
@view_config(route_name="admin:api:reconcile_cas|json", request_method="POST", renderer="json")
@view_config(route_name="admin:api:update_recents", request_method="POST", renderer="/admin/api_operation.mako")
@view_config(route_name="admin:api:deactivate_expired", request_method="POST", renderer="/admin/api_operation.mako")
@view_config(route_name="admin:api:reconcile_cas", request_method="POST", renderer="/admin/api_operation.mako")
def operation_run(request):
    operation, purpose = OPERATIONS[_route_base(request)]
    return {"result": "success", "operation": operation, "instructions": purpose, **_run(request)}


@view_config(route_name="admin:search", renderer="/admin/search.mako")
@view_config(route_name="admin:search|json", renderer="json")
def search_view(request):
    query = request.params.get("q", "")
    if not query.strip():
        return {"result": "instructions", "q": "", "instructions": "GET ?q= a domain (or prefix*), serial, fingerprint or SPKI"}
    found = search(request.dbsession, query)
    return {
        "result": "success",
        "q": query,
        "domains": [presenters.domain(d) for d in found["domains"]],
        "certificates_signed": [presenters.certificate_signed(c) for c in found["certificates_signed"]],
        "private_keys": [presenters.private_key(k) for k in found["private_keys"]],
        "certificate_cas": [presenters.certificate_ca(c) for c in found["certificate_cas"]],
    }
