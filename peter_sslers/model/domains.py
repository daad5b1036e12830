"""Domains and the unique sets of names that certificates and orders are made for."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .meta import Base, utcnow


class Domain(Base):
    """A fully qualified domain name we manage (stored lower-case, punycode for IDNs)."""

    __tablename__ = "domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    certificate_signed_id__latest_single: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate_signed.id"), index=True
    )
    certificate_signed_id__latest_multi: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate_signed.id"), index=True
    )
    # autocert throttles: one order in progress per domain, and a cool-off after a failure
    timestamp_autocert_claimed_until: Mapped[datetime.datetime | None]
    timestamp_autocert_failed: Mapped[datetime.datetime | None]
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class UniqueFQDNSet(Base):
    """A unique collection of domains; ``domain_ids_string`` is the sorted ids, comma joined."""

    __tablename__ = "unique_fqdn_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_ids_string: Mapped[str] = mapped_column(sa.Text, unique=True)
    count_domains: Mapped[int]
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)

    domains: Mapped[list[Domain]] = relationship(
        secondary="unique_fqdn_set_2_domain", order_by="Domain.domain_name", viewonly=True
    )


class UniqueFQDNSet2Domain(Base):
    __tablename__ = "unique_fqdn_set_2_domain"

    unique_fqdn_set_id: Mapped[int] = mapped_column(
        sa.ForeignKey("unique_fqdn_set.id"), primary_key=True
    )
    domain_id: Mapped[int] = mapped_column(sa.ForeignKey("domain.id"), primary_key=True, index=True)
