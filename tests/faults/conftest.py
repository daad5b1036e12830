"""Fault injection against real services: apps on databases of their own, wired to real Pebbles
(HTTP-01 answered by a live server), a flaky proxy, an ACME stub, a killable app process.

Commits are real here (Pebble, the live server and other processes see them): every test
makes its own database or at least its own account and names.

``record(...)`` notes what a test measured; with ``PETER_SSLERS_RELIABILITY_LOG=FILE`` the
notes are appended to FILE as JSON lines (bench/reliability.py builds its report from them).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
import webtest

from peter_sslers import main
from peter_sslers.model import AcmeEventLog, AcmeOrder
from peter_sslers.scripts.initializedb import initialize
from tests.acme.conftest import Dispatcher
from tests.conftest import ROOT, TEST_HOST, TEST_INI, settings_for
from tests.services.live_app import LiveServer
from tests.services.pebble import PebbleOptions, PebbleServer

ADMIN = "/.well-known/admin"
RELIABILITY_LOG = "PETER_SSLERS_RELIABILITY_LOG"


# --- the app under test ----------------------------------------------------------------------


class LabApp:
    """One application (its own settings) on a database that several apps/processes may share."""

    def __init__(self, router, database_url: str, settings: dict):
        self.router = router
        self.database_url = database_url
        self.settings = settings
        self.testapp = webtest.TestApp(router, extra_environ={"HTTP_HOST": TEST_HOST})

    def post(self, path: str, data=None, status: int | str = 200) -> dict:
        return self.testapp.post(ADMIN + path, data or {}, status=status).json

    def get(self, path: str, status: int | str = 200, **params) -> dict:
        return self.testapp.get(ADMIN + path, params, status=status).json

    def new_account(self, status: int | str = 200) -> dict:
        data = {"contact": f"ops-{secrets.token_hex(4)}@example.com", "tos_agreed": "1"}
        return self.post("/acme-account/new.json", data, status=status).get("acme_account")

    def new_order(self, account: dict, names: list[str], status: int | str = 200, **fields) -> dict:
        data = {"acme_account_id": account["id"], "domain_names_http01": ",".join(names), **fields}
        return self.post("/acme-order/new.json", data, status=status)

    def order(self, order_id) -> dict:
        return self.get(f"/acme-order/{order_id}.json")["acme_order"]

    def orders(self, account_id) -> list[dict]:
        return self.get("/acme-orders.json", acme_account_id=account_id)["acme_orders"]

    def action(self, order_id, action: str, status: int | str = 200, **data) -> dict:
        return self.post(f"/acme-order/{order_id}/{action}.json", data, status=status)

    def read(self, statement):
        """Rows of ``statement`` in a short session of its own (scalars for one column)."""
        with self.router.registry["dbsession_factory"]() as session:
            result = session.execute(statement)
            columns = getattr(statement, "column_descriptions", None)
            return list(result.scalars()) if columns and len(columns) == 1 else list(result)

    def events(self, **where) -> list[AcmeEventLog]:
        query = sa.select(AcmeEventLog).order_by(AcmeEventLog.id)
        for name, value in where.items():
            query = query.where(getattr(AcmeEventLog, name) == value)
        return self.read(query)

    def order_count(self, account_id) -> int:
        return self.read(sa.select(sa.func.count()).select_from(AcmeOrder)
                         .where(AcmeOrder.acme_account_id == int(account_id)))[0]  # fmt: skip

    def try_action(self, order_id, action: str, errors: list[dict]) -> dict | None:
        """POST an order action; the order JSON, or None after noting the error body in ``errors``."""
        res = self.testapp.post(f"{ADMIN}/acme-order/{order_id}/{action}.json", {}, expect_errors=True)
        if res.status_int != 200:
            errors.append({"action": action, "status": res.status_int, **res.json})
            return None
        return res.json["acme_order"]

    def advance_until_done(self, order_id, attempts: int = 20, *, sync: bool = False) -> tuple[dict, list[dict]]:
        """POST advance (after a sync with ``sync=True``) until nothing is left to do, at most
        ``attempts`` rounds; returns (the order, the error bodies seen)."""
        errors: list[dict] = []
        for _ in range(attempts):
            if sync:
                synced = self.try_action(order_id, "sync", errors)
                if synced is None:
                    continue
                if synced["next_step"] is None:
                    return synced, errors
            done = self.try_action(order_id, "advance", errors)
            if done is not None and done["next_step"] is None:
                return done, errors
        return self.order(order_id), errors


class FaultLab:
    """Builds Pebbles (HTTP-01 against ``live``), databases and apps for the fault tests."""

    def __init__(self, pebble_stack, make_database_url, live):
        self.stack = pebble_stack
        self.make_database_url = make_database_url
        self.live = live

    def pebble(self, name: str = "", **options) -> PebbleServer:
        """A strict Pebble validating HTTP-01 against the live server (no authz reuse)."""
        base = {"http_port": self.live.port, "nonce_reject": 0, "authz_reuse": 0, "strict": True}
        return self.stack.add_pebble(PebbleOptions(**{**base, **options}), name=name)

    def database(self, directory_url: str, ca_bundle: str | None = None) -> str:
        url = self.make_database_url("faults")
        initialize(TEST_INI, self.settings(url, directory_url, ca_bundle))
        return url

    @staticmethod
    def settings(database_url: str, directory_url: str, ca_bundle: str | None = None, **overrides) -> dict:
        return settings_for(
            database_url,
            certificate_authority="pebble",
            certificate_authority_directory=directory_url,
            certificate_authority_ca_bundle=ca_bundle or "",
            **overrides,
        )

    def app(self, directory_url: str, ca_bundle: str | None = None, *, database: str | None = None,
            serve: bool = True, **overrides) -> LabApp:  # fmt: skip
        """An app on ``database`` (a new one by default); ``serve`` puts it behind the live server."""
        database = database or self.database(directory_url, ca_bundle)
        settings = self.settings(database, directory_url, ca_bundle, **overrides)
        lab_app = LabApp(main({}, **settings), database, settings)
        if serve:
            self.live.dispatcher.target = lab_app.router
        return lab_app


@pytest.fixture(scope="session")
def faults_live():
    """A live server for HTTP-01: its target is set to the app under test."""
    dispatcher = Dispatcher()
    server = LiveServer(dispatcher).start()
    server.dispatcher = dispatcher
    yield server
    server.stop()


@pytest.fixture(scope="session")
def lab(pebble_stack, make_database_url, faults_live) -> FaultLab:
    return FaultLab(pebble_stack, make_database_url, faults_live)


@pytest.fixture(scope="session")
def lab_pebble(lab) -> PebbleServer:
    """A well-behaved Pebble shared by the tests that only fault what is in front of it."""
    return lab.pebble(name="faults")


@pytest.fixture
def proxy(pebble_stack, lab_pebble):
    """A FlakyProxy (TLS terminated with Pebble's own certificate) in front of ``lab_pebble``."""
    from tests.services.flaky_proxy import FlakyProxy

    tls = pebble_stack.tls
    server = FlakyProxy("127.0.0.1", lab_pebble.port, listen_tls=(str(tls.cert_path), str(tls.key_path)),
                        upstream_ca=str(tls.ca_cert_path)).start()  # fmt: skip
    yield server
    server.stop()


@pytest.fixture
def names():
    """names(n) -> n fresh names (challtestsrv resolves every name to 127.0.0.1)."""

    def make(count: int = 1, prefix: str = "f") -> list[str]:
        tag = secrets.token_hex(4)
        return [f"{prefix}{i}-{tag}.example.test" for i in range(count)]

    return make


# --- numbers for bench/reliability.md ---------------------------------------------------------


@pytest.fixture
def record(request):
    """record(case, setup, observed, **numbers): what this test saw, for the reliability report."""

    def write(case: str, setup: str, observed: str, **numbers) -> None:
        path = os.environ.get(RELIABILITY_LOG)
        if not path:
            return
        entry = {"test": request.node.nodeid, "case": case, "setup": setup, "observed": observed,
                 "numbers": numbers, "db": os.environ.get("PETER_SSLERS_TEST_DB", "sqlite")}  # fmt: skip
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    return write


# --- a tiny ACME server for rateLimited ---------------------------------------------------------


class RateLimitingAcmeStub:
    """A plain-HTTP WSGI ACME server: accounts work, every newOrder is ``rateLimited``.

    Signatures are not checked (the app under test is the client). ``hits`` counts requests
    by path.
    """

    def __init__(self, retry_after: int = 120):
        self.retry_after = retry_after
        self.hits: Counter[str] = Counter()
        self.base = ""
        self._lock = threading.Lock()
        self._nonce = 0

    def _next_nonce(self) -> str:
        with self._lock:
            self._nonce += 1
            return f"stub-nonce-{self._nonce:06d}"

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        with self._lock:
            self.hits[path] += 1
        headers = [("Replay-Nonce", self._next_nonce()), ("Cache-Control", "no-store")]
        if path == "/directory":
            body = {"newNonce": self.base + "/new-nonce", "newAccount": self.base + "/new-account",
                    "newOrder": self.base + "/new-order", "revokeCert": self.base + "/revoke",
                    "keyChange": self.base + "/key-change", "meta": {"termsOfService": self.base + "/tos"}}  # fmt: skip
            return _json(start_response, "200 OK", body, headers)
        if path == "/new-nonce":
            start_response("200 OK", headers)
            return [b""]
        if path == "/new-account":
            headers.append(("Location", self.base + "/account/1"))
            return _json(start_response, "201 Created", {"status": "valid", "contact": [], "orders": ""}, headers)
        if path.startswith("/account/"):
            return _json(start_response, "200 OK", {"status": "valid", "contact": []}, headers)
        if path == "/new-order":
            headers.append(("Retry-After", str(self.retry_after)))
            problem = {"type": "urn:ietf:params:acme:error:rateLimited",
                       "detail": "too many new orders recently (stub)", "status": 429}  # fmt: skip
            return _json(start_response, "429 Too Many Requests", problem, headers, "application/problem+json")
        return _json(start_response, "404 Not Found", {"type": "urn:ietf:params:acme:error:malformed",
                                                       "detail": "no such resource", "status": 404}, headers,
                     "application/problem+json")  # fmt: skip


def _json(start_response, status: str, body: dict, headers: list, content_type: str = "application/json"):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data))), *headers])
    return [data]


