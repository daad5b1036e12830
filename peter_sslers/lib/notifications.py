"""Notifications: find what needs a human, tell them by webhook and/or email, remember it.

Four checks, each giving ``Finding``s with a stable ``dedupe_key``:

- ``certificate_expiring``: an active certificate expiring within ``notify.expiring_days``
  (or already expired) with no newer usable certificate for the same UniqueFQDNSet;
- ``renewal_failed``: renewal queue items that failed, or failed an attempt and wait to retry;
- ``acme_account_problem``: accounts in use (active, global default or the automation account)
  whose status is not valid, and a global default / automation account that is not active;
- ``rate_limited``: rateLimited answers still in force.

Each (finding, channel) pair is sent at most once per ``notify.min_interval_seconds``: a
successful send within that interval suppresses it, a failed one does not (the next run
retries). Every attempt is a ``Notification`` row; a failing channel never stops the others.
The caller owns the transaction: the rows are added to ``dbsession`` and flushed.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.message
import hashlib
import hmac
import json
import logging
import smtplib
import urllib.parse
from collections.abc import Callable, Iterable

import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ..model import (
    AcmeAccount,
    CertificateSigned,
    Notification,
    QueueCertificate,
    RateLimited,
)
from ..model.enums import AcmeAccountStatus, EventResult, QueueStatus
from ..model.meta import utcnow
from .db.queries import domain_names_for_sets

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Peter-SSLers-Signature"
TIMEOUT_SECONDS = 10
MAX_FINDINGS_PER_CHECK = 500  # a run stays bounded; the rest come up in the next runs
TYPES = ("certificate_expiring", "renewal_failed", "acme_account_problem", "rate_limited")


@dataclasses.dataclass(frozen=True)
class Finding:
    """Something to tell a human about, once per interval."""

    notification_type: str
    dedupe_key: str
    summary: str
    details: dict


# ---- the checks ---------------------------------------------------------------------------


def _iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def expiring_certificates(dbsession: Session, settings, now: datetime.datetime) -> list[Finding]:
    """Active certificates expiring within ``notify.expiring_days`` that nothing replaced yet."""
    horizon = now + datetime.timedelta(days=settings.notify_expiring_days)
    newer = aliased(CertificateSigned)
    rows = dbsession.execute(
        sa.select(
            CertificateSigned.id,
            CertificateSigned.unique_fqdn_set_id,
            CertificateSigned.timestamp_not_after,
        )
        .where(
            CertificateSigned.is_active.is_(True),
            CertificateSigned.is_revoked.is_(False),
            CertificateSigned.timestamp_not_after < horizon,
            ~sa.exists().where(
                newer.unique_fqdn_set_id == CertificateSigned.unique_fqdn_set_id,
                newer.timestamp_not_after > CertificateSigned.timestamp_not_after,
                newer.is_active.is_(True),
                newer.is_revoked.is_(False),
            ),
        )
        .order_by(CertificateSigned.timestamp_not_after, CertificateSigned.id)
        .limit(MAX_FINDINGS_PER_CHECK)
    ).all()
    names = domain_names_for_sets(dbsession, [row.unique_fqdn_set_id for row in rows])
    findings = []
    for cert_id, set_id, not_after in rows:
        domains = names.get(set_id, [])
        days = (not_after - now).total_seconds() / 86400
        state = f"expired {-days:.1f} days ago" if days < 0 else f"expires in {days:.1f} days"
        findings.append(Finding(
            "certificate_expiring", f"expiring:cert:{cert_id}",
            f"certificate {cert_id} ({', '.join(domains[:3])}{'...' if len(domains) > 3 else ''}) {state}, "
            "with no renewal",
            {"certificate_signed_id": str(cert_id), "domain_names": domains,
             "timestamp_not_after": _iso(not_after), "days_left": round(days, 2)},
        ))  # fmt: skip
    return findings


def renewal_failures(dbsession: Session, settings, now: datetime.datetime) -> list[Finding]:
    """Renewal queue items that failed for good, or failed an attempt and wait for a retry."""
    rows = (
        dbsession.execute(
            sa.select(QueueCertificate)
            .where(
                sa.or_(
                    QueueCertificate.status == QueueStatus.FAILED,
                    sa.and_(
                        QueueCertificate.status.in_((QueueStatus.QUEUED, QueueStatus.CLAIMED)),
                        QueueCertificate.attempts > 0,
                        QueueCertificate.last_error.is_not(None),
                    ),
                )
            )
            .order_by(QueueCertificate.id)
            .limit(MAX_FINDINGS_PER_CHECK)
        )
        .scalars()
        .all()
    )
    names = domain_names_for_sets(dbsession, [row.unique_fqdn_set_id for row in rows])
    findings = []
    for item in rows:
        domains = names.get(item.unique_fqdn_set_id, [])
        gave_up = item.status == QueueStatus.FAILED
        findings.append(Finding(
            "renewal_failed", f"renewal_failed:queue_certificate:{item.id}",
            f"renewal of {', '.join(domains[:3])} {'failed' if gave_up else 'is failing'} "
            f"after {item.attempts} attempt(s): {(item.last_error or '')[:200]}",
            {"queue_certificate_id": str(item.id), "status": item.status.value, "attempts": item.attempts,
             "last_error": item.last_error, "domain_names": domains,
             "certificate_signed_id": None if item.certificate_signed_id is None else str(item.certificate_signed_id),
             "timestamp_not_before": _iso(item.timestamp_not_before)},
        ))  # fmt: skip
    return findings


def account_problems(dbsession: Session, settings, now: datetime.datetime) -> list[Finding]:
    """Accounts orders depend on that cannot order: not valid on the server, or not active."""
    automation_id = getattr(settings, "automation_acme_account_id", None)
    in_use = sa.or_(
        AcmeAccount.is_active.is_(True),
        AcmeAccount.is_global_default.is_(True),
        AcmeAccount.id == (automation_id or -1),
    )
    rows = (
        dbsession.execute(
            sa.select(AcmeAccount)
            .where(
                in_use,
                sa.or_(
                    AcmeAccount.status != AcmeAccountStatus.VALID, AcmeAccount.is_active.is_(False)
                ),
            )
            .order_by(AcmeAccount.id)
            .limit(MAX_FINDINGS_PER_CHECK)
        )
        .scalars()
        .all()
    )
    findings = []
    for account in rows:
        problem = (
            f"status {account.status.value}"
            if account.status != AcmeAccountStatus.VALID
            else "not active"
        )
        roles = [r for r, yes in (("global default", account.is_global_default),
                                  ("automation account", account.id == automation_id)) if yes]  # fmt: skip
        findings.append(Finding(
            "acme_account_problem", f"account:{account.id}:{problem.replace(' ', '_')}",
            f"ACME account {account.id} ({account.contact or 'no contact'}) is {problem}"
            + (f"; it is the {' and '.join(roles)}" if roles else ""),
            {"acme_account_id": str(account.id), "contact": account.contact, "status": account.status.value,
             "is_active": account.is_active, "roles": roles},
        ))  # fmt: skip
    return findings


def rate_limits(dbsession: Session, settings, now: datetime.datetime) -> list[Finding]:
    """rateLimited answers whose retry-after is still ahead."""
    rows = (
        dbsession.execute(
            sa.select(RateLimited)
            .where(RateLimited.timestamp_retry_after > now)
            .order_by(RateLimited.timestamp_retry_after.desc())
            .limit(MAX_FINDINGS_PER_CHECK)
        )
        .scalars()
        .all()
    )
    names = domain_names_for_sets(
        dbsession, [r.unique_fqdn_set_id for r in rows if r.unique_fqdn_set_id]
    )
    findings = []
    for row in rows:
        domains = names.get(row.unique_fqdn_set_id, []) if row.unique_fqdn_set_id else []
        scope = ", ".join(domains[:3]) if domains else f"account {row.acme_account_id or 'any'}"
        findings.append(Finding(
            "rate_limited", f"rate_limited:{row.id}",
            f"rate limited by ACME server {row.acme_server_id} for {scope} until "
            f"{row.timestamp_retry_after.isoformat()}",
            {"rate_limited_id": str(row.id), "acme_server_id": str(row.acme_server_id),
             "acme_account_id": None if row.acme_account_id is None else str(row.acme_account_id),
             "domain_names": domains, "problem_detail": row.problem_detail,
             "timestamp_retry_after": _iso(row.timestamp_retry_after)},
        ))  # fmt: skip
    return findings


CHECKS: tuple[Callable[[Session, object, datetime.datetime], list[Finding]], ...] = (
    expiring_certificates,
    renewal_failures,
    account_problems,
    rate_limits,
)


def find_all(dbsession: Session, settings, now: datetime.datetime) -> list[Finding]:
    """Every current finding of every check."""
    return [finding for check in CHECKS for finding in check(dbsession, settings, now)]


# ---- the channels ---------------------------------------------------------------------------


def payload(finding: Finding, settings, now: datetime.datetime) -> dict:
    """The JSON document a webhook receives (and the record keeps)."""
    return {
        "source": "peter_sslers",
        "environment": settings.peter_sslers_environment,
        "notification_type": finding.notification_type,
        "dedupe_key": finding.dedupe_key,
        "summary": finding.summary,
        "details": finding.details,
        "timestamp": now.isoformat(),
    }


def sign(body: bytes, secret: str) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _safe_target(url: str) -> str:
    """The URL as recorded: without credentials or query string (either may hold a secret)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))[:512]


