"""The API's own documentation: an index of every JSON route, and an OpenAPI document."""

from __future__ import annotations

from pyramid.view import view_config

from ... import __version__
from ...lib import openapi

DESCRIPTION = (
    "Every admin page has a `.json` twin. POST-only routes answer GET with instructions "
    "(`form_fields`); errors are `{result: error, status, error, form_errors}` with a 4xx status."
)


def _urls(request) -> tuple[str, str]:
    base = request.application_url
    return base, base + request.app_settings.admin_prefix


@view_config(route_name="admin:api", renderer="/admin/api_index.mako")
@view_config(route_name="admin:api|json", renderer="json")
def api_index(request):
    base, admin_url = _urls(request)
    docs = openapi.route_docs(request.registry)
    routes = [d.as_json(base, admin_url) for d in docs if d.kind == "json"]
    return {
        "result": "success",
        "openapi": request.route_url("admin:api:openapi|json"),
        "count": len(routes),
        "routes": routes,
        "file_routes": [d.as_json(base, admin_url) for d in docs if d.kind == "file"],
    }


@view_config(route_name="admin:api:openapi|json", renderer="json")
def openapi_document(request):
    return openapi.openapi_document(
        request.registry,
        title="peter_sslers admin API",
        version=__version__,
        description=DESCRIPTION,
    )
