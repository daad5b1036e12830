"""Private keys, certificate requests, signed certificates, CA certificates and their chains."""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .encryption import EncryptedText
from .enums import (
    CertificateRequestSource,
    CertificateSource,
    KeyTechnology,
    PrivateKeySource,
    PrivateKeyType,
)
from .meta import Base, enum_column, utcnow


class PrivateKey(Base):
    """A certificate key; daily/weekly cycle keys carry the period they were made for."""

    __tablename__ = "private_key"
    __table_args__ = (
        sa.Index(
            "ix_private_key_cycle_lookup", "private_key_type", "acme_account_id__owner", "cycle_period"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_pem: Mapped[str] = mapped_column(EncryptedText)
    key_pem_md5: Mapped[str] = mapped_column(sa.String(32), index=True)
    spki_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    key_technology: Mapped[KeyTechnology] = mapped_column(enum_column(KeyTechnology))
    source: Mapped[PrivateKeySource] = mapped_column(enum_column(PrivateKeySource))
    private_key_type: Mapped[PrivateKeyType] = mapped_column(
        enum_column(PrivateKeyType), default=PrivateKeyType.STANDARD
    )
    cycle_period: Mapped[str | None] = mapped_column(sa.String(16))
    acme_account_id__owner: Mapped[int | None] = mapped_column(sa.ForeignKey("acme_account.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_compromised: Mapped[bool] = mapped_column(default=False)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    timestamp_compromised: Mapped[datetime.datetime | None]


class CertificateRequest(Base):
    """A CSR, imported or generated for an order."""

    __tablename__ = "certificate_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    csr_pem: Mapped[str] = mapped_column(sa.Text)
    csr_pem_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    spki_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    source: Mapped[CertificateRequestSource] = mapped_column(enum_column(CertificateRequestSource))
    private_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("private_key.id"), index=True)
    unique_fqdn_set_id: Mapped[int] = mapped_column(sa.ForeignKey("unique_fqdn_set.id"), index=True)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)

    private_key: Mapped[PrivateKey | None] = relationship()


class CertificateSigned(Base):
    """An end-entity certificate; searched fields are copied out of the PEM."""

    __tablename__ = "certificate_signed"
    __table_args__ = (
        sa.Index("ix_certificate_signed_active_expiry", "is_active", "timestamp_not_after"),
        # the newest certificate of a name set (recents, renewal "is there a newer one")
        sa.Index("ix_certificate_signed_set_expiry", "unique_fqdn_set_id", "timestamp_not_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cert_pem: Mapped[str] = mapped_column(sa.Text)
    fingerprint_sha1: Mapped[str] = mapped_column(sa.String(40), unique=True)
    fingerprint_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    spki_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    serial: Mapped[str] = mapped_column(sa.String(64), index=True)
    cert_subject: Mapped[str] = mapped_column(sa.Text)
    cert_issuer: Mapped[str] = mapped_column(sa.Text)
    authority_key_identifier: Mapped[str | None] = mapped_column(sa.String(128), index=True)
    ari_identifier: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    key_technology: Mapped[KeyTechnology | None] = mapped_column(enum_column(KeyTechnology))
    timestamp_not_before: Mapped[datetime.datetime]
    timestamp_not_after: Mapped[datetime.datetime] = mapped_column(index=True)
    is_single_domain: Mapped[bool]
    is_active: Mapped[bool] = mapped_column(default=True)
    is_deactivated: Mapped[bool] = mapped_column(default=False)
    is_revoked: Mapped[bool] = mapped_column(default=False)
    is_compromised_private_key: Mapped[bool] = mapped_column(default=False)
    source: Mapped[CertificateSource] = mapped_column(enum_column(CertificateSource))
    private_key_id: Mapped[int] = mapped_column(sa.ForeignKey("private_key.id"), index=True)
    certificate_request_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate_request.id"), index=True
    )
    unique_fqdn_set_id: Mapped[int] = mapped_column(sa.ForeignKey("unique_fqdn_set.id"), index=True)
    # renewal planning: when this certificate should be renewed (ARI or lifetime fraction)
    timestamp_renew_after: Mapped[datetime.datetime | None] = mapped_column(index=True)
    timestamp_ari_next_check: Mapped[datetime.datetime | None]
    timestamp_revoked_upstream: Mapped[datetime.datetime | None]
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)

    private_key: Mapped[PrivateKey] = relationship()
    certificate_request: Mapped[CertificateRequest | None] = relationship()
    chains: Mapped[list[CertificateSignedChain]] = relationship(
        back_populates="certificate_signed", order_by="CertificateSignedChain.id"
    )


class CertificateCA(Base):
    """A root or intermediate certificate."""

    __tablename__ = "certificate_ca"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(255))
    cert_pem: Mapped[str] = mapped_column(sa.Text)
    fingerprint_sha1: Mapped[str] = mapped_column(sa.String(40), unique=True)
    fingerprint_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    spki_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    cert_subject: Mapped[str] = mapped_column(sa.Text)
    cert_issuer: Mapped[str] = mapped_column(sa.Text)
    subject_key_identifier: Mapped[str | None] = mapped_column(sa.String(128), index=True)
    authority_key_identifier: Mapped[str | None] = mapped_column(sa.String(128), index=True)
    key_technology: Mapped[KeyTechnology | None] = mapped_column(enum_column(KeyTechnology))
    is_self_signed: Mapped[bool] = mapped_column(default=False)
    is_trusted_root: Mapped[bool] = mapped_column(default=False)
    timestamp_not_before: Mapped[datetime.datetime]
    timestamp_not_after: Mapped[datetime.datetime]
    # reconciliation: the AIA caIssuers URI and what downloading it gave us
    cert_issuer_uri: Mapped[str | None] = mapped_column(sa.String(512))
    cert_issuer__reconciled: Mapped[bool | None]
    cert_issuer__certificate_ca_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate_ca.id")
    )
    reconciled_uris: Mapped[str | None] = mapped_column(sa.Text)
    timestamp_reconciled: Mapped[datetime.datetime | None]
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)


