"""Small helpers the admin views share: paging, uploads, instructions, redirects, downloads."""

from __future__ import annotations

import urllib.parse

from pyramid.httpexceptions import HTTPRequestEntityTooLarge, HTTPSeeOther
from pyramid.response import Response

from ...lib.errors import InvalidRequest, is_id


def page_number(request) -> int:
    raw = request.params.get("page", "1")
    if not is_id(raw) or int(raw) >= 10_000_000:
        raise InvalidRequest("invalid page number", {"page": "a whole number from 1"})
    return int(raw)


def optional_int(params, name: str) -> int | None:
    """An optional whole-number field (an id, a limit): None when empty, a clear 400 when not a number."""
    raw = params.get(name)
    raw = raw.strip() if isinstance(raw, str) else raw
    if raw in (None, ""):
        return None
    if not is_id(raw):
        raise InvalidRequest(f"invalid {name}", {name: "a whole number"})
    return int(raw)


def check_body_size(request) -> None:
    """Refuse bodies far larger than the upload limit before reading them."""
    limit = request.app_settings.max_upload_bytes
    if request.content_length and request.content_length > 4 * limit + 65536:
        raise HTTPRequestEntityTooLarge(f"request body larger than {4 * limit} bytes")


def read_field(request, field: str, *, required: bool = True) -> str | None:
    """A form field or uploaded file as text, size-checked and UTF-8 decoded."""
    check_body_size(request)
    value = request.POST.get(field)
    if value is None or value == b"" or value == "":
        if required:
            raise InvalidRequest(f"{field} is required", {field: "required"})
        return None
    limit = request.app_settings.max_upload_bytes
    if hasattr(value, "file"):
        data = value.file.read(limit + 1)
    else:
        data = value.encode("utf-8") if isinstance(value, str) else value
    if len(data) > limit:
        raise InvalidRequest(f"{field} is too large", {field: f"larger than {limit} bytes"}, status=413)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest(f"{field} is not text", {field: "expected PEM text, got binary data"}) from None
    if not text.strip():
        if required:
            raise InvalidRequest(f"{field} is empty", {field: "empty"})
        return None
    return text


def instructions(purpose: str, fields: dict[str, str], example: str | None = None) -> dict:
    """What a GET on a POST-only ``.json`` route answers: how to use it."""
    data = {"result": "instructions", "instructions": purpose, "form_fields": fields}
    if example:
        data["example"] = example
    return data


def see_other(request, route_name: str, operation: str, **kw) -> HTTPSeeOther:
    """303 to a page, telling it what just happened (shown as a notice)."""
    query = {"result": "success", "operation": operation}
    return HTTPSeeOther(request.route_path(route_name, _query=query, **kw))


def download(body: str | bytes, content_type: str, filename: str) -> Response:
    response = Response(content_type=content_type)
    if isinstance(body, str):
        response.charset = "utf-8" if content_type.startswith("text/") else None
        body = body.encode("utf-8")
    response.body = body
    quoted = urllib.parse.quote(filename)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quoted}"
    return response