# --- the killable app process ---------------------------------------------------------------------

SETTINGS_ENV = "PETER_SSLERS_FAULTS_SETTINGS"
KILL_AT_ENV = "PETER_SSLERS_FAULTS_KILL_AT"
KILL_POINTS = ("before_download", "before_download_commit")


def killable_runner() -> None:
    """Entry point of the app process killed mid-order (``python -c``; see KillableApp).

    Builds the app from the JSON settings in SETTINGS_ENV with ``peter_sslers.main``, serves
    it with waitress on a free port (printed on stdout) and SIGKILLs itself at KILL_AT_ENV:
    ``before_download`` (finalize committed, nothing downloaded) or ``before_download_commit``
    (the certificate downloaded and imported in the session, not committed).
    """
    from waitress.server import create_server

    from peter_sslers.lib.acme import orders

    kill_at = os.environ.get(KILL_AT_ENV, "")
    real_download = orders.download

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def download(dbsession, env, order):
        if kill_at == "before_download":
            die()
        env.checkpoint = die  # download ends with its one commit: die there instead
        real_download(dbsession, env, order)

    if kill_at:
        orders.download = download
    settings = json.loads(os.environ[SETTINGS_ENV])
    server = create_server(main({}, **settings), host="127.0.0.1", port=0, threads=4)
    print(server.effective_port, flush=True)
    server.run()


