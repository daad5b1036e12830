"""POST actions on one object, registered from tables: each gets four views.

GET ``.json`` answers instructions, GET HTML shows a form, POST ``.json`` answers the
result, POST HTML redirects (303) to the object's page with a notice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ._base import instructions, see_other


@dataclasses.dataclass(frozen=True)
class Action:
    name: str  # route suffix, e.g. "key_rollover"
    purpose: str
    fields: dict[str, str]
    run: Callable  # run(context, request) -> dict


@dataclasses.dataclass(frozen=True)
class ActionGroup:
    route_prefix: str  # e.g. "admin:acme_account:"
    focus_route: str  # where HTML posts land afterwards
    focus_kw: Callable  # focus_kw(context) -> route kwargs
    actions: tuple[Action, ...]


def _views(group: ActionGroup, action: Action):
    def describe(context, request):
        data = instructions(action.purpose, action.fields)
        data["action"] = action.name
        return data

    def run_json(context, request):
        result = action.run(context, request) or {}
        return {"result": "success", "operation": action.name, **result}

    def run_html(context, request):
        action.run(context, request)
        return see_other(request, group.focus_route, action.name.replace("_", " "), **group.focus_kw(context))

    return describe, run_json, run_html


def register(config, group: ActionGroup) -> None:
    for action in group.actions:
        route = group.route_prefix + action.name
        describe, run_json, run_html = _views(group, action)
        config.add_view(describe, route_name=route + "|json", request_method="GET", renderer="json")
        config.add_view(describe, route_name=route, request_method="GET", renderer="/admin/action_form.mako")
        config.add_view(run_json, route_name=route + "|json", request_method="POST", renderer="json")
        config.add_view(run_html, route_name=route, request_method="POST")
