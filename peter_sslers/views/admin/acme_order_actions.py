"""Actions on an AcmeOrder: sync, advance step by step (or autodetect), retry, renew, and more."""

from __future__ import annotations

from ...lib.acme import order_requests, orders
from ...lib.db.queries import domain_names_for_sets
from ...lib.errors import Conflict, InvalidRequest
from ...model.enums import AcmeOrderType, ProcessingStrategy
from .acme_order import order_json
from .actions import Action, ActionGroup, register


def _result(context, request, **extra) -> dict:
    names = domain_names_for_sets(request.dbsession, [context.unique_fqdn_set_id])[context.unique_fqdn_set_id]
    return {"acme_order": order_json(context, names), **extra}


def _env(request):
    env = request.acme_env
    env.precheck = request.POST.get("precheck") == "1"
    env.manual_dns_confirmed = request.POST.get("dns_records_confirmed") == "1"
    return env


def _sync(context, request):
    orders.sync(request.dbsession, _env(request), context)
    return _result(context, request)


def _advance(context, request):
    step = request.POST.get("step") or "auto"
    ran = orders.run_step(request.dbsession, _env(request), context, step)
    return _result(context, request, step=ran)


def _process(context, request):
    steps = orders.process(request.dbsession, _env(request), context)
    if not steps:
        raise Conflict(f"nothing left to do: the order is {context.status.value}")
    return _result(context, request, steps=steps)


def _step(name):
    def run(context, request):
        orders.run_step(request.dbsession, _env(request), context, name)
        return _result(context, request, step=name)

    return run


def _new_from(context, request, order_type: AcmeOrderType, **links) -> dict:
    """A new order for the same names, account and key strategy, processed in one request."""
    names = domain_names_for_sets(request.dbsession, [context.unique_fqdn_set_id])[context.unique_fqdn_set_id]
    import json

    dns_names = json.loads(context.dns01_domains_json or "[]")
    req = order_requests.OrderRequest(
        acme_account_id=context.acme_account_id,
        domain_names_http01=[n for n in names if n not in dns_names],
        domain_names_dns01=dns_names,
        dns_provider_id=context.dns_provider_id,
        private_key_option="account_default",
        private_key_cycle=context.private_key_cycle,
        private_key_technology=context.private_key_technology,
        processing_strategy=ProcessingStrategy.PROCESS_SINGLE,
        profile=context.profile,
        is_auto_renew=context.is_auto_renew,
        order_type=order_type,
        **links,
    )
    new = order_requests.create_local_order(request.dbsession, req, _env(request))
    steps = orders.start(request.dbsession, _env(request), new)
    return {"acme_order__new": order_json(new, names), "steps": steps, **_result(context, request)}


def _retry(context, request):
    if context.status not in orders.FAILED:
        raise Conflict("only a failed (invalid, deactivated, expired) or unknown order can be retried; sync it or mark it invalid first")
    return _new_from(context, request, AcmeOrderType.RETRY, acme_order_id__retry_of=context.id)


def _renew_now(context, request):
    replaces = None
    cert_id = context.certificate_signed_id
    server = context.acme_account.acme_server
    if cert_id is not None and server.is_supports_ari:
        from ...model import CertificateSigned

        replaces = request.dbsession.get(CertificateSigned, cert_id).ari_identifier
    return _new_from(
        context, request, AcmeOrderType.RENEW_NOW, acme_order_id__renewal_of=context.id,
        certificate_signed_id__replaces=cert_id, replaces=replaces,
    )


def _mark_invalid(context, request):
    orders.mark_invalid(request.dbsession, context)
    return _result(context, request)


def _deactivate_authorizations(context, request):
    done = orders.deactivate_authorizations(request.dbsession, request.acme_env, context)
    return _result(context, request, deactivated=done)


def _auto_renew(context, request):
    value = request.POST.get("is_auto_renew", "")
    if value not in ("0", "1"):
        raise InvalidRequest("invalid is_auto_renew", {"is_auto_renew": "1 (renew automatically) or 0"})
    context.is_auto_renew = value == "1"
    return _result(context, request)


STEP_HELP = "auto (default: the next step), " + ", ".join(orders.STEPS)
DNS_HELP = "1 once the TXT records a manual DNS provider asked for are in place"

ORDER_ACTIONS = ActionGroup(
    route_prefix="admin:acme_order:",
    focus_route="admin:acme_order:focus",
    focus_kw=lambda order: {"id": str(order.id)},
    actions=(
        Action("sync", "Fetch the order, its authorizations and challenges from the ACME server.", {}, _sync),
        Action("advance", "Run one step of the order: the one named, or the next one (autodetect).",
               {"step": STEP_HELP, "precheck": "1 to pre-check challenges", "dns_records_confirmed": DNS_HELP},
               _advance),
        Action("process", "Run every remaining step until the certificate is downloaded.",
               {"precheck": "1 to pre-check challenges", "dns_records_confirmed": DNS_HELP}, _process),
        Action("complete_challenges", "Answer the pending challenges and wait for validation.",
               {"precheck": "1 to pre-check challenges", "dns_records_confirmed": DNS_HELP},
               _step("complete_challenges")),
        Action("finalize", "Choose the private key, send the CSR and wait for the certificate.", {}, _step("finalize")),
        Action("download", "Download the certificate and every alternate chain.", {}, _step("download")),
        Action("retry", "Make a new order for the same names (for an invalid order).", {}, _retry),
        Action("renew_now", "Make a new order for the same names now.", {}, _renew_now),
        Action("mark_invalid", "Give up on this order locally.", {}, _mark_invalid),
        Action("deactivate_authorizations", "Deactivate the order's pending authorizations on the server.", {},
               _deactivate_authorizations),
        Action("auto_renew", "Turn automatic renewal on or off.", {"is_auto_renew": "1 or 0"}, _auto_renew),
    ),
)


def includeme(config) -> None:
    register(config, ORDER_ACTIONS)
