"""The AcmeOrder at the centre, its authorizations and challenges, and acme-flow orderless sets."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .enums import (
    AcmeAuthorizationStatus,
    AcmeChallengeStatus,
    AcmeChallengeType,
    AcmeOrderStatus,
    AcmeOrderType,
    KeyTechnology,
    PrivateKeyCycle,
    ProcessingStatus,
    ProcessingStrategy,
)
from .meta import Base, enum_column, utcnow

if TYPE_CHECKING:
    from .acme_account import AcmeAccount


class AcmeOrder(Base):
    """One ACME order for a UniqueFQDNSet by an AcmeAccount, and everything it produced."""

    __tablename__ = "acme_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[AcmeOrderStatus] = mapped_column(
        enum_column(AcmeOrderStatus), default=AcmeOrderStatus.PENDING, index=True
    )
    order_type: Mapped[AcmeOrderType] = mapped_column(enum_column(AcmeOrderType))
    processing_strategy: Mapped[ProcessingStrategy] = mapped_column(enum_column(ProcessingStrategy))
    processing_status: Mapped[ProcessingStatus] = mapped_column(
        enum_column(ProcessingStatus), default=ProcessingStatus.CREATED_LOCAL
    )
    order_url: Mapped[str | None] = mapped_column(sa.String(512), unique=True)
    finalize_url: Mapped[str | None] = mapped_column(sa.String(512))
    certificate_url: Mapped[str | None] = mapped_column(sa.String(512))
    is_auto_renew: Mapped[bool] = mapped_column(default=True)
    acme_account_id: Mapped[int] = mapped_column(sa.ForeignKey("acme_account.id"), index=True)
    unique_fqdn_set_id: Mapped[int] = mapped_column(sa.ForeignKey("unique_fqdn_set.id"), index=True)
    private_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("private_key.id"), index=True)
    private_key_cycle: Mapped[PrivateKeyCycle] = mapped_column(enum_column(PrivateKeyCycle))
    private_key_technology: Mapped[KeyTechnology] = mapped_column(enum_column(KeyTechnology))
    certificate_request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate_request.id"), index=True
    )
    certificate_signed_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate_signed.id"), unique=True
    )
    acme_order_id__retry_of: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_order.id"))
    acme_order_id__renewal_of: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_order.id"))
    certificate_signed_id__replaces: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate_signed.id"), index=True
    )
    replaces: Mapped[str | None] = mapped_column(sa.String(255))
    profile: Mapped[str | None] = mapped_column(sa.String(64))
    # names solved with dns-01 (JSON list) and the provider that sets their TXT records
    dns01_domains_json: Mapped[str | None] = mapped_column(sa.Text)
    dns_provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dns_provider.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    problem_json: Mapped[str | None] = mapped_column(sa.Text)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow, index=True)
    timestamp_updated: Mapped[datetime.datetime | None]
    timestamp_expires: Mapped[datetime.datetime | None]
    timestamp_finalized: Mapped[datetime.datetime | None]

    acme_account: Mapped[AcmeAccount] = relationship()
    authorizations: Mapped[list[AcmeAuthorization]] = relationship(
        secondary="acme_order_2_acme_authorization", order_by="AcmeAuthorization.id", viewonly=True
    )


class AcmeAuthorization(Base):
    """An authorization for one identifier; the server may reuse it across orders."""

    __tablename__ = "acme_authorization"

    id: Mapped[int] = mapped_column(primary_key=True)
    authorization_url: Mapped[str] = mapped_column(sa.String(512), unique=True)
    status: Mapped[AcmeAuthorizationStatus] = mapped_column(
        enum_column(AcmeAuthorizationStatus), default=AcmeAuthorizationStatus.PENDING, index=True
    )
    domain_id: Mapped[int | None] = mapped_column(sa.ForeignKey("domain.id"), index=True)
    is_wildcard: Mapped[bool] = mapped_column(default=False)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_updated: Mapped[datetime.datetime | None]
    timestamp_expires: Mapped[datetime.datetime | None]
    timestamp_deactivated: Mapped[datetime.datetime | None]

    challenges: Mapped[list[AcmeChallenge]] = relationship(
        back_populates="acme_authorization", order_by="AcmeChallenge.id"
    )


class AcmeOrder2AcmeAuthorization(Base):
    __tablename__ = "acme_order_2_acme_authorization"

    acme_order_id: Mapped[int] = mapped_column(sa.ForeignKey("acme_order.id"), primary_key=True)
    acme_authorization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("acme_authorization.id"), primary_key=True, index=True
    )


class AcmeOrderless(Base):
    """acme-flow: challenges for an order that an external tool made."""

    __tablename__ = "acme_orderless"

    id: Mapped[int] = mapped_column(primary_key=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    acme_account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_account.id"), index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_updated: Mapped[datetime.datetime | None]

    challenges: Mapped[list[AcmeChallenge]] = relationship(
        back_populates="acme_orderless", order_by="AcmeChallenge.id"
    )


class AcmeChallenge(Base):
    """A challenge of an authorization, or of an acme-flow AcmeOrderless."""

    __tablename__ = "acme_challenge"
    __table_args__ = (sa.Index("ix_acme_challenge_token_status", "token", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acme_authorization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("acme_authorization.id"), index=True
    )
    acme_orderless_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("acme_orderless.id"), index=True
    )
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("domain.id"), index=True)
    challenge_type: Mapped[AcmeChallengeType] = mapped_column(enum_column(AcmeChallengeType))
    status: Mapped[AcmeChallengeStatus] = mapped_column(
        enum_column(AcmeChallengeStatus), default=AcmeChallengeStatus.PENDING
    )
    challenge_url: Mapped[str | None] = mapped_column(sa.String(512), unique=True)
    token: Mapped[str] = mapped_column(sa.String(255))
    keyauthorization: Mapped[str | None] = mapped_column(sa.String(512))
    count_polls: Mapped[int] = mapped_column(default=0)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_updated: Mapped[datetime.datetime | None]

    acme_authorization: Mapped[AcmeAuthorization | None] = relationship(back_populates="challenges")
    acme_orderless: Mapped[AcmeOrderless | None] = relationship(back_populates="challenges")


class AcmeChallengePoll(Base):
    """A request for a known challenge on the public route (bounded per challenge)."""

    __tablename__ = "acme_challenge_poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    acme_challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("acme_challenge.id"), index=True)
    remote_ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    timestamp_polled: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class AcmeChallengeUnknownPoll(Base):
    """Requests for unknown tokens, counted in one row per day rather than one row per request."""

    __tablename__ = "acme_challenge_unknown_poll"

    day: Mapped[datetime.date] = mapped_column(primary_key=True)
    count_polls: Mapped[int] = mapped_column(default=0)
    last_token: Mapped[str | None] = mapped_column(sa.String(255))
    last_host: Mapped[str | None] = mapped_column(sa.String(255))
    last_remote_ip_address: Mapped[str | None] = mapped_column(sa.String(64))
    timestamp_last: Mapped[datetime.datetime | None]
