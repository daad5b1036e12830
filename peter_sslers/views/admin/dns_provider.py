"""DNS-01 providers: list, add, look at, switch on and off."""

from __future__ import annotations

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib.db import dns_providers
from ...model import DnsProvider
from ._base import instructions, see_other
from .actions import Action, ActionGroup, register

FIELDS = {
    "name": "a name for this provider",
    "provider_type": "acme-dns, rfc2136, challtestsrv or manual",
    "config_json": 'its configuration as a JSON object, e.g. rfc2136: {"server": "10.0.0.53", "tsig_key_name": '
                   '"peter", "tsig_secret": "BASE64"}; acme-dns: {"api_url", "username", "password", "subdomain"}; '
                   'challtestsrv: {"management_url"}; manual: {}',
}


@view_config(route_name="admin:dns_providers", renderer="/admin/dns_providers.mako")
@view_config(route_name="admin:dns_providers|json", renderer="json")
def listing(request):
    rows = request.dbsession.execute(sa.select(DnsProvider).order_by(DnsProvider.id)).scalars()
    return {"result": "success", "dns_providers": [dns_providers.as_json(r) for r in rows]}


@view_config(route_name="admin:dns_provider:new", request_method="GET", renderer="/admin/action_form.mako")
@view_config(route_name="admin:dns_provider:new|json", request_method="GET", renderer="json")
def new_form(request):
    data = instructions("POST to add a DNS-01 provider; its configuration is checked first.", FIELDS)
    data["action"] = "new_dns_provider"
    return data


def _create(request) -> dict:
    post = request.POST
    row = dns_providers.create(request.dbsession, post.get("name"), post.get("provider_type"), post.get("config_json"))
    return {"result": "success", "dns_provider": dns_providers.as_json(row)}


@view_config(route_name="admin:dns_provider:new|json", request_method="POST", renderer="json")
def new_json(request):
    return _create(request)


@view_config(route_name="admin:dns_provider:new", request_method="POST")
def new_html(request):
    data = _create(request)
    return see_other(request, "admin:dns_provider:focus", "new DNS provider", id=data["dns_provider"]["id"])


@view_config(route_name="admin:dns_provider:focus", renderer="/admin/dns_provider.mako")
@view_config(route_name="admin:dns_provider:focus|json", renderer="json")
def focus(request):
    return {"result": "success", "dns_provider": dns_providers.as_json(request.context)}


def _mark(context, request):
    dns_providers.mark(request.dbsession, context, request.POST.get("action", ""))
    return {"dns_provider": dns_providers.as_json(context)}


ACTIONS = ActionGroup(
    route_prefix="admin:dns_provider:",
    focus_route="admin:dns_provider:focus",
    focus_kw=lambda row: {"id": str(row.id)},
    actions=(Action("mark", "Switch the provider on or off for new orders.", {"action": "active or inactive"}, _mark),),
)


def includeme(config) -> None:
    register(config, ACTIONS)
