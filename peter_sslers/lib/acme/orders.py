"""The order workflow: submit, answer challenges, finalize, download, and the step engine.

Each step commits its progress (``env.checkpoint()``), so a failure or a crash leaves an
order that ``sync`` brings back in line with the server. The private key and CSR are
stored before finalize is sent; an order is finalized by one request only (a claim on
``processing_status`` made with a single conditional UPDATE).
"""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import AcmeAuthorization, AcmeChallenge, AcmeOrder, CertificateRequest, PrivateKey
from ...model.enums import (
    AcmeAuthorizationStatus,
    AcmeOrderStatus,
    CertificateRequestSource,
    CertificateSource,
    ProcessingStatus,
    ProcessingStrategy,
)
from ...model.meta import utcnow
from .. import cert_utils, redis_sync
from ..acme_v2 import AcmeClient
from ..acme_v2 import errors as acme_errors
from ..db import rate_limits
from ..db.certificate_cas import import_certificate_ca_chain, link_chain
from ..db.certificate_requests import import_certificate_request
from ..db.certificates import RenewalPolicy, import_certificate_signed
from ..db.common import log_operation
from ..db.key_cycling import check_usable, key_for_order
from ..db.queries import domain_names_for_sets
from ..errors import Conflict
from . import challenges
from .clients import AcmeEnv
from .order_sync import apply_order, sync_order

log = logging.getLogger(__name__)
AUTHZ_POLL_TIMEOUT = 120.0
ORDER_POLL_TIMEOUT = 120.0
STEPS = ("sync", "complete_challenges", "finalize", "download")
#: the server gave up on these orders, or no longer knows them: retry them as new orders
FAILED = (AcmeOrderStatus.INVALID, AcmeOrderStatus.DEACTIVATED, AcmeOrderStatus.EXPIRED, AcmeOrderStatus.UNKNOWN)


def _client(dbsession: Session, env: AcmeEnv, order: AcmeOrder) -> AcmeClient:
    return env.account_client(dbsession, order.acme_account)


def record_failure(dbsession: Session, env: AcmeEnv, order: AcmeOrder, exc: Exception) -> None:
    """Note on the order why a step failed, and keep that even if the request then aborts."""
    detail = {"error": str(exc)}
    if isinstance(exc, acme_errors.AcmeProblem):
        detail = {"type": exc.type, "detail": exc.detail, "status": exc.status}
    order.problem_json = json.dumps(detail)
    order.timestamp_updated = utcnow()
    log_operation(dbsession, "AcmeOrder__step_failed", {"id": order.id, **detail}, [("AcmeOrder", order.id, "failed")])
    env.checkpoint()


def submit(dbsession: Session, env: AcmeEnv, order: AcmeOrder) -> None:
    """Send newOrder and store the order, its authorizations and challenges."""
    names = domain_names_for_sets(dbsession, [order.unique_fqdn_set_id])[order.unique_fqdn_set_id]
    env.checkpoint()  # the local order exists whatever the server answers
    with _client(dbsession, env, order) as client, client.context(account_id=order.acme_account_id, order_id=order.id):
        try:
            remote = client.new_order(names, profile=order.profile, replaces=order.replaces)
        except acme_errors.AcmeError as exc:
            order.status = AcmeOrderStatus.INVALID
            order.processing_status = ProcessingStatus.COMPLETED_FAILURE
            if isinstance(exc, acme_errors.RateLimited):
                rate_limits.record(dbsession, order.acme_account, order.unique_fqdn_set_id, str(exc),
                                   exc.retry_after, env.clock())
            record_failure(dbsession, env, order, exc)
            raise
        apply_order(order, remote)
        order.processing_status = ProcessingStatus.CREATED_ACME
        log_operation(dbsession, "AcmeOrder__new", {"id": order.id, "url": order.order_url},
                      [("AcmeOrder", order.id, "new")])  # fmt: skip
        env.checkpoint()  # the server holds the order now: keep its URL whatever happens next
        try:
            sync_order(dbsession, client, order, remote)
        except acme_errors.AcmeError as exc:  # "sync" fetches the authorizations again later
            record_failure(dbsession, env, order, exc)
            raise
    env.checkpoint()


