"""Queues (domains, renewals), certificate-if-needed and autocert."""

from __future__ import annotations

import urllib.parse

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib.acme import autocert, queues
from ...lib.acme.accounts import parse_enum
from ...lib.db.common import paginate
from ...lib.domain_names import split_domain_names
from ...lib.errors import InvalidRequest
from ...lib.presenters import sid
from ...model import QueueCertificate, QueueDomain, writer_bind
from ...model.enums import KeyTechnology, PrivateKeyCycle, QueueStatus
from ._base import instructions, optional_int, page_number
from .actions import Action, ActionGroup, register


def queue_domain_json(row: QueueDomain) -> dict:
    return {"id": sid(row.id), "domain_name": row.domain_name, "status": row.status,
            "acme_order_id": sid(row.acme_order_id), "last_error": row.last_error,
            "timestamp_created": row.timestamp_created, "timestamp_processed": row.timestamp_processed}


def queue_certificate_json(row: QueueCertificate) -> dict:
    return {
        "id": sid(row.id), "status": row.status, "unique_fqdn_set_id": sid(row.unique_fqdn_set_id),
        "certificate_signed_id": sid(row.certificate_signed_id), "acme_order_id__source": sid(row.acme_order_id__source),
        "acme_order_id__generated": sid(row.acme_order_id__generated), "acme_account_id": sid(row.acme_account_id),
        "private_key_cycle": row.private_key_cycle, "private_key_technology": row.private_key_technology,
        "attempts": row.attempts, "last_error": row.last_error, "claimed_by": row.claimed_by,
        "timestamp_created": row.timestamp_created, "timestamp_not_before": row.timestamp_not_before,
        "timestamp_processed": row.timestamp_processed,
    }


def _status_filter(request, model):
    status = request.params.get("status")
    query = sa.select(model).order_by(model.id.desc())
    if status:
        try:
            query = query.where(model.status == QueueStatus(status))
        except ValueError:
            raise InvalidRequest("invalid status", {"status": ", ".join(s.value for s in QueueStatus)}) from None
    return query


# ---- the domain queue ----

@view_config(route_name="admin:queue_domains", renderer="/admin/queue_domains.mako")
@view_config(route_name="admin:queue_domains|json", renderer="json")
def queue_domains_listing(request):
    page = paginate(request.dbsession, _status_filter(request, QueueDomain), page_number(request))
    return {"result": "success", "queue_domains": [queue_domain_json(r) for r in page.items], "pagination": page.as_json()}


@view_config(route_name="admin:queue_domains:add", request_method="GET", renderer="/admin/action_form.mako")
@view_config(route_name="admin:queue_domains:add|json", request_method="GET", renderer="json")
def queue_domains_add_form(request):
    data = instructions(
        "POST names to queue: an inactive managed domain is activated, an unknown one is queued, anything else "
        "is ignored and reported.", {"domain_names": "names separated by commas, spaces or newlines"})
    data["action"] = "queue_domains"
    return data


@view_config(route_name="admin:queue_domains:add|json", request_method="POST", renderer="json")
@view_config(route_name="admin:queue_domains:add", request_method="POST", renderer="/admin/queue_result.mako")
def queue_domains_add(request):
    names = split_domain_names(request.POST.get("domain_names", ""))
    if not names:
        raise InvalidRequest("no domain names given", {"domain_names": "give at least one name"})
    result = queues.queue_domains(request.dbsession, names)
    return {"result": "success", "operation": "queue_domains_add", **result}


@view_config(route_name="admin:queue_domains:process", request_method="GET", renderer="/admin/action_form.mako")
@view_config(route_name="admin:queue_domains:process|json", request_method="GET", renderer="json")
def queue_domains_process_form(request):
    data = instructions("POST to turn one batch of queued domains into one order.",
                        {"acme_account_id": "optional: the ordering account (default: automation settings)",
                         "batch_size": "optional: names per order (at most 100)"})
    data["action"] = "process_domain_queue"
    return data


@view_config(route_name="admin:queue_domains:process|json", request_method="POST", renderer="json")
@view_config(route_name="admin:queue_domains:process", request_method="POST", renderer="/admin/queue_result.mako")
def queue_domains_process(request):
    result = queues.process_domains(
        request.dbsession, request.acme_env, account_id=optional_int(request.POST, "acme_account_id"),
        batch_size=optional_int(request.POST, "batch_size"),
    )
    return {"result": result.pop("result", "success"), "operation": "queue_domains_process", **result}


