"""A threaded proxy on 127.0.0.1 that injects network faults in front of a real server.

Two modes:

- **TCP** (``listen_tls=None, http=False``): bytes are forwarded unchanged; a fault is decided
  when a connection is accepted: ``drop`` closes it at once, ``delay`` waits N seconds before
  forwarding anything (a TLS handshake through it then times out on the client side).
- **HTTP(S)** (``listen_tls=(cert, key)`` or ``http=True``): the proxy terminates TLS with a
  certificate the client trusts, reads each request whole, and either forwards it to the
  upstream (re-encrypted when ``upstream_ca`` is given; the ``Host`` header is kept, so
  Pebble builds its URLs on the proxy's address) or injects a fault: ``drop`` (close without
  an answer), ``delay`` (wait N seconds, then forward: the client has usually given up by then,
  but the server still sees the request, as with a real timeout), ``503`` (a raw
  ``HTTP/1.1 503`` answer, no body the client can parse as JSON).

Faults apply to a ``fraction`` of connections (or of requests with ``per_request=True``),
chosen by a seeded RNG so runs are repeatable. ``proxy.fault = None`` heals the network.
Counters (``stats``) say how many connections/requests passed and how many were faulted;
``delayed_answered`` counts delayed requests the upstream has answered (``wait_delayed()``).
"""

from __future__ import annotations

import collections
import dataclasses
import http.client
import random
import select
import socket
import ssl
import struct
import threading
import time

from .common import free_port

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "te",
              "trailer", "upgrade"}  # fmt: skip
FAULT_KINDS = ("drop", "delay", "503")
MAX_HEADER_BYTES = 65536


@dataclasses.dataclass
class Fault:
    """What goes wrong: ``kind`` (drop, delay, 503) for ``fraction`` of connections/requests."""

    kind: str
    fraction: float = 1.0
    seconds: float = 0.0  # for delay
    per_request: bool = False
    #: per-request targeting (HTTP mode): only requests whose "METHOD target" contains this
    match: str | None = None
    skip: int = 0  # let this many matching requests pass first
    limit: int | None = None  # then fault at most this many

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}: one of {FAULT_KINDS}")
        if self.match is not None:
            self.per_request = True
        self.matched = 0
        self.injected = 0


class _ClientGone(Exception):
    pass


class FlakyProxy:
    """Listen on a free 127.0.0.1 port and forward to ``upstream_host:upstream_port``."""

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        *,
        listen_tls: tuple[str, str] | None = None,
        upstream_ca: str | None = None,
        http: bool = False,
        port: int | None = None,
        seed: int = 1234,
        upstream_timeout: float = 60.0,
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = port or free_port()
        self.http_aware = http or listen_tls is not None
        self.upstream_timeout = upstream_timeout
        self._server_ctx = None
        if listen_tls is not None:
            self._server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._server_ctx.load_cert_chain(*listen_tls)
        self._upstream_ctx = None
        if upstream_ca is not None:
            self._upstream_ctx = ssl.create_default_context(cafile=upstream_ca)
        self.fault: Fault | None = None
        self.stats: collections.Counter[str] = collections.Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._open: set[socket.socket] = set()

    # -- public -------------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self._server_ctx is not None else "http"

    def url(self, path: str = "") -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def set_fault(self, kind: str | None, fraction: float = 1.0, seconds: float = 0.0, *,
                  per_request: bool = False, match: str | None = None, skip: int = 0,
                  limit: int | None = None) -> Fault | None:  # fmt: skip
        """Inject ``kind`` from now on (``None``: forward everything again).

        ``match="POST /finalize"`` targets requests whose request line contains that text
        (HTTP mode), after ``skip`` of them passed, for at most ``limit`` of them.
        """
        self.fault = None if kind is None else Fault(kind, fraction, seconds, per_request, match, skip, limit)
        return self.fault

    def wait_delayed(self, count: int = 1, timeout: float = 30.0) -> None:
        """Wait until ``count`` delayed requests have reached the upstream and been answered."""
        deadline = time.monotonic() + timeout
        while self.stats["delayed_answered"] < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} delayed request(s) not answered upstream within {timeout}s")
            time.sleep(0.02)

    def start(self) -> FlakyProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(256)
        listener.settimeout(0.2)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept_loop, name=f"flaky-proxy-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for sock in list(self._open):
                _close(sock)
            self._open.clear()

    def __enter__(self) -> FlakyProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------

    def _count(self, name: str) -> None:
        with self._lock:
            self.stats[name] += 1

    def _choose(self, request_line: str | None = None) -> Fault | None:
        fault = self.fault
        if fault is None:
            return None
        with self._lock:
            if fault.match is not None:
                if request_line is None or fault.match not in request_line:
                    return None
                fault.matched += 1
                if fault.matched <= fault.skip:
                    return None
            if fault.limit is not None and fault.injected >= fault.limit:
                return None
            hit = self._rng.random() < fault.fraction
            if hit:
                fault.injected += 1
        return fault if hit else None

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._count("connections")
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._open.add(sock)
        return sock

    def _serve(self, client: socket.socket) -> None:
        self._track(client)
        try:
            if self.http_aware:
                self._serve_http(client)
            else:
                self._serve_tcp(client)
        except (OSError, _ClientGone, http.client.HTTPException):
            pass
        finally:
            with self._lock:
                self._open.discard(client)
            _close(client)

    # TCP mode: decide at accept, then pump bytes both ways

    def _serve_tcp(self, client: socket.socket) -> None:
        fault = self._choose() if self.fault is not None and self.fault.match is None else None
        if fault is not None:
            self._count(f"fault:{fault.kind}")
            if fault.kind == "drop":
                _abort(client)
                return
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            # a 503 needs HTTP: in TCP mode it degrades to forwarding
        else:
            self._count("passed")
        upstream = self._track(socket.create_connection(self.upstream, timeout=self.upstream_timeout))
        try:
            _pump(client, upstream, self._stopping)
        finally:
            with self._lock:
                self._open.discard(upstream)
            _close(upstream)

    # HTTP mode: one request at a time, keep-alive on both sides

    def _serve_http(self, client: socket.socket) -> None:
        if self._server_ctx is not None:
            client.settimeout(10)
            client = self._track(self._server_ctx.wrap_socket(client, server_side=True))
        client.settimeout(self.upstream_timeout)
        reader = client.makefile("rb")
        decided_for, connection_fault = None, None
        upstream: http.client.HTTPConnection | None = None
        try:
            while not self._stopping.is_set():
                request = _read_request(reader)
                if request is None:
                    return
                if self.fault is not decided_for:  # per connection: decided again when the fault changes
                    decided_for = self.fault
                    connection_fault = self._choose() if decided_for is not None and not decided_for.per_request else None
                fault = connection_fault
                if self.fault is not None and self.fault.per_request:
                    fault = self._choose(f"{request[0]} {request[1]}")
                self._count("requests")
                if fault is not None:
                    self._count(f"fault:{fault.kind}")
                    if fault.kind == "drop":
                        _abort(client)
                        return
                    if fault.kind == "503":
                        body = b"upstream unavailable (injected by flaky_proxy)\n"
                        client.sendall(
                            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                        )
                        return
                    time.sleep(fault.seconds)  # delay, then forward anyway
                else:
                    self._count("passed")
                if upstream is None:
                    upstream = self._upstream_connection()
                status, reason, headers, payload = _forward(upstream, request)
                if fault is not None:  # the server has answered a delayed request (the client may be gone)
                    self._count("delayed_answered")
                _write_response(client, request[0], status, reason, headers, payload)
        finally:
            if upstream is not None:
                upstream.close()
            with self._lock:
                self._open.discard(client)
            _close(client)

    def _upstream_connection(self) -> http.client.HTTPConnection:
        host, port = self.upstream
        if self._upstream_ctx is not None:
            return http.client.HTTPSConnection(host, port, timeout=self.upstream_timeout, context=self._upstream_ctx)
        return http.client.HTTPConnection(host, port, timeout=self.upstream_timeout)


