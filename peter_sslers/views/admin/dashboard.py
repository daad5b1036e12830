"""The dashboard, the settings page and the help page."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from ... import __version__
from ...lib.db import stats
from ...settings import describe
from ..help_text import HELP_SECTIONS


@view_config(route_name="admin:root")
def admin_root(request):
    return HTTPFound(request.route_path("admin:dashboard"))


@view_config(route_name="admin:dashboard", renderer="/admin/dashboard.mako")
@view_config(route_name="admin:dashboard|json", renderer="json")
def dashboard(request):
    counts = stats.dashboard_counts(request.dbsession)
    return {
        "result": "success",
        "version": __version__,
        "counts": counts,
        "attention": stats.attention_items(counts),
        "recent_operations": stats.recent_operations(request.dbsession),
        "expirations_by_week": stats.expirations_by_week(request.dbsession),
    }


@view_config(route_name="admin:settings", renderer="/admin/settings.mako")
@view_config(route_name="admin:settings|json", renderer="json")
def settings_page(request):
    return {"result": "success", "settings": describe(request.app_settings)}


@view_config(route_name="admin:help", renderer="/admin/help.mako")
@view_config(route_name="admin:help|json", renderer="json")
def help_page(request):
    return {"result": "success", "sections": HELP_SECTIONS}
