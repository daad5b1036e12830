"""Rendering glue: the JSON renderer, the ``.json`` route predicate, the identifying header."""

from __future__ import annotations

import datetime
import decimal
import enum

from markupsafe import Markup, escape
from pyramid.csrf import get_csrf_token
from pyramid.events import BeforeRender, NewResponse
from pyramid.renderers import JSON

HEADER = "X-Peter-SSLers"


def is_json_request(request) -> bool:
    """A ``.json`` route (or path): errors and answers there are JSON documents."""
    route = getattr(request, "matched_route", None)
    if route is not None and route.name.endswith("|json"):
        return True
    return request.path.endswith(".json")


class JsonRoutePredicate:
    """View predicate ``json_route=True|False`` selecting views by the request's kind."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return f"json_route = {self.value}"

    phash = text

    def __call__(self, context, request):
        return is_json_request(request) == self.value


def _json_renderer() -> JSON:
    renderer = JSON(indent=None, sort_keys=False)
    renderer.add_adapter(datetime.datetime, lambda obj, request: obj.isoformat())
    renderer.add_adapter(datetime.date, lambda obj, request: obj.isoformat())
    renderer.add_adapter(decimal.Decimal, lambda obj, request: str(obj))
    renderer.add_adapter(enum.Enum, lambda obj, request: obj.value)
    return renderer


def add_identity_header(event) -> None:
    request = event.request
    environment = request.registry["app_settings"].peter_sslers_environment
    event.response.headers[HEADER] = environment


def fmt(value) -> str:
    """How a value reads on a page: dates in UTC, booleans as yes/no, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def csrf_input(request) -> Markup:
    """The hidden CSRF field every admin POST form carries."""
    token = get_csrf_token(request)
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(token)}">')


def add_template_globals(event) -> None:
    request = event.get("request")
    if request is None:
        return
    settings = request.registry["app_settings"]
    event.setdefault("admin_prefix", settings.admin_prefix)
    event.setdefault("environment", settings.peter_sslers_environment)
    event.setdefault("fmt", fmt)
    event.setdefault("csrf_input", lambda: csrf_input(request))


def render_error(request, error):
    """Answer ``error`` from a tween through the app's error views (JSON for .json paths, else HTML)."""
    try:
        return request.invoke_exception_view(exc_info=(type(error), error, None))
    except Exception:  # noqa: BLE001 - no view matched: the plain HTTP error
        return error


def form_body_tween_factory(handler, registry):
    """A POST body WebOb cannot parse (e.g. multipart without a boundary) is a 400, not a 500."""
    from pyramid.httpexceptions import HTTPBadRequest

    def tween(request):
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parse it now, where the error can be answered
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                return render_error(request, HTTPBadRequest(f"the request body could not be read as a form: {exc}"))
        return handler(request)

    return tween


def includeme(config) -> None:
    config.add_renderer("json", _json_renderer())
    config.add_view_predicate("json_route", JsonRoutePredicate)
    config.add_subscriber(add_identity_header, NewResponse)
    config.add_subscriber(add_template_globals, BeforeRender)
    config.add_tween("peter_sslers.views.rendering.form_body_tween_factory")