def sync(dbsession: Session, env: AcmeEnv, order: AcmeOrder) -> None:
    """Bring the order, its authorizations and challenges in line with the server.

    Also recovers an order left mid-way by a crash: a ``finalizing`` claim whose
    finalize the server has seen becomes ``finalized``; one it has not seen is released.
    """
    if not order.order_url:
        raise Conflict("this order was never created on the ACME server; retry it as a new order")
    with _client(dbsession, env, order) as client, client.context(account_id=order.acme_account_id, order_id=order.id):
        try:
            remote = client.get_order(order.order_url)
        except acme_errors.AcmeProblem as exc:
            if exc.status != 404:
                raise
            order.status = AcmeOrderStatus.UNKNOWN  # the server forgot it: only a new order helps
            record_failure(dbsession, env, order, exc)
        else:
            sync_order(dbsession, client, order, remote)
    if order.processing_status == ProcessingStatus.FINALIZING:
        if order.status in (AcmeOrderStatus.PROCESSING, AcmeOrderStatus.VALID):
            order.processing_status = ProcessingStatus.FINALIZED
        else:
            order.processing_status = ProcessingStatus.PROCESSING_STARTED
    if order.status in FAILED and order.processing_status != ProcessingStatus.COMPLETED_FAILURE:
        order.processing_status = ProcessingStatus.COMPLETED_FAILURE
    env.checkpoint()


def _pending_authorizations(order: AcmeOrder) -> list[AcmeAuthorization]:
    return [a for a in order.authorizations if a.status == AcmeAuthorizationStatus.PENDING]


def complete_challenges(dbsession: Session, env: AcmeEnv, order: AcmeOrder) -> None:
    """Answer one challenge per pending authorization, then wait for the server's verdicts."""
    dns_names = set(json.loads(order.dns01_domains_json or "[]"))
    ids, order_url = {"account_id": order.acme_account_id, "order_id": order.id}, order.order_url
    with _client(dbsession, env, order) as client:
        order.processing_status = ProcessingStatus.PROCESSING_STARTED
        answered = challenges.respond_all(dbsession, env, client, order, _pending_authorizations(order), dns_names)
        failed = challenges.await_all(dbsession, env, client, order, answered, AUTHZ_POLL_TIMEOUT)
        with client.context(**ids):
            remote = client.get_order(order_url)
        apply_order(order, remote)
        if failed:
            order.processing_status = ProcessingStatus.COMPLETED_FAILURE
            if env.settings.cleanup_pending_authorizations:
                deactivate_authorizations(dbsession, env, order, client=client)
            env.checkpoint()
            raise Conflict(
                "validation failed for " + ", ".join(failed),
                {"domain_names": "the ACME server could not validate: " + ", ".join(failed)},
            )
    env.checkpoint()


