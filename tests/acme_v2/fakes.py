"""An in-process fake ACME server behind a ``requests`` transport adapter (unit tests)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
from requests.structures import CaseInsensitiveDict

from peter_sslers.lib.acme_v2.jws import b64url_decode

BASE = "https://acme.test"
Reply = tuple[int, dict[str, str], Any]  # status, headers, body (dict -> JSON, str, bytes)
Handler = Callable[[requests.PreparedRequest], "Reply | Exception"]

DIRECTORY = {
    "newNonce": f"{BASE}/nonce",
    "newAccount": f"{BASE}/account",
    "newOrder": f"{BASE}/order",
    "revokeCert": f"{BASE}/revoke",
    "keyChange": f"{BASE}/key-change",
    "meta": {"termsOfService": f"{BASE}/tos"},
}


def problem(kind: str, detail: str = "", status: int = 400, **headers: str) -> Reply:
    """A problem document reply."""
    body = {"type": f"urn:ietf:params:acme:error:{kind}", "detail": detail, "status": status}
    return status, {"Content-Type": "application/problem+json", **headers}, body


class FakeAcmeServer(requests.adapters.BaseAdapter):
    """Routes ``(METHOD, path)`` to handlers; adds a fresh Replay-Nonce to POST/HEAD replies."""

    def __init__(self, directory: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.routes: dict[tuple[str, str], Handler] = {}
        self.seen: list[tuple[requests.PreparedRequest, dict[str, Any]]] = []
        self._nonces = (f"nonce-{i}" for i in itertools.count())
        self.directory = directory or DIRECTORY
        self.route(
            "GET", "/dir", lambda r: (200, {"Content-Type": "application/json"}, self.directory)
        )
        self.route("HEAD", "/nonce", lambda r: (200, {}, b""))

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Answer ``method path`` with ``handler(request)`` (a Reply or an exception)."""
        self.routes[(method, path)] = handler

    def session(self) -> requests.Session:
        """A session whose every request lands here."""
        session = requests.Session()
        session.trust_env = False
        session.mount("https://", self)
        session.mount("http://", self)
        return session

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.seen.append((request, kwargs))
        handler = self.routes.get((str(request.method), urlsplit(str(request.url)).path))
        result: Reply | Exception = handler(request) if handler else (404, {}, "not found")
        if isinstance(result, Exception):
            raise result
        status, headers, body = result
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        if request.method in ("POST", "HEAD") and "Replay-Nonce" not in response.headers:
            response.headers["Replay-Nonce"] = next(self._nonces)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            response.headers.setdefault("Content-Type", "application/json")
        response._content = body.encode() if isinstance(body, str) else body
        response.encoding = "utf-8"
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


def jws_parts(request: requests.PreparedRequest) -> tuple[dict[str, Any], Any]:
    """``(protected header, payload)`` of a JWS request body (payload None for POST-as-GET)."""
    body = json.loads(request.body or b"{}")
    protected = json.loads(b64url_decode(body["protected"]))
    raw = b64url_decode(body["payload"])
    return protected, json.loads(raw) if raw else None
