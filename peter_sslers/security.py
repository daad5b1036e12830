"""Optional admin authentication (htpasswd with bcrypt, bearer API tokens) and CSRF.

A tween guards every path under ``admin_prefix`` — pages, ``.json`` routes, downloads,
static files, even 404s — so nothing under the admin tool is reachable without
credentials once ``admin.auth`` is on. Public routes are never affected.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
import threading

import bcrypt
import sqlalchemy as sa
from pyramid.csrf import CookieCSRFStoragePolicy, check_csrf_token
from pyramid.httpexceptions import HTTPForbidden, HTTPUnauthorized

from .model import AdminApiToken
from .model.meta import utcnow
from .views.rendering import render_error

log = logging.getLogger(__name__)
CSRF_FIELD = "csrf_token"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_api_token(dbsession, name: str) -> tuple[AdminApiToken, str]:
    """Create an API token; the clear token is returned once and only its hash is stored."""
    token = "pss_" + secrets.token_urlsafe(32)
    row = AdminApiToken(name=name[:128], token_sha256=token_digest(token))
    dbsession.add(row)
    dbsession.flush()
    return row, token


class Htpasswd:
    """An htpasswd file of bcrypt hashes, re-read when it changes."""

    def __init__(self, path: str):
        self.path = path
        self._mtime = None
        self._users: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def _load(self) -> dict[str, bytes]:
        mtime = os.stat(self.path).st_mtime
        with self._lock:
            if mtime != self._mtime:
                users = {}
                with open(self.path, encoding="utf-8") as handle:
                    for line in handle:
                        user, sep, digest = line.strip().partition(":")
                        if sep and digest.startswith(("$2a$", "$2b$", "$2y$")):
                            users[user] = digest.encode("ascii")
                self._users, self._mtime = users, mtime
        return self._users

    def check(self, user: str, password: str) -> bool:
        digest = self._load().get(user)
        if digest is None:
            bcrypt.checkpw(b"x", b"$2b$12$" + b"." * 53)  # same time for unknown users
            return False
        return bcrypt.checkpw(password.encode("utf-8"), digest)


def _basic_credentials(request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


def _bearer(request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _token_ok(request, token: str) -> bool:
    factory = request.registry["dbsession_factory"]
    with factory() as session, session.begin():
        row = session.execute(
            sa.select(AdminApiToken).where(AdminApiToken.token_sha256 == token_digest(token),
                                           AdminApiToken.is_active.is_(True))
        ).scalar_one_or_none()
        if row is None:
            return False
        row.timestamp_last_used = utcnow()
    return True


def authenticate(request, mode: str, htpasswd: Htpasswd | None) -> str | None:
    """``"basic"`` or ``"token"`` for valid credentials of an allowed kind, else None."""
    token = _bearer(request)
    if token and mode in ("token", "basic_or_token") and _token_ok(request, token):
        return "token"
    credentials = _basic_credentials(request)
    if credentials and htpasswd is not None and mode in ("basic", "basic_or_token") and htpasswd.check(*credentials):
        return "basic"
    return None


def admin_auth_tween_factory(handler, registry):
    settings = registry["app_settings"]
    prefix = settings.admin_prefix
    mode = settings.admin_auth
    htpasswd = Htpasswd(settings.admin_htpasswd_file) if settings.admin_htpasswd_file else None
    realm = 'Basic realm="peter_sslers admin"' if mode != "token" else 'Bearer realm="peter_sslers admin"'

    def tween(request):
        path = request.path_info
        if mode != "none" and (path == prefix or path.startswith(prefix + "/")):
            method = authenticate(request, mode, htpasswd)
            if method is None:
                error = HTTPUnauthorized("admin credentials required", headers={"WWW-Authenticate": realm})
                return render_error(request, error)
            request.environ["peter_sslers.auth"] = method
        return handler(request)

    return tween


def csrf_required(request) -> bool:
    """Form posts to the admin need a CSRF token unless authenticated with a bearer token."""
    settings = request.registry["app_settings"]
    enabled = settings.admin_csrf == "on" or (settings.admin_csrf == "auto" and settings.admin_auth != "none")
    if not enabled or request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.environ.get("peter_sslers.auth") == "token":
        return False
    path = request.path_info
    return path == settings.admin_prefix or path.startswith(settings.admin_prefix + "/")


def csrf_tween_factory(handler, registry):
    def tween(request):
        if csrf_required(request):
            try:
                check_csrf_token(request, token=CSRF_FIELD, header="X-CSRF-Token")
            except Exception:  # noqa: BLE001 - BadCSRFToken and missing tokens alike
                return render_error(request, HTTPForbidden("missing or wrong CSRF token: reload the form and try again"))
        return handler(request)

    return tween


def includeme(config) -> None:
    config.set_csrf_storage_policy(CookieCSRFStoragePolicy(httponly=True, samesite="Strict"))
    config.add_tween("peter_sslers.security.admin_auth_tween_factory")
    config.add_tween("peter_sslers.security.csrf_tween_factory", under="peter_sslers.security.admin_auth_tween_factory")
