"""Copying what the ACME server says about an order into our rows (orders, authorizations,
challenges), creating the rows the first time they are seen."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import (
    AcmeAuthorization,
    AcmeChallenge,
    AcmeOrder,
    AcmeOrder2AcmeAuthorization,
)
from ...model.enums import (
    AcmeAuthorizationStatus,
    AcmeChallengeStatus,
    AcmeChallengeType,
    AcmeOrderStatus,
)
from ...model.meta import utcnow
from ..acme_v2 import AcmeClient, Authorization, Order
from ..db.domains import get_or_create_domains

HANDLED_CHALLENGES = {t.value: t for t in (AcmeChallengeType.HTTP_01, AcmeChallengeType.DNS_01)}


def _status(enum_cls, value):
    try:
        return enum_cls(str(value))
    except ValueError:
        return enum_cls.UNKNOWN


def apply_order(order: AcmeOrder, remote: Order) -> None:
    """Order status, URLs, expiry and error from the server's order object."""
    order.status = _status(AcmeOrderStatus, remote.status)
    order.order_url = remote.url or order.order_url
    order.finalize_url = remote.finalize or order.finalize_url
    order.certificate_url = remote.certificate or order.certificate_url
    order.timestamp_expires = remote.expires or order.timestamp_expires
    if remote.error is not None:
        order.problem_json = json.dumps(remote.error.raw if hasattr(remote.error, "raw") else str(remote.error))
    order.timestamp_updated = utcnow()


def authorization_name(remote: Authorization) -> str:
    """The name an authorization is for, ``*.`` prefixed for a wildcard (as the order listed it)."""
    value = remote.identifier.value.lower()
    return "*." + value if remote.wildcard else value


def sync_authorization(
    dbsession: Session, client: AcmeClient, remote: Authorization, order: AcmeOrder | None = None
) -> AcmeAuthorization:
    """Upsert one authorization and its http-01/dns-01 challenges (with key authorizations)."""
    authz = dbsession.execute(
        sa.select(AcmeAuthorization).where(AcmeAuthorization.authorization_url == remote.url)
    ).scalar_one_or_none()
    domain = get_or_create_domains(dbsession, [authorization_name(remote)])[0]
    if authz is None:
        authz = AcmeAuthorization(authorization_url=remote.url, domain_id=domain.id)
        dbsession.add(authz)
    authz.status = _status(AcmeAuthorizationStatus, remote.status)
    authz.is_wildcard = bool(remote.wildcard)
    authz.timestamp_expires = remote.expires
    authz.timestamp_updated = utcnow()
    dbsession.flush()
    if order is not None:
        linked = dbsession.get(AcmeOrder2AcmeAuthorization, (order.id, authz.id))
        if linked is None:
            dbsession.add(AcmeOrder2AcmeAuthorization(acme_order_id=order.id, acme_authorization_id=authz.id))
    existing = {c.challenge_url: c for c in authz.challenges}
    for remote_challenge in remote.challenges:
        challenge_type = HANDLED_CHALLENGES.get(remote_challenge.type)
        if challenge_type is None or not remote_challenge.token:
            continue
        challenge = existing.get(remote_challenge.url)
        if challenge is None:
            challenge = AcmeChallenge(
                acme_authorization_id=authz.id, domain_id=domain.id, challenge_type=challenge_type,
                challenge_url=remote_challenge.url, token=remote_challenge.token,
                keyauthorization=client.key_authorization(remote_challenge.token),
            )
            dbsession.add(challenge)
            authz.challenges.append(challenge)
        challenge.status = _status(AcmeChallengeStatus, remote_challenge.status)
        challenge.timestamp_updated = utcnow()
    dbsession.flush()
    return authz


def sync_order(dbsession: Session, client: AcmeClient, order: AcmeOrder, remote: Order) -> list[AcmeAuthorization]:
    """The order and every authorization it lists, as the server sees them now."""
    apply_order(order, remote)
    authorizations = []
    for url in remote.authorizations:
        with client.context(account_id=order.acme_account_id, order_id=order.id):
            remote_authz = client.get_authorization(url)
        authorizations.append(sync_authorization(dbsession, client, remote_authz, order))
    dbsession.flush()
    return authorizations
