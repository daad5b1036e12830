"""Typed ACME objects (RFC 8555 section 7.1, RFC 9773), built from the server's JSON.

Each class has ``from_json(data, url=...)`` and keeps the original document in ``raw``
so nothing the server sent is lost. Timestamps are aware UTC datetimes.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import AcmeProblem


class Status:
    """Status strings of ACME resources (RFC 8555 section 7.1.6)."""

    PENDING = "pending"
    READY = "ready"
    PROCESSING = "processing"
    VALID = "valid"
    INVALID = "invalid"
    DEACTIVATED = "deactivated"
    EXPIRED = "expired"
    REVOKED = "revoked"


#: statuses after which a resource will not change by itself
FINAL_STATUSES = frozenset(
    {Status.VALID, Status.INVALID, Status.DEACTIVATED, Status.EXPIRED, Status.REVOKED}
)

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))$"
)


def parse_datetime(value: Any) -> datetime.datetime | None:
    """Parse an RFC 3339 timestamp (any number of fraction digits) to aware UTC."""
    if not isinstance(value, str):
        return None
    match = _RFC3339.match(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    micro = int((match.group(7) or "0")[:6].ljust(6, "0"))
    offset = datetime.timedelta(0)
    if match.group(9):
        offset = datetime.timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
        if match.group(9) == "-":
            offset = -offset
    tz = datetime.timezone(offset)
    parsed = datetime.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    return parsed.astimezone(datetime.timezone.utc)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _str_list(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


@dataclass(frozen=True)
class Identifier:
    """An ACME identifier: ``dns`` names and ``ip`` addresses."""

    type: str
    value: str

    @classmethod
    def of(cls, value: str | Identifier | dict[str, str]) -> Identifier:
        """An Identifier from a name or IP string, a dict, or an Identifier."""
        if isinstance(value, Identifier):
            return value
        if isinstance(value, dict):
            return cls(type=str(value["type"]), value=str(value["value"]))
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return cls(type="dns", value=value)
        return cls(type="ip", value=value)

    @classmethod
    def from_json(cls, data: Any) -> Identifier:
        """Build from ``{"type": ..., "value": ...}``."""
        data = data if isinstance(data, dict) else {}
        return cls(type=str(data.get("type", "")), value=str(data.get("value", "")))

    def to_json(self) -> dict[str, str]:
        """The JSON form sent to the server."""
        return {"type": self.type, "value": self.value}


@dataclass
class Problem:
    """A problem document found inside a resource (``order.error``, ``challenge.error``)."""

    type: str
    detail: str = ""
    status: int | None = None
    identifier: Identifier | None = None
    subproblems: list[Problem] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> Problem | None:
        """Build from a problem document; ``None`` for anything that is not one."""
        if not isinstance(data, dict):
            return None
        status = data.get("status")
        return cls(
            type=str(data.get("type") or "about:blank"),
            detail=str(data.get("detail") or ""),
            status=status if isinstance(status, int) else None,
            identifier=Identifier.from_json(data["identifier"]) if "identifier" in data else None,
            subproblems=[p for p in map(cls.from_json, data.get("subproblems") or []) if p],
            raw=data,
        )

    def to_exception(self) -> AcmeProblem:
        """The matching :class:`~.errors.AcmeProblem` subclass instance."""
        return AcmeProblem.from_json(self.raw or {"type": self.type, "detail": self.detail})


@dataclass
class DirectoryMeta:
    """The directory's ``meta`` object (RFC 8555 7.1.1, profiles draft)."""

    terms_of_service: str | None = None
    website: str | None = None
    caa_identities: list[str] = field(default_factory=list)
    external_account_required: bool = False
    profiles: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> DirectoryMeta:
        """Build from the ``meta`` dict (missing -> defaults)."""
        data = data if isinstance(data, dict) else {}
        profiles = data.get("profiles")
        return cls(
            terms_of_service=_str_or_none(data.get("termsOfService")),
            website=_str_or_none(data.get("website")),
            caa_identities=_str_list(data.get("caaIdentities")),
            external_account_required=bool(data.get("externalAccountRequired", False)),
            profiles={str(k): str(v) for k, v in profiles.items()}
            if isinstance(profiles, dict)
            else {},
            raw=data,
        )


@dataclass
class Directory:
    """The ACME directory: endpoint URLs and metadata."""

    url: str
    new_nonce: str
    new_account: str
    new_order: str
    revoke_cert: str | None = None
    key_change: str | None = None
    new_authz: str | None = None
    renewal_info: str | None = None
    meta: DirectoryMeta = field(default_factory=DirectoryMeta)
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], url: str = "") -> Directory:
        """Build from the directory document; newNonce/newAccount/newOrder are required."""
        return cls(
            url=url,
            new_nonce=str(data["newNonce"]),
            new_account=str(data["newAccount"]),
            new_order=str(data["newOrder"]),
            revoke_cert=_str_or_none(data.get("revokeCert")),
            key_change=_str_or_none(data.get("keyChange")),
            new_authz=_str_or_none(data.get("newAuthz")),
            renewal_info=_str_or_none(data.get("renewalInfo")),
            meta=DirectoryMeta.from_json(data.get("meta")),
            raw=data,
        )

    @property
    def supports_ari(self) -> bool:
        """True when the server offers ACME Renewal Information (RFC 9773)."""
        return self.renewal_info is not None

    @property
    def supports_profiles(self) -> bool:
        """True when the server advertises certificate profiles."""
        return bool(self.meta.profiles)


