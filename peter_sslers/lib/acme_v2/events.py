"""A record of every HTTP exchange with the ACME server, for the caller's event log.

The client calls ``event_sink(AcmeExchange(...))`` once per request, failures included,
before any exception propagates. Callers attach their own ids (database rows of the
account, order, authorization or challenge) with :func:`acme_context`; the ids follow
the code through threads' own context (a ``ContextVar``), so concurrent workers sharing
one client never mix them up.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

#: response headers copied into an exchange
EXCHANGE_HEADERS = ("Location", "Replay-Nonce", "Retry-After", "Link", "Content-Type")
#: non-JSON bodies longer than this are cut
MAX_TEXT_BODY = 4096
#: context ids the caller may attach
CONTEXT_KEYS = ("account_id", "order_id", "authorization_id", "challenge_id")


class Action:
    """Action names used in :class:`AcmeExchange` (one per kind of request)."""

    DIRECTORY = "directory"
    NEW_NONCE = "newNonce"
    NEW_ACCOUNT = "newAccount"
    ACCOUNT_FIND = "account-find"
    ACCOUNT = "account"
    ACCOUNT_UPDATE = "account-update"
    ACCOUNT_DEACTIVATE = "account-deactivate"
    KEY_CHANGE = "keyChange"
    NEW_ORDER = "newOrder"
    ORDER = "order"
    AUTHORIZATION = "authorization"
    AUTHORIZATION_DEACTIVATE = "authorization-deactivate"
    CHALLENGE = "challenge"
    CHALLENGE_RESPOND = "challenge-respond"
    FINALIZE = "finalize"
    CERTIFICATE = "certificate"
    CERTIFICATE_ALTERNATE = "certificate-alternate"
    REVOKE_CERT = "revokeCert"
    RENEWAL_INFO = "renewalInfo"


_context: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "peter_sslers_acme_context", default=None
)


@dataclass
class AcmeExchange:
    """One request/response pair with the ACME server (or a failed attempt).

    ``request_payload`` is the JSON payload before signing (``None`` for GET, HEAD and
    POST-as-GET); it never holds private key material. ``response_status`` is ``None``
    when no response arrived; ``error`` then holds the reason.
    """

    action: str
    method: str
    url: str
    request_payload: dict[str, Any] | None
    response_status: int | None
    response_headers: dict[str, str]
    response_body: Any
    problem_type: str | None
    elapsed: float
    timestamp: datetime.datetime
    error: str | None = None
    #: True when this is the automatic retry after a ``badNonce``
    is_retry: bool = False
    account_id: Any = None
    order_id: Any = None
    authorization_id: Any = None
    challenge_id: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (timestamp as ISO 8601)."""
        data = asdict(self)
        data["timestamp"] = self.timestamp.isoformat()
        return data


EventSink = Callable[[AcmeExchange], None]


@contextlib.contextmanager
def acme_context(**ids: Any) -> Iterator[None]:
    """Attach ids to every exchange made inside the ``with`` block (nesting merges).

    Known keys (``account_id``, ``order_id``, ``authorization_id``, ``challenge_id``)
    fill the matching fields; anything else lands in :attr:`AcmeExchange.extra`.
    """
    merged = {**(_context.get() or {}), **ids}
    token = _context.set(merged)
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> dict[str, Any]:
    """The ids attached by the enclosing :func:`acme_context` blocks."""
    return dict(_context.get() or {})


def split_context(ids: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split ids into (known exchange fields, extra)."""
    known = {k: v for k, v in ids.items() if k in CONTEXT_KEYS}
    extra = {k: v for k, v in ids.items() if k not in CONTEXT_KEYS}
    return known, extra


def utcnow() -> datetime.datetime:
    """Aware UTC now."""
    return datetime.datetime.now(datetime.timezone.utc)
