"""Account workflows against the ACME server: register, check, contact, deactivate, key rollover."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import (
    AcmeAccount,
    AcmeAccountKey,
    AcmeAuthorization,
    AcmeOrder,
    AcmeOrder2AcmeAuthorization,
    AcmeServer,
)
from ...model.enums import (
    AccountKeySource,
    AcmeAccountStatus,
    AcmeAuthorizationStatus,
    KeyTechnology,
    PrivateKeyCycle,
)
from ...model.meta import utcnow
from .. import cert_utils
from ..acme_v2 import errors as acme_errors
from ..db.acme_accounts import add_account
from ..db.common import log_operation
from ..db.crypto_input import GENERATE_ARGS
from ..db.private_keys import md5_hex
from ..errors import Conflict, InvalidRequest, NotFound
from .clients import AcmeEnv

STATUSES = {s.value: s for s in AcmeAccountStatus}


def parse_contact(raw: str | None, *, required: bool = False) -> str | None:
    contact = (raw or "").strip().removeprefix("mailto:")
    if not contact:
        if required:
            raise InvalidRequest("a contact email is required", {"contact": "an email address"})
        return None
    local, _, domain = contact.partition("@")
    if (not local or "." not in domain or len(contact) > 255 or not contact.isprintable()
            or any(c in contact for c in " ,;<>")):
        raise InvalidRequest("invalid contact", {"contact": "one email address"})
    return contact


def parse_enum(enum_cls, raw: str | None, field: str, default=None):
    if not raw:
        if default is not None:
            return default
        raise InvalidRequest(f"{field} is required", {field: ", ".join(m.value for m in enum_cls)})
    try:
        return enum_cls(raw)
    except ValueError:
        raise InvalidRequest(f"invalid {field}", {field: "one of " + ", ".join(m.value for m in enum_cls)}) from None


def _apply(account: AcmeAccount, acme_account) -> None:
    account.account_url = acme_account.url
    account.status = STATUSES.get(str(acme_account.status), AcmeAccountStatus.UNKNOWN)
    account.is_active = account.status == AcmeAccountStatus.VALID
    account.timestamp_last_authenticated = utcnow()
    if acme_account.contact:
        account.contact = acme_account.contact[0].removeprefix("mailto:")


def _terms(env: AcmeEnv, client, agreed: bool) -> str | None:
    terms = client.directory.meta.terms_of_service or env.settings.certificate_authority_agreement
    if terms and not agreed:
        raise InvalidRequest(
            "agree to the ACME server's terms of service", {"tos_agreed": f"set to 1 to agree to {terms}"}
        )
    return terms


def create_account(
    dbsession: Session, env: AcmeEnv, *, acme_server_id: int, contact: str | None,
    key_technology: KeyTechnology, tos_agreed: bool, eab: tuple[str, str] | None = None,
    private_key_cycle: PrivateKeyCycle = PrivateKeyCycle.SINGLE_CERTIFICATE,
    private_key_technology: KeyTechnology = KeyTechnology.RSA_2048,
) -> AcmeAccount:
    """Generate an account key and register it on the server."""
    server = dbsession.get(AcmeServer, acme_server_id)
    if server is None:
        raise NotFound(f"no AcmeServer with id {acme_server_id}")
    if not tos_agreed:  # asked before anything is sent: registering means agreeing
        raise InvalidRequest("agree to the ACME server's terms of service", {"tos_agreed": "set to 1 to agree"})
    key_pem = cert_utils.new_private_key(**GENERATE_ARGS[key_technology])
    with env.client(server, key_pem) as client:
        terms = _terms(env, client, tos_agreed)
        account, _ = add_account(
            dbsession, server, key_pem, field="key_technology", source=AccountKeySource.GENERATED,
            contact=contact, order_default_private_key_cycle=private_key_cycle,
            order_default_private_key_technology=private_key_technology, terms_of_service=terms,
            eab_kid=eab[0] if eab else None,
        )
        with client.context(account_id=account.id):
            remote = client.new_account(
                [f"mailto:{contact}"] if contact else None, terms_of_service_agreed=bool(terms), eab=eab
            )
    _apply(account, remote)
    log_operation(dbsession, "AcmeAccount__register", {"id": account.id, "url": account.account_url},
                  [("AcmeAccount", account.id, "register")])
    return account


def register(dbsession: Session, env: AcmeEnv, account: AcmeAccount, *, tos_agreed: bool) -> dict:
    """Find this key's account on the server, or register it if there is none."""
    with env.account_client(dbsession, account) as client, client.context(account_id=account.id):
        try:
            remote = client.find_account()
            created = False
        except acme_errors.AccountDoesNotExist:
            terms = _terms(env, client, tos_agreed)
            contact = [f"mailto:{account.contact}"] if account.contact else None
            remote = client.new_account(contact, terms_of_service_agreed=bool(terms))
            account.terms_of_service = terms
            created = True
    _apply(account, remote)
    log_operation(dbsession, "AcmeAccount__register", {"id": account.id, "created": created},
                  [("AcmeAccount", account.id, "register")])
    return {"registered": created}


