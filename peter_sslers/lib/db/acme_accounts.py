"""ACME accounts in the store: import from PEM or from certbot's account files."""

from __future__ import annotations

import json
import urllib.parse

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import AcmeAccount, AcmeAccountKey, AcmeServer
from ...model.enums import AccountKeySource
from .. import cert_utils
from ..errors import Conflict, InvalidRequest, NotFound, is_id
from .common import log_operation
from .crypto_input import field_errors, key_technology
from .private_keys import md5_hex


def find_server_for_certbot(dbsession: Session, certbot_server: str | None, account_url: str | None) -> AcmeServer:
    """Which AcmeServer a certbot account belongs to: by its directory path, else its account URL host.

    certbot stores accounts under ``accounts/{host}/{path...}/{hash}``; ``certbot_server`` is
    that ``{host}/{path...}`` part, e.g. ``acme-v02.api.letsencrypt.org/directory``.
    """
    servers = list(dbsession.execute(sa.select(AcmeServer)).scalars())
    if certbot_server:
        wanted = certbot_server.strip().strip("/")
        for server in servers:
            parts = urllib.parse.urlsplit(server.directory_url)
            if (parts.netloc + parts.path).strip("/") == wanted:
                return server
    if account_url:
        host = urllib.parse.urlsplit(account_url).netloc
        matches = [s for s in servers if s.server == host]
        if len(matches) == 1:
            return matches[0]
    known = ", ".join(sorted(s.directory_url for s in servers))
    raise InvalidRequest(
        "cannot tell which ACME server this account belongs to",
        {"certbot_server": f"no known server matches; known servers: {known}"},
    )


def _first_contact(contacts) -> str | None:
    for contact in contacts or ():
        if isinstance(contact, str):
            return contact.removeprefix("mailto:")
    return None


def add_account(
    dbsession: Session, server: AcmeServer, key_pem: str, *, field: str, source: AccountKeySource,
    contact: str | None = None, account_url: str | None = None, **extra,
) -> tuple[AcmeAccount, bool]:
    """Store an account and its key; the same key is never accepted for another account."""
    with field_errors(field, "invalid account key"):
        pem = cert_utils.normalize_pem(key_pem)
        info = cert_utils.parse_key(pem)
        thumbprint = cert_utils.jwk_thumbprint(pem)
    technology = key_technology(info.technology, info.bits, info.curve, field)
    existing = dbsession.execute(
        sa.select(AcmeAccountKey).where(AcmeAccountKey.spki_sha256 == info.spki_sha256)
    ).scalar_one_or_none()
    if existing is not None:
        account = existing.acme_account
        if account.acme_server_id != server.id:
            raise Conflict(
                "this key already belongs to an account on another ACME server",
                {field: f"in use by AcmeAccount {account.id} on {account.acme_server.name}"},
            )
        return account, False
    account = AcmeAccount(
        acme_server_id=server.id, contact=contact, account_url=account_url, **extra
    )
    dbsession.add(account)
    dbsession.flush()
    dbsession.add(
        AcmeAccountKey(
            acme_account_id=account.id, key_pem=pem, key_pem_md5=md5_hex(pem),
            spki_sha256=info.spki_sha256, jwk_thumbprint=thumbprint, key_technology=technology,
            source=source,
        )
    )
    dbsession.flush()
    log_operation(dbsession, "AcmeAccount__insert", {"id": account.id}, [("AcmeAccount", account.id, "insert")])
    return account, True


def _load_json(text: str, field: str) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest("invalid JSON", {field: f"not JSON: {exc}"}) from None
    if not isinstance(data, dict):
        raise InvalidRequest("invalid JSON", {field: "expected a JSON object"})
    return data


def import_certbot_account(
    dbsession: Session, private_key_json: str, regr_json: str, meta_json: str | None,
    certbot_server: str | None,
) -> tuple[AcmeAccount, bool]:
    """An account from certbot's private_key.json (a JWK), regr.json and meta.json."""
    jwk = _load_json(private_key_json, "certbot_private_key_json")
    regr = _load_json(regr_json, "certbot_regr_json")
    meta = _load_json(meta_json, "certbot_meta_json") if meta_json else {}
    with field_errors("certbot_private_key_json", "invalid certbot account key"):
        key_pem = cert_utils.jwk_to_pem(jwk)
    account_url = regr.get("uri")
    server = find_server_for_certbot(dbsession, certbot_server, account_url)
    body = regr.get("body") or {}
    return add_account(
        dbsession, server, key_pem, field="certbot_private_key_json", source=AccountKeySource.CERTBOT,
        contact=_first_contact(body.get("contact")), account_url=account_url,
        terms_of_service=regr.get("terms_of_service"),
        certbot_regr_json=json.dumps(regr), certbot_meta_json=json.dumps(meta) if meta else None,
    )


def import_pem_account(
    dbsession: Session, key_pem: str, acme_server_id: str | None, contact: str | None,
) -> tuple[AcmeAccount, bool]:
    """An account from a PEM key on a chosen server (registered on the server separately)."""
    if not acme_server_id or not is_id(acme_server_id):
        raise InvalidRequest("choose an ACME server", {"acme_server_id": "required: the id of an AcmeServer"})
    server = dbsession.get(AcmeServer, int(acme_server_id))
    if server is None:
        raise NotFound(f"no AcmeServer with id {acme_server_id}")
    from ..acme.accounts import parse_contact

    contact = parse_contact(contact)
    return add_account(
        dbsession, server, key_pem, field="account_key_file", source=AccountKeySource.IMPORTED,
        contact=contact,
    )


def active_key(account: AcmeAccount) -> AcmeAccountKey | None:
    for key in account.keys:
        if key.is_active:
            return key
    return None
