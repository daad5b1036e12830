"""``/metrics``: Prometheus text, computed from the database on each scrape.

The ``metrics`` route lives under admin_prefix (``metrics.location = admin``) or at the root
(``public``), and only exists with ``metrics.enabled``. Either scan (public or admin views)
may be the one that runs, so the view is registered by whichever area ``serving_area`` names:
exactly one registration when the route exists, none otherwise. The page never holds key
material, so serving it publicly exposes counts and domain names only.
"""

from __future__ import annotations

import venusian
from pyramid.response import Response

from ...lib import metrics as metrics_lib


def serving_area(settings) -> str | None:
    """Which scanned view package registers the metrics view: "admin", "public" or None."""
    if not settings.metrics_enabled:
        return None
    if settings.metrics_location == "admin":
        return "admin" if settings.enable_views_admin else None
    if settings.enable_views_public:
        return "public"
    return "admin" if settings.enable_views_admin else None


def metrics_view_config(area: str):
    """Like ``@view_config(route_name="metrics")``, but only when ``area`` serves the route."""

    def decorate(wrapped):
        def register(context, name, ob):
            config = context.config
            if serving_area(config.registry["app_settings"]) == area:
                config.add_view(ob, route_name="metrics", request_method="GET")

        venusian.attach(wrapped, register, category="pyramid")
        return wrapped

    return decorate


def metrics_response(request) -> Response:
    response = Response(metrics_lib.render(request.dbsession))
    response.headers["Content-Type"] = metrics_lib.CONTENT_TYPE
    response.cache_control = "no-store"
    return response


@metrics_view_config("public")
def metrics(request):
    return metrics_response(request)
