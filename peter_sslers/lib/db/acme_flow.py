"""acme-flow: an external tool made the order; we hold and serve its challenges."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from ...model import AcmeChallenge, AcmeOrderless
from ...model.enums import AcmeChallengeStatus, AcmeChallengeType
from ...model.meta import utcnow
from ..domain_names import InvalidDomainName, normalize_domain_name
from ..errors import Conflict, InvalidRequest, NotFound
from .common import log_operation
from .domains import get_or_create_domains

_B64URL = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
TYPES = {"http-01": AcmeChallengeType.HTTP_01, "dns-01": AcmeChallengeType.DNS_01}


def _check(domain_name: str, token: str, keyauthorization: str, field: str) -> tuple[str, str, str]:
    try:
        name = normalize_domain_name(domain_name)
    except InvalidDomainName as exc:
        raise InvalidRequest("invalid domain name", {field: str(exc)}) from None
    if not _B64URL.match(token or ""):
        raise InvalidRequest("invalid token", {field: f"{name}: the token must be base64url characters"})
    prefix, _, thumbprint = (keyauthorization or "").partition(".")
    if prefix != token or not _B64URL.match(thumbprint):
        raise InvalidRequest(
            "invalid key authorization", {field: f"{name}: expected TOKEN.THUMBPRINT (RFC 8555 8.1)"}
        )
    return name, token, keyauthorization


def parse_lines(text: str) -> list[tuple[str, str, str]]:
    """``domain token keyauthorization`` per line (blank lines and #comments skipped)."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3:
            raise InvalidRequest("each line needs three parts", {"challenges": f"line {number}: domain token keyauthorization"})
        rows.append(_check(*parts, field="challenges"))
    if not rows:
        raise InvalidRequest("no challenges given", {"challenges": "one line per challenge"})
    if len({(r[0], r[1]) for r in rows}) != len(rows):
        raise InvalidRequest("a challenge is listed twice", {"challenges": "repeat no domain/token pair"})
    return rows


def _add(dbsession: Session, orderless: AcmeOrderless, name: str, token: str, keyauth: str,
         challenge_type: AcmeChallengeType) -> AcmeChallenge:
    domain = get_or_create_domains(dbsession, [name])[0]
    challenge = AcmeChallenge(
        acme_orderless_id=orderless.id, domain_id=domain.id, challenge_type=challenge_type,
        status=AcmeChallengeStatus.PENDING, token=token, keyauthorization=keyauth,
    )
    dbsession.add(challenge)
    return challenge


def create(dbsession: Session, text: str, note: str | None, challenge_type: str = "http-01") -> AcmeOrderless:
    if challenge_type not in TYPES:
        raise InvalidRequest("invalid challenge type", {"challenge_type": "http-01 or dns-01"})
    rows = parse_lines(text)
    orderless = AcmeOrderless(is_active=True, note=(note or None) and note[:4000])
    dbsession.add(orderless)
    dbsession.flush()
    for row in rows:
        _add(dbsession, orderless, *row, TYPES[challenge_type])
    dbsession.flush()
    log_operation(dbsession, "AcmeOrderless__new", {"id": orderless.id, "challenges": len(rows)},
                  [("AcmeOrderless", orderless.id, "new")])
    return orderless


def _require_active(orderless: AcmeOrderless) -> None:
    if not orderless.is_active:
        raise Conflict("this acme-flow is deactivated")


def add_challenge(dbsession: Session, orderless: AcmeOrderless, domain_name: str, token: str, keyauth: str,
                  challenge_type: str = "http-01") -> AcmeChallenge:
    _require_active(orderless)
    if challenge_type not in TYPES:
        raise InvalidRequest("invalid challenge type", {"challenge_type": "http-01 or dns-01"})
    name, token, keyauth = _check(domain_name, token, keyauth, "token")
    challenge = _add(dbsession, orderless, name, token, keyauth, TYPES[challenge_type])
    orderless.timestamp_updated = utcnow()
    dbsession.flush()
    return challenge


def edit_challenge(dbsession: Session, orderless: AcmeOrderless, challenge_id: str, token: str, keyauth: str) -> AcmeChallenge:
    _require_active(orderless)
    challenge = next((c for c in orderless.challenges if str(c.id) == str(challenge_id)), None)
    if challenge is None:
        raise NotFound("no such challenge in this acme-flow")
    from ...model import Domain

    name = dbsession.get(Domain, challenge.domain_id).domain_name
    _, challenge.token, challenge.keyauthorization = _check(name, token, keyauth, "keyauthorization")
    challenge.timestamp_updated = orderless.timestamp_updated = utcnow()
    return challenge


def deactivate(dbsession: Session, orderless: AcmeOrderless) -> None:
    _require_active(orderless)
    orderless.is_active = False
    orderless.timestamp_updated = utcnow()
    log_operation(dbsession, "AcmeOrderless__deactivate", {"id": orderless.id}, [("AcmeOrderless", orderless.id, "deactivate")])
