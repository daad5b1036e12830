"""Exceptions of the ACME client, built from RFC 7807 problem documents.

Every error the client raises is an :class:`AcmeError`. A problem document returned by
the server becomes an :class:`AcmeProblem` subclass chosen by its ``type``
(``urn:ietf:params:acme:error:badNonce`` -> :class:`BadNonce`, ...), so callers can
``except RateLimited as exc: exc.retry_after``.
"""

from __future__ import annotations

from typing import Any, ClassVar

ACME_ERROR_PREFIX = "urn:ietf:params:acme:error:"


class AcmeError(Exception):
    """Base class of every error raised by the ACME client."""


class AcmeTimeout(AcmeError):
    """An HTTP request to the ACME server timed out."""


class AcmeNetworkError(AcmeError):
    """The ACME server could not be reached (DNS, TCP, TLS...)."""


class AcmePollingTimeout(AcmeError):
    """A resource did not reach a final status before the polling deadline."""

    def __init__(self, message: str, *, resource: Any = None) -> None:
        super().__init__(message)
        #: the last state seen (an Order or Authorization), when any
        self.resource = resource


class AcmeProtocolError(AcmeError):
    """The server answered something this client cannot use (no JSON, no Location...)."""


class AcmeUnsupported(AcmeError):
    """The server's directory does not advertise a feature the caller asked for."""


