"""Backoff schedule and polling deadlines, with an injected clock and sleep."""

from __future__ import annotations

import itertools

import pytest

from peter_sslers.lib.acme_v2 import AcmeClient, AcmePollingTimeout
from peter_sslers.lib.acme_v2.polling import backoff_delays, poll_until

from .fakes import BASE, FakeAcmeServer
from .helpers import make_key_pem


class FakeTime:
    """A clock that only moves when ``sleep`` is called."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_backoff_starts_fast_and_doubles_to_the_cap() -> None:
    delays = list(itertools.islice(backoff_delays(), 9))
    assert delays == pytest.approx([0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.0, 1.0, 1.0])
    assert list(itertools.islice(backoff_delays(0.5, cap=0.6, factor=3), 3)) == [0.5, 0.6, 0.6]


def test_poll_until_done_uses_backoff() -> None:
    t = FakeTime()
    states = iter(["pending", "pending", "pending", "valid"])
    result = poll_until(
        lambda: (next(states), None),
        lambda s: s == "valid",
        timeout=10,
        clock=t.clock,
        sleep=t.sleep,
    )
    assert result == "valid"
    assert t.sleeps == pytest.approx([0.02, 0.04, 0.08])


def test_poll_until_honours_retry_after_within_the_deadline() -> None:
    t = FakeTime()
    replies = iter(
        [("processing", 3.0), ("processing", None), ("processing", 30.0), ("valid", None)]
    )
    result = poll_until(
        lambda: next(replies), lambda s: s == "valid", timeout=5, clock=t.clock, sleep=t.sleep
    )
    assert result == "valid"
    # Retry-After 3 s is honoured, the backoff resumes, then 30 s is cut to the deadline
    assert t.sleeps == pytest.approx([3.0, 0.02, 5 - 3.02])


def test_poll_until_times_out_with_last_resource() -> None:
    t = FakeTime()
    with pytest.raises(AcmePollingTimeout) as info:
        poll_until(
            lambda: ("pending", None),
            lambda s: False,
            timeout=3,
            clock=t.clock,
            sleep=t.sleep,
            what="authz",
        )
    assert info.value.resource == "pending" and "authz" in str(info.value)
    assert sum(t.sleeps) == pytest.approx(3.0)
    assert max(t.sleeps) <= 1.0


def test_client_poll_order_with_injected_sleep() -> None:
    t = FakeTime()
    server = FakeAcmeServer()
    statuses = iter(["processing", "processing", "valid"])

    def order(request):  # noqa: ANN001, ANN202
        status = next(statuses)
        headers = {"Retry-After": "2"} if status == "processing" else {}
        body = {
            "status": status,
            "identifiers": [],
            "authorizations": [],
            "finalize": f"{BASE}/fin",
        }
        return 200, headers, body

    server.route("POST", "/order/1", order)
    client = AcmeClient(
        f"{BASE}/dir", make_key_pem(), session=server.session(), account_url=f"{BASE}/acct/1",
        clock=t.clock, sleep=t.sleep,
    )  # fmt: skip
    result = client.poll_order(f"{BASE}/order/1", timeout=60)
    assert result.status == "valid" and result.url == f"{BASE}/order/1"
    assert t.sleeps == [2.0, 2.0]
