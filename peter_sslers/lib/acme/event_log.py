"""Turning the client's exchanges into AcmeEventLog rows that survive a failed request.

Exchanges are buffered and written by ``flush()`` in a transaction of their own, after the
request's transaction has committed or aborted (SQLite would otherwise block a second
writer inside the same request).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from sqlalchemy.orm import sessionmaker

from ...model import AcmeEventLog
from ...model.enums import EventResult
from ..acme_v2 import AcmeExchange

log = logging.getLogger(__name__)
MAX_BODY_CHARS = 65536


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text[:MAX_BODY_CHARS]


def row_from_exchange(exchange: AcmeExchange, acme_server_id: int | None) -> AcmeEventLog:
    failed = exchange.error is not None or exchange.response_status is None or exchange.response_status >= 400
    return AcmeEventLog(
        timestamp_event=exchange.timestamp,
        acme_event=exchange.action[:64],
        result=EventResult.FAILURE if failed else EventResult.SUCCESS,
        method=exchange.method,
        url=(exchange.url or "")[:512],
        status_code=exchange.response_status,
        problem_type=(exchange.problem_type or None) and exchange.problem_type[:128],
        error_text=exchange.error,
        request_json=_dump(exchange.request_payload),
        response_json=_dump(exchange.response_body),
        elapsed_ms=int(exchange.elapsed * 1000),
        acme_server_id=acme_server_id,
        acme_account_id=_as_int(exchange.account_id),
        acme_order_id=_as_int(exchange.order_id),
        acme_authorization_id=_as_int(exchange.authorization_id),
        acme_challenge_id=_as_int(exchange.challenge_id),
        certificate_signed_id=_as_int(exchange.extra.get("certificate_signed_id")),
    )


class EventRecorder:
    """Collects exchanges from any number of clients; ``flush()`` stores them."""

    def __init__(self, session_factory: sessionmaker):
        self.session_factory = session_factory
        self._pending: list[tuple[AcmeExchange, int | None]] = []
        self._lock = threading.Lock()

    def sink(self, acme_server_id: int | None):
        """An ``event_sink`` for a client talking to ``acme_server_id``."""

        def record(exchange: AcmeExchange) -> None:
            with self._lock:
                self._pending.append((exchange, acme_server_id))

        return record

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Write what is buffered in a short transaction of its own; returns rows written."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            with self.session_factory() as session, session.begin():
                session.add_all(row_from_exchange(e, server_id) for e, server_id in batch)
        except Exception:  # the log must never break the caller; the logging module has it
            log.exception("could not store %d ACME event log rows", len(batch))
            return 0
        return len(batch)
