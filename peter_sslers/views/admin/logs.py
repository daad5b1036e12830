"""The ACME event log (one row per exchange with a server) and the operations log."""

from __future__ import annotations

import json

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib.db.common import paginate
from ...lib.errors import InvalidRequest, is_id
from ...lib.presenters import sid
from ...model import AcmeEventLog, OperationsEvent, OperationsObjectEvent
from ...model.enums import EventResult
from ._base import page_number

ID_FILTERS = ("acme_server_id", "acme_account_id", "acme_order_id", "acme_authorization_id", "acme_challenge_id")


def event_log_json(row: AcmeEventLog, full: bool = False) -> dict:
    data = {
        "id": sid(row.id),
        "timestamp_event": row.timestamp_event,
        "acme_event": row.acme_event,
        "result": row.result,
        "method": row.method,
        "url": row.url,
        "status_code": row.status_code,
        "problem_type": row.problem_type,
        "elapsed_ms": row.elapsed_ms,
        **{name: sid(getattr(row, name)) for name in ID_FILTERS},
        "certificate_signed_id": sid(row.certificate_signed_id),
    }
    if full:
        data.update(error_text=row.error_text, request_json=row.request_json, response_json=row.response_json)
    return data


def operations_event_json(row: OperationsEvent) -> dict:
    return {
        "id": sid(row.id),
        "event_type": row.event_type,
        "timestamp_event": row.timestamp_event,
        "payload": json.loads(row.payload_json) if row.payload_json else None,
        "operations_event_id__child_of": sid(row.operations_event_id__child_of),
    }


@view_config(route_name="admin:acme_event_logs", renderer="/admin/acme_event_logs.mako")
@view_config(route_name="admin:acme_event_logs|json", renderer="json")
def acme_event_logs(request):
    query = sa.select(AcmeEventLog).order_by(AcmeEventLog.id.desc())
    filters = {}
    for name in ID_FILTERS:
        raw = request.params.get(name)
        if raw:
            if not is_id(raw):
                raise InvalidRequest(f"invalid {name}", {name: "a whole number"})
            query = query.where(getattr(AcmeEventLog, name) == int(raw))
            filters[name] = raw
    if request.params.get("acme_event"):
        filters["acme_event"] = request.params["acme_event"]
        query = query.where(AcmeEventLog.acme_event == filters["acme_event"])
    if request.params.get("result"):
        try:
            result = EventResult(request.params["result"])
        except ValueError:
            raise InvalidRequest("invalid result", {"result": "success or failure"}) from None
        filters["result"] = result.value
        query = query.where(AcmeEventLog.result == result)
    page = paginate(request.dbsession, query, page_number(request))
    return {
        "result": "success",
        "applied_filters": filters,
        "acme_event_logs": [event_log_json(row) for row in page.items],
        "pagination": page.as_json(),
    }


@view_config(route_name="admin:acme_event_log:focus", renderer="/admin/acme_event_log.mako")
@view_config(route_name="admin:acme_event_log:focus|json", renderer="json")
def acme_event_log(request):
    return {"result": "success", "acme_event_log": event_log_json(request.context, full=True)}


@view_config(route_name="admin:operations_events", renderer="/admin/operations_events.mako")
@view_config(route_name="admin:operations_events|json", renderer="json")
def operations_events(request):
    query = sa.select(OperationsEvent).order_by(OperationsEvent.id.desc())
    event_type = request.params.get("event_type")
    if event_type:
        query = query.where(OperationsEvent.event_type == event_type)
    page = paginate(request.dbsession, query, page_number(request))
    return {
        "result": "success",
        "event_type": event_type,
        "operations_events": [operations_event_json(row) for row in page.items],
        "pagination": page.as_json(),
    }


@view_config(route_name="admin:operations_event:focus", renderer="/admin/operations_event.mako")
@view_config(route_name="admin:operations_event:focus|json", renderer="json")
def operations_event(request):
    objects = request.dbsession.execute(
        sa.select(OperationsObjectEvent).where(OperationsObjectEvent.operations_event_id == request.context.id)
    ).scalars()
    return {
        "result": "success",
        "operations_event": operations_event_json(request.context),
        "objects": [
            {"object_type": o.object_type, "object_id": sid(o.object_id), "event_status": o.event_status}
            for o in objects
        ],
    }