@dataclass
class Account:
    """An ACME account (RFC 8555 section 7.1.2)."""

    url: str
    status: str
    contact: list[str] = field(default_factory=list)
    orders: str | None = None
    terms_of_service_agreed: bool | None = None
    #: for newAccount: True when the server created it (201), False when it existed (200)
    created: bool | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], url: str) -> Account:
        """Build from an account document; ``url`` comes from ``Location`` / ``kid``."""
        tos = data.get("termsOfServiceAgreed")
        return cls(
            url=url,
            status=str(data.get("status", "")),
            contact=_str_list(data.get("contact")),
            orders=_str_or_none(data.get("orders")),
            terms_of_service_agreed=tos if isinstance(tos, bool) else None,
            raw=data,
        )


@dataclass
class Order:
    """An ACME order (RFC 8555 section 7.1.3; ``profile`` and ``replaces`` extensions)."""

    url: str
    status: str
    identifiers: list[Identifier] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    finalize: str = ""
    certificate: str | None = None
    expires: datetime.datetime | None = None
    not_before: datetime.datetime | None = None
    not_after: datetime.datetime | None = None
    error: Problem | None = None
    profile: str | None = None
    replaces: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], url: str) -> Order:
        """Build from an order document; ``url`` is the order URL."""
        return cls(
            url=url,
            status=str(data.get("status", "")),
            identifiers=[Identifier.from_json(i) for i in data.get("identifiers") or []],
            authorizations=_str_list(data.get("authorizations")),
            finalize=str(data.get("finalize", "")),
            certificate=_str_or_none(data.get("certificate")),
            expires=parse_datetime(data.get("expires")),
            not_before=parse_datetime(data.get("notBefore")),
            not_after=parse_datetime(data.get("notAfter")),
            error=Problem.from_json(data.get("error")),
            profile=_str_or_none(data.get("profile")),
            replaces=_str_or_none(data.get("replaces")),
            raw=data,
        )


@dataclass
class Challenge:
    """An ACME challenge (RFC 8555 sections 7.1.5 and 8)."""

    url: str
    type: str
    status: str
    token: str | None = None
    validated: datetime.datetime | None = None
    error: Problem | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], url: str | None = None) -> Challenge:
        """Build from a challenge document (its ``url`` member, unless given)."""
        return cls(
            url=url or str(data.get("url", "")),
            type=str(data.get("type", "")),
            status=str(data.get("status", "")),
            token=_str_or_none(data.get("token")),
            validated=parse_datetime(data.get("validated")),
            error=Problem.from_json(data.get("error")),
            raw=data,
        )


@dataclass
class Authorization:
    """An ACME authorization (RFC 8555 section 7.1.4)."""

    url: str
    status: str
    identifier: Identifier
    challenges: list[Challenge] = field(default_factory=list)
    expires: datetime.datetime | None = None
    wildcard: bool = False
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], url: str) -> Authorization:
        """Build from an authorization document; ``url`` is the authorization URL."""
        return cls(
            url=url,
            status=str(data.get("status", "")),
            identifier=Identifier.from_json(data.get("identifier")),
            challenges=[
                Challenge.from_json(c) for c in data.get("challenges") or [] if isinstance(c, dict)
            ],
            expires=parse_datetime(data.get("expires")),
            wildcard=bool(data.get("wildcard", False)),
            raw=data,
        )

    def challenge(self, challenge_type: str) -> Challenge | None:
        """The challenge of type ``http-01`` / ``dns-01`` / ..., or None."""
        for challenge in self.challenges:
            if challenge.type == challenge_type:
                return challenge
        return None


@dataclass
class RenewalInfo:
    """ACME Renewal Information (RFC 9773 section 4.2)."""

    suggested_window_start: datetime.datetime
    suggested_window_end: datetime.datetime
    explanation_url: str | None = None
    retry_after: float | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any], retry_after: float | None = None) -> RenewalInfo:
        """Build from a renewalInfo document; raise ``ValueError`` without a valid window."""
        window = data.get("suggestedWindow") if isinstance(data, dict) else None
        window = window if isinstance(window, dict) else {}
        start = parse_datetime(window.get("start"))
        end = parse_datetime(window.get("end"))
        if start is None or end is None or end <= start:  # RFC 9773 4.2: such a window is no answer
            raise ValueError(f"invalid suggestedWindow: {window!r}")
        return cls(
            suggested_window_start=start,
            suggested_window_end=end,
            explanation_url=_str_or_none(data.get("explanationURL")),
            retry_after=retry_after,
            raw=data,
        )


@dataclass
class CertificateChains:
    """A downloaded certificate: the default chain and every alternate chain (PEM)."""

    url: str
    default: str
    alternates: list[str] = field(default_factory=list)
    alternate_urls: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        """The default chain first, then the alternates."""
        return [self.default, *self.alternates]
