"""ACME servers, the accounts we hold on them, and the accounts' keys."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .encryption import EncryptedText
from .enums import AccountKeySource, AcmeAccountStatus, KeyTechnology, PrivateKeyCycle
from .meta import Base, enum_column, utcnow


class AcmeServer(Base):
    """An ACME v2 directory we can talk to, with the CA bundle that verifies its TLS."""

    __tablename__ = "acme_server"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    directory_url: Mapped[str] = mapped_column(sa.String(512), unique=True)
    server: Mapped[str] = mapped_column(sa.String(255), index=True)
    is_default: Mapped[bool] = mapped_column(default=False)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    protocol: Mapped[str] = mapped_column(sa.String(16), default="acme-v2")
    ca_bundle_pem: Mapped[str | None] = mapped_column(sa.Text)
    is_supports_ari: Mapped[bool] = mapped_column(default=False)
    is_supports_profiles: Mapped[bool] = mapped_column(default=False)
    profiles_json: Mapped[str | None] = mapped_column(sa.Text)
    directory_json: Mapped[str | None] = mapped_column(sa.Text)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_directory_checked: Mapped[datetime.datetime | None]

    accounts: Mapped[list[AcmeAccount]] = relationship(back_populates="acme_server")


class AcmeAccount(Base):
    """A contact and an account key registered on one ACME server."""

    __tablename__ = "acme_account"
    __table_args__ = (sa.UniqueConstraint("acme_server_id", "account_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    acme_server_id: Mapped[int] = mapped_column(sa.ForeignKey("acme_server.id"), index=True)
    contact: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    account_url: Mapped[str | None] = mapped_column(sa.String(512))
    status: Mapped[AcmeAccountStatus] = mapped_column(
        enum_column(AcmeAccountStatus), default=AcmeAccountStatus.VALID
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    is_global_default: Mapped[bool] = mapped_column(default=False)
    terms_of_service: Mapped[str | None] = mapped_column(sa.String(512))
    eab_kid: Mapped[str | None] = mapped_column(sa.String(255))
    certbot_meta_json: Mapped[str | None] = mapped_column(sa.Text)
    certbot_regr_json: Mapped[str | None] = mapped_column(sa.Text)
    # defaults for the orders of this account
    order_default_private_key_cycle: Mapped[PrivateKeyCycle] = mapped_column(
        enum_column(PrivateKeyCycle), default=PrivateKeyCycle.SINGLE_CERTIFICATE
    )
    order_default_private_key_technology: Mapped[KeyTechnology] = mapped_column(
        enum_column(KeyTechnology), default=KeyTechnology.RSA_2048
    )
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_last_authenticated: Mapped[datetime.datetime | None]
    timestamp_deactivated: Mapped[datetime.datetime | None]

    acme_server: Mapped[AcmeServer] = relationship(back_populates="accounts")
    keys: Mapped[list[AcmeAccountKey]] = relationship(
        back_populates="acme_account", order_by="AcmeAccountKey.id"
    )


class AcmeAccountKey(Base):
    """An account key; the SPKI is unique, so a key can never serve two accounts or servers."""

    __tablename__ = "acme_account_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    acme_account_id: Mapped[int] = mapped_column(sa.ForeignKey("acme_account.id"), index=True)
    key_pem: Mapped[str] = mapped_column(EncryptedText)
    key_pem_md5: Mapped[str] = mapped_column(sa.String(32), index=True)
    spki_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    jwk_thumbprint: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    key_technology: Mapped[KeyTechnology] = mapped_column(enum_column(KeyTechnology))
    source: Mapped[AccountKeySource] = mapped_column(enum_column(AccountKeySource))
    is_active: Mapped[bool] = mapped_column(default=True)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_deactivated: Mapped[datetime.datetime | None]

    acme_account: Mapped[AcmeAccount] = relationship(back_populates="keys")
