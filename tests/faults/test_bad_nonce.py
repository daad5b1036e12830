"""Case 1: an ACME server rejecting half of the nonces (Pebble's PEBBLE_WFE_NONCEREJECT=50).

With ``acme.bad_nonce_retries`` raised an order goes through in one request; with the default
(one retry) a step fails with a clear 409 naming badNonce, and sync + advance finish the order.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

RAISED = {"acme.bad_nonce_retries": "20"}  # 21 rejections in a row: ~5e-7 per request
BAD_NONCE = "urn:ietf:params:acme:error:badNonce"


@pytest.fixture(scope="module")
def nonce_pebble(lab):
    return lab.pebble(name="nonce-reject-50", nonce_reject=50)


def _rejections(app, order_id) -> tuple[int, int]:
    """(exchanges, badNonce answers) in the event log of an order."""
    events = app.events(acme_order_id=int(order_id))
    return len(events), sum(e.problem_type == BAD_NONCE for e in events)


def test_order_completes_with_raised_bad_nonce_retries(lab, nonce_pebble, names, record):
    app = lab.app(nonce_pebble.directory_url, nonce_pebble.ca_bundle, **RAISED)
    account = app.new_account()
    started = time.monotonic()
    order = app.new_order(account, names(2))["acme_order"]
    elapsed = time.monotonic() - started
    assert order["status"] == "valid" and order["processing_status"] == "certificate_downloaded"
    assert order["certificate_signed_id"]
    exchanges, rejected = _rejections(app, order["id"])
    failures = [e for e in app.events(acme_order_id=int(order["id"])) if e.result.value == "failure"]
    assert all(e.problem_type == BAD_NONCE for e in failures), [(e.acme_event, e.error_text) for e in failures]
    record("1 badNonce 50%", "Pebble nonce_reject=50, acme.bad_nonce_retries=20, 2 names, process_single",
           "order valid in one request; every failed exchange was a retried badNonce",
           exchanges=exchanges, bad_nonce_rejections=rejected, seconds=round(elapsed, 2))  # fmt: skip


def test_default_retry_fails_with_a_clear_409_then_sync_and_advance_finish(lab, nonce_pebble, names, record):
    raised = lab.app(nonce_pebble.directory_url, nonce_pebble.ca_bundle, **RAISED)
    default = lab.app(nonce_pebble.directory_url, nonce_pebble.ca_bundle, database=raised.database_url)
    assert default.router.registry["app_settings"].acme_bad_nonce_retries == 1
    account = raised.new_account()
    # the orders are submitted with retries raised: a failure right after newOrder is another
    # case (see test_network_faults: test_a_failure_right_after_new_order_*)
    failure, tried = None, 0
    for _ in range(6):  # one retry: each of ~10 POSTs fails 1 time in 4, so 6 successes in a row are ~1e-7
        order = raised.new_order(account, names(1), processing_strategy="create_order")["acme_order"]
        tried += 1
        res = default.testapp.post(f"/.well-known/admin/acme-order/{order['id']}/process.json", expect_errors=True)
        if res.status_int != 200:
            failure = res
            break
    assert failure is not None, "six orders in a row went through with one badNonce retry"
    assert failure.status_int == 409 and failure.json["result"] == "error"
    assert failure.json["acme_problem"]["type"] == BAD_NONCE
    assert failure.json["error"].startswith("ACME server: [400] " + BAD_NONCE)
    exchanges, rejected = _rejections(default, order["id"])
    assert rejected >= 2  # the first try and its one retry, both in the event log
    # later, with the same default setting: sync + advance until done; every failure is the same clear 409
    final, errors = default.advance_until_done(order["id"], attempts=40, sync=True)
    assert final["status"] == "valid" and final["certificate_signed_id"], errors[-3:]
    assert all(e["status"] == 409 and e.get("acme_problem") for e in errors), errors  # each one a clear ACME error
    kinds = Counter(e["acme_problem"]["type"].rsplit(":", 1)[-1] for e in errors)
    # badNonce, and now and then the re-POST of a challenge the server already accepted (see
    # test_network_faults.py::test_advance_alone_recovers_after_a_failed_challenge_answer)
    assert set(kinds) <= {"badNonce", "malformed"}, kinds
    assert default.order_count(account["id"]) == tried  # no order was made twice
    record("1 badNonce 50%", "same Pebble, acme.bad_nonce_retries=1 (default), 1 name, process then sync+advance",
           f"409 badNonce on process; recovered by sync+advance after {len(errors)} more 409s ({dict(kinds)})",
           orders_until_a_failure=tried, recovery_errors=len(errors), exchanges=_rejections(default, order["id"])[0])  # fmt: skip