def authenticate(dbsession: Session, env: AcmeEnv, account: AcmeAccount) -> None:
    """Check the account on the server (``onlyReturnExisting``) and store what it says."""
    with env.account_client(dbsession, account) as client, client.context(account_id=account.id):
        try:
            remote = client.find_account()
        except acme_errors.AccountDoesNotExist:
            account.status = AcmeAccountStatus.UNKNOWN
            account.is_active = False
            raise Conflict("the server has no account for this key: register it first") from None
    _apply(account, remote)


def update_contact(dbsession: Session, env: AcmeEnv, account: AcmeAccount, contact: str | None) -> None:
    with env.account_client(dbsession, account) as client, client.context(account_id=account.id):
        remote = client.update_contact([f"mailto:{contact}"] if contact else [])
    _apply(account, remote)
    account.contact = contact
    log_operation(dbsession, "AcmeAccount__update_contact", {"id": account.id},
                  [("AcmeAccount", account.id, "update_contact")])


def deactivate(dbsession: Session, env: AcmeEnv, account: AcmeAccount) -> None:
    """Deactivate the account on the server; it can never be used again."""
    if account.status == AcmeAccountStatus.DEACTIVATED:
        raise Conflict("this account is already deactivated")
    with env.account_client(dbsession, account) as client, client.context(account_id=account.id):
        client.deactivate_account()
    account.status = AcmeAccountStatus.DEACTIVATED
    account.is_active = False
    account.timestamp_deactivated = utcnow()
    log_operation(dbsession, "AcmeAccount__deactivate", {"id": account.id}, [("AcmeAccount", account.id, "deactivate")])


def key_rollover(dbsession: Session, env: AcmeEnv, account: AcmeAccount, technology: KeyTechnology) -> AcmeAccountKey:
    """Replace the account key on the server (RFC 8555 7.3.5); the old key is kept, inactive."""
    old = next((k for k in account.keys if k.is_active), None)
    if old is None:
        raise Conflict("this account has no active key")
    new_pem = cert_utils.new_private_key(**GENERATE_ARGS[technology])
    info = cert_utils.parse_key(new_pem)
    with env.account_client(dbsession, account) as client, client.context(account_id=account.id):
        client.key_rollover(new_pem)
    now = utcnow()
    old.is_active = False
    old.timestamp_deactivated = now
    new = AcmeAccountKey(
        acme_account_id=account.id, key_pem=new_pem, key_pem_md5=md5_hex(new_pem), spki_sha256=info.spki_sha256,
        jwk_thumbprint=cert_utils.jwk_thumbprint(new_pem), key_technology=technology,
        source=AccountKeySource.GENERATED,
    )
    dbsession.add(new)
    dbsession.flush()
    dbsession.expire(account, ["keys"])
    log_operation(dbsession, "AcmeAccount__key_rollover", {"id": account.id, "old": old.id, "new": new.id},
                  [("AcmeAccount", account.id, "key_rollover")])
    return new


