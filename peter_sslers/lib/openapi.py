"""What the admin JSON API offers, found by introspecting the running application.

The route mapper gives every ``|json`` route (and the file downloads); Pyramid's introspector
gives the views behind them and their request methods; the GET view of each POST route answers
its own instructions (``form_fields``), which are asked once, in-process, and cached on the
registry. View modules need not know about this module.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterable

from pyramid.interfaces import IRequestFactory, IRoutesMapper
from pyramid.request import Request, apply_request_extensions
from pyramid.threadlocal import manager

log = logging.getLogger(__name__)

JSON_SUFFIX = "|json"
OPENAPI_ROUTE = "admin:api:openapi|json"
CACHE_KEY = "peter_sslers.lib.openapi.route_docs"
FILE_FIELD = re.compile(r"_(file|json)$")
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_ENUM = 64

# Query parameters the listing and payload views read (request.params), by route.
PAGE = {"page": "page number, from 1"}
QUERY_PARAMETERS: dict[str, dict[str, str]] = {
    "admin:search|json": {"q": "a domain name (or prefix*), serial, fingerprint or SPKI hash"},
    "admin:domains|json": {**PAGE, "active": "1: only active domains, 0: only inactive"},
    "admin:domain:config|json": {"idonly": "1: ids only, no PEM text"},
    "admin:certificate_signed:config|json": {"idonly": "1: ids only, no PEM text"},
    "admin:certificate_signeds|json": {
        **PAGE,
        "state": "all, active, expiring, expired or inactive",
        "days": "with state=expiring: the window in days (default 30)",
        "domain_id": "only certificates naming this domain",
        "unique_fqdn_set_id": "only certificates of this set",
        "private_key_id": "only certificates of this key",
    },
    "admin:private_keys|json": {**PAGE, "compromised": "1: only compromised keys"},
    "admin:acme_orders|json": {
        **PAGE,
        "state": "all, active or finished",
        "acme_account_id": "only this account's orders",
    },
    "admin:acme_authorizations|json": {**PAGE, "status": "only authorizations in this status"},
    "admin:acme_event_logs|json": {
        **PAGE,
        "acme_server_id": "filter by id",
        "acme_account_id": "filter by id",
        "acme_order_id": "filter by id",
        "acme_authorization_id": "filter by id",
        "acme_challenge_id": "filter by id",
        "acme_event": "only this event type",
        "result": "success or failure",
    },
    "admin:operations_events|json": {**PAGE, "event_type": "only this event type"},
}
for _name in (
    "unique_fqdn_sets",
    "certificate_cas",
    "certificate_ca_chains",
    "certificate_requests",
    "acme_accounts",
    "acme_account_keys",
    "acme_challenges",
    "acme_flows",
):
    QUERY_PARAMETERS.setdefault(f"admin:{_name}|json", dict(PAGE))


@dataclasses.dataclass(frozen=True)
class PathParameter:
    name: str
    type: str  # "integer" or "string"
    enum: tuple[str, ...] | None = None
    pattern: str | None = None  # the route's regex, when it is neither \d+ nor a finite set

    def schema(self) -> dict:
        if self.type == "integer":
            return {"type": "integer", "minimum": 0}
        if self.enum:
            return {"type": "string", "enum": list(self.enum)}
        schema: dict = {"type": "string", "minLength": 1}
        if self.pattern:
            schema["pattern"] = f"^(?:{self.pattern})$"
        return schema

    def sample(self) -> str:
        if self.type == "integer":
            return "1"
        if self.enum:
            return self.enum[0]
        return "example.com" if self.name == "domain" else self.name.upper()


@dataclasses.dataclass
class RouteDoc:
    name: str
    pattern: str  # Pyramid's pattern, with a leading slash
    path: str  # the OpenAPI path template
    kind: str  # "json" or "file"
    methods: tuple[str, ...]
    path_parameters: tuple[PathParameter, ...]
    query_parameters: dict[str, str]
    area: str = ""
    instructions: str | None = None
    form_fields: dict[str, str] = dataclasses.field(default_factory=dict)
    example: str | None = None

    def sample_path(self) -> str:
        path = self.path
        for param in self.path_parameters:
            path = path.replace("{" + param.name + "}", param.sample())
        return path

    def example_for(self, base_url: str, admin_url: str) -> str:
        """A curl line for POST routes, the URL to GET otherwise."""
        url = base_url + self.sample_path()
        if "POST" not in self.methods:
            return url
        if self.example:
            return self.example.replace("ADMIN", admin_url)
        if not self.form_fields:
            return f"curl -X POST {url}"
        parts = ["curl"]
        for field in self.form_fields:
            found = FILE_FIELD.search(field)
            value = (
                f"@{field[: found.start()]}.{'pem' if found.group(1) == 'file' else 'json'}"
                if found
                else "..."
            )
            parts.append(f"--form {field}={value}")
        return " ".join(parts + [url])

    def as_json(self, base_url: str, admin_url: str) -> dict:
        return {
            "name": self.name,
            "pattern": self.pattern,
            "path": self.path,
            "area": self.area,
            "kind": self.kind,
            "methods": list(self.methods),
            "path_parameters": [
                {"name": p.name, "type": p.type, **({"enum": list(p.enum)} if p.enum else {})}
                for p in self.path_parameters
            ],
            "query_parameters": self.query_parameters,
            "instructions": self.instructions,
            "form_fields": self.form_fields,
            "example": self.example_for(base_url, admin_url),
        }


# ---- Pyramid patterns ----


def split_pattern(pattern: str) -> list[tuple[str, str | None, str | None]]:
    """``/a/{id:\\d+}.json`` -> [("literal", "/a/", None), ("param", "id", r"\\d+"), ...].

    Returned as (kind, text_or_name, regex) triples; braces inside a regex are balanced.
    """
    parts: list[tuple[str, str | None, str | None]] = []
    i, literal = 0, ""
    while i < len(pattern):
        if pattern[i] != "{":
            literal += pattern[i]
            i += 1
            continue
        depth, j = 1, i + 1
        while j < len(pattern) and depth:
            depth += {"{": 1, "}": -1}.get(pattern[j], 0)
            j += 1
        if literal:
            parts.append(("literal", literal, None))
            literal = ""
        body = pattern[i + 1 : j - 1]
        name, _, regex = body.partition(":")
        parts.append(("param", name.strip(), regex or None))
        i = j
    if literal:
        parts.append(("literal", literal, None))
    return parts


class _NotFinite(Exception):
    pass


def finite_alternatives(regex: str, limit: int = MAX_ENUM) -> list[str] | None:
    """Every string a regex of literals, escapes and ``(a|b)`` groups matches; None otherwise."""
    pos = 0

    def alternation() -> list[str]:
        nonlocal pos
        options: list[str] = []
        current = [""]
        while pos < len(regex):
            char = regex[pos]
            if char == "|":
                options += current
                current = [""]
                pos += 1
            elif char == ")":
                break
            elif char == "(":
                pos += 1
                if regex.startswith("?:", pos):
                    pos += 2
                inner = alternation()
                if pos >= len(regex) or regex[pos] != ")":
                    raise _NotFinite
                pos += 1
                current = [a + b for a in current for b in inner]
            elif char == "\\":
                escaped = regex[pos + 1 : pos + 2]
                if not escaped or escaped.isalnum():
                    raise _NotFinite
                current = [a + escaped for a in current]
                pos += 2
            elif char in ".[]{}*+?^$":
                raise _NotFinite
            else:
                current = [a + char for a in current]
                pos += 1
            if len(current) + len(options) > limit:
                raise _NotFinite
        return options + current

    try:
        found = alternation()
    except _NotFinite:
        return None
    if pos != len(regex):
        return None
    return list(dict.fromkeys(found))


def path_parameter(name: str, regex: str | None) -> PathParameter:
    if regex is None:
        return PathParameter(name, "string")
    if regex in (r"\d+", "[0-9]+"):
        return PathParameter(name, "integer")
    options = finite_alternatives(regex)
    if options:
        return PathParameter(name, "string", enum=tuple(options))
    return PathParameter(name, "string", pattern=regex)


def openapi_path(pattern: str) -> tuple[str, tuple[PathParameter, ...]]:
    """A Pyramid pattern as an OpenAPI path template, with its typed parameters."""
    path, params = "", []
    for kind, text, regex in split_pattern(pattern):
        if kind == "literal":
            path += text or ""
        else:
            path += "{" + (text or "") + "}"
            params.append(path_parameter(text or "", regex))
    return path, tuple(params)


def route_area(pattern: str, prefix: str = "") -> str:
    """Which part of the admin a route belongs to: its first path segment after the prefix, singular."""
    if prefix and pattern.startswith(prefix):
        pattern = pattern[len(prefix) :]
    first = next((s for s in pattern.split("/") if s), "").split(".")[0]
    if first in ("", "index", "settings", "help", "search"):
        return "general"
    return first.removesuffix("s") if first.endswith("s") and not first.endswith("ss") else first


# ---- introspection ----


def _routes(registry) -> list:
    mapper = registry.queryUtility(IRoutesMapper)
    return list(mapper.get_routes()) if mapper else []


def json_route_names(registry) -> list[str]:
    """Every ``|json`` route of the application, in the table's order."""
    return [r.name for r in _routes(registry) if r.name.endswith(JSON_SUFFIX)]


