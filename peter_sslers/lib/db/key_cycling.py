"""Choosing an order's private key by its cycling strategy, when the order is finalized."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import AcmeAccount, PrivateKey
from ...model.enums import KeyTechnology, PrivateKeyCycle, PrivateKeyType
from ..errors import Conflict
from .private_keys import generate_private_key

_TYPES = {
    PrivateKeyCycle.SINGLE_CERTIFICATE: PrivateKeyType.SINGLE_CERTIFICATE,
    PrivateKeyCycle.ACCOUNT_DAILY: PrivateKeyType.ACCOUNT_DAILY,
    PrivateKeyCycle.ACCOUNT_WEEKLY: PrivateKeyType.ACCOUNT_WEEKLY,
    PrivateKeyCycle.GLOBAL_DAILY: PrivateKeyType.GLOBAL_DAILY,
    PrivateKeyCycle.GLOBAL_WEEKLY: PrivateKeyType.GLOBAL_WEEKLY,
}


def period(cycle: PrivateKeyCycle, when: datetime.datetime) -> str | None:
    """The day (``2026-11-26``) or ISO week (``2026-W48``) a daily/weekly key belongs to."""
    day = when.astimezone(datetime.timezone.utc).date()
    if cycle in (PrivateKeyCycle.ACCOUNT_DAILY, PrivateKeyCycle.GLOBAL_DAILY):
        return day.isoformat()
    if cycle in (PrivateKeyCycle.ACCOUNT_WEEKLY, PrivateKeyCycle.GLOBAL_WEEKLY):
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return None


def resolve_cycle(
    account: AcmeAccount, cycle: PrivateKeyCycle, technology: KeyTechnology | None
) -> tuple[PrivateKeyCycle, KeyTechnology]:
    """``account_key_default`` becomes the account's own strategy (and technology if none given)."""
    if cycle == PrivateKeyCycle.ACCOUNT_KEY_DEFAULT:
        return account.order_default_private_key_cycle, technology or account.order_default_private_key_technology
    return cycle, technology or account.order_default_private_key_technology


def key_for_order(
    dbsession: Session, account: AcmeAccount, cycle: PrivateKeyCycle, technology: KeyTechnology,
    now: datetime.datetime,
) -> PrivateKey:
    """The key an order finalized ``now`` uses: reused only where the strategy says so.

    Daily/weekly keys are shared by every order of the same account (``account_*``) or of
    the whole installation (``global_*``) in the same period and technology; compromised
    or inactive keys are never handed out.
    """
    cycle, technology = resolve_cycle(account, cycle, technology)
    key_type = _TYPES[cycle]
    if cycle == PrivateKeyCycle.SINGLE_CERTIFICATE:
        return generate_private_key(dbsession, technology, private_key_type=key_type)
    owner = account.id if cycle in (PrivateKeyCycle.ACCOUNT_DAILY, PrivateKeyCycle.ACCOUNT_WEEKLY) else None
    cycle_period = period(cycle, now)
    existing = dbsession.execute(
        sa.select(PrivateKey)
        .where(
            PrivateKey.private_key_type == key_type,
            PrivateKey.acme_account_id__owner.is_(None) if owner is None else PrivateKey.acme_account_id__owner == owner,
            PrivateKey.cycle_period == cycle_period,
            PrivateKey.key_technology == technology,
            PrivateKey.is_active.is_(True),
            PrivateKey.is_compromised.is_(False),
        )
        .order_by(PrivateKey.id)
        .limit(1)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    return generate_private_key(
        dbsession, technology, private_key_type=key_type, acme_account_id__owner=owner, cycle_period=cycle_period
    )


def check_usable(key: PrivateKey, technology: KeyTechnology | None = None) -> None:
    """A chosen key must be active, never compromised, and of the requested technology."""
    if key.is_compromised:
        raise Conflict("this private key is compromised and is never used again", {"private_key_id": "compromised"})
    if not key.is_active:
        raise Conflict("this private key is inactive", {"private_key_id": "inactive"})
    if technology is not None and key.key_technology != technology:
        raise Conflict(
            f"the private key is {key.key_technology.value}, not {technology.value}",
            {"private_key_technology": f"the chosen key is {key.key_technology.value}"},
        )
