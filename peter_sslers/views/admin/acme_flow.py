"""acme-flow pages (enable_acme_flow): challenges of orders made by an external tool."""

from __future__ import annotations

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib.db import acme_flow
from ...lib.db.common import paginate
from ...model import AcmeOrderless, Domain
from ._base import instructions, page_number, see_other
from .actions import Action, ActionGroup, register

NEW_FIELDS = {
    "challenges": "one challenge per line: domain token keyauthorization",
    "challenge_type": "http-01 (default; served on /.well-known/acme-challenge/) or dns-01 (kept for reference)",
    "note": "optional free text",
}


def flow_json(dbsession, orderless: AcmeOrderless) -> dict:
    names = dict(dbsession.execute(
        sa.select(Domain.id, Domain.domain_name).where(Domain.id.in_([c.domain_id for c in orderless.challenges]))
    ).all()) if orderless.challenges else {}
    return {
        "id": str(orderless.id),
        "is_active": orderless.is_active,
        "note": orderless.note,
        "timestamp_created": orderless.timestamp_created,
        "timestamp_updated": orderless.timestamp_updated,
        "challenges": [
            {"id": str(c.id), "domain_name": names.get(c.domain_id), "challenge_type": c.challenge_type,
             "token": c.token, "keyauthorization": c.keyauthorization, "count_polls": c.count_polls}
            for c in orderless.challenges
        ],
    }


@view_config(route_name="admin:acme_flows", renderer="/admin/acme_flows.mako")
@view_config(route_name="admin:acme_flows|json", renderer="json")
def listing(request):
    page = paginate(request.dbsession, sa.select(AcmeOrderless).order_by(AcmeOrderless.id.desc()), page_number(request))
    return {"result": "success", "acme_flows": [flow_json(request.dbsession, o) for o in page.items],
            "pagination": page.as_json()}


@view_config(route_name="admin:acme_flow:new", request_method="GET", renderer="/admin/acme_flow_new.mako")
@view_config(route_name="admin:acme_flow:new|json", request_method="GET", renderer="json")
def new_form(request):
    return instructions("POST the challenges an external ACME client received; they are served at once.", NEW_FIELDS)


def _create(request) -> dict:
    post = request.POST
    orderless = acme_flow.create(request.dbsession, post.get("challenges", ""), post.get("note"),
                                 post.get("challenge_type") or "http-01")
    return {"result": "success", "acme_flow": flow_json(request.dbsession, orderless)}


@view_config(route_name="admin:acme_flow:new|json", request_method="POST", renderer="json")
def new_json(request):
    return _create(request)


@view_config(route_name="admin:acme_flow:new", request_method="POST")
def new_html(request):
    data = _create(request)
    return see_other(request, "admin:acme_flow:focus", "new acme-flow", id=data["acme_flow"]["id"])


@view_config(route_name="admin:acme_flow:focus", renderer="/admin/acme_flow.mako")
@view_config(route_name="admin:acme_flow:focus|json", renderer="json")
def focus(request):
    return {"result": "success", "acme_flow": flow_json(request.dbsession, request.context)}


def _add(context, request):
    post = request.POST
    challenge = acme_flow.add_challenge(request.dbsession, context, post.get("domain_name", ""), post.get("token", ""),
                                        post.get("keyauthorization", ""), post.get("challenge_type") or "http-01")
    return {"acme_challenge_id": str(challenge.id), "acme_flow": flow_json(request.dbsession, context)}


def _edit(context, request):
    post = request.POST
    acme_flow.edit_challenge(request.dbsession, context, post.get("acme_challenge_id", ""), post.get("token", ""),
                             post.get("keyauthorization", ""))
    return {"acme_flow": flow_json(request.dbsession, context)}


def _deactivate(context, request):
    acme_flow.deactivate(request.dbsession, context)
    return {"acme_flow": flow_json(request.dbsession, context)}


ACTIONS = ActionGroup(
    route_prefix="admin:acme_flow:",
    focus_route="admin:acme_flow:focus",
    focus_kw=lambda row: {"id": str(row.id)},
    actions=(
        Action("add_challenge", "Add a challenge.", {"domain_name": "the domain", "token": "the challenge token",
               "keyauthorization": "TOKEN.THUMBPRINT", "challenge_type": "http-01 (default) or dns-01"}, _add),
        Action("edit_challenge", "Change a challenge's token and key authorization.",
               {"acme_challenge_id": "the challenge", "token": "the new token", "keyauthorization": "TOKEN.THUMBPRINT"},
               _edit),
        Action("deactivate", "Stop serving this acme-flow's challenges.", {}, _deactivate),
    ),
)


def includeme(config) -> None:
    register(config, ACTIONS)