def file_route_names(registry) -> list[str]:
    """Admin routes that answer files (downloads, archives): no ``.json`` twin, not ``|json``."""
    names = {r.name for r in _routes(registry)}
    return [
        r.name
        for r in _routes(registry)
        if r.name.startswith("admin:")
        and r.name != "admin:root"
        and not r.name.endswith(JSON_SUFFIX)
        and r.name + JSON_SUFFIX not in names
    ]


def views_by_route(registry) -> dict[str, list[dict]]:
    """The view introspectables registered for each route name."""
    found: dict[str, list[dict]] = {}
    for item in registry.introspector.get_category("views"):
        view = item["introspectable"]
        if view["route_name"]:
            found.setdefault(view["route_name"], []).append(view)
    return found


def view_methods(views: Iterable[dict]) -> tuple[str, ...]:
    """The methods the views answer; a view with no ``request_method`` is documented as GET."""
    methods: set[str] = set()
    for view in views:
        wanted = view["request_methods"]
        if wanted is None:
            methods.add("GET")
        elif isinstance(wanted, str):
            methods.add(wanted)
        else:
            methods.update(wanted)
    methods.discard("HEAD")
    return tuple(m for m in METHOD_ORDER if m in methods) + tuple(
        sorted(methods - set(METHOD_ORDER))
    )