class ChannelDown(Exception):
    """The channel could not be reached earlier in this run: the rest are not tried."""


class _Channel:
    """A run's worth of sends; after a connection-level failure the others fail at once
    (a down SMTP server or webhook must not cost a timeout per notification)."""

    name = ""
    target = ""
    down: str | None = None

    def _guard(self) -> None:
        if self.down is not None:
            raise ChannelDown(f"not tried: {self.down}")

    def _mark_down(self, exc: Exception) -> None:
        self.down = f"{type(exc).__name__}: {exc}"


class WebhookChannel(_Channel):
    """POSTs each notification as JSON, signed when ``notify.webhook_secret`` is set."""

    name = "webhook"

    def __init__(self, settings):
        self.url = settings.notify_webhook_url
        self.secret = settings.notify_webhook_secret
        self.target = _safe_target(self.url)
        self.session: requests.Session | None = None

    def open(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or netrc from the environment

    def send(self, document: dict) -> None:
        body = json.dumps(document, sort_keys=True, default=str).encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": "peter_sslers-notify"}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(body, self.secret)
        if self.session is None:
            self.open()
        self._guard()
        try:
            response = self.session.post(
                self.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            self._mark_down(exc)
            raise
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


class EmailChannel(_Channel):
    """One plain-text message per notification over one SMTP connection per run."""

    name = "email"

    def __init__(self, settings):
        self.recipients = [
            a.strip() for a in (settings.notify_email_to or "").split(",") if a.strip()
        ]
        self.sender = settings.notify_email_from
        self.host, self.port = settings.notify_smtp_host, settings.notify_smtp_port
        self.environment = settings.peter_sslers_environment
        self.target = ", ".join(self.recipients)[:512]
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        self.smtp = None  # connected on first use: a run with nothing to send opens nothing

    def _connection(self) -> smtplib.SMTP:
        self._guard()
        if self.smtp is None:
            try:
                self.smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            except OSError as exc:
                self._mark_down(exc)
                raise
        return self.smtp

    def send(self, document: dict) -> None:
        message = email.message.EmailMessage()
        message["Subject"] = f"[peter_sslers {self.environment}] {document['summary']}"[:250]
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["X-Peter-SSLers-Dedupe-Key"] = document["dedupe_key"]
        message.set_content(
            document["summary"]
            + "\n\n"
            + json.dumps(document["details"], indent=2, sort_keys=True, default=str)
            + "\n"
        )
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPException, OSError):
            self.close()  # a broken connection is not reused for the next message
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def channels(settings) -> list:
    """The channels the settings configure (none: findings are only counted)."""
    found: list = []
    if settings.notify_webhook_url:
        found.append(WebhookChannel(settings))
    if settings.notify_email_to:
        mail = EmailChannel(settings)
        if mail.recipients:
            found.append(mail)
    return found


# ---- a run ----------------------------------------------------------------------------------


def _recently_sent(
    dbsession: Session, keys: Iterable[str], channel: str, since: datetime.datetime
) -> set[str]:
    keys = list(keys)
    if not keys:
        return set()
    return set(
        dbsession.execute(
            sa.select(Notification.dedupe_key).where(
                Notification.dedupe_key.in_(keys),
                Notification.channel == channel,
                Notification.result == EventResult.SUCCESS,
                Notification.timestamp_sent > since,
            )
        ).scalars()
    )


def _deliver(
    dbsession: Session, channel, findings: list[Finding], settings, now: datetime.datetime
) -> list[dict]:
    results = []
    channel.open()
    try:
        for finding in findings:
            document = payload(finding, settings, now)
            error = None
            try:
                channel.send(document)
            except Exception as exc:  # noqa: BLE001 - one failed send must not stop the others
                error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning(
                    "notification %s via %s failed: %s", finding.dedupe_key, channel.name, error
                )
            dbsession.add(Notification(
                notification_type=finding.notification_type, channel=channel.name, target=channel.target,
                dedupe_key=finding.dedupe_key[:255], payload_json=json.dumps(document, default=str),
                result=EventResult.FAILURE if error else EventResult.SUCCESS, error_text=error,
                timestamp_sent=now,
            ))  # fmt: skip
            results.append({"notification_type": finding.notification_type, "dedupe_key": finding.dedupe_key,
                            "channel": channel.name, "result": "failure" if error else "success", "error": error})  # fmt: skip
    finally:
        channel.close()
    return results


def run_checks(dbsession: Session, settings, now: datetime.datetime | None = None) -> dict:
    """Run every check, send what is due on every configured channel, record each attempt.

    Returns a summary: findings per type, and per channel how many were sent, failed and
    suppressed (sent successfully within ``notify.min_interval_seconds``).
    """
    now = now or utcnow()
    findings = find_all(dbsession, settings, now)
    since = now - datetime.timedelta(seconds=settings.notify_min_interval_seconds)
    summary: dict = {
        "timestamp": now.isoformat(),
        "findings": {name: sum(f.notification_type == name for f in findings) for name in TYPES},
        "channels": {},
        "sent": 0,
        "failed": 0,
        "suppressed": 0,
        "notifications": [],
    }
    for channel in channels(settings):
        suppressed = _recently_sent(
            dbsession, (f.dedupe_key for f in findings), channel.name, since
        )
        due = [f for f in findings if f.dedupe_key not in suppressed]
        results = _deliver(dbsession, channel, due, settings, now)
        sent = sum(r["result"] == "success" for r in results)
        stats = {"target": channel.target, "sent": sent, "failed": len(results) - sent,
                 "suppressed": len(findings) - len(due)}  # fmt: skip
        summary["channels"][channel.name] = stats
        for key in ("sent", "failed", "suppressed"):
            summary[key] += stats[key]
        summary["notifications"].extend(results)
    dbsession.flush()
    if not summary["channels"]:
        summary["note"] = (
            "no channel configured (notify.webhook_url, notify.email_to): nothing was sent"
        )
    return summary
