"""The public routes (``/.well-known/acme-challenge/{token}``, ``/.well-known/public/whoami``) under
hostile input: traversal, huge and control-character tokens, odd Host headers, every HTTP
method. They never answer 5xx, never show key material or admin data, and with the admin
views switched off nothing under the admin prefix is reachable from the public side.
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.store.conftest import ADMIN

CHALLENGE = "/.well-known/acme-challenge/"
WHOAMI = "/.well-known/public/whoami"
KEY_MATERIAL = ("PRIVATE KEY", "-----BEGIN")
# what admin pages and payloads hold (the admin *links* on error pages are a test of their own)
ADMIN_DATA = ('"result": "success"', "certificate_signed", "private_key", "acme_account", "fingerprint_sha256")



@pytest.fixture(params=["admin_on", "admin_off"])
def public_app(request, testapp):
    """The same public routes served by the full application and by a public-only one."""
    if request.param == "admin_on":
        return testapp
    return request.getfixturevalue("public_only_app")


def _visible(res, path: str) -> str:
    """The body without the echo of the requested path (the error page shows the request URL)."""
    body = res.body.decode("utf-8", "replace")
    for variant in {path, urllib.parse.unquote(path), urllib.parse.quote(urllib.parse.unquote(path), safe="/")}:
        body = body.replace(variant, "")
    return body


def assert_harmless(res, path: str, world, *, plain: bool) -> None:
    assert res.status_int < 500, f"{res.status}: {res.text[:1000]}"
    body = res.body.decode("utf-8", "replace")
    for needle in KEY_MATERIAL:
        assert needle not in body, f"{needle!r} in the answer to {path!r}"
    assert world.leaf.key_pem.splitlines()[1] not in body
    if res.status_int != 200:
        assert world.ids["challenge_keyauth"] not in body
    for needle in ADMIN_DATA:
        assert needle not in body, f"admin data {needle!r} in the answer to {path!r}"
    if plain:
        assert res.content_type == "text/plain", res.content_type
        assert ADMIN not in _visible(res, path), body[:500]


# ---- hostile tokens ---------------------------------------------------------------------------

# matched by the route (the token is one path segment): the challenge view answers, in plain text
SEGMENT_TOKENS = {
    "dotdot-double-encoded": "..%252F..%252F.well-known%252Fadmin%252Findex.json",
    "dotdot-backslash": "..%5C..%5Cadmin%5Cindex.json",
    "dot-dot": "..",
    "encoded-dot-dot": "%2e%2e",
    "token-5000-chars": "A" * 5000,
    "token-5000-encoded": "%41" * 5000,
    "nul": "abc%00def",
    "nul-only": "%00",
    "crlf-header-injection": "abc%0D%0ASet-Cookie:%20x=1",
    "control-characters": "%01%02%03%1B%5B31m%7F",
    "unicode-snowman": "%E2%98%83",
    "sql-quote": "x'%20OR%20'1'='1",
    "percent-literal": "%25",
    "semicolon-params": "abc;admin=1",
    "valid-token-plus-dots": "{token}..",
    "valid-token-plus-nul": "{token}%00",
    "query-string-in-token": "abc%3Fx%3D1",
    "html": "%3Cscript%3Ealert(1)%3C/script%3E".replace("/", "%5C"),
}
# not one segment once decoded (WebOb decodes %2F): no route matches, the generic 404 answers
UNMATCHED_PATHS = {
    "dotdot-encoded-slash": CHALLENGE + "..%2F..%2Fadmin%2Findex.json",
    "encoded-admin-prefix": CHALLENGE + "%2F.well-known%2Fadmin%2Fprivate-key%2F{key_id}%2Fkey.pem",
    "dotdot-plain": CHALLENGE + "../../admin/index.json",
    "dotdot-key-download": CHALLENGE + "../../admin/private-key/{key_id}/key.pem",
    "valid-token-slash": CHALLENGE + "{token}/",
    "valid-token-subpath": CHALLENGE + "{token}/../../admin",
    "empty-token": CHALLENGE,
    "no-slash": CHALLENGE.rstrip("/"),
    "double-slash": CHALLENGE + "/{token}",
    "whoami-subpath": WHOAMI + "/../../admin/index.json",
    "html-with-slash": CHALLENGE + "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
}


def _fill(path: str, world) -> str:
    return path.replace("{token}", world.ids["challenge_token"]).replace("{key_id}", world.ids["key_id"])


@pytest.mark.parametrize("token", list(SEGMENT_TOKENS.values()), ids=list(SEGMENT_TOKENS))
def test_hostile_tokens_are_plain_404s(token, world, public_app):
    path = CHALLENGE + _fill(token, world)
    res = public_app.get(path, status="*")
    assert res.status_int == 404, f"{res.status}: {res.text[:500]}"
    assert_harmless(res, path, world, plain=True)
    assert res.text == "no active challenge for this token\n"


@pytest.mark.parametrize("path", list(UNMATCHED_PATHS.values()), ids=list(UNMATCHED_PATHS))
def test_hostile_paths_are_404s_without_admin_data(path, world, public_app):
    path = _fill(path, world)
    res = public_app.get(path, status="*")
    assert res.status_int == 404, f"{res.status}: {res.text[:500]}"
    assert_harmless(res, path, world, plain=False)


def test_the_real_challenge_is_answered_and_nothing_more(world, public_app):
    token, keyauth = world.ids["challenge_token"], world.ids["challenge_keyauth"]
    res = public_app.get(CHALLENGE + token)
    assert res.text == keyauth and res.content_type == "text/plain"
    head = public_app.head(CHALLENGE + token)
    assert head.status_int == 200 and head.body == b""


# ---- odd Host headers -------------------------------------------------------------------------

HOSTS = {
    "very-long": "a" * 5000 + ".example",
    "with-port": "public.example:8443",
    "port-only": ":80",
    "ipv6-with-port": "[::1]:8080",
    "latin1": "b\u00fccher.example",
    "utf8-bytes": "\u4f8b\u3048.jp".encode().decode("latin-1"),
    "punycode": "xn--r8jz45g.jp",
    "nul": "a\x00b.example",
    "crlf": "a.example\r\nX-Injected: 1",
    "html": "<script>alert(1)</script>",
    "spaces": "   ",
    "trailing-dot": "public.example.",
}


@pytest.mark.parametrize("host", list(HOSTS.values()), ids=list(HOSTS))
def test_whoami_with_odd_hosts(host, world, public_app):
    res = public_app.get(WHOAMI, headers={"Host": host}, status="*")
    assert res.status_int in (200, 400), f"{res.status}: {res.text[:500]}"
    assert_harmless(res, WHOAMI, world, plain=True)
    if res.status_int == 200:
        assert res.body.endswith(b"\n") and res.body.count(b"\n") >= 1


def test_whoami_without_a_host_header(world, public_app):
    res = public_app.get(WHOAMI, extra_environ={"HTTP_HOST": "", "SERVER_NAME": "fallback.example",
                                                "SERVER_PORT": "80"}, status="*")
    assert res.status_int == 200
    assert_harmless(res, WHOAMI, world, plain=True)
    assert res.text in ("\n", "fallback.example\n")  # WebOb takes an empty Host header as given


@pytest.mark.parametrize("host", list(HOSTS.values()), ids=list(HOSTS))
def test_challenge_polls_with_odd_hosts(host, world, public_app):
    unknown = public_app.get(CHALLENGE + "unknown-token", headers={"Host": host}, status="*")
    assert unknown.status_int == 404
    assert_harmless(unknown, CHALLENGE, world, plain=True)
    known = public_app.get(CHALLENGE + world.ids["challenge_token"], headers={"Host": host}, status="*")
    assert known.status_int == 200 and known.text == world.ids["challenge_keyauth"]


# ---- every HTTP method ------------------------------------------------------------------------

METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "CONNECT", "BREW"]
TARGETS = {"known-token": CHALLENGE + "{token}", "unknown-token": CHALLENGE + "unknown", "whoami": WHOAMI}


@pytest.mark.parametrize("target", list(TARGETS), ids=list(TARGETS))
@pytest.mark.parametrize("method", METHODS)
def test_every_method(method, target, world, public_app):
    path = _fill(TARGETS[target], world)
    res = public_app.request(path, method=method, body=b"x=1" if method in ("POST", "PUT", "PATCH") else b"",
                             headers={"Authorization": "Basic c2VjcmV0LXBhc3N3b3Jk", "Cookie": "session=s3cr3t"},
                             expect_errors=True)
    if method in ("GET", "HEAD"):
        expected = 404 if target == "unknown-token" else 200
        assert res.status_int == expected, res.status
    else:
        assert res.status_int in (404, 405), f"{method} {path}: {res.status}"
    if method == "HEAD":
        assert res.body == b""
    assert_harmless(res, path, world, plain=method in ("GET", "HEAD"))
    body = res.body.decode("utf-8", "replace")
    assert "c2VjcmV0LXBhc3N3b3Jk" not in body and "s3cr3t" not in body  # TRACE echoes nothing


# ---- the admin prefix from the public side, admin off -----------------------------------------

ADMIN_PATHS = [
    "", "/", "/index.json", "/settings.json", "/api.json", "/api/openapi.json", "/private-keys.json",
    "/private-key/{key_id}/key.pem", "/private-key/{key_id}/key.key", "/certificate-signed/{cert_id}/privkey.pem",
    "/certificate-signed/{cert_id}/config.zip", "/certificate-signed/{cert_id}/cert.p12",
    "/certificate-signed/{cert_id}/config.json", "/acme-account-key/{account_key_id}/key.pem",
    "/domain/example.com/config.json", "/domain/example.com", "/acme-event-logs.json", "/search.json?q=example.com",
    "/static/app/app.css", "/static/bootstrap/css/bootstrap.min.css", "/metrics",
    "%2Findex.json", "/../admin/index.json", "/./index.json", "//index.json", ";x=1/index.json",
]
OTHER_SPELLINGS = [
    "/.well-known/ADMIN/index.json", "//.well-known/admin/index.json", "/.well-known/./admin/index.json",
    "/.well-known/admin%2Findex.json", "/.well-known%2Fadmin%2Findex.json", "/.well-known/admin/%2e%2e/admin/index.json",
    CHALLENGE + "..%2F..%2Fadmin%2Findex.json", CHALLENGE + "../../admin/private-key/{key_id}/key.pem",
    "/.well-known/public/../admin/index.json",
]


def _admin_path(path: str, world) -> str:
    return path.format(**world.ids)


@pytest.mark.parametrize("path", [ADMIN + p for p in ADMIN_PATHS] + OTHER_SPELLINGS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_admin_paths_are_404_when_admin_is_off(method, path, world, public_only_app, row_counts):
    path = _admin_path(path, world)
    before = row_counts()
    res = public_only_app.request(path, method=method, body=b"action=revoked" if method == "POST" else b"",
                                  content_type="application/x-www-form-urlencoded" if method == "POST" else None,
                                  expect_errors=True)
    assert res.status_int == 404, f"{method} {path}: {res.status} {res.text[:300]}"
    assert_harmless(res, path, world, plain=False)
    assert row_counts() == before


def test_uploads_through_the_public_side_write_nothing(world, public_only_app, row_counts):
    before = row_counts()
    leaf = world.other_leaf
    for path in ("/certificate-signed/upload.json", "/certificate-signed/upload"):
        res = public_only_app.post(
            ADMIN + path, upload_files=[("certificate_file", "c.pem", leaf.pem.encode()),
                                        ("private_key_file", "k.pem", leaf.key_pem.encode())], status="*")
        assert res.status_int == 404
        assert_harmless(res, ADMIN + path, world, plain=False)
    res = public_only_app.post(ADMIN + "/api/domain/autocert.json", {"domain_name": "public.example.com"}, status="*")
    assert res.status_int == 404
    assert row_counts() == before


# ---- error pages on the public side must not point at the admin -----------------------------

ERROR_PAGES = {
    "unmatched-challenge-path": ("GET", CHALLENGE + "../../x"),
    "post-to-challenge": ("POST", CHALLENGE + "unknown"),
    "delete-whoami": ("DELETE", WHOAMI),
    "unknown-public-path": ("GET", "/.well-known/nothing-here"),
}


@pytest.mark.parametrize("method,path", list(ERROR_PAGES.values()), ids=list(ERROR_PAGES))
def test_public_error_pages_do_not_link_the_admin(method, path, world, public_app):
    res = public_app.request(path, method=method, expect_errors=True)
    assert res.status_int in (404, 405)
    assert_harmless(res, path, world, plain=False)
    assert ADMIN not in _visible(res, path), res.text[:800]


def test_admin_prefix_404_does_not_link_the_admin_when_admin_is_off(world, public_only_app):
    path = ADMIN + "/private-keys"
    res = public_only_app.get(path, status=404)
    assert f'href="{ADMIN}' not in res.text, res.text[:800]