def _instructions(registry, route, views: list[dict]) -> dict | None:
    """What the route's GET view answers, asked in-process without a row (context None)."""
    getters = [
        v
        for v in views
        if v["request_methods"] is None
        or "GET"
        in (
            (v["request_methods"],)
            if isinstance(v["request_methods"], str)
            else v["request_methods"]
        )
    ]
    if not getters:
        return None
    request = registry.queryUtility(IRequestFactory, default=Request).blank("/" + route.pattern.lstrip("/"))
    request.registry = registry
    apply_request_extensions(request)
    request.matched_route = route
    request.matchdict = {}
    request.context = None
    manager.push({"request": request, "registry": registry})
    try:
        request.tm.begin()
        try:
            response = getters[0]["derived_callable"](None, request)
            body = json.loads(response.body) if hasattr(response, "body") else response
        finally:
            request.tm.abort()
    except Exception:  # a view that needs its row: documented without fields
        log.debug("no instructions from %s", route.name, exc_info=True)
        return None
    finally:
        manager.pop()
    return body if isinstance(body, dict) and body.get("result") == "instructions" else None


def _build_docs(registry) -> list[RouteDoc]:
    routes = {r.name: r for r in _routes(registry)}
    views = views_by_route(registry)
    settings = registry.get("app_settings")
    prefix = settings.admin_prefix if settings is not None else ""
    docs = []
    for kind, names in (("json", json_route_names(registry)), ("file", file_route_names(registry))):
        for name in names:
            route = routes[name]
            pattern = "/" + route.pattern.lstrip("/")
            path, params = openapi_path(pattern)
            route_views = views.get(name, [])
            doc = RouteDoc(
                name=name,
                pattern=pattern,
                path=path,
                kind=kind,
                methods=view_methods(route_views),
                path_parameters=params,
                query_parameters=dict(QUERY_PARAMETERS.get(name, {})),
                area=route_area(pattern, prefix),
            )
            if "POST" in doc.methods:
                found = _instructions(registry, route, route_views) or {}
                doc.instructions = found.get("instructions")
                doc.form_fields = {
                    str(k): str(v) for k, v in (found.get("form_fields") or {}).items()
                }
                doc.example = found.get("example")
            docs.append(doc)
    return docs