class KillableApp:
    """The app served by waitress in a child process, to be killed by ``kill_at``."""

    def __init__(self, settings: dict, kill_at: str, log_path: Path):
        if kill_at not in KILL_POINTS:
            raise ValueError(kill_at)
        self.settings = settings
        self.kill_at = kill_at
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> KillableApp:
        env = {**os.environ, SETTINGS_ENV: json.dumps(self.settings), KILL_AT_ENV: self.kill_at,
               "PYTHONWARNINGS": "ignore"}  # fmt: skip
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from tests.faults.conftest import killable_runner; killable_runner()"],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        line = self.process.stdout.readline().decode().strip()
        if not line.isdigit():
            self.stop()
            raise RuntimeError(f"the app process did not start: {line!r}\n{self.log_path.read_text()[-2000:]}")
        self.url = f"http://127.0.0.1:{line}"
        return self

    def wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Kill the process we started (by its PID) if it is still alive."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def killable_app(tmp_path):
    """killable_app(settings, kill_at) -> a started KillableApp; stopped after the test."""
    started: list[KillableApp] = []

    def make(settings: dict, kill_at: str) -> KillableApp:
        app = KillableApp(settings, kill_at, tmp_path / f"app-{len(started)}.log")
        started.append(app)
        return app.start()

    yield make
    for app in started:
        app.stop()