class CertificateCAChain(Base):
    """An ordered list of CA certificates: item 0 signs the leaf."""

    __tablename__ = "certificate_ca_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(255))
    chain_pem: Mapped[str] = mapped_column(sa.Text)
    chain_pem_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    chain_length: Mapped[int]
    certificate_ca_0_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_ca.id"), index=True)
    certificate_ca_n_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_ca.id"), index=True)
    timestamp_created: Mapped[datetime.datetime] = mapped_column(default=utcnow)

    items: Mapped[list[CertificateCAChainItem]] = relationship(
        order_by="CertificateCAChainItem.position", back_populates="chain"
    )


class CertificateCAChainItem(Base):
    """One position of a CertificateCAChain."""

    __tablename__ = "certificate_ca_chain_item"

    certificate_ca_chain_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificate_ca_chain.id"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    certificate_ca_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_ca.id"), index=True)

    chain: Mapped[CertificateCAChain] = relationship(back_populates="items")
    certificate_ca: Mapped[CertificateCA] = relationship()


class CertificateCAPreference(Base):
    """The global, ordered preference of upstream CAs that picks a certificate's default chain."""

    __tablename__ = "certificate_ca_preference"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot: Mapped[int] = mapped_column(unique=True)
    certificate_ca_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_ca.id"), unique=True)

    certificate_ca: Mapped[CertificateCA] = relationship()


class CertificateSignedChain(Base):
    """Links a certificate to a chain the ACME server offered (or an upload supplied)."""

    __tablename__ = "certificate_signed_chain"
    __table_args__ = (sa.UniqueConstraint("certificate_signed_id", "certificate_ca_chain_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_signed_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_signed.id"))
    certificate_ca_chain_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificate_ca_chain.id"), index=True
    )
    is_upstream_default: Mapped[bool] = mapped_column(default=False)

    certificate_signed: Mapped[CertificateSigned] = relationship(back_populates="chains")
    certificate_ca_chain: Mapped[CertificateCAChain] = relationship()