def _claim(dbsession: Session, order: AcmeOrder, to_state: ProcessingStatus, from_states) -> bool:
    """Move processing_status with one conditional UPDATE: only one caller can win."""
    won = dbsession.execute(
        sa.update(AcmeOrder)
        .where(AcmeOrder.id == order.id, AcmeOrder.processing_status.in_(from_states))
        .values(processing_status=to_state)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    dbsession.refresh(order)
    return won


def _order_key(dbsession: Session, env: AcmeEnv, order: AcmeOrder) -> PrivateKey:
    """The order's key: the one chosen up front, or the cycle strategy's, resolved now."""
    if order.private_key_id is not None:
        key = dbsession.get(PrivateKey, order.private_key_id)
        check_usable(key)
        return key
    key = key_for_order(dbsession, order.acme_account, order.private_key_cycle, order.private_key_technology, env.clock())
    order.private_key_id = key.id
    return key


def finalize(dbsession: Session, env: AcmeEnv, order: AcmeOrder) -> None:
    """Store key and CSR, send finalize, wait for the certificate to be issued."""
    if order.status != AcmeOrderStatus.READY:
        raise Conflict(f"only a ready order can be finalized; this one is {order.status.value}")
    claimable = (ProcessingStatus.CREATED_ACME, ProcessingStatus.PROCESSING_STARTED)
    if not _claim(dbsession, order, ProcessingStatus.FINALIZING, claimable):
        raise Conflict("this order is already being finalized (or was) by another request")
    env.checkpoint()
    key = _order_key(dbsession, env, order)
    csr = dbsession.get(CertificateRequest, order.certificate_request_id) if order.certificate_request_id else None
    if csr is None or csr.private_key_id != key.id:  # (else: an earlier finalize made it; send it again)
        names = domain_names_for_sets(dbsession, [order.unique_fqdn_set_id])[order.unique_fqdn_set_id]
        csr, _ = import_certificate_request(
            dbsession, cert_utils.make_csr(names, key.key_pem), source=CertificateRequestSource.ACME_ORDER,
            private_key_id=key.id,
        )
        order.certificate_request_id = csr.id
    csr_pem = csr.csr_pem
    env.checkpoint()  # key and CSR are stored before the server can issue anything
    with _client(dbsession, env, order) as client, client.context(account_id=order.acme_account_id, order_id=order.id):
        try:
            remote = client.get_order(order.order_url)
            if remote.status == AcmeOrderStatus.READY.value:
                remote = client.finalize(remote, csr_pem)
            # else an earlier finalize reached the server although its answer never reached us
            apply_order(order, remote)
            if order.status not in (AcmeOrderStatus.PROCESSING, AcmeOrderStatus.VALID):
                raise Conflict(f"the ACME server has this order as {order.status.value}; it cannot be finalized")
            remote = client.poll_order(remote, timeout=ORDER_POLL_TIMEOUT)
        except (acme_errors.AcmeError, Conflict) as exc:
            failed = order.status in FAILED
            order.processing_status = ProcessingStatus.COMPLETED_FAILURE if failed else ProcessingStatus.PROCESSING_STARTED
            record_failure(dbsession, env, order, exc)
            raise
        apply_order(order, remote)
    order.processing_status = ProcessingStatus.FINALIZED
    order.timestamp_finalized = utcnow()
    env.checkpoint()


def download(dbsession: Session, env: AcmeEnv, order: AcmeOrder) -> None:
    """Download the certificate and every alternate chain; store and link them all."""
    if order.status != AcmeOrderStatus.VALID or not order.certificate_url:
        raise Conflict("the certificate can be downloaded once the order is valid")
    key = dbsession.get(PrivateKey, order.private_key_id) if order.private_key_id else None
    if key is None:
        raise Conflict("this order has no private key recorded; its certificate cannot be stored")
    with _client(dbsession, env, order) as client, client.context(account_id=order.acme_account_id, order_id=order.id):
        chains = client.download_certificate(order.certificate_url)
    leaf, *default_chain = cert_utils.split_pem_bundle(chains.default)
    result = import_certificate_signed(
        dbsession, leaf, key.key_pem, "".join(default_chain), source=CertificateSource.ACME_ORDER,
        certificate_request_id=order.certificate_request_id, renewal=RenewalPolicy.from_settings(env.settings),
    )
    for alternate in chains.alternates:
        _, *alternate_chain = cert_utils.split_pem_bundle(alternate)
        if alternate_chain:
            chain, _ = import_certificate_ca_chain(dbsession, "".join(alternate_chain))
            link_chain(dbsession, result.certificate, chain, upstream_default=False)
    order.certificate_signed_id = result.certificate.id
    order.processing_status = ProcessingStatus.CERTIFICATE_DOWNLOADED
    dbsession.flush()
    redis_sync.write_through_set(dbsession, env.settings, order.unique_fqdn_set_id)
    log_operation(
        dbsession, "AcmeOrder__certificate_downloaded",
        {"id": order.id, "certificate_signed_id": result.certificate.id, "alternates": len(chains.alternates)},
        [("AcmeOrder", order.id, "downloaded"), ("CertificateSigned", result.certificate.id, "insert")],
    )
    env.checkpoint()


def next_step(order: AcmeOrder) -> str | None:
    """What "autodetect" does next for this order, or None when there is nothing left."""
    if order.processing_status == ProcessingStatus.CREATED_LOCAL:
        return None
    if order.processing_status == ProcessingStatus.FINALIZING:
        return "sync"
    status = order.status
    if status == AcmeOrderStatus.PENDING:  # (its authorizations may not have been fetched yet)
        return "complete_challenges" if order.authorizations else "sync"
    if status == AcmeOrderStatus.READY:
        return "finalize"
    if status == AcmeOrderStatus.PROCESSING:
        return "sync"
    if status == AcmeOrderStatus.VALID and order.certificate_signed_id is None:
        return "download" if order.certificate_url else "sync"
    return None


def run_step(dbsession: Session, env: AcmeEnv, order: AcmeOrder, step: str) -> str:
    """Run ``step`` (one of STEPS, or ``auto``); returns the step that ran."""
    if step == "auto":
        chosen = next_step(order)
        if chosen is None:
            raise Conflict(f"nothing left to do: the order is {order.status.value}")
        step = chosen
    if step not in STEPS:
        raise Conflict(f"unknown step {step!r}; use auto, " + ", ".join(STEPS))
    {"sync": sync, "complete_challenges": complete_challenges, "finalize": finalize, "download": download}[step](
        dbsession, env, order
    )
    return step


def process(dbsession: Session, env: AcmeEnv, order: AcmeOrder, max_steps: int = 10) -> list[str]:
    """Advance until a certificate is downloaded or nothing is left to do."""
    done = []
    for _ in range(max_steps):
        step = next_step(order)
        if step is None:
            break
        run_step(dbsession, env, order, step)
        done.append(step)
    return done


def start(dbsession: Session, env: AcmeEnv, order: AcmeOrder) -> list[str]:
    """Submit a freshly created local order and apply its processing strategy."""
    submit(dbsession, env, order)
    if order.processing_strategy == ProcessingStrategy.PROCESS_SINGLE:
        return ["submit", *process(dbsession, env, order)]
    if order.processing_strategy == ProcessingStrategy.PROCESS_MULTI:
        sync(dbsession, env, order)
        return ["submit", "sync"]
    return ["submit"]


def deactivate_authorizations(
    dbsession: Session, env: AcmeEnv, order: AcmeOrder, client: AcmeClient | None = None
) -> list[str]:
    """Deactivate the order's pending authorizations on the server."""
    own_client = client is None
    client = client or _client(dbsession, env, order)
    done = []
    try:
        for authz in _pending_authorizations(order):
            with client.context(account_id=order.acme_account_id, order_id=order.id, authorization_id=authz.id):
                try:
                    client.deactivate_authorization(authz.authorization_url)
                except acme_errors.AcmeError as exc:
                    log.info("could not deactivate authorization %s: %s", authz.id, exc)
                    continue
            authz.status = AcmeAuthorizationStatus.DEACTIVATED
            authz.timestamp_deactivated = utcnow()
            done.append(str(authz.id))
    finally:
        if own_client:
            client.close()
    return done


def mark_invalid(dbsession: Session, order: AcmeOrder) -> None:
    """Give up on an order locally (the server's copy expires on its own)."""
    if order.status == AcmeOrderStatus.VALID:
        raise Conflict("a valid order cannot be marked invalid")
    if order.status in FAILED:
        raise Conflict(f"this order is already {order.status.value}")
    order.status = AcmeOrderStatus.INVALID
    order.processing_status = ProcessingStatus.COMPLETED_FAILURE
    log_operation(dbsession, "AcmeOrder__mark_invalid", {"id": order.id}, [("AcmeOrder", order.id, "invalid")])


def challenge_rows(dbsession: Session, order: AcmeOrder) -> list[AcmeChallenge]:
    return list(
        dbsession.execute(
            sa.select(AcmeChallenge)
            .where(AcmeChallenge.acme_authorization_id.in_([a.id for a in order.authorizations]))
            .order_by(AcmeChallenge.id)
        ).scalars()
    ) if order.authorizations else []