def authorization_status(value) -> AcmeAuthorizationStatus:
    try:
        return AcmeAuthorizationStatus(str(value))
    except ValueError:
        return AcmeAuthorizationStatus.UNKNOWN


def pending_authorizations(dbsession: Session, account: AcmeAccount) -> list[AcmeAuthorization]:
    return list(
        dbsession.execute(
            sa.select(AcmeAuthorization)
            .join(AcmeOrder2AcmeAuthorization, AcmeOrder2AcmeAuthorization.acme_authorization_id == AcmeAuthorization.id)
            .join(AcmeOrder, AcmeOrder.id == AcmeOrder2AcmeAuthorization.acme_order_id)
            .where(AcmeOrder.acme_account_id == account.id, AcmeAuthorization.status == AcmeAuthorizationStatus.PENDING)
            .distinct()
        ).scalars()
    )


def deactivate_pending_authorizations(dbsession: Session, env: AcmeEnv, account: AcmeAccount) -> dict:
    """Deactivate every pending authorization of the account's orders; failures are reported."""
    done, failed = [], []
    authorizations = pending_authorizations(dbsession, account)
    if not authorizations:
        return {"deactivated": [], "failed": []}
    with env.account_client(dbsession, account) as client:
        for authz in authorizations:
            with client.context(account_id=account.id, authorization_id=authz.id):
                try:
                    remote = client.deactivate_authorization(authz.authorization_url)
                except acme_errors.AcmeError as exc:
                    failed.append({"id": str(authz.id), "error": str(exc)})
                    continue
            authz.status = authorization_status(remote.status)
            authz.timestamp_deactivated = utcnow()
            done.append(str(authz.id))
    log_operation(dbsession, "AcmeAccount__deactivate_pending_authorizations",
                  {"id": account.id, "deactivated": len(done), "failed": len(failed)})
    return {"deactivated": done, "failed": failed}


def set_order_defaults(
    dbsession: Session, account: AcmeAccount, private_key_cycle: str | None, private_key_technology: str | None
) -> None:
    cycle = parse_enum(PrivateKeyCycle, private_key_cycle, "private_key_cycle")
    if cycle == PrivateKeyCycle.ACCOUNT_KEY_DEFAULT:
        raise InvalidRequest("an account's own default cannot defer to itself",
                             {"private_key_cycle": "choose a concrete strategy"})
    account.order_default_private_key_cycle = cycle
    account.order_default_private_key_technology = parse_enum(
        KeyTechnology, private_key_technology, "private_key_technology"
    )
    log_operation(dbsession, "AcmeAccount__edit_defaults", {"id": account.id},
                  [("AcmeAccount", account.id, "edit_defaults")])


def check_server(env: AcmeEnv, server: AcmeServer) -> dict:
    """Fetch the directory and record whether the server offers ARI and profiles."""
    key_pem = cert_utils.new_private_key(technology="EC", curve="P-256")
    with env.client(server, key_pem) as client:
        directory = client.refresh_directory()
    server.is_supports_ari = bool(directory.supports_ari)
    server.is_supports_profiles = bool(directory.supports_profiles)
    profiles = directory.meta.profiles or {}
    server.profiles_json = json.dumps(profiles) if profiles else None
    server.directory_json = json.dumps(directory.raw) if getattr(directory, "raw", None) else None
    server.timestamp_directory_checked = utcnow()
    return {"supports_ari": server.is_supports_ari, "supports_profiles": server.is_supports_profiles,
            "profiles": profiles}


def set_global_default(dbsession: Session, account: AcmeAccount) -> None:
    """Make this the account queues and autocert order with (unless a setting names another)."""
    if not account.is_active or not account.account_url:
        raise Conflict("only an active, registered account can be the global default")
    dbsession.execute(
        sa.update(AcmeAccount).where(AcmeAccount.id != account.id).values(is_global_default=False)
        .execution_options(synchronize_session=False)
    )
    account.is_global_default = True
    log_operation(dbsession, "AcmeAccount__global_default", {"id": account.id},
                  [("AcmeAccount", account.id, "global_default")])
