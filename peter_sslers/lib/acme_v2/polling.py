"""Polling with deadlines and a short exponential backoff (never fixed 1 s sleeps).

Pebble and most ACME servers answer in milliseconds, so the first wait is 20 ms and
each following one doubles up to a cap of 1 s. A ``Retry-After`` from the server
replaces the next backoff step (bounded by the deadline).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import TypeVar

from .errors import AcmePollingTimeout

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_INITIAL_DELAY = 0.02
DEFAULT_MAX_DELAY = 1.0
DEFAULT_POLL_TIMEOUT = 90.0


def backoff_delays(
    initial: float = DEFAULT_INITIAL_DELAY, *, factor: float = 2.0, cap: float = DEFAULT_MAX_DELAY
) -> Iterator[float]:
    """Endless delays: ``initial``, ``initial*factor``, ... capped at ``cap``."""
    delay = initial
    while True:
        yield min(delay, cap)
        delay = min(delay * factor, cap)


def poll_until(
    fetch: Callable[[], tuple[T, float | None]],
    done: Callable[[T], bool],
    *,
    timeout: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    initial: float = DEFAULT_INITIAL_DELAY,
    cap: float = DEFAULT_MAX_DELAY,
    what: str = "resource",
) -> T:
    """Call ``fetch`` until ``done(resource)``; return that resource.

    ``fetch`` returns ``(resource, retry_after_seconds_or_None)``. Raises
    :class:`AcmePollingTimeout` (with the last resource) once ``timeout`` has passed.
    """
    deadline = clock() + timeout
    delays = backoff_delays(initial, cap=cap)
    while True:
        resource, retry_after = fetch()
        if done(resource):
            return resource
        remaining = deadline - clock()
        if remaining <= 0:
            raise AcmePollingTimeout(f"{what} not final after {timeout:.1f}s", resource=resource)
        delay = next(delays) if retry_after is None else retry_after
        delay = min(delay, remaining)
        logger.debug("polling %s again in %.3fs", what, delay)
        sleep(delay)
