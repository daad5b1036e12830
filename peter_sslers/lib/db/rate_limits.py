"""Staying under the ACME server's rate limits: refuse before the server does.

Three checks before a new order: a ``rateLimited`` answer still in force for the account
or the name set; new orders per account in 3 hours; certificates per UniqueFQDNSet in a
week (renewals that send ARI ``replaces`` do not count against the latter).
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import AcmeAccount, AcmeOrder, CertificateSigned, RateLimited
from ...model.enums import CertificateSource
from ...settings import AppSettings
from ..errors import InvalidRequest

THREE_HOURS = datetime.timedelta(hours=3)
ONE_WEEK = datetime.timedelta(days=7)


class RateLimitRefused(InvalidRequest):
    def __init__(self, message: str, retry_after: datetime.datetime | None = None):
        super().__init__(message, {"rate_limit": message}, status=429)
        self.retry_after = retry_after


def check_new_order(
    dbsession: Session, settings: AppSettings, account: AcmeAccount, unique_fqdn_set_id: int,
    *, is_ari_renewal: bool, now: datetime.datetime,
) -> None:
    """Raise RateLimitRefused when an order now would (or did) hit a limit."""
    blocked = dbsession.execute(
        sa.select(RateLimited.timestamp_retry_after)
        .where(
            RateLimited.acme_server_id == account.acme_server_id,
            RateLimited.timestamp_retry_after > now,
            sa.or_(RateLimited.acme_account_id.is_(None), RateLimited.acme_account_id == account.id),
            sa.or_(RateLimited.unique_fqdn_set_id.is_(None), RateLimited.unique_fqdn_set_id == unique_fqdn_set_id),
        )
        .order_by(RateLimited.timestamp_retry_after.desc())
        .limit(1)
    ).scalar_one_or_none()
    if blocked is not None:
        raise RateLimitRefused(f"the ACME server rate-limited this; not before {blocked.isoformat()}", blocked)
    recent_orders = dbsession.execute(
        sa.select(sa.func.count()).select_from(AcmeOrder).where(
            AcmeOrder.acme_account_id == account.id,
            AcmeOrder.order_url.is_not(None),
            AcmeOrder.timestamp_created > now - THREE_HOURS,
        )
    ).scalar_one()
    if recent_orders >= settings.ratelimit_orders_per_account_3h:
        raise RateLimitRefused(
            f"{recent_orders} new orders by this account in 3 hours: the limit is "
            f"{settings.ratelimit_orders_per_account_3h} (ratelimit.orders_per_account_3h)"
        )
    if is_ari_renewal:
        return
    duplicates = dbsession.execute(
        sa.select(sa.func.count()).select_from(CertificateSigned).where(
            CertificateSigned.unique_fqdn_set_id == unique_fqdn_set_id,
            CertificateSigned.source == CertificateSource.ACME_ORDER,
            CertificateSigned.timestamp_created > now - ONE_WEEK,
        )
    ).scalar_one()
    if duplicates >= settings.ratelimit_duplicate_certificates_per_week:
        raise RateLimitRefused(
            f"{duplicates} certificates for exactly these names this week: the limit is "
            f"{settings.ratelimit_duplicate_certificates_per_week} (ratelimit.duplicate_certificates_per_week)"
        )


#: wordings of ``rateLimited`` details about particular names (Let's Encrypt: "this exact set of
#: identifiers", "already issued for \"example.com\"", "failed authorizations ... for \"name\"")
NAME_SCOPED = ("exact set", "already issued for", "failed authorization", "failed validation")


def is_name_scoped(detail: str) -> bool:
    """Does this ``rateLimited`` detail limit particular names (else: the whole account)?"""
    detail = detail.lower()
    return any(phrase in detail for phrase in NAME_SCOPED)


def record(
    dbsession: Session, account: AcmeAccount, unique_fqdn_set_id: int | None, detail: str,
    retry_after_seconds: float | None, now: datetime.datetime,
) -> RateLimited:
    """Remember a rateLimited answer; nothing goes to the server for its scope before retry-after.

    A limit on particular names blocks that name set; any other limit (new orders per
    account, or a wording we do not know) blocks every order of the account.
    """
    if not is_name_scoped(detail):
        unique_fqdn_set_id = None
    row = RateLimited(
        acme_server_id=account.acme_server_id, acme_account_id=account.id, unique_fqdn_set_id=unique_fqdn_set_id,
        problem_detail=detail[:2000],
        timestamp_retry_after=now + datetime.timedelta(seconds=retry_after_seconds or 3600),
    )
    dbsession.add(row)
    dbsession.flush()
    return row