class AcmeProblem(AcmeError):
    """An ACME problem document (RFC 8555 section 6.7, RFC 7807).

    :ivar type: the full problem type URN (``about:blank`` when missing)
    :ivar detail: human readable explanation
    :ivar status: HTTP status of the response (or the document's ``status``)
    :ivar subproblems: per-identifier problems (RFC 8555 section 6.7.1)
    :ivar identifier: the identifier a subproblem refers to, if any
    :ivar retry_after: seconds to wait before retrying, from ``Retry-After``
    """

    #: short ACME error name this class stands for (``None`` for the generic class)
    acme_type: ClassVar[str | None] = None

    def __init__(
        self,
        type: str = "about:blank",  # noqa: A002 - the RFC 7807 member name
        detail: str = "",
        *,
        status: int | None = None,
        subproblems: list[AcmeProblem] | None = None,
        identifier: dict[str, str] | None = None,
        retry_after: float | None = None,
        document: dict[str, Any] | None = None,
    ) -> None:
        self.type = type
        self.detail = detail
        self.status = status
        self.subproblems = subproblems or []
        self.identifier = identifier
        self.retry_after = retry_after
        self.document = document or {}
        super().__init__(self._message())

    def __init_subclass__(cls, acme_type: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if acme_type is not None:
            cls.acme_type = acme_type
            _REGISTRY[acme_type] = cls

    def _message(self) -> str:
        text = f"{self.type}: {self.detail}" if self.detail else self.type
        if self.status:
            text = f"[{self.status}] {text}"
        if self.identifier:
            text = f"{text} ({self.identifier.get('type')}:{self.identifier.get('value')})"
        return text

    @property
    def short_type(self) -> str | None:
        """The ACME error name without the URN prefix (``badNonce``), or None."""
        if self.type.startswith(ACME_ERROR_PREFIX):
            return self.type[len(ACME_ERROR_PREFIX) :]
        return None

    @classmethod
    def from_json(
        cls,
        document: dict[str, Any],
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> AcmeProblem:
        """Build the most specific subclass for a problem document."""
        problem_type = str(document.get("type") or "about:blank")
        subproblems = [
            cls.from_json(sub) for sub in document.get("subproblems") or [] if isinstance(sub, dict)
        ]
        if status is None and isinstance(document.get("status"), int):
            status = document["status"]
        klass = problem_class(problem_type)
        return klass(
            problem_type,
            str(document.get("detail") or ""),
            status=status,
            subproblems=subproblems,
            identifier=document.get("identifier"),
            retry_after=retry_after,
            document=document,
        )

    @property
    def instance(self) -> str | None:
        """The ``instance`` URL (e.g. the page to visit for ``userActionRequired``)."""
        value = self.document.get("instance")
        return value if isinstance(value, str) else None

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only constructor: rebuild from the document when pickled
        return (_rebuild_problem, (self.to_json(), self.status, self.retry_after))

    def to_json(self) -> dict[str, Any]:
        """The problem as a JSON-able dict (the original document when we have it)."""
        if self.document:
            return dict(self.document)
        doc: dict[str, Any] = {"type": self.type, "detail": self.detail}
        if self.status is not None:
            doc["status"] = self.status
        return doc


_REGISTRY: dict[str, type[AcmeProblem]] = {}


def problem_class(problem_type: str) -> type[AcmeProblem]:
    """The exception class for a problem type URN (``AcmeProblem`` when unknown)."""
    if problem_type.startswith(ACME_ERROR_PREFIX):
        return _REGISTRY.get(problem_type[len(ACME_ERROR_PREFIX) :], AcmeProblem)
    return AcmeProblem


# RFC 8555 section 6.7 and later registrations (RFC 9773, profiles), by name.


class AccountDoesNotExist(AcmeProblem, acme_type="accountDoesNotExist"):
    """The request specified an account that does not exist."""


class AlreadyReplaced(AcmeProblem, acme_type="alreadyReplaced"):
    """The certificate named in 'replaces' was already replaced (RFC 9773)."""


class AlreadyRevoked(AcmeProblem, acme_type="alreadyRevoked"):
    """The certificate is already revoked."""


class BadCSR(AcmeProblem, acme_type="badCSR"):
    """The CSR is unacceptable (e.g., due to a short key)."""


class BadNonce(AcmeProblem, acme_type="badNonce"):
    """The client sent an unacceptable anti-replay nonce."""


class BadPublicKey(AcmeProblem, acme_type="badPublicKey"):
    """The JWS was signed by a public key the server does not support."""


class BadRevocationReason(AcmeProblem, acme_type="badRevocationReason"):
    """The revocation reason is not allowed."""


class BadSignatureAlgorithm(AcmeProblem, acme_type="badSignatureAlgorithm"):
    """The JWS was signed with an unsupported algorithm."""


class Caa(AcmeProblem, acme_type="caa"):
    """CAA records forbid the CA from issuing a certificate."""


class Compound(AcmeProblem, acme_type="compound"):
    """Several errors occurred; see subproblems."""


class Connection(AcmeProblem, acme_type="connection"):
    """The server could not connect to the validation target."""


class DNS(AcmeProblem, acme_type="dns"):
    """There was a problem with a DNS query during validation."""


class ExternalAccountRequired(AcmeProblem, acme_type="externalAccountRequired"):
    """The server requires external account binding."""


class IncorrectResponse(AcmeProblem, acme_type="incorrectResponse"):
    """The response received did not match the challenge's requirements."""


class InvalidContact(AcmeProblem, acme_type="invalidContact"):
    """A contact URL for an account was invalid."""


class InvalidProfile(AcmeProblem, acme_type="invalidProfile"):
    """The requested certificate profile is not offered."""


class Malformed(AcmeProblem, acme_type="malformed"):
    """The request message was malformed."""


class OrderNotReady(AcmeProblem, acme_type="orderNotReady"):
    """The request attempted to finalize an order that is not ready."""


class RateLimited(AcmeProblem, acme_type="rateLimited"):
    """The request exceeds a rate limit; see retry_after."""


class RejectedIdentifier(AcmeProblem, acme_type="rejectedIdentifier"):
    """The server will not issue for the identifier."""


class ServerInternal(AcmeProblem, acme_type="serverInternal"):
    """The server experienced an internal error."""


class TLS(AcmeProblem, acme_type="tls"):
    """The server received a TLS error during validation."""


class Unauthorized(AcmeProblem, acme_type="unauthorized"):
    """The client lacks sufficient authorization."""


class UnsupportedContact(AcmeProblem, acme_type="unsupportedContact"):
    """A contact URL for an account used an unsupported protocol scheme."""


class UnsupportedIdentifier(AcmeProblem, acme_type="unsupportedIdentifier"):
    """An identifier is of an unsupported type."""


class UserActionRequired(AcmeProblem, acme_type="userActionRequired"):
    """Visit the 'instance' URL and take actions specified there."""


def _rebuild_problem(
    document: dict[str, Any], status: int | None, retry_after: float | None
) -> AcmeProblem:
    return AcmeProblem.from_json(document, status=status, retry_after=retry_after)


#: short error name -> exception class
PROBLEM_CLASSES: dict[str, type[AcmeProblem]] = dict(_REGISTRY)


class AcmeOrderFailed(AcmeError):
    """An order or authorization ended ``invalid``; ``problem`` is its error, if any."""

    def __init__(self, message: str, *, resource: Any = None, problem: AcmeProblem | None = None):
        super().__init__(message if problem is None else f"{message}: {problem}")
        self.resource = resource
        self.problem = problem
