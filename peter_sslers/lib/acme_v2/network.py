"""The network layer of the ACME client: HTTP, nonces, JWS requests, events and logs.

* one ``requests.Session`` per server with ``trust_env=False``: the CA bundle is always
  passed explicitly as ``verify=`` (never ``REQUESTS_CA_BUNDLE`` / ``SSL_CERT_FILE``);
* a timeout on every request;
* a pool of nonces harvested from every ``Replay-Nonce`` header, refilled with
  ``HEAD newNonce`` only when empty;
* exactly one automatic retry (by default) when the server answers ``badNonce``, signed
  with the nonce that came with that error;
* ``Retry-After`` parsed (seconds or HTTP-date) onto responses and problems;
* every exchange logged (raw at INFO, parsed JSON at DEBUG) and sent to the event sink,
  failures included, before any exception propagates.
"""

from __future__ import annotations

import collections
import datetime
import email.utils
import json
import logging
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters

from . import events
from .errors import AcmeNetworkError, AcmeProblem, AcmeProtocolError, AcmeTimeout, BadNonce
from .jws import Signer, json_bytes, sign_request

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
USER_AGENT = "peter_sslers-acme_v2"
_MAX_POOLED_NONCES = 64
_LINK = re.compile(r'<([^>]*)>\s*((?:;\s*[^;,]+(?:="[^"]*"|=[^;,]*)?)*)')
_REL = re.compile(r';\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))', re.IGNORECASE)


def parse_retry_after(value: str | None, *, now: datetime.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date).

    Returns ``None`` when absent or unparsable, and never a negative number.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def parse_links(values: str | None) -> list[tuple[str, str]]:
    """``(url, rel)`` pairs of a (possibly comma-joined) ``Link`` header value."""
    links: list[tuple[str, str]] = []
    for match in _LINK.finditer(values or ""):
        for rel_match in _REL.finditer(match.group(2)):
            for rel in (rel_match.group(1) or rel_match.group(2) or "").split():
                links.append((match.group(1), rel))
    return links


