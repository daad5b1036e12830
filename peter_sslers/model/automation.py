"""Queues, renewal information checks and rate-limit records: the renewal machinery's state."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .enums import KeyTechnology, PrivateKeyCycle, QueueStatus
from .meta import Base, enum_column, utcnow


class QueueDomain(Base):
    """A domain waiting to be put into an order."""

    __tablename__ = "queue_domain"
    __table_args__ = (sa.Index("ix_queue_domain_status_name", "status", "domain_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_name: Mapped[str] = mapped_column(sa.String(255))
    status: Mapped[QueueStatus] = mapped_column(enum_column(QueueStatus), default=QueueStatus.QUEUED)
    acme_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_order.id"), index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_processed: Mapped[datetime.datetime | None]


#: the statuses of an item not finished yet (lib.acme.queues.OPEN), as SQL for partial indexes
OPEN_ITEM = "status IN ('queued', 'claimed')"


class QueueCertificate(Base):
    """A renewal waiting to happen; workers claim items with a row lock."""

    __tablename__ = "queue_certificate"
    __table_args__ = (
        sa.Index("ix_queue_certificate_claimable", "status", "timestamp_not_before"),
        # one open item per name set, whatever the number of workers queueing at once
        sa.Index(
            "uq_queue_certificate_open_set", "unique_fqdn_set_id", unique=True,
            postgresql_where=sa.text(OPEN_ITEM), sqlite_where=sa.text(OPEN_ITEM),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[QueueStatus] = mapped_column(enum_column(QueueStatus), default=QueueStatus.QUEUED)
    unique_fqdn_set_id: Mapped[int] = mapped_column(sa.ForeignKey("unique_fqdn_set.id"), index=True)
    certificate_signed_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate_signed.id"), index=True
    )
    acme_order_id__source: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_order.id"), index=True)
    acme_order_id__generated: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_order.id"))
    # a "custom renewal" may name its own account and key choice
    acme_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_account.id"))
    private_key_cycle: Mapped[PrivateKeyCycle | None] = mapped_column(enum_column(PrivateKeyCycle))
    private_key_technology: Mapped[KeyTechnology | None] = mapped_column(enum_column(KeyTechnology))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(128))
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_not_before: Mapped[datetime.datetime | None]
    timestamp_claimed: Mapped[datetime.datetime | None]
    timestamp_processed: Mapped[datetime.datetime | None]


class AriCheck(Base):
    """One ACME Renewal Information lookup for a certificate (RFC 9773)."""

    __tablename__ = "ari_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_signed_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificate_signed.id"), index=True
    )
    is_success: Mapped[bool]
    suggested_window_start: Mapped[datetime.datetime | None]
    suggested_window_end: Mapped[datetime.datetime | None]
    explanation_url: Mapped[str | None] = mapped_column(sa.String(512))
    timestamp_retry_after: Mapped[datetime.datetime | None]
    raw_response: Mapped[str | None] = mapped_column(sa.Text)
    timestamp_checked: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class RateLimited(Base):
    """A rateLimited answer from a server: nothing is sent for its scope before retry-after."""

    __tablename__ = "rate_limited"

    id: Mapped[int] = mapped_column(primary_key=True)
    acme_server_id: Mapped[int] = mapped_column(sa.ForeignKey("acme_server.id"), index=True)
    acme_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_account.id"), index=True)
    unique_fqdn_set_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("unique_fqdn_set.id"), index=True
    )
    problem_detail: Mapped[str | None] = mapped_column(sa.Text)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_retry_after: Mapped[datetime.datetime] = mapped_column(index=True)
