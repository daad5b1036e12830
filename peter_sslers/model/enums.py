"""Enumerations stored in the database; their string values are stable and must not change."""

from __future__ import annotations

import enum


class StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return self.value


class AcmeOrderStatus(StrEnum):
    """RFC 8555 order states; ``deactivated``/``expired`` as some servers (Pebble) report them,
    and ``unknown`` when the server no longer knows the order."""

    PENDING = "pending"
    READY = "ready"
    PROCESSING = "processing"
    VALID = "valid"
    INVALID = "invalid"
    DEACTIVATED = "deactivated"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class AcmeAuthorizationStatus(StrEnum):
    PENDING = "pending"
    VALID = "valid"
    INVALID = "invalid"
    DEACTIVATED = "deactivated"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


class AcmeChallengeStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"


class AcmeChallengeType(StrEnum):
    HTTP_01 = "http-01"
    DNS_01 = "dns-01"
    TLS_ALPN_01 = "tls-alpn-01"


class AcmeOrderType(StrEnum):
    """Why an order was made."""

    NEW = "new"
    RENEW_QUEUE = "renew_queue"
    RENEW_CUSTOM = "renew_custom"
    RENEW_NOW = "renew_now"
    RETRY = "retry"
    QUEUE_DOMAINS = "queue_domains"
    AUTOCERT = "autocert"
    CERTIFICATE_IF_NEEDED = "certificate_if_needed"


class ProcessingStrategy(StrEnum):
    """The three provisioning options."""

    CREATE_ORDER = "create_order"
    PROCESS_SINGLE = "process_single"
    PROCESS_MULTI = "process_multi"


class ProcessingStatus(StrEnum):
    """How far our side of the work on an order has come."""

    CREATED_LOCAL = "created_local"
    CREATED_ACME = "created_acme"
    PROCESSING_STARTED = "processing_started"
    FINALIZING = "finalizing"
    FINALIZED = "finalized"
    CERTIFICATE_DOWNLOADED = "certificate_downloaded"
    COMPLETED_FAILURE = "completed_failure"


class KeyTechnology(StrEnum):
    RSA_2048 = "RSA_2048"
    RSA_3072 = "RSA_3072"
    RSA_4096 = "RSA_4096"
    EC_P256 = "EC_P256"
    EC_P384 = "EC_P384"


class PrivateKeyCycle(StrEnum):
    """How a private key is chosen for an order (see the spec's PrivateKey Cycling)."""

    SINGLE_CERTIFICATE = "single_certificate"
    ACCOUNT_DAILY = "account_daily"
    ACCOUNT_WEEKLY = "account_weekly"
    GLOBAL_DAILY = "global_daily"
    GLOBAL_WEEKLY = "global_weekly"
    ACCOUNT_KEY_DEFAULT = "account_key_default"


class PrivateKeySource(StrEnum):
    IMPORTED = "imported"
    GENERATED = "generated"


class PrivateKeyType(StrEnum):
    """What a stored key was made for; the cycle strategies look keys up by this."""

    STANDARD = "standard"
    SINGLE_CERTIFICATE = "single_certificate"
    ACCOUNT_DAILY = "account_daily"
    ACCOUNT_WEEKLY = "account_weekly"
    GLOBAL_DAILY = "global_daily"
    GLOBAL_WEEKLY = "global_weekly"


class AccountKeySource(StrEnum):
    GENERATED = "generated"
    IMPORTED = "imported"
    CERTBOT = "certbot"


class AcmeAccountStatus(StrEnum):
    VALID = "valid"
    DEACTIVATED = "deactivated"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


class CertificateRequestSource(StrEnum):
    IMPORTED = "imported"
    ACME_ORDER = "acme_order"
    ACME_FLOW = "acme_flow"


class CertificateSource(StrEnum):
    IMPORTED = "imported"
    ACME_ORDER = "acme_order"


class QueueStatus(StrEnum):
    QUEUED = "queued"
    CLAIMED = "claimed"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class EventResult(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