@dataclass
class AcmeResponse:
    """A response from the ACME server, with the parts the protocol uses."""

    status: int
    url: str
    headers: Mapping[str, str]
    text: str
    data: Any  # parsed JSON, or None when the body is not JSON

    @property
    def location(self) -> str | None:
        """The ``Location`` header."""
        return self.headers.get("Location")

    @property
    def nonce(self) -> str | None:
        """The ``Replay-Nonce`` header."""
        return self.headers.get("Replay-Nonce")

    @property
    def retry_after(self) -> float | None:
        """``Retry-After`` in seconds (``None`` when absent)."""
        return parse_retry_after(self.headers.get("Retry-After"))

    def links(self, rel: str) -> list[str]:
        """URLs of every ``Link`` header with relation ``rel``."""
        return [url for url, r in parse_links(self.headers.get("Link")) if r == rel]

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or :class:`AcmeProtocolError`."""
        if not isinstance(self.data, dict):
            raise AcmeProtocolError(f"expected a JSON object from {self.url}: {self.text[:200]!r}")
        return self.data

    def problem(self) -> AcmeProblem | None:
        """The error of a 4xx/5xx response as an :class:`AcmeProblem` (else None)."""
        if self.status < 400:
            return None
        if isinstance(self.data, dict) and "type" in self.data:
            return AcmeProblem.from_json(
                self.data, status=self.status, retry_after=self.retry_after
            )
        return AcmeProblem(
            "about:blank", self.text[:500], status=self.status, retry_after=self.retry_after
        )


class NoncePool:
    """Thread-safe pool of unused nonces (newest first)."""

    def __init__(self) -> None:
        self._nonces: collections.deque[str] = collections.deque(maxlen=_MAX_POOLED_NONCES)
        self._lock = threading.Lock()

    def add(self, nonce: str | None) -> None:
        """Keep a nonce for a later request."""
        if nonce:
            with self._lock:
                self._nonces.append(nonce)

    def take(self) -> str | None:
        """The freshest nonce, or None when the pool is empty."""
        with self._lock:
            return self._nonces.pop() if self._nonces else None

    def __len__(self) -> int:
        return len(self._nonces)


class AcmeNetwork:
    """HTTP transport to one ACME server; knows nothing about orders or accounts."""

    def __init__(
        self,
        directory_url: str,
        *,
        ca_bundle: str | bool | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        event_sink: events.EventSink | None = None,
        disable_ssl_warning: bool = False,
        bad_nonce_retries: int = 1,
        user_agent: str = USER_AGENT,
        session: requests.Session | None = None,
        pool_size: int = 32,
    ) -> None:
        """
        :param ca_bundle: CA file (or dir) to verify the server with; ``None`` uses
            certifi's bundle; ``False`` disables verification (test servers only).
        :param disable_ssl_warning: silence urllib3's ``InsecureRequestWarning``
            (process-wide, as urllib3 offers it) for ``ca_bundle=False``.
        :param bad_nonce_retries: automatic retries after ``badNonce`` (RFC 8555 6.5).
        """
        self.directory_url = directory_url
        self.verify: str | bool = True if ca_bundle is None else ca_bundle
        self.timeout = timeout
        self.event_sink = event_sink
        self.bad_nonce_retries = bad_nonce_retries
        self.nonces = NoncePool()
        self._directory: dict[str, Any] | None = None
        self._directory_lock = threading.Lock()
        if disable_ssl_warning:
            import urllib3

            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.session = session or _make_session(pool_size)
        self.session.headers["User-Agent"] = user_agent

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    # -- directory and nonces ------------------------------------------------------------

    def directory(self, *, refresh: bool = False) -> dict[str, Any]:
        """The directory document, fetched once and cached (``refresh`` refetches)."""
        with self._directory_lock:
            if self._directory is None or refresh:
                response = self.request("GET", self.directory_url, action="directory")
                self._raise_for_problem(response)
                self._directory = response.json_object()
            return self._directory

    def set_directory(self, document: dict[str, Any]) -> None:
        """Use a directory document the caller already has (skips one request)."""
        with self._directory_lock:
            self._directory = document

    def new_nonce(self) -> str:
        """A fresh nonce from ``HEAD newNonce`` (RFC 8555 7.2)."""
        url = str(self.directory()["newNonce"])
        response = self.request("HEAD", url, action="newNonce", keep_nonce=False)
        self._raise_for_problem(response)
        if not response.nonce:
            raise AcmeProtocolError(f"no Replay-Nonce in the response of {url}")
        return response.nonce

    def take_nonce(self) -> str:
        """A pooled nonce, or a new one when the pool is empty."""
        return self.nonces.take() or self.new_nonce()

    # -- requests ------------------------------------------------------------------------

    def get(self, url: str, *, action: str) -> AcmeResponse:
        """Unauthenticated GET (directory, renewalInfo); raises on a problem."""
        response = self.request("GET", url, action=action)
        self._raise_for_problem(response)
        return response

    def post(
        self,
        url: str,
        payload: dict[str, Any] | None,
        *,
        signer: Signer,
        kid: str | None,
        action: str,
        accept: str | None = None,
    ) -> AcmeResponse:
        """Signed POST (``payload=None``: POST-as-GET); raises :class:`AcmeProblem`.

        With ``kid`` the JWS names the account, else it embeds ``signer``'s JWK. After a
        ``badNonce`` the request is signed again with the nonce of that error response
        and sent once more (``bad_nonce_retries`` times in all).
        """
        nonce = self.take_nonce()
        headers = {"Content-Type": "application/jose+json"}
        if accept:
            headers["Accept"] = accept
        attempt = 0
        while True:
            body = json_bytes(sign_request(signer, payload, url=url, nonce=nonce, kid=kid))
            response = self.request(
                "POST", url, action=action, payload=payload, data=body,
                headers=headers, keep_nonce=False, is_retry=attempt > 0,
            )  # fmt: skip
            problem = response.problem()
            if isinstance(problem, BadNonce) and attempt < self.bad_nonce_retries:
                attempt += 1
                logger.info("badNonce on %s %s: retry %d", action, url, attempt)
                nonce = response.nonce or self.take_nonce()
                continue
            self.nonces.add(response.nonce)
            if problem is not None:
                raise problem
            return response

    def request(
        self,
        method: str,
        url: str,
        *,
        action: str,
        payload: dict[str, Any] | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        keep_nonce: bool = True,
        is_retry: bool = False,
    ) -> AcmeResponse:
        """Send one HTTP request; log it and report it to the event sink.

        Network failures raise :class:`AcmeTimeout` / :class:`AcmeNetworkError` after the
        event was sent. HTTP errors are returned; ``keep_nonce`` pools the response nonce.
        """
        if payload is not None and logger.isEnabledFor(logging.DEBUG):
            logger.debug("ACME %s %s %s payload: %s", action, method, url, json.dumps(payload))
        started = time.perf_counter()
        timestamp = events.utcnow()
        try:
            raw = self.session.request(
                method, url, data=data, headers=headers, timeout=self.timeout, verify=self.verify
            )
        except requests.RequestException as exc:
            elapsed = time.perf_counter() - started
            timed_out = isinstance(exc, requests.Timeout)
            error = f"{type(exc).__name__}: {exc}"
            logger.info("ACME %s %s %s -> no response (%s)", action, method, url, error)
            self._emit(action, method, url, payload, None, timestamp, elapsed, error, is_retry)
            if timed_out:
                raise AcmeTimeout(f"{method} {url} timed out after {self.timeout}s") from exc
            raise AcmeNetworkError(f"{method} {url} failed: {error}") from exc
        elapsed = time.perf_counter() - started
        response = AcmeResponse(
            status=raw.status_code,
            url=url,
            headers=raw.headers,
            text=raw.text if method != "HEAD" else "",
            data=_parse_json(raw),
        )
        _log_response(action, method, url, response)
        if keep_nonce:
            self.nonces.add(response.nonce)
        self._emit(action, method, url, payload, response, timestamp, elapsed, None, is_retry)
        return response

    @staticmethod
    def _raise_for_problem(response: AcmeResponse) -> None:
        problem = response.problem()
        if problem is not None:
            raise problem

    def _emit(
        self,
        action: str,
        method: str,
        url: str,
        payload: dict[str, Any] | None,
        response: AcmeResponse | None,
        timestamp: datetime.datetime,
        elapsed: float,
        error: str | None,
        is_retry: bool,
    ) -> None:
        if self.event_sink is None:
            return
        known, extra = events.split_context(events.current_context())
        problem = response.problem() if response is not None else None
        exchange = events.AcmeExchange(
            action=action,
            method=method,
            url=url,
            request_payload=payload,
            response_status=response.status if response is not None else None,
            response_headers=_header_subset(response.headers) if response is not None else {},
            response_body=_body_for_event(response) if response is not None else None,
            problem_type=problem.type if problem is not None else None,
            elapsed=elapsed,
            timestamp=timestamp,
            error=error if error else (str(problem) if problem is not None else None),
            is_retry=is_retry,
            extra=extra,
            **known,
        )
        try:
            self.event_sink(exchange)
        except Exception:  # noqa: BLE001 - a broken sink must not break the protocol
            logger.exception("ACME event sink failed for %s %s", method, url)


def _make_session(pool_size: int) -> requests.Session:
    session = requests.Session()
    # Never let REQUESTS_CA_BUNDLE / SSL_CERT_FILE / proxies from the env apply.
    session.trust_env = False
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _parse_json(raw: requests.Response) -> Any:
    content_type = raw.headers.get("Content-Type", "")
    if "json" not in content_type or not raw.content:
        return None
    try:
        return raw.json()
    except ValueError:
        return None


def _header_subset(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: headers[name] for name in events.EXCHANGE_HEADERS if name in headers}


def _body_for_event(response: AcmeResponse) -> Any:
    if response.data is not None:
        return response.data
    text = response.text
    if len(text) > events.MAX_TEXT_BODY:
        return text[: events.MAX_TEXT_BODY] + f"... [{len(text)} chars]"
    return text or None


def _log_response(action: str, method: str, url: str, response: AcmeResponse) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "ACME %s %s %s -> %s headers=%s body=%s",
            action, method, url, response.status,
            _header_subset(response.headers), response.text,
        )  # fmt: skip
    if response.data is not None and logger.isEnabledFor(logging.DEBUG):
        logger.debug("ACME %s parsed JSON: %s", action, json.dumps(response.data, sort_keys=True))