# --- a PostgreSQL cluster that can be restarted -----------------------------------------------------


def restartable_postgres():
    """A started RestartablePostgres (its own cluster: restarting the session's would hurt other tests)."""
    from tests.services.postgresql import PostgresCluster, find_bin_dir

    class RestartablePostgres(PostgresCluster):
        """PostgresCluster plus stop_server()/start_server(): the same data dir, on the same port."""

        def stop_server(self) -> None:
            popen = self._popen
            if popen is not None and popen.poll() is None:
                popen.send_signal(signal.SIGINT)  # "fast" shutdown: clients are disconnected
                popen.wait(timeout=30)

        def start_server(self) -> None:
            from tests.services.common import wait_until

            with open(self.log_path, "ab") as log:
                self._popen = subprocess.Popen(
                    [os.path.join(self.bin_dir, "postgres"), "-D", str(self.data), "-p", str(self.port),
                     "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.base}",
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                     "-c", "max_connections=200"],
                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, user=self._user,
                    start_new_session=True, cwd=self.base,
                )  # fmt: skip
            wait_until(self._accepting, timeout=30, what="PostgreSQL to accept connections again")

    bin_dir = find_bin_dir()
    if bin_dir is None:
        from tests.conftest import require_binary
        from tests.services.postgresql import INSTALL_HINT

        require_binary("initdb", INSTALL_HINT)
    cluster = RestartablePostgres(bin_dir)
    cluster.start()
    return cluster


# --- clients reading config.json in a loop ----------------------------------------------------------


class ConfigReaders:
    """``threads`` clients GETting ``/domain/{name}/config.json`` from a live server in a loop.

    ``expected`` maps each name to its certificate PEM; every answer is checked against it.
    ``samples`` holds (started, ended, status, correct) for every request (status 0: no answer).
    """

    def __init__(self, base_url: str, expected: dict[str, str], threads: int = 4, timeout: float = 10):
        self.base_url = base_url
        self.expected = expected
        self.threads = threads
        self.timeout = timeout
        self.samples: list[tuple[float, float, int, bool]] = []
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _run(self, index: int) -> None:
        import time

        import requests

        session = requests.Session()
        session.trust_env = False
        names = sorted(self.expected)
        turn = index
        while not self._stop.is_set():
            name = names[turn % len(names)]
            turn += 1
            started = time.monotonic()
            try:
                res = session.get(f"{self.base_url}{ADMIN}/domain/{name}/config.json", timeout=self.timeout)
                status, correct = res.status_code, self.correct(name, res)
            except requests.RequestException:
                status, correct = 0, False
            with self._lock:
                self.samples.append((started, time.monotonic(), status, correct))

    def correct(self, name: str, res) -> bool:
        if res.status_code != 200:
            return False
        try:
            payload = res.json()
            cert = payload["certificate_signed__latest_single"] or payload["certificate_signed__latest_multi"]
            return payload["domain"]["domain_name"] == name and cert["certificate"]["pem"].strip() == self.expected[name].strip()
        except (ValueError, KeyError, TypeError):
            return False

    def start(self) -> ConfigReaders:
        for index in range(self.threads):
            worker = threading.Thread(target=self._run, args=(index,), daemon=True)
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self) -> list[tuple[float, float, int, bool]]:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=self.timeout + 5)
        return list(self.samples)