def route_docs(registry) -> list[RouteDoc]:
    """Every JSON and file route, documented; built on first use and cached on the registry."""
    docs = registry.get(CACHE_KEY)
    if docs is None:
        docs = registry[CACHE_KEY] = _build_docs(registry)
    return docs


# ---- the OpenAPI document ----

ERROR_SCHEMA = {
    "type": "object",
    "required": ["result", "status", "error", "form_errors"],
    "properties": {
        "result": {"type": "string", "enum": ["error"]},
        "status": {"type": "integer"},
        "error": {"type": "string"},
        "form_errors": {"type": "object", "additionalProperties": True},
    },
}
RESULT_SCHEMA = {
    "type": "object",
    "required": ["result"],
    "properties": {"result": {"type": "string"}},
    "additionalProperties": True,
}


def _operation_id(name: str, method: str) -> str:
    return (
        re.sub(r"[^A-Za-z0-9]+", "_", name.removeprefix("admin:")).strip("_") + "_" + method.lower()
    )


def _parameters(doc: RouteDoc, method: str) -> list[dict]:
    params = [
        {"name": p.name, "in": "path", "required": True, "schema": p.schema()}
        for p in doc.path_parameters
    ]
    if method == "GET":
        params += [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": text,
                "schema": {"type": "string"},
            }
            for name, text in doc.query_parameters.items()
        ]
    return params


def _request_body(fields: dict[str, str]) -> dict:
    required = [name for name, text in fields.items() if text.lower().startswith("required")]

    def schema(binary: bool) -> dict:
        properties = {}
        for name, text in fields.items():
            prop = {"type": "string", "description": text}
            if binary and FILE_FIELD.search(name):
                prop["format"] = "binary"
            properties[name] = prop
        body = {"type": "object", "properties": properties}
        if required:
            body["required"] = required
        return body

    return {
        "required": bool(required),
        "content": {
            "application/x-www-form-urlencoded": {"schema": schema(False)},
            "multipart/form-data": {"schema": schema(True)},
        },
    }


def _responses(doc: RouteDoc) -> dict:
    if doc.kind == "file":
        return {
            "200": {
                "description": "the file",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            "4XX": {"description": "no such object or file (an HTML error page)"},
        }
    return {
        "200": {
            "description": "success (or, for GET on a POST route, instructions)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}}},
        },
        "4XX": {
            "description": "the request was refused",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    }


def openapi_document(registry, *, title: str, version: str, description: str = "") -> dict:
    """An OpenAPI 3.0 document of every JSON route (and the file downloads)."""
    paths: dict[str, dict] = {}
    for doc in route_docs(registry):
        item = paths.setdefault(doc.path, {})
        for method in doc.methods:
            if method not in ("GET", "POST"):
                continue
            operation: dict = {
                "operationId": _operation_id(doc.name, method),
                "summary": (
                    doc.instructions if method == "POST" and doc.instructions else doc.name
                ),
                "tags": [doc.area],
                "x-pyramid-route": doc.name,
                "responses": _responses(doc),
            }
            parameters = _parameters(doc, method)
            if parameters:
                operation["parameters"] = parameters
            if method == "POST" and doc.form_fields:
                operation["requestBody"] = _request_body(doc.form_fields)
            item[method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version, "description": description},
        "paths": paths,
        "components": {"schemas": {"Error": ERROR_SCHEMA, "Result": RESULT_SCHEMA}},
    }