# ---- the renewal queue ----

@view_config(route_name="admin:queue_certificates", renderer="/admin/queue_certificates.mako")
@view_config(route_name="admin:queue_certificates|json", renderer="json")
def queue_certificates_listing(request):
    page = paginate(request.dbsession, _status_filter(request, QueueCertificate), page_number(request))
    return {"result": "success", "queue_certificates": [queue_certificate_json(r) for r in page.items],
            "pagination": page.as_json()}


@view_config(route_name="admin:queue_certificates:update", request_method="GET", renderer="/admin/action_form.mako")
@view_config(route_name="admin:queue_certificates:update|json", request_method="GET", renderer="json")
def queue_certificates_update_form(request):
    data = instructions("POST to queue the certificates due for renewal (ACME Renewal Information first, where "
                        "the server offers it): at most renewal.queue_per_update a call, the earliest expiring "
                        "first; 'capped' in the answer means more are due: POST again.",
                        {"ari": "1 (default) to look up Renewal Information, 0 to skip"})
    data["action"] = "update_renewal_queue"
    return data


@view_config(route_name="admin:queue_certificates:update|json", request_method="POST", renderer="json")
@view_config(route_name="admin:queue_certificates:update", request_method="POST", renderer="/admin/queue_result.mako")
def queue_certificates_update(request):
    result = queues.update_queue(request.dbsession, request.acme_env, ari=request.POST.get("ari", "1") != "0")
    return {"result": "success", "operation": "queue_certificates_update", **result}


@view_config(route_name="admin:queue_certificates:process|json", request_method="GET", renderer="json")
def queue_certificates_process_instructions(request):
    return instructions("POST to renew the next queued certificate (one per call; ?limit=N for workers).",
                        {"limit": "optional query parameter: items to process in this call (default 1)"},
                        "prequest -m POST CONFIG.ini /.well-known/admin/queue-certificates/process.json")


@view_config(route_name="admin:queue_certificates:process|json", request_method="POST", renderer="json")
def queue_certificates_process_json(request):
    limit = optional_int(request.params, "limit")
    limit = 1 if limit is None else limit
    if not 0 < limit <= 1000:
        raise InvalidRequest("invalid limit", {"limit": "1 to 1000"})
    return {"result": "success", **queues.process_certificates(request.dbsession, request.acme_env, limit=limit)}


@view_config(route_name="admin:queue_certificates:process", renderer="/admin/queue_process.mako")
def queue_certificates_process_html(request):
    """One item per page load; while items remain the page refreshes itself to go on."""
    run = request.method == "POST" or request.params.get("continue") == "1"
    if not run:
        return {"result": "instructions", "processed": [], "remaining": None, "refresh_url": None}
    # this GET writes (the refresh tag can only GET): make its transactions writers
    request.dbsession.bind = writer_bind(request.dbsession.bind)
    result = queues.process_certificates(request.dbsession, request.acme_env, limit=1)
    refresh = None
    if result["processed"] and result["remaining"]:
        refresh = request.route_path("admin:queue_certificates:process", _query={"continue": "1"})
    return {"result": "success", **result, "refresh_url": refresh}


def _requeue(context, request):
    action = request.POST.get("action", "")
    if action == "cancel" and context.status in (QueueStatus.QUEUED, QueueStatus.FAILED):
        context.status = QueueStatus.CANCELLED
    elif action == "requeue" and context.status in (QueueStatus.FAILED, QueueStatus.CANCELLED):
        queues.requeue(request.dbsession, context)
    else:
        raise InvalidRequest(f"cannot {action or '(nothing)'} an item that is {context.status.value}",
                             {"action": "cancel (queued/failed items) or requeue (failed/cancelled items)"})
    return {"queue_certificate": queue_certificate_json(context)}


@view_config(route_name="admin:queue_certificate:focus", renderer="/admin/queue_certificate.mako")
@view_config(route_name="admin:queue_certificate:focus|json", renderer="json")
def queue_certificate_focus(request):
    return {"result": "success", "queue_certificate": queue_certificate_json(request.context)}


