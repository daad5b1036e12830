"""Case 4: a ``rateLimited`` answer with ``Retry-After: 120``, from a plain-HTTP ACME stub.

The app must answer 429 with Retry-After, store a RateLimited row, and refuse further
orders before contacting the server (counted at the stub) until Retry-After has passed.
"""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa

from peter_sslers.model import RateLimited
from peter_sslers.model.meta import utcnow
from tests.services.live_app import LiveServer

from .conftest import RateLimitingAcmeStub

RATE_LIMITED = "urn:ietf:params:acme:error:rateLimited"


@pytest.fixture
def stub():
    acme = RateLimitingAcmeStub(retry_after=120)
    server = LiveServer(acme, threads=2).start()
    acme.base = server.url
    yield acme
    server.stop()


@pytest.fixture
def limited(lab, stub):
    """(app, account, first 429 response) after one rateLimited newOrder."""
    app = lab.app(stub.base + "/directory", serve=False)
    account = app.new_account()
    res = app.testapp.post("/.well-known/admin/acme-order/new.json",
                           {"acme_account_id": account["id"], "domain_names_http01": "a.limited.example.test"},
                           status=429)  # fmt: skip
    return app, account, res


def _new_order(app, account, name: str, status):
    return app.testapp.post("/.well-known/admin/acme-order/new.json",
                            {"acme_account_id": account["id"], "domain_names_http01": name}, status=status)  # fmt: skip


def test_rate_limited_answer_is_429_and_blocks_the_same_names_locally(limited, stub, record):
    app, account, first = limited
    assert first.json["acme_problem"]["type"] == RATE_LIMITED
    assert first.headers["Retry-After"] == "120"
    assert stub.hits["/new-order"] == 1
    rows = app.read(sa.select(RateLimited))
    assert len(rows) == 1 and rows[0].acme_account_id == int(account["id"])
    wait = (rows[0].timestamp_retry_after - utcnow()).total_seconds()
    assert 100 < wait <= 120
    failed = app.orders(account["id"])[0]
    assert failed["status"] == "invalid" and failed["problem"]["type"] == RATE_LIMITED
    hits = sum(stub.hits.values())
    again = _new_order(app, account, "a.limited.example.test", status=429)
    assert again.json["result"] == "error" and "rate-limited" in again.json["error"]
    assert "rate_limit" in again.json["form_errors"]
    refused_requests = sum(stub.hits.values()) - hits
    assert refused_requests == 0  # refused before anything was sent
    assert app.order_count(account["id"]) == 1  # and nothing stored
    # once Retry-After has passed, the server is asked again
    app.router.registry["clock"] = lambda: utcnow() + datetime.timedelta(seconds=121)
    try:
        _new_order(app, account, "a.limited.example.test", status=429)
    finally:
        del app.router.registry["clock"]
    assert stub.hits["/new-order"] == 2
    record("4 rateLimited", "plain-HTTP ACME stub: newOrder -> 429 rateLimited, Retry-After: 120",
           "429 + Retry-After: 120, RateLimited row; same names refused locally (0 requests to the stub); "
           "asked again after 121 s", stub_requests_for_refused_order=refused_requests)  # fmt: skip


def test_rate_limited_account_is_refused_for_other_names_too(limited, stub):
    app, account, _ = limited
    hits = sum(stub.hits.values())
    res = _new_order(app, account, "b.other.example.test", status="*")
    assert res.status_int == 429
    assert sum(stub.hits.values()) == hits, dict(stub.hits)
