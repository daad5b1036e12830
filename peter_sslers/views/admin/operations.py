"""Notifications (the record, and running the checks for cron) and the admin ``/metrics``."""

from __future__ import annotations

import json

import sqlalchemy as sa
from pyramid.view import view_config

from ...lib import notifications
from ...lib.db.common import paginate
from ...lib.errors import InvalidRequest
from ...lib.presenters import sid
from ...model import Notification
from ...model.enums import EventResult
from ..public.metrics import metrics_response, metrics_view_config
from ._base import instructions, page_number, see_other

NOTIFY_PURPOSE = (
    "Run the notification checks now (expiring certificates without a renewal, failed renewals, "
    "ACME account problems, rate limits) and send what is due by webhook and email. Meant for cron."
)


@metrics_view_config("admin")
def metrics(request):
    return metrics_response(request)


def notification_json(row: Notification) -> dict:
    return {
        "id": sid(row.id),
        "notification_type": row.notification_type,
        "channel": row.channel,
        "target": row.target,
        "dedupe_key": row.dedupe_key,
        "result": row.result,
        "error_text": row.error_text,
        "timestamp_sent": row.timestamp_sent,
        "payload": json.loads(row.payload_json) if row.payload_json else None,
    }


@view_config(route_name="admin:notifications", renderer="/admin/notifications.mako")
@view_config(route_name="admin:notifications|json", renderer="json")
def notifications_list(request):
    query = sa.select(Notification).order_by(Notification.id.desc())
    filters = {}
    kind = request.params.get("notification_type")
    if kind:
        if kind not in notifications.TYPES:
            raise InvalidRequest(
                "invalid notification_type", {"notification_type": ", ".join(notifications.TYPES)}
            )
        query = query.where(Notification.notification_type == kind)
        filters["notification_type"] = kind
    result = request.params.get("result")
    if result:
        try:
            query = query.where(Notification.result == EventResult(result))
        except ValueError:
            raise InvalidRequest("invalid result", {"result": "success or failure"}) from None
        filters["result"] = result
    page = paginate(request.dbsession, query, page_number(request))
    return {
        "result": "success",
        "applied_filters": filters,
        "notifications": [notification_json(row) for row in page.items],
        "pagination": page.as_json(),
    }


@view_config(
    route_name="admin:api:notify", request_method="GET", renderer="/admin/api_operation.mako"
)
@view_config(route_name="admin:api:notify|json", request_method="GET", renderer="json")
def notify_form(request):
    data = instructions("POST to " + NOTIFY_PURPOSE[0].lower() + NOTIFY_PURPOSE[1:], {})
    data["operation"] = "notify"
    return data


@view_config(route_name="admin:api:notify|json", request_method="POST", renderer="json")
def notify_run_json(request):
    summary = notifications.run_checks(request.dbsession, request.app_settings)
    return {"result": "success", "operation": "notify", **summary}


@view_config(route_name="admin:api:notify", request_method="POST")
def notify_run_html(request):
    notifications.run_checks(request.dbsession, request.app_settings)
    return see_other(request, "admin:notifications", "notify")