def _custom_renewal(context, request):
    post = request.POST
    item = queues.queue_certificate(
        request.dbsession, context, acme_account_id=optional_int(post, "acme_account_id"),
        private_key_cycle=parse_enum(PrivateKeyCycle, post.get("private_key_cycle"), "private_key_cycle")
        if post.get("private_key_cycle") else None,
        private_key_technology=parse_enum(KeyTechnology, post.get("private_key_technology"), "private_key_technology")
        if post.get("private_key_technology") else None,
    )
    return {"queue_certificate": queue_certificate_json(item)}


# ---- certificate-if-needed and autocert ----

@view_config(route_name="admin:api:certificate_if_needed", request_method="GET", renderer="/admin/action_form.mako")
@view_config(route_name="admin:api:certificate_if_needed|json", request_method="GET", renderer="json")
def certificate_if_needed_form(request):
    data = instructions(
        "POST names: each gets its stored certificate, or a new single-name certificate now.",
        {"domain_names": "names", "acme_account_id": "the ordering account (default: automation settings)",
         "private_key_cycle": "optional strategy", "private_key_technology": "optional technology"})
    data["action"] = "certificate_if_needed"
    return data


@view_config(route_name="admin:api:certificate_if_needed|json", request_method="POST", renderer="json")
@view_config(route_name="admin:api:certificate_if_needed", request_method="POST", renderer="/admin/queue_result.mako")
def certificate_if_needed(request):
    post = request.POST
    names = split_domain_names(post.get("domain_names", ""))
    if not names or len(names) > 100:
        raise InvalidRequest("give 1 to 100 domain names", {"domain_names": "1 to 100 names"})
    account = queues.default_account(request.dbsession, request.acme_env, optional_int(post, "acme_account_id"))
    fields = {
        "acme_account_id": account.id,
        "private_key_cycle": parse_enum(PrivateKeyCycle, post.get("private_key_cycle"), "private_key_cycle",
                                        PrivateKeyCycle(request.app_settings.automation_private_key_cycle)),
        "private_key_technology": parse_enum(KeyTechnology, post.get("private_key_technology"), "private_key_technology")
        if post.get("private_key_technology") else None,
    }
    results = autocert.certificate_if_needed(request.dbsession, request.acme_env, names, fields)
    return {"result": "success", "operation": "certificate_if_needed", "domains": results}


def _form_value(request, name: str) -> str:
    """A form field, also from a body sent without a Content-Type (the OpenResty module does that)."""
    value = request.POST.get(name)
    if value is None and request.body and not request.content_type:
        value = (urllib.parse.parse_qs(request.body.decode("utf-8", "replace")).get(name) or [None])[0]
    return value or ""


@view_config(route_name="admin:api:autocert", request_method="GET", renderer="/admin/action_form.mako")
@view_config(route_name="admin:api:autocert|json", request_method="GET", renderer="json")
def autocert_form(request):
    data = instructions("POST domain_name: its config payload, issuing a certificate now if it has none.",
                        {"domain_name": "one host name"})
    data["action"] = "autocert"
    return data


@view_config(route_name="admin:api:autocert|json", request_method="POST", renderer="json")
@view_config(route_name="admin:api:autocert", request_method="POST", renderer="json")
def autocert_view(request):
    payload = autocert.autocert(request.dbsession, request.acme_env, _form_value(request, "domain_name"))
    if request.params.get("openresty") == "1":
        request.registry.notify(AutocertServed(request, payload))
    return payload


class AutocertServed:
    """Event: autocert answered for a domain (the Redis write-through listens)."""

    def __init__(self, request, payload):
        self.request = request
        self.payload = payload


QUEUE_ITEM_ACTIONS = ActionGroup(
    route_prefix="admin:queue_certificate:", focus_route="admin:queue_certificate:focus",
    focus_kw=lambda row: {"id": str(row.id)},
    actions=(Action("mark", "Cancel a queued item, or put a failed one back in the queue.",
                    {"action": "cancel or requeue"}, _requeue),),
)
CUSTOM_RENEWAL = ActionGroup(
    route_prefix="admin:certificate_signed:", focus_route="admin:certificate_signed:focus",
    focus_kw=lambda row: {"id": str(row.id)},
    actions=(Action("queue", "Queue this certificate for renewal now, optionally with its own account and keys.",
                    {"acme_account_id": "optional account", "private_key_cycle": "optional strategy",
                     "private_key_technology": "optional technology"}, _custom_renewal),),
)


def includeme(config) -> None:
    register(config, QUEUE_ITEM_ACTIONS)
    register(config, CUSTOM_RENEWAL)
