"""A small stand-in for acme-dns's HTTP API (acme-dns itself is not packaged in Debian 12).

It implements what clients use, with acme-dns's answers: ``POST /register`` (201 with
``username``, ``password``, ``fulldomain``, ``subdomain``, ``allowfrom``) and
``POST /update`` (``X-Api-User``/``X-Api-Key`` headers; 401 ``forbidden`` on bad
credentials or another account's subdomain, 400 ``bad_txt``/``malformed_json_payload``;
``txt`` must be 43 characters). It serves no DNS: the two most recent values per subdomain are recorded in
``records`` for tests to inspect, as acme-dns would serve them.
"""

from __future__ import annotations

import http.server
import json
import secrets
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from .common import free_port

TXT_LENGTH = 43


@dataclass
class FakeAccount:
    """One registered acme-dns account."""

    username: str
    password: str
    subdomain: str
    allowfrom: list[str]
    txt: deque[str] = field(default_factory=lambda: deque(maxlen=2))


class AcmeDnsFake:
    """Threaded HTTP server on 127.0.0.1 imitating acme-dns's ``/register`` and ``/update``."""

    def __init__(self, domain: str = "auth.acme-dns.test") -> None:
        self.domain = domain
        self.port = free_port()
        self.accounts: dict[str, FakeAccount] = {}  # by username
        self.requests_seen: list[tuple[str, int]] = []  # (path, status)
        self._lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the API."""
        return f"http://127.0.0.1:{self.port}"

    def records(self, subdomain: str) -> list[str]:
        """The TXT values acme-dns would serve for ``subdomain`` (oldest first)."""
        with self._lock:
            for account in self.accounts.values():
                if account.subdomain == subdomain:
                    return list(account.txt)
        return []

    def register(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Handle ``/register``."""
        account = FakeAccount(
            username=str(uuid.uuid4()),
            password=secrets.token_urlsafe(30),
            subdomain=str(uuid.uuid4()),
            allowfrom=list(body.get("allowfrom") or []),
        )
        with self._lock:
            self.accounts[account.username] = account
        return 201, {
            "username": account.username,
            "password": account.password,
            "fulldomain": f"{account.subdomain}.{self.domain}",
            "subdomain": account.subdomain,
            "allowfrom": account.allowfrom,
        }

    def update(self, headers: Any, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Handle ``/update``."""
        with self._lock:
            account = self.accounts.get(headers.get("X-Api-User", ""))
            if account is None or not secrets.compare_digest(
                account.password, headers.get("X-Api-Key", "")
            ):
                return 401, {"error": "forbidden"}
            if body.get("subdomain") != account.subdomain:
                return 401, {"error": "forbidden"}
            txt = body.get("txt")
            if not isinstance(txt, str) or len(txt) != TXT_LENGTH:
                return 400, {"error": "bad_txt"}
            account.txt.append(txt)
        return 200, {"txt": txt}

    def start(self) -> AcmeDnsFake:
        """Bind and serve in a daemon thread."""
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                    if not isinstance(body, dict):
                        raise ValueError
                except ValueError:
                    status, answer = 400, {"error": "malformed_json_payload"}
                else:
                    if self.path == "/register":
                        status, answer = fake.register(body)
                    elif self.path == "/update":
                        status, answer = fake.update(self.headers, body)
                    else:
                        status, answer = 404, {"error": "not_found"}
                fake.requests_seen.append((self.path, status))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> AcmeDnsFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
