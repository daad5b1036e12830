"""Fixtures for metrics and notifications: a webhook receiver and an SMTP server on loopback
ports, and applications built with non-default settings on fresh databases."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import http.server
import json
import socket
import threading

import pytest
import webtest
from sqlalchemy.orm import Session

from peter_sslers import main
from peter_sslers.scripts.initializedb import initialize
from peter_sslers.settings import parse_settings
from tests.conftest import TEST_HOST, TEST_INI, settings_for

ADMIN = "/.well-known/admin"


@dataclasses.dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class WebhookReceiver:
    """A threaded HTTP server recording every POST; ``status`` is what it answers."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(Received(self.path, dict(self.headers), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/peter_sslers"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def _webhook_server():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook(_webhook_server) -> WebhookReceiver:
    """The session's receiver, emptied and answering 200."""
    _webhook_server.received.clear()
    _webhook_server.status = 200
    return _webhook_server


class MailSink:
    """aiosmtpd handler keeping each message as an ``email.message.EmailMessage``."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture(scope="session")
def _smtp_server():
    from aiosmtpd.controller import Controller

    sink = MailSink()
    with socket.socket() as probe:  # the Controller checks readiness by connecting: no port 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    controller.sink = sink
    yield controller
    controller.stop()


@pytest.fixture
def smtp(_smtp_server):
    """(host, port, messages): the session's SMTP server with an empty mailbox."""
    _smtp_server.sink.messages.clear()
    return _smtp_server.hostname, _smtp_server.port, _smtp_server.sink.messages


@pytest.fixture
def notify_settings(app_settings_raw):
    """notify_settings(**ini_options) -> AppSettings with those options set (dots in the keys)."""

    def make(**options):
        return parse_settings({**app_settings_raw, **options})

    return make


@dataclasses.dataclass
class FreshApp:
    """An application on a database of its own; ``session()`` writes there for real."""

    testapp: webtest.TestApp
    settings: dict

    def session(self) -> Session:
        return Session(bind=self.testapp.app.registry["db_engine"], expire_on_commit=False)


@pytest.fixture(scope="session")
def fresh_database(make_database_url):
    """fresh_database() -> the raw settings of a new, initialized database."""

    def make() -> dict:
        settings = settings_for(make_database_url("ops"))
        initialize(TEST_INI, settings)
        return settings

    return make


@pytest.fixture
def make_app(fresh_database):
    """make_app(**ini_options) -> FreshApp: an app with these options on a fresh database."""
    built = []

    def make(**options) -> FreshApp:
        settings = {**fresh_database(), **options}
        application = main({}, **settings)
        built.append(application)
        return FreshApp(
            webtest.TestApp(application, extra_environ={"HTTP_HOST": TEST_HOST}), settings
        )

    yield make
    for application in built:
        application.registry["db_engine"].dispose()
