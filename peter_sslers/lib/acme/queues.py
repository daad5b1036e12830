"""The domain queue and the renewal queue.

Renewal timing comes from ACME Renewal Information where the server offers it (a random
moment inside the suggested window) and otherwise from the remaining fraction of the
lifetime. Queue items are claimed one by one — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
a compare-and-set UPDATE elsewhere — so several workers never order the same thing twice.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import os
import random
import socket
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from ...model import (
    AcmeAccount,
    AcmeOrder,
    AriCheck,
    CertificateSigned,
    Domain,
    QueueCertificate,
    QueueDomain,
)
from ...model.automation import OPEN_ITEM
from ...model.enums import (
    AcmeOrderType,
    KeyTechnology,
    PrivateKeyCycle,
    ProcessingStrategy,
    QueueStatus,
)
from ..acme_v2 import errors as acme_errors
from ..db.common import insert_skipping_duplicates, log_operation
from ..db.queries import domain_names_for_sets
from ..domain_names import InvalidDomainName, normalize_domain_name
from ..errors import Conflict, InvalidRequest, PeterSSLersError
from . import order_requests, orders
from .clients import AcmeEnv

log = logging.getLogger(__name__)
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
OPEN = (QueueStatus.QUEUED, QueueStatus.CLAIMED)


def default_account(dbsession: Session, env: AcmeEnv, account_id: int | None = None) -> AcmeAccount:
    """The account automation orders with: the one asked for, the configured one, or the global default."""
    account_id = account_id or env.settings.automation_acme_account_id
    if account_id:
        account = dbsession.get(AcmeAccount, account_id)
    else:
        account = dbsession.execute(
            sa.select(AcmeAccount).where(AcmeAccount.is_global_default.is_(True), AcmeAccount.is_active.is_(True))
        ).scalar_one_or_none()
    if account is None:
        raise Conflict(
            "no ACME account for automation",
            {"acme_account_id": "give one, set automation.acme_account_id, or mark an account global default"},
        )
    return account


# ---- the domain queue -----------------------------------------------------------------


def queue_domains(dbsession: Session, raw_names: list[str]) -> dict[str, list]:
    """Apply the queue rules to each name: activate, queue, or ignore (reported as such)."""
    result: dict[str, list] = {"activated": [], "queued": [], "ignored": [], "invalid": []}
    seen = set()
    for raw in raw_names:
        try:
            name = normalize_domain_name(raw)
        except InvalidDomainName as exc:
            result["invalid"].append({"domain_name": raw[:255], "error": str(exc)})
            continue
        if name in seen:
            continue
        seen.add(name)
        domain = dbsession.execute(sa.select(Domain).where(Domain.domain_name == name)).scalar_one_or_none()
        if domain is not None:
            if not domain.is_active:
                domain.is_active = True
                result["activated"].append(name)
            else:
                result["ignored"].append({"domain_name": name, "reason": "already managed and active"})
            continue
        queued = dbsession.execute(
            sa.select(QueueDomain.id).where(QueueDomain.domain_name == name, QueueDomain.status.in_(OPEN))
        ).first()
        if queued:
            result["ignored"].append({"domain_name": name, "reason": "already queued"})
            continue
        dbsession.add(QueueDomain(domain_name=name))
        result["queued"].append(name)
    if result["invalid"] and not any(result[k] for k in ("activated", "queued", "ignored")):
        raise InvalidRequest("no valid domain name given",
                             {"domain_names": "; ".join(i["error"] for i in result["invalid"][:20])})
    dbsession.flush()
    log_operation(dbsession, "QueueDomain__add", {k: len(v) for k, v in result.items()})
    return result


def _claim_domains(dbsession: Session, limit: int) -> list[QueueDomain]:
    """Claim up to ``limit`` queued domains for this worker."""
    query = sa.select(QueueDomain).where(QueueDomain.status == QueueStatus.QUEUED).order_by(QueueDomain.id).limit(limit)
    if dbsession.get_bind().dialect.name == "postgresql":
        rows = list(dbsession.execute(query.with_for_update(skip_locked=True)).scalars())
        for row in rows:
            row.status = QueueStatus.CLAIMED
        dbsession.flush()
        return rows
    claimed = []
    for row in dbsession.execute(query).scalars().all():
        won = dbsession.execute(
            sa.update(QueueDomain).where(QueueDomain.id == row.id, QueueDomain.status == QueueStatus.QUEUED)
            .values(status=QueueStatus.CLAIMED).execution_options(synchronize_session=False)
        ).rowcount
        if won:
            dbsession.refresh(row)
            claimed.append(row)
    return claimed


def process_domains(dbsession: Session, env: AcmeEnv, *, account_id: int | None = None, batch_size: int | None = None) -> dict:
    """Turn up to one batch of queued domains into one order (one UniqueFQDNSet)."""
    batch_size = min(batch_size or env.settings.queue_domains_batch_size, 100)
    account = default_account(dbsession, env, account_id)
    items = _claim_domains(dbsession, batch_size)
    if not items:
        return {"processed": 0, "remaining": 0}
    env.checkpoint()
    req = order_requests.OrderRequest(
        acme_account_id=account.id, domain_names_http01=[i.domain_name for i in items],
        private_key_cycle=PrivateKeyCycle(env.settings.automation_private_key_cycle),
        processing_strategy=ProcessingStrategy.PROCESS_SINGLE, order_type=AcmeOrderType.QUEUE_DOMAINS,
    )
    now = env.clock()
    try:
        order = order_requests.create_local_order(dbsession, req, env)
        for item in items:
            item.acme_order_id = order.id
        orders.start(dbsession, env, order)
    except (acme_errors.AcmeError, PeterSSLersError) as exc:
        for item in items:
            item.status = QueueStatus.FAILED
            item.last_error = str(exc)[:2000]
            item.timestamp_processed = now
        env.checkpoint()
        return {"processed": len(items), "result": "error", "error": str(exc), "remaining": _count_queued_domains(dbsession)}
    for item in items:
        item.status = QueueStatus.DONE
        item.timestamp_processed = now
    env.checkpoint()
    return {"processed": len(items), "acme_order_id": str(order.id), "status": order.status.value,
            "remaining": _count_queued_domains(dbsession)}


def _count_queued_domains(dbsession: Session) -> int:
    return dbsession.execute(
        sa.select(sa.func.count()).select_from(QueueDomain).where(QueueDomain.status == QueueStatus.QUEUED)
    ).scalar_one()


# ---- renewal timing and the renewal queue --------------------------------------------------


def ari_refresh(dbsession: Session, env: AcmeEnv, limit: int) -> dict:
    """Look up Renewal Information for due certificates of ARI servers; store each check."""
    from ...model import AcmeServer

    now = env.clock()
    rows = dbsession.execute(
        sa.select(CertificateSigned, AcmeOrder)
        .join(AcmeOrder, AcmeOrder.certificate_signed_id == CertificateSigned.id)
        .join(AcmeAccount, AcmeAccount.id == AcmeOrder.acme_account_id)
        .join(AcmeServer, AcmeServer.id == AcmeAccount.acme_server_id)
        .where(
            AcmeServer.is_supports_ari.is_(True),
            AcmeServer.is_enabled.is_(True),
            CertificateSigned.is_active.is_(True),
            CertificateSigned.ari_identifier.is_not(None),
            sa.or_(CertificateSigned.timestamp_ari_next_check.is_(None), CertificateSigned.timestamp_ari_next_check <= now),
        )
        .order_by(CertificateSigned.timestamp_not_after)
        .limit(limit)
    ).all()
    checked = failed = 0
    for cert, order in rows:
        try:
            with env.account_client(dbsession, order.acme_account) as client:
                info = client.renewal_info(cert.ari_identifier)
        except (acme_errors.AcmeError, PeterSSLersError) as exc:
            dbsession.add(AriCheck(certificate_signed_id=cert.id, is_success=False, raw_response=str(exc)[:2000]))
            cert.timestamp_ari_next_check = now + datetime.timedelta(hours=6)
            failed += 1
            continue
        start, end = info.suggested_window_start, info.suggested_window_end
        retry = now + datetime.timedelta(seconds=info.retry_after or 6 * 3600)
        dbsession.add(AriCheck(
            certificate_signed_id=cert.id, is_success=True, suggested_window_start=start,
            suggested_window_end=end, explanation_url=info.explanation_url, timestamp_retry_after=retry,
            raw_response=json.dumps(info.raw, default=str)[:4000] if getattr(info, "raw", None) else None,
        ))
        span = max((end - start).total_seconds(), 0)
        cert.timestamp_renew_after = max(start + datetime.timedelta(seconds=random.uniform(0, span)), min(now, end))
        cert.timestamp_ari_next_check = retry
        checked += 1
    dbsession.flush()
    return {"ari_checked": checked, "ari_failed": failed}


@contextlib.contextmanager
def _without_nested_loops(dbsession: Session) -> Iterator[None]:
    """PostgreSQL: plan the next statements without nested loops (hash anti-joins instead).

    An INSERT ... SELECT that anti-joins the table it fills, planned when that table looks
    empty, becomes a nested loop that scans the table once per candidate row, and every row the
    statement inserts is scanned too (invisible, but there): quadratic. A hash built once over
    the rows visible at the start is linear, whatever the statistics say.
    """
    if dbsession.get_bind().dialect.name != "postgresql":
        yield
        return
    before = dbsession.execute(sa.text("SELECT current_setting('enable_nestloop')")).scalar_one()
    dbsession.execute(sa.text("SELECT set_config('enable_nestloop', 'off', true)"))
    try:
        yield
    finally:
        dbsession.execute(sa.text("SELECT set_config('enable_nestloop', :value, true)"), {"value": before})


def update_queue(dbsession: Session, env: AcmeEnv, *, ari: bool = True) -> dict:
    """Queue the certificates due for renewal, at most ``renewal.queue_per_update``, the
    earliest expiring first (``capped`` says the limit was reached: call again).

    Due: active, not revoked, past its renew-after time, the newest certificate of its
    name set, not already queued, and (if it came from an order) that order auto-renews.
    One ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``: the unique index on open items per
    name set skips what another worker queued meanwhile, and ties within the statement. The
    "already queued" test spells out that index's predicate, so the planner probes the index
    (with bound parameters it cannot, and scans the table it fills for every candidate).
    """
    now, limit = env.clock(), env.settings.renewal_queue_per_update
    result = ari_refresh(dbsession, env, env.settings.renewal_ari_checks_per_update) if ari else {}
    newer = aliased(CertificateSigned)
    order = aliased(AcmeOrder)
    table = QueueCertificate.__table__
    source = (
        sa.select(AcmeOrder.id).where(AcmeOrder.certificate_signed_id == CertificateSigned.id)
        .limit(1).scalar_subquery()
    )
    due = (
        sa.select(
            CertificateSigned.unique_fqdn_set_id, CertificateSigned.id, source,
            sa.literal(QueueStatus.QUEUED, table.c.status.type), sa.literal(0, table.c.attempts.type),
            sa.literal(now, table.c.timestamp_created.type),
        )
        .where(
            CertificateSigned.is_active.is_(True),
            CertificateSigned.is_revoked.is_(False),
            CertificateSigned.timestamp_renew_after <= now,
            ~sa.exists().where(  # superseded: a newer certificate for the same names (ties: the later row)
                newer.unique_fqdn_set_id == CertificateSigned.unique_fqdn_set_id,
                sa.or_(
                    newer.timestamp_not_after > CertificateSigned.timestamp_not_after,
                    sa.and_(newer.timestamp_not_after == CertificateSigned.timestamp_not_after,
                            newer.id > CertificateSigned.id),
                ),
            ),
            ~sa.exists().where(
                QueueCertificate.unique_fqdn_set_id == CertificateSigned.unique_fqdn_set_id,
                sa.text("queue_certificate." + OPEN_ITEM),
            ),
            ~sa.exists().where(order.certificate_signed_id == CertificateSigned.id, order.is_auto_renew.is_(False)),
        )
        # the most urgent first; on a tie for one name set the newest row wins
        .order_by(CertificateSigned.timestamp_not_after, CertificateSigned.id.desc())
        .limit(limit)
    )
    columns = ["unique_fqdn_set_id", "certificate_signed_id", "acme_order_id__source", "status", "attempts",
               "timestamp_created"]  # fmt: skip
    statement = insert_skipping_duplicates(dbsession, table).from_select(columns, due).returning(table.c.id)
    with _without_nested_loops(dbsession):
        queued = len(dbsession.execute(statement).all())
    capped = queued >= limit  # more may be due: the next update queues them
    log_operation(dbsession, "QueueCertificate__update", {"queued": queued, "capped": capped, **result})
    return {"queued": queued, "capped": capped, **result, "remaining": count_queued(dbsession, now)}


def queue_certificate(
    dbsession: Session, cert: CertificateSigned, *, acme_account_id: int | None = None,
    private_key_cycle: PrivateKeyCycle | None = None, private_key_technology: KeyTechnology | None = None,
) -> QueueCertificate:
    """Queue one certificate now ("custom renewal"), optionally with its own account and key choice."""
    busy = dbsession.execute(
        sa.select(QueueCertificate.id).where(
            QueueCertificate.unique_fqdn_set_id == cert.unique_fqdn_set_id, QueueCertificate.status.in_(OPEN))
    ).first()
    if busy:
        raise Conflict("these names are already in the renewal queue")
    if acme_account_id is not None and dbsession.get(AcmeAccount, acme_account_id) is None:
        raise InvalidRequest("unknown account", {"acme_account_id": "no such AcmeAccount"})
    source = dbsession.execute(sa.select(AcmeOrder.id).where(AcmeOrder.certificate_signed_id == cert.id)).scalar_one_or_none()
    item = QueueCertificate(
        unique_fqdn_set_id=cert.unique_fqdn_set_id, certificate_signed_id=cert.id, acme_order_id__source=source,
        acme_account_id=acme_account_id, private_key_cycle=private_key_cycle, private_key_technology=private_key_technology,
    )
    try:
        with dbsession.begin_nested():
            dbsession.add(item)
            dbsession.flush()
    except IntegrityError:  # queued by someone else since the check above
        raise Conflict("these names are already in the renewal queue") from None
    log_operation(dbsession, "QueueCertificate__custom", {"id": item.id, "certificate_signed_id": cert.id})
    return item


def requeue(dbsession: Session, item: QueueCertificate) -> None:
    """Put a failed or cancelled item back in the queue, unless its names are queued again already."""
    try:
        with dbsession.begin_nested():
            item.status, item.timestamp_not_before, item.attempts = QueueStatus.QUEUED, None, 0
            dbsession.flush()
    except IntegrityError:
        dbsession.refresh(item)
        raise Conflict("these names are already in the renewal queue") from None


def count_queued(dbsession: Session, now: datetime.datetime) -> int:
    return dbsession.execute(
        sa.select(sa.func.count()).select_from(QueueCertificate).where(
            QueueCertificate.status == QueueStatus.QUEUED,
            sa.or_(QueueCertificate.timestamp_not_before.is_(None), QueueCertificate.timestamp_not_before <= now),
        )
    ).scalar_one()


def claim_certificate_items(dbsession: Session, limit: int, now: datetime.datetime, worker: str) -> list[QueueCertificate]:
    """Claim up to ``limit`` due items for ``worker``: each item goes to exactly one worker."""
    query = (
        sa.select(QueueCertificate)
        .where(
            QueueCertificate.status == QueueStatus.QUEUED,
            sa.or_(QueueCertificate.timestamp_not_before.is_(None), QueueCertificate.timestamp_not_before <= now),
        )
        .order_by(QueueCertificate.id)
        .limit(limit)
    )
    if dbsession.get_bind().dialect.name == "postgresql":
        rows = list(dbsession.execute(query.with_for_update(skip_locked=True)).scalars())
    else:
        rows = []
        for row in dbsession.execute(query).scalars().all():
            won = dbsession.execute(
                sa.update(QueueCertificate)
                .where(QueueCertificate.id == row.id, QueueCertificate.status == QueueStatus.QUEUED)
                .values(status=QueueStatus.CLAIMED).execution_options(synchronize_session=False)
            ).rowcount
            if won:
                dbsession.refresh(row)
                rows.append(row)
    for row in rows:
        row.status = QueueStatus.CLAIMED
        row.claimed_by = worker[:128]
        row.timestamp_claimed = now
    dbsession.flush()
    return rows


def _renewal_request(dbsession: Session, env: AcmeEnv, item: QueueCertificate) -> order_requests.OrderRequest:
    source = dbsession.get(AcmeOrder, item.acme_order_id__source) if item.acme_order_id__source else None
    account_id = item.acme_account_id or (source.acme_account_id if source else None)
    account = default_account(dbsession, env, account_id)
    names = domain_names_for_sets(dbsession, [item.unique_fqdn_set_id])[item.unique_fqdn_set_id]
    dns_names = json.loads(source.dns01_domains_json or "[]") if source else []
    cert = dbsession.get(CertificateSigned, item.certificate_signed_id) if item.certificate_signed_id else None
    replaces = cert.ari_identifier if cert is not None and account.acme_server.is_supports_ari else None
    cycle = item.private_key_cycle or (source.private_key_cycle if source else None) or PrivateKeyCycle(
        env.settings.automation_private_key_cycle)
    return order_requests.OrderRequest(
        acme_account_id=account.id,
        domain_names_http01=[n for n in names if n not in dns_names], domain_names_dns01=dns_names,
        dns_provider_id=source.dns_provider_id if source else None,
        private_key_cycle=cycle,
        private_key_technology=item.private_key_technology or (source.private_key_technology if source else None),
        processing_strategy=ProcessingStrategy.PROCESS_SINGLE,
        order_type=AcmeOrderType.RENEW_CUSTOM if item.acme_account_id else AcmeOrderType.RENEW_QUEUE,
        acme_order_id__renewal_of=source.id if source else None,
        certificate_signed_id__replaces=item.certificate_signed_id, replaces=replaces,
        profile=source.profile if source else None,
    )


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(300 * 2 ** max(attempts - 1, 0), 86400))


def process_certificate_item(dbsession: Session, env: AcmeEnv, item: QueueCertificate) -> dict:
    """Renew one claimed item; on failure back off (and give up after queue.max_attempts)."""
    now = env.clock()
    try:
        order = order_requests.create_local_order(dbsession, _renewal_request(dbsession, env, item), env)
        item.acme_order_id__generated = order.id
        env.checkpoint()
        orders.start(dbsession, env, order)
        if order.certificate_signed_id is None:
            raise Conflict(f"the renewal order ended {order.status.value} without a certificate")
    except (acme_errors.AcmeError, PeterSSLersError) as exc:
        item.attempts += 1
        item.last_error = str(exc)[:2000]
        item.claimed_by = None
        if item.attempts >= env.settings.queue_max_attempts:
            item.status = QueueStatus.FAILED
        else:
            item.status = QueueStatus.QUEUED
            item.timestamp_not_before = now + _backoff(item.attempts)
        item.timestamp_processed = now
        env.checkpoint()
        return {"id": str(item.id), "result": "error", "error": item.last_error, "status": item.status.value}
    item.status = QueueStatus.DONE
    item.timestamp_processed = now
    env.checkpoint()
    return {"id": str(item.id), "result": "success", "acme_order_id": str(order.id),
            "certificate_signed_id": str(order.certificate_signed_id)}


def process_certificates(dbsession: Session, env: AcmeEnv, *, limit: int = 1, worker: str = WORKER_ID) -> dict:
    """Claim and renew up to ``limit`` items (one by default, so no call runs long)."""
    results = []
    for _ in range(limit):
        items = claim_certificate_items(dbsession, 1, env.clock(), worker)
        env.checkpoint()  # the claim is visible to every other worker before any work starts
        if not items:
            break
        results.append(process_certificate_item(dbsession, env, items[0]))
    return {"processed": results, "remaining": count_queued(dbsession, env.clock())}