def _read_request(reader) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    """(method, target, headers, body) of the next request, or None at end of stream."""
    line = reader.readline(MAX_HEADER_BYTES)
    if not line:
        return None
    parts = line.decode("latin-1").strip().split(" ")
    if len(parts) != 3:
        raise _ClientGone(f"bad request line {line!r}")
    method, target, _version = parts
    headers: list[tuple[str, str]] = []
    while True:
        raw = reader.readline(MAX_HEADER_BYTES)
        if not raw:
            raise _ClientGone("headers cut short")
        if raw in (b"\r\n", b"\n"):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers.append((name.strip(), value.strip()))
    length = next((int(v) for n, v in headers if n.lower() == "content-length"), 0)
    body = reader.read(length) if length else b""
    return method, target, headers, body


def _forward(upstream: http.client.HTTPConnection, request) -> tuple[int, str, list[tuple[str, str]], bytes]:
    method, target, headers, body = request
    upstream.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    for name, value in headers:
        if name.lower() not in HOP_BY_HOP:
            upstream.putheader(name, value)
    if body or method in ("POST", "PUT"):
        upstream.putheader("Content-Length", str(len(body)))
    upstream.endheaders(body or None)
    response = upstream.getresponse()
    payload = response.read()
    return response.status, response.reason, response.getheaders(), payload


def _write_response(client, method: str, status: int, reason: str, headers, payload: bytes) -> None:
    lines = [f"HTTP/1.1 {status} {reason}"]
    original_length = None
    for name, value in headers:
        if name.lower() == "content-length":
            original_length = value
        if name.lower() not in HOP_BY_HOP:
            lines.append(f"{name}: {value}")
    if method == "HEAD":
        if original_length is not None:
            lines.append(f"Content-Length: {original_length}")
    else:
        lines.append(f"Content-Length: {len(payload)}")
    lines.append("Connection: keep-alive")
    client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if method == "HEAD" else payload))


def _pump(a: socket.socket, b: socket.socket, stopping: threading.Event) -> None:
    """Copy bytes both ways until either side closes (plain sockets only)."""
    peer = {a: b, b: a}
    while not stopping.is_set():
        ready, _, _ = select.select([a, b], [], [], 0.5)
        for sock in ready:
            data = sock.recv(65536)
            if not data:
                return
            peer[sock].sendall(data)


def _abort(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0): the client sees the connection die, not a clean EOF."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    _close(sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass
