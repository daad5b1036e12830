"""Error views: an HTML page for pages, ``{"result": "error", ...}`` for ``.json`` routes."""

from __future__ import annotations

import logging

from pyramid.httpexceptions import HTTPError
from pyramid.view import exception_view_config

from ..lib.acme_v2 import errors as acme_errors
from ..lib.errors import InvalidRequest, PeterSSLersError

log = logging.getLogger(__name__)


def _body(status: int, error: str, form_errors: dict | None = None) -> dict:
    return {"result": "error", "status": status, "error": error, "form_errors": form_errors or {}}


def _http_error_message(exc: HTTPError) -> str:
    if exc.detail:
        return str(exc.detail)
    return exc.title


@exception_view_config(HTTPError, json_route=True, renderer="json")
@exception_view_config(HTTPError, json_route=False, renderer="/error.mako")
def http_error(exc, request):
    request.response.status_int = exc.code
    for name in ("Allow", "WWW-Authenticate", "Retry-After"):
        if name in exc.headers:
            request.response.headers[name] = exc.headers[name]
    return _body(exc.code, _http_error_message(exc))


@exception_view_config(InvalidRequest, json_route=True, renderer="json")
@exception_view_config(InvalidRequest, json_route=False, renderer="/error.mako")
def invalid_request(exc, request):
    request.response.status_int = exc.status
    return _body(exc.status, exc.message, exc.form_errors)


@exception_view_config(PeterSSLersError, json_route=True, renderer="json")
@exception_view_config(PeterSSLersError, json_route=False, renderer="/error.mako")
def application_error(exc, request):
    """An operation that could not go on (a DNS provider refused, manual DNS records needed...)."""
    body = _body(409, str(exc))
    records = getattr(exc, "records", None)
    if records:
        body["dns_records"] = [{"name": name, "type": "TXT", "value": value} for name, value in records]
        body["form_errors"] = {"dns_records_confirmed": "create these TXT records, then send 1 here"}
    request.response.status_int = 409
    return body


@exception_view_config(acme_errors.AcmeError, json_route=True, renderer="json")
@exception_view_config(acme_errors.AcmeError, json_route=False, renderer="/error.mako")
def acme_error(exc, request):
    """The ACME server refused or failed: say what it said; the request changed nothing."""
    status = 409
    body = _body(status, f"ACME server: {exc}")
    if isinstance(exc, acme_errors.AcmeProblem):
        body["acme_problem"] = {"type": exc.type, "detail": exc.detail, "status": exc.status}
        if isinstance(exc, acme_errors.RateLimited):
            status = body["status"] = 429
            if exc.retry_after:
                request.response.headers["Retry-After"] = str(int(exc.retry_after))
    log.info("ACME error on %s %s: %s", request.method, request.path, exc)
    request.response.status_int = status
    return body


@exception_view_config(Exception, json_route=True, renderer="json")
@exception_view_config(Exception, json_route=False, renderer="/error.mako")
def server_error(exc, request):
    log.exception("unhandled error on %s %s", request.method, request.path)
    request.response.status_int = 500
    return _body(500, "internal server error; the details are in the server log")
