"""Answering an order's challenges: http-01 from the database, dns-01 through a provider."""

from __future__ import annotations

import dataclasses
import json
import logging

import requests
from sqlalchemy.orm import Session

from ...model import AcmeAuthorization, AcmeChallenge, AcmeOrder, DnsProvider
from ...model.enums import AcmeAuthorizationStatus, AcmeChallengeStatus, AcmeChallengeType
from ...model.meta import utcnow
from ..acme_v2 import AcmeClient
from ..acme_v2 import errors as acme_errors
from ..db.queries import domain_names_for_sets
from ..errors import Conflict
from .clients import AcmeEnv
from .order_sync import sync_authorization

log = logging.getLogger(__name__)
#: a challenge in these states was answered already: POSTing it again is refused by the server
ANSWERED = (AcmeChallengeStatus.PROCESSING, AcmeChallengeStatus.VALID)


@dataclasses.dataclass
class Answered:
    """One challenge to answer. The plain values are read before any network wait: after a
    commit every row is expired, and reading it again would open a transaction (on SQLite,
    a write lock) that the public route needs while the server validates."""

    authorization: AcmeAuthorization
    challenge: AcmeChallenge
    name: str
    dns_provider: object | None = None
    dns_record: tuple[str, str] | None = None
    ids: dict = dataclasses.field(default_factory=dict)
    challenge_url: str = ""
    authorization_url: str = ""
    token: str = ""
    keyauthorization: str = ""
    challenge_status: AcmeChallengeStatus | None = None


def _name(dbsession: Session, authz: AcmeAuthorization) -> str:
    from ...model import Domain

    return dbsession.get(Domain, authz.domain_id).domain_name


def _provider(dbsession: Session, env: AcmeEnv, order: AcmeOrder):
    from . import dns_providers

    row = dbsession.get(DnsProvider, order.dns_provider_id) if order.dns_provider_id else None
    if row is None:
        raise Conflict("this order has dns-01 names but no DNS provider")
    config = json.loads(row.config_json or "{}")
    if row.provider_type == "manual":
        return dns_providers.ManualProvider(confirmed=env.manual_dns_confirmed)
    return dns_providers.provider_from_config(row.provider_type, config)


def _precheck_http01(name: str, token: str, keyauthorization: str, timeout: float = 5.0) -> None:
    url = f"http://{name}/.well-known/acme-challenge/{token}"
    try:
        response = requests.get(url, timeout=timeout, allow_redirects=True)
        ok = response.status_code == 200 and response.text.strip() == keyauthorization
    except requests.RequestException as exc:
        raise Conflict(f"pre-check of {name} failed: {exc}", {"precheck": f"{url} is not reachable"}) from None
    if not ok:
        raise Conflict(f"pre-check of {name} failed", {"precheck": f"{url} does not answer the key authorization"})


def respond_all(
    dbsession: Session, env: AcmeEnv, client: AcmeClient, order: AcmeOrder,
    authorizations: list[AcmeAuthorization], dns_names: set[str],
) -> list[Answered]:
    """Prepare every challenge (DNS records, pre-checks), commit, then tell the server to validate."""
    plan: list[Answered] = []
    provider = None
    for authz in authorizations:
        name = _name(dbsession, authz)
        wanted = AcmeChallengeType.DNS_01 if name in dns_names else AcmeChallengeType.HTTP_01
        challenge = next((c for c in authz.challenges if c.challenge_type == wanted), None)
        if challenge is None:
            raise Conflict(f"the server offered no {wanted.value} challenge for {name}")
        answer = Answered(
            authz, challenge, name, challenge_url=challenge.challenge_url, authorization_url=authz.authorization_url,
            token=challenge.token, keyauthorization=challenge.keyauthorization, challenge_status=challenge.status,
            ids={"account_id": order.acme_account_id, "order_id": order.id, "authorization_id": authz.id,
                 "challenge_id": challenge.id},
        )
        if wanted == AcmeChallengeType.DNS_01:
            provider = provider or _provider(dbsession, env, order)
            record = ("_acme-challenge." + name.removeprefix("*."), client.dns01_txt_value(challenge.token))
            provider.set_txt(*record)
            answer.dns_provider, answer.dns_record = provider, record
        plan.append(answer)
    env.checkpoint()  # the public route (any instance) must see the challenges before the server asks
    if env.precheck:
        for answer in plan:
            if answer.dns_record:
                if not answer.dns_provider.wait_until_visible(*answer.dns_record, timeout=60):
                    raise Conflict(f"pre-check of {answer.name} failed: the TXT record is not visible yet")
            else:
                _precheck_http01(answer.name, answer.token, answer.keyauthorization)
    try:
        for answer in plan:
            if answer.challenge_status in ANSWERED:
                continue  # answered before (this answer's reply, or a later one, was lost): just wait
            with client.context(**answer.ids):
                _respond(client, answer)
            answer.challenge.status = AcmeChallengeStatus.PROCESSING
            answer.challenge.timestamp_updated = utcnow()
    finally:  # what the server accepted stays recorded, even if a later answer fails
        env.checkpoint()  # and hold no write lock while the server validates (it polls our route)
    return plan


def _respond(client: AcmeClient, answer: Answered) -> None:
    """POST the challenge; a refusal of one the server is already validating counts as done."""
    try:
        client.respond_challenge(answer.challenge_url)
    except acme_errors.AcmeProblem:
        remote = client.get_authorization(answer.authorization_url)
        status = next((str(c.status) for c in remote.challenges if c.url == answer.challenge_url), "pending")
        if status == AcmeChallengeStatus.PENDING.value:
            raise


def await_all(
    dbsession: Session, env: AcmeEnv, client: AcmeClient, order: AcmeOrder, plan: list[Answered], timeout: float
) -> list[str]:
    """Wait for each answered authorization; clean DNS records; returns the names that failed."""
    failed = []
    try:
        for answer in plan:
            ids = {k: v for k, v in answer.ids.items() if k != "challenge_id"}
            with client.context(**ids):
                remote = client.poll_authorization(answer.authorization_url, timeout=timeout)
            sync_authorization(dbsession, client, remote, order)
            env.checkpoint()
            if str(remote.status) != AcmeAuthorizationStatus.VALID.value:
                detail = next((c.error.detail for c in remote.challenges if c.error is not None), "")
                failed.append(f"{answer.name} ({detail})" if detail else answer.name)
    except acme_errors.AcmePollingTimeout as exc:
        failed.append(str(exc))
    finally:
        for answer in plan:
            if answer.dns_record:
                try:
                    answer.dns_provider.clear_txt(*answer.dns_record)
                except Exception as exc:  # noqa: BLE001 - a stale TXT record is harmless
                    log.info("could not remove %s: %s", answer.dns_record[0], exc)
    return failed


def order_names(dbsession: Session, order: AcmeOrder) -> list[str]:
    return domain_names_for_sets(dbsession, [order.unique_fqdn_set_id]).get(order.unique_fqdn_set_id, [])
