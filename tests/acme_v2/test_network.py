"""The network layer against an in-process fake server: nonces, retries, events, logs."""

from __future__ import annotations

import datetime
import logging
import socket

import pytest
import requests

from peter_sslers.lib.acme_v2 import AcmeClient, AcmeExchange, acme_context
from peter_sslers.lib.acme_v2.errors import AcmeNetworkError, AcmeTimeout, BadNonce, Malformed
from peter_sslers.lib.acme_v2.network import parse_links, parse_retry_after

from .fakes import BASE, FakeAcmeServer, jws_parts, problem
from .helpers import make_key_pem

ACCOUNT = {"status": "valid", "contact": [], "orders": f"{BASE}/acct/1/orders"}


def make_client(server: FakeAcmeServer, **kwargs: object) -> AcmeClient:
    return AcmeClient(
        f"{BASE}/dir",
        make_key_pem("ec256"),
        session=server.session(),
        **kwargs,  # type: ignore[arg-type]
    )


def created_account(request: requests.PreparedRequest):  # noqa: ANN201
    return 201, {"Location": f"{BASE}/acct/1"}, ACCOUNT


# --- Retry-After and Link parsing ---------------------------------------------------------


def test_parse_retry_after_seconds_and_http_date() -> None:
    now = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 Jan 2025 11:00:00 GMT", now=now) == 0.0  # past
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-5") is None


def test_parse_links_keeps_every_alternate() -> None:
    header = (
        '<https://a/dir>;rel="index", <https://a/cert/1/1>;rel="alternate", '
        '<https://a/cert/1/2>; rel=alternate, <https://a/up>;title="x";rel="up"'
    )
    assert parse_links(header) == [
        ("https://a/dir", "index"),
        ("https://a/cert/1/1", "alternate"),
        ("https://a/cert/1/2", "alternate"),
        ("https://a/up", "up"),
    ]


# --- nonces, JWS headers, badNonce -------------------------------------------------------


def test_nonce_pool_reuses_replay_nonce_and_kid_after_account() -> None:
    server = FakeAcmeServer()
    server.route("POST", "/account", created_account)
    server.route("POST", "/acct/1", lambda r: (200, {}, ACCOUNT))
    client = make_client(server)
    client.new_account(terms_of_service_agreed=True)
    client.get_account()
    heads = [r for r, _ in server.seen if r.method == "HEAD"]
    assert len(heads) == 1  # the second POST reused the nonce of the first response
    posts = [jws_parts(r) for r, _ in server.seen if r.method == "POST"]
    (first, payload), (second, get_payload) = posts
    assert "jwk" in first and "kid" not in first and first["alg"] == "ES256"
    assert payload == {"termsOfServiceAgreed": True}
    assert second["kid"] == f"{BASE}/acct/1" and "jwk" not in second
    assert second["nonce"] != first["nonce"] and get_payload is None  # POST-as-GET
    assert second["url"] == f"{BASE}/acct/1"


def test_bad_nonce_retried_once_with_the_error_nonce() -> None:
    server = FakeAcmeServer()
    calls: list[requests.PreparedRequest] = []

    def flaky(request: requests.PreparedRequest):  # noqa: ANN202
        calls.append(request)
        if len(calls) == 1:
            return problem("badNonce", "stale", **{"Replay-Nonce": "from-error"})
        return created_account(request)

    server.route("POST", "/account", flaky)
    exchanges: list[AcmeExchange] = []
    client = make_client(server, event_sink=exchanges.append)
    client.new_account()
    assert len(calls) == 2
    assert jws_parts(calls[1])[0]["nonce"] == "from-error"
    posts = [e for e in exchanges if e.method == "POST"]
    assert [e.problem_type for e in posts] == ["urn:ietf:params:acme:error:badNonce", None]
    assert [e.is_retry for e in posts] == [False, True]


def test_bad_nonce_twice_raises_after_exactly_one_retry() -> None:
    server = FakeAcmeServer()
    calls = []
    server.route("POST", "/account", lambda r: calls.append(r) or problem("badNonce"))
    client = make_client(server)
    with pytest.raises(BadNonce):
        client.new_account()
    assert len(calls) == 2


def test_other_problems_are_not_retried() -> None:
    server = FakeAcmeServer()
    calls = []
    server.route("POST", "/account", lambda r: calls.append(r) or problem("malformed", "bad"))
    with pytest.raises(Malformed, match="bad"):
        make_client(server).new_account()
    assert len(calls) == 1


# --- verify, timeouts, environment -------------------------------------------------------


