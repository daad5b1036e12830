"""Credentials the application keeps: admin API tokens and DNS-01 provider accounts."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .encryption import EncryptedText
from .meta import Base, utcnow


class AdminApiToken(Base):
    """A bearer token for the admin API; only its hash is stored."""

    __tablename__ = "admin_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128))
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_last_used: Mapped[datetime.datetime | None]


class DnsProvider(Base):
    """A DNS-01 provider (acme-dns, RFC 2136, manual) with its (encryptable) configuration."""

    __tablename__ = "dns_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    provider_type: Mapped[str] = mapped_column(sa.String(32))
    config_json: Mapped[str] = mapped_column(EncryptedText)
    is_active: Mapped[bool] = mapped_column(default=True)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class DnsProviderDomain(Base):
    """Per-domain credentials at a provider (e.g. an acme-dns registration)."""

    __tablename__ = "dns_provider_domain"
    __table_args__ = (sa.UniqueConstraint("dns_provider_id", "domain_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dns_provider_id: Mapped[int] = mapped_column(sa.ForeignKey("dns_provider.id"))
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("domain.id"), index=True)
    credentials_json: Mapped[str] = mapped_column(EncryptedText)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
