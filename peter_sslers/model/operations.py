"""What happened: ACME exchanges, operations events, notifications."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .enums import EventResult
from .meta import Base, enum_column, utcnow


class AcmeEventLog(Base):
    """One row per exchange with an ACME server.

    It is written in its own transaction so it survives a failed request; the ids it
    references are therefore plain indexed integers, not foreign keys (the rows they
    name may have been rolled back).
    """

    __tablename__ = "acme_event_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    timestamp_event: Mapped[datetime.datetime] = mapped_column(default=utcnow, index=True)
    acme_event: Mapped[str] = mapped_column(sa.String(64), index=True)
    result: Mapped[EventResult] = mapped_column(enum_column(EventResult), index=True)
    method: Mapped[str | None] = mapped_column(sa.String(8))
    url: Mapped[str | None] = mapped_column(sa.String(512))
    status_code: Mapped[int | None]
    problem_type: Mapped[str | None] = mapped_column(sa.String(128))
    error_text: Mapped[str | None] = mapped_column(sa.Text)
    request_json: Mapped[str | None] = mapped_column(sa.Text)
    response_json: Mapped[str | None] = mapped_column(sa.Text)
    elapsed_ms: Mapped[int | None]
    acme_server_id: Mapped[int | None] = mapped_column(index=True)
    acme_account_id: Mapped[int | None] = mapped_column(index=True)
    acme_order_id: Mapped[int | None] = mapped_column(index=True)
    acme_authorization_id: Mapped[int | None] = mapped_column(index=True)
    acme_challenge_id: Mapped[int | None] = mapped_column(index=True)
    certificate_signed_id: Mapped[int | None] = mapped_column(index=True)


class OperationsEvent(Base):
    """Something the application did (an import, a prime, a queue run...)."""

    __tablename__ = "operations_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(sa.String(64), index=True)
    timestamp_event: Mapped[datetime.datetime] = mapped_column(default=utcnow, index=True)
    payload_json: Mapped[str | None] = mapped_column(sa.Text)
    operations_event_id__child_of: Mapped[int | None] = mapped_column(
        sa.ForeignKey("operations_event.id"), index=True
    )


class OperationsObjectEvent(Base):
    """Links an operations event to each object it touched."""

    __tablename__ = "operations_object_event"
    __table_args__ = (sa.Index("ix_operations_object_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operations_event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("operations_event.id"), index=True
    )
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[int]
    event_status: Mapped[str] = mapped_column(sa.String(64))


class Notification(Base):
    """A notification sent (or attempted) about a certificate, order or account."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_type: Mapped[str] = mapped_column(sa.String(64), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    target: Mapped[str] = mapped_column(sa.String(512))
    dedupe_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    payload_json: Mapped[str | None] = mapped_column(sa.Text)
    result: Mapped[EventResult] = mapped_column(enum_column(EventResult))
    error_text: Mapped[str | None] = mapped_column(sa.Text)
    timestamp_sent: Mapped[datetime.datetime] = mapped_column(default=utcnow, index=True)
