"""Talk to the nginx/OpenResty servers of ``nginx.servers_pool``: expire their certificate
cache (all of it, or some domains) and read its status (routes of lua-resty-peter_sslers 0.5).

Every function answers one plain dict, the same shape for all of them::

    {"result": "success" | "partial" | "error",
     "servers_status": {"success": [url, ...], "errors": [url, ...],
                        "servers": {url: what that server answered, or {"result": "error", ...}}}}

``result`` is "success" when every server succeeded, "error" when none did and "partial"
otherwise. One server failing (down, refusing, wrong password, timeout) never hides what the
others answered: servers are asked in parallel and each answer is kept.
"""

from __future__ import annotations

import logging
import re
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import requests

from .errors import InvalidRequest

log = logging.getLogger(__name__)

MAX_PARALLEL = 8


def servers(settings) -> tuple[str, ...]:
    """The configured servers; ``InvalidRequest`` (400) when the pool is empty."""
    pool = tuple(settings.nginx_servers_pool or ())
    if not pool:
        raise InvalidRequest(
            "no nginx servers are configured: set nginx.servers_pool (comma separated URLs)"
        )
    return pool


def _session(settings) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or CA bundles from the environment
    if settings.nginx_userpass:
        user, _, password = settings.nginx_userpass.partition(":")
        session.auth = (user, password)
    session.verify = settings.nginx_ca_bundle or True
    return session


_OS_ERROR = re.compile(r"\[Errno -?\d+\][^'\")]*")


def _failure(exc: requests.RequestException, timeout: int) -> str:
    if isinstance(exc, requests.Timeout):
        return f"timed out after {timeout}s"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error: {exc}"
    if isinstance(exc, requests.ConnectionError):
        # urllib3 wraps "[Errno 111] Connection refused" in three layers of repr
        found = _OS_ERROR.search(str(exc))
        return f"could not connect: {found.group(0).strip() if found else exc}"
    return f"{type(exc).__name__}: {exc}"


def _get(session: requests.Session, url: str, timeout: int) -> dict:
    """GET one admin route: the server's JSON answer, or ``{"result": "error", ...}``."""
    try:
        response = session.get(url, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        return {"result": "error", "url": url, "error": _failure(exc, timeout)}
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if response.status_code == 200 and isinstance(payload, dict) and payload.get("result") == "success":
        return payload
    error = f"HTTP {response.status_code}"
    if response.status_code == 401:
        error += ": authentication failed (check nginx.userpass)"
    elif isinstance(payload, dict) and payload.get("reason"):
        error += f": {payload['reason']}"
    answer = {"result": "error", "url": url, "status_code": response.status_code, "error": error}
    if isinstance(payload, dict):
        answer["response"] = payload
    return answer


def _ask_all(settings, ask: Callable[[requests.Session, str], dict]) -> dict:
    """``ask(session, server)`` on every server in parallel, gathered into the common shape."""
    pool = servers(settings)

    def one(server: str) -> dict:
        with _session(settings) as session:
            return ask(session, server)

    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(pool))) as executor:
        answers = dict(zip(pool, executor.map(one, pool), strict=True))
    success = [s for s in pool if answers[s].get("result") == "success"]
    errors = [s for s in pool if s not in success]
    for server in errors:
        log.warning("nginx server %s: %s", server, answers[server].get("error"))
    result = "success" if not errors else ("error" if not success else "partial")
    return {
        "result": result,
        "servers_status": {"errors": errors, "success": success, "servers": answers},
    }


def expire_all(settings) -> dict:
    """``GET {server}{nginx.reset_path}/all`` on every server: empty their certificate caches."""
    path, timeout = settings.nginx_reset_path, settings.nginx_timeout
    data = _ask_all(settings, lambda session, server: _get(session, f"{server}{path}/all", timeout))
    return {**data, "expired": "all"}


def expire_domains(settings, domain_names: Iterable[str]) -> dict:
    """``GET {server}{nginx.reset_path}/domain/{name}`` for each name on every server.

    A server's entry is ``{"result", "domains": {name: its answer}}``; it succeeded when
    every name did. Note the 0.5.0 module answers success here but clears nothing (a
    module bug, see the contract): ``expire_all`` is the reliable way.
    """
    names = sorted(set(domain_names))
    path, timeout = settings.nginx_reset_path, settings.nginx_timeout

    def ask(session: requests.Session, server: str) -> dict:
        answers = {}
        for name in names:
            answers[name] = _get(session, f"{server}{path}/domain/{urllib.parse.quote(name, safe='')}", timeout)
            if "status_code" not in answers[name] and answers[name].get("result") == "error":
                break  # the server is unreachable: do not wait out a timeout per name
        ok = len(answers) == len(names) and all(a.get("result") == "success" for a in answers.values())
        entry = {"result": "success" if ok else "error", "domains": answers}
        if not ok:
            entry["error"] = next(
                (a["error"] for a in answers.values() if a.get("result") == "error"), "not every domain was expired"
            )
        return entry

    return {**_ask_all(settings, ask), "expired": "domain", "domains": names}


def expire_domains_if_configured(settings, domain_names: Iterable[str]) -> dict | None:
    """``expire_domains`` after a change of what these domains serve; None (nothing asked)
    when ``nginx.servers_pool`` is unset or there is no name."""
    names = sorted(set(domain_names))
    if not settings.nginx_servers_pool or not names:
        return None
    return expire_domains(settings, names)


def status(settings) -> dict:
    """``GET {server}{nginx.status_path}`` on every server: what each one has in its cache."""
    path, timeout = settings.nginx_status_path, settings.nginx_timeout
    return _ask_all(settings, lambda session, server: _get(session, f"{server}{path}", timeout))
