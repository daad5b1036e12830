"""The error hierarchy built from ACME problem documents."""

from __future__ import annotations

import pickle

import pytest

from peter_sslers.lib.acme_v2 import errors
from peter_sslers.lib.acme_v2.errors import AcmeError, AcmeProblem

P = errors.ACME_ERROR_PREFIX


@pytest.mark.parametrize(
    ("short", "klass"),
    [
        ("badNonce", errors.BadNonce),
        ("rateLimited", errors.RateLimited),
        ("unauthorized", errors.Unauthorized),
        ("malformed", errors.Malformed),
        ("orderNotReady", errors.OrderNotReady),
        ("alreadyRevoked", errors.AlreadyRevoked),
        ("badCSR", errors.BadCSR),
        ("connection", errors.Connection),
        ("dns", errors.DNS),
        ("incorrectResponse", errors.IncorrectResponse),
        ("rejectedIdentifier", errors.RejectedIdentifier),
        ("accountDoesNotExist", errors.AccountDoesNotExist),
        ("externalAccountRequired", errors.ExternalAccountRequired),
        ("invalidProfile", errors.InvalidProfile),
        ("serverInternal", errors.ServerInternal),
        ("userActionRequired", errors.UserActionRequired),
        ("badRevocationReason", errors.BadRevocationReason),
        ("alreadyReplaced", errors.AlreadyReplaced),
        ("caa", errors.Caa),
    ],
)
def test_problem_type_selects_subclass(short: str, klass: type[AcmeProblem]) -> None:
    exc = AcmeProblem.from_json({"type": P + short, "detail": "why"}, status=400)
    assert type(exc) is klass
    assert isinstance(exc, AcmeProblem) and isinstance(exc, AcmeError)
    assert exc.short_type == short and klass.acme_type == short
    assert errors.PROBLEM_CLASSES[short] is klass
    assert "why" in str(exc) and "400" in str(exc)


def test_unknown_and_foreign_types_stay_generic() -> None:
    assert type(AcmeProblem.from_json({"type": P + "somethingNew"})) is AcmeProblem
    exc = AcmeProblem.from_json({"type": "https://example.com/problem", "detail": "x"})
    assert type(exc) is AcmeProblem and exc.short_type is None
    assert AcmeProblem.from_json({}).type == "about:blank"


def test_rate_limited_carries_retry_after() -> None:
    exc = AcmeProblem.from_json({"type": P + "rateLimited"}, status=429, retry_after=3600.0)
    assert isinstance(exc, errors.RateLimited)
    assert exc.retry_after == 3600.0 and exc.status == 429


def test_subproblems_identifier_and_status_from_document() -> None:
    doc = {
        "type": P + "compound",
        "detail": "two names failed",
        "status": 403,
        "subproblems": [
            {
                "type": P + "rejectedIdentifier",
                "detail": "no",
                "identifier": {"type": "dns", "value": "a.test"},
            },
            {"type": P + "caa", "detail": "caa", "identifier": {"type": "dns", "value": "b.test"}},
        ],
    }
    exc = AcmeProblem.from_json(doc)
    assert isinstance(exc, errors.Compound) and exc.status == 403
    assert [type(s) for s in exc.subproblems] == [errors.RejectedIdentifier, errors.Caa]
    assert exc.subproblems[0].identifier == {"type": "dns", "value": "a.test"}
    assert "a.test" in str(exc.subproblems[0])
    assert exc.to_json() == doc


def test_user_action_required_instance() -> None:
    exc = AcmeProblem.from_json({"type": P + "userActionRequired", "instance": "https://tos"})
    assert exc.instance == "https://tos"


def test_problems_pickle() -> None:
    exc = AcmeProblem.from_json(
        {"type": P + "rateLimited", "detail": "slow"}, status=429, retry_after=5
    )
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is errors.RateLimited and again.retry_after == 5 and again.status == 429


def test_transport_errors_are_acme_errors() -> None:
    for klass in (errors.AcmeTimeout, errors.AcmeNetworkError, errors.AcmePollingTimeout):
        assert issubclass(klass, AcmeError) and not issubclass(klass, AcmeProblem)
    assert errors.AcmePollingTimeout("late", resource="order").resource == "order"
