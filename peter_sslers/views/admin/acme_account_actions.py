"""ACME account and server actions that talk to the ACME server."""

from __future__ import annotations

from ...lib import presenters
from ...lib.acme import accounts
from ...model.enums import KeyTechnology, PrivateKeyCycle
from .actions import Action, ActionGroup, register

TECHNOLOGIES = ", ".join(t.value for t in KeyTechnology)
CYCLES = ", ".join(c.value for c in PrivateKeyCycle if c != PrivateKeyCycle.ACCOUNT_KEY_DEFAULT)


def _truthy(request, name: str) -> bool:
    return request.POST.get(name, "").lower() in ("1", "true", "yes", "on")


def _account(context) -> dict:
    return {"acme_account": presenters.acme_account(context)}


def _register(context, request):
    result = accounts.register(request.dbsession, request.acme_env, context, tos_agreed=_truthy(request, "tos_agreed"))
    return {**result, **_account(context)}


def _authenticate(context, request):
    accounts.authenticate(request.dbsession, request.acme_env, context)
    return _account(context)


def _update_contact(context, request):
    contact = accounts.parse_contact(request.POST.get("contact"))
    accounts.update_contact(request.dbsession, request.acme_env, context, contact)
    return _account(context)


def _edit_defaults(context, request):
    accounts.set_order_defaults(
        request.dbsession, context, request.POST.get("private_key_cycle"), request.POST.get("private_key_technology")
    )
    return _account(context)


def _deactivate(context, request):
    accounts.deactivate(request.dbsession, request.acme_env, context)
    return _account(context)


def _key_rollover(context, request):
    technology = accounts.parse_enum(KeyTechnology, request.POST.get("key_technology"), "key_technology",
                                     default=KeyTechnology.EC_P256)
    new_key = accounts.key_rollover(request.dbsession, request.acme_env, context, technology)
    return {"acme_account_key": presenters.acme_account_key(new_key), **_account(context)}


def _deactivate_pending(context, request):
    return accounts.deactivate_pending_authorizations(request.dbsession, request.acme_env, context)


def _global_default(context, request):
    accounts.set_global_default(request.dbsession, context)
    return _account(context)


def _check_server(context, request):
    return {**accounts.check_server(request.acme_env, context), "acme_server": presenters.acme_server(context)}


ACCOUNT_ACTIONS = ActionGroup(
    route_prefix="admin:acme_account:",
    focus_route="admin:acme_account:focus",
    focus_kw=lambda account: {"id": str(account.id)},
    actions=(
        Action("register", "Find this key's account on the ACME server, or register it there.",
               {"tos_agreed": "1 to agree to the server's terms of service (needed to register)"}, _register),
        Action("authenticate", "Check the account on the ACME server and store its status.", {}, _authenticate),
        Action("update_contact", "Replace the account's contact on the ACME server.",
               {"contact": "an email address; empty removes the contact"}, _update_contact),
        Action("edit_defaults", "Set how this account's orders choose private keys.",
               {"private_key_cycle": CYCLES, "private_key_technology": TECHNOLOGIES}, _edit_defaults),
        Action("deactivate", "Deactivate the account on the ACME server. This cannot be undone.", {}, _deactivate),
        Action("key_rollover", "Replace the account key on the ACME server; the old key is kept, retired.",
               {"key_technology": f"the new key: {TECHNOLOGIES} (default EC_P256)"}, _key_rollover),
        Action("mark_global_default", "Make this the account that queues and autocert order with.", {},
               _global_default),
        Action("deactivate_pending_authorizations",
               "Deactivate every pending authorization of this account's orders.", {}, _deactivate_pending),
    ),
)

SERVER_ACTIONS = ActionGroup(
    route_prefix="admin:acme_server:",
    focus_route="admin:acme_servers",
    focus_kw=lambda server: {},
    actions=(
        Action("check", "Fetch the server's directory and record whether it offers ARI and profiles.",
               {}, _check_server),
    ),
)


def includeme(config) -> None:
    register(config, ACCOUNT_ACTIONS)
    register(config, SERVER_ACTIONS)
