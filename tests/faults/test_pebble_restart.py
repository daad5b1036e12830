"""Case 2: the ACME server stopped mid-order, then restarted empty.

Pebble keeps accounts and orders in memory: restarted on the same port it answers the same
directory URL but knows neither the account nor the order. What happens, step by step:

1. server down: ``sync`` answers 409 (connection refused), the order row is unchanged, the
   failed exchange is in the event log;
2. server back, empty: ``sync`` answers 409 ``accountDoesNotExist``; the order is unchanged;
3. the account's ``register`` action registers the same key again (a new account URL);
4. ``sync`` then marks the order ``unknown`` (the server answers 404 for it), next_step None;
5. ``retry`` makes a new order that succeeds.
"""

from __future__ import annotations

import pytest

STABLE = ("status", "processing_status", "order_url", "next_step", "problem", "timestamp_updated")


def _stable(order: dict) -> dict:
    return {key: order[key] for key in STABLE}


@pytest.fixture
def forgetful(lab, names):
    """(app, account, order, pebble): an order created on a Pebble that is then stopped and restarted."""
    pebble = lab.pebble(name="restart")
    app = lab.app(pebble.directory_url, pebble.ca_bundle)
    account = app.new_account()
    order = app.new_order(account, names(1), processing_strategy="create_order")["acme_order"]
    assert order["status"] == "pending" and order["next_step"] == "complete_challenges"
    yield app, account, order, pebble
    pebble.stop()


def _restart_and_register(app, account, order, pebble) -> dict:
    before = app.order(order["id"])
    pebble.stop()
    pebble.start()  # same port and directory URL; every account and order is gone
    res = app.action(order["id"], "sync", status=409)
    assert res["acme_problem"]["type"] == "urn:ietf:params:acme:error:accountDoesNotExist"
    assert _stable(app.order(order["id"])) == _stable(before)
    registered = app.post(f"/acme-account/{account['id']}/register.json", {"tos_agreed": "1"})
    assert registered["registered"] is True
    assert registered["acme_account"]["account_url"] != account["account_url"]
    return app.action(order["id"], "sync")["acme_order"]


def test_pebble_down_then_restarted_empty(forgetful, record):
    app, account, order, pebble = forgetful
    before = app.order(order["id"])
    events_before = len(app.events(acme_order_id=int(order["id"])))
    pebble.stop()
    res = app.action(order["id"], "sync", status=409)
    assert res["result"] == "error" and res["error"].startswith("ACME server: GET " + pebble.directory_url)
    assert "Connection refused" in res["error"]
    assert _stable(app.order(order["id"])) == _stable(before)  # a failed sync changes nothing
    failed = app.events(acme_order_id=int(order["id"]))[events_before:]
    assert [(e.acme_event, e.status_code, e.result.value) for e in failed] == [("directory", None, "failure")]
    res = app.action(order["id"], "advance", status=409)
    assert "Connection refused" in res["error"]
    # (advance had marked the order processing_started before it reached the network)
    synced = _restart_and_register(app, account, order, pebble)
    assert synced["status"] == "unknown" and synced["next_step"] is None
    assert synced["processing_status"] == "completed_failure"
    assert synced["problem"]["status"] == 404
    # the way out: retry it as a new order
    new = app.action(order["id"], "retry")["acme_order__new"]
    assert new["status"] == "valid" and new["certificate_signed_id"] and new["acme_order_id__retry_of"] == order["id"]
    assert app.order_count(account["id"]) == 2
    record("2 Pebble restarted", "create_order, Pebble stopped, sync/advance, Pebble started again (empty)",
           "down: 409 connection refused, order unchanged, 1 failed event row; back: 409 accountDoesNotExist; "
           "after register: sync -> unknown (completed_failure); retry -> a new order, valid",
           event_rows_for_the_failed_sync=len(failed))  # fmt: skip