def test_verify_and_timeout_are_explicit_on_every_request(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/env-bundle.pem")
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent/env-bundle.pem")
    bundle = tmp_path / "ca.pem"
    server = FakeAcmeServer()
    server.route("POST", "/account", created_account)
    client = make_client(server, ca_bundle=str(bundle), timeout=7.5)
    client.new_account()
    assert client.net.session.trust_env is False
    assert {kw["verify"] for _, kw in server.seen} == {str(bundle)}
    assert {kw["timeout"] for _, kw in server.seen} == {7.5}


def test_default_session_ignores_environment() -> None:
    client = AcmeClient("https://127.0.0.1:9/dir", make_key_pem())
    assert client.net.session.trust_env is False
    assert client.net.verify is True


def test_disable_ssl_warning() -> None:
    import warnings

    import urllib3

    insecure = urllib3.exceptions.InsecureRequestWarning
    with warnings.catch_warnings():
        AcmeClient(
            "https://127.0.0.1:9/dir", make_key_pem(), ca_bundle=False, disable_ssl_warning=True
        )
        assert any(f[0] == "ignore" and f[2] is insecure for f in warnings.filters)


# --- events ----------------------------------------------------------------------------


def test_event_for_every_request_with_context_ids() -> None:
    server = FakeAcmeServer()
    server.route("POST", "/account", created_account)
    server.route("POST", "/acct/1", lambda r: problem("unauthorized", "nope", 403))
    exchanges: list[AcmeExchange] = []
    client = make_client(server, event_sink=exchanges.append)
    with client.context(account_id=7, order_id="o-1", note="x"):
        client.new_account(["mailto:a@example.com"])
        with acme_context(challenge_id=3), pytest.raises(Exception, match="nope"):
            client.update_contact([])
    assert [e.action for e in exchanges] == [
        "directory", "newNonce", "newAccount", "account-update",
    ]  # fmt: skip
    assert len(exchanges) == len(server.seen)
    directory, nonce, account, update = exchanges
    assert directory.method == "GET" and directory.response_body["newOrder"] == f"{BASE}/order"
    assert nonce.method == "HEAD" and "Replay-Nonce" in nonce.response_headers
    assert account.request_payload == {
        "termsOfServiceAgreed": False,
        "contact": ["mailto:a@example.com"],
    }
    assert (
        account.response_status == 201 and account.response_headers["Location"] == f"{BASE}/acct/1"
    )
    assert account.account_id == 7 and account.order_id == "o-1" and account.extra == {"note": "x"}
    assert account.challenge_id is None and update.challenge_id == 3
    assert update.problem_type == "urn:ietf:params:acme:error:unauthorized"
    assert update.response_status == 403 and "nope" in (update.error or "")
    for e in exchanges:
        assert e.timestamp.tzinfo is not None and e.elapsed >= 0
        assert "PRIVATE" not in repr(e.request_payload)
        e.as_dict()


def test_event_sent_before_network_error_propagates() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exchanges: list[AcmeExchange] = []
    client = AcmeClient(
        f"https://127.0.0.1:{port}/dir", make_key_pem(), timeout=2, event_sink=exchanges.append
    )

    with pytest.raises(AcmeNetworkError):
        client.new_account()
    (event,) = exchanges
    assert event.action == "directory" and event.response_status is None
    assert "ConnectionError" in (event.error or "")


def test_timeout_raises_acme_timeout_after_event() -> None:
    server = FakeAcmeServer()
    server.route("HEAD", "/nonce", lambda r: requests.exceptions.ReadTimeout("slow"))
    exchanges: list[AcmeExchange] = []
    client = make_client(server, event_sink=exchanges.append)
    with pytest.raises(AcmeTimeout):
        client.new_account()
    assert [(e.action, e.response_status) for e in exchanges] == [
        ("directory", 200), ("newNonce", None),
    ]  # fmt: skip
    assert "ReadTimeout" in (exchanges[-1].error or "")


def test_broken_sink_does_not_break_requests(caplog) -> None:
    server = FakeAcmeServer()
    server.route("POST", "/account", created_account)

    def sink(exchange: AcmeExchange) -> None:
        raise RuntimeError("db down")

    make_client(server, event_sink=sink).new_account()
    assert "event sink failed" in caplog.text


def test_non_json_body_is_truncated_in_events() -> None:
    server = FakeAcmeServer()
    server.route("POST", "/account", created_account)
    server.route("POST", "/cert/1", lambda r: (200, {"Content-Type": "text/plain"}, "A" * 10_000))
    exchanges: list[AcmeExchange] = []
    client = make_client(server, event_sink=exchanges.append)
    client.new_account()
    chains = client.download_certificate(f"{BASE}/cert/1")
    assert len(chains.default) == 10_000
    assert len(exchanges[-1].response_body) < 4200


# --- logging -------------------------------------------------------------------------


def test_logging_raw_at_info_and_parsed_at_debug(caplog) -> None:
    server = FakeAcmeServer()
    server.route("POST", "/account", created_account)
    client = make_client(server)
    with caplog.at_level(logging.DEBUG, logger="peter_sslers.lib.acme_v2"):
        client.new_account()
    ours = [r for r in caplog.records if r.name.startswith("peter_sslers.lib.acme_v2")]
    info = [r.getMessage() for r in ours if r.levelno == logging.INFO]
    debug = [r.getMessage() for r in ours if r.levelno == logging.DEBUG]
    assert any("newAccount POST" in m and "201" in m and '"status": "valid"' in m for m in info)
    assert any("Location" in m for m in info)
    assert any(m.startswith("ACME newAccount parsed JSON") for m in debug)

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="peter_sslers.lib.acme_v2"):
        client.net.directory(refresh=True)
    assert [r.levelno for r in caplog.records if r.name.startswith("peter_sslers")] == [
        logging.INFO
    ]
