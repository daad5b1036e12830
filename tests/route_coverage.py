"""Which routes the tests have requested, to prove every registered route is exercised."""

from __future__ import annotations

from pyramid.interfaces import IContextFound

REQUESTED: set[str] = set()


def _record(event) -> None:
    route = getattr(event.request, "matched_route", None)
    if route is not None:
        REQUESTED.add(route.name)


def install(registry) -> None:
    """Subscribe to ContextFound on the application's registry (fires once a route matched)."""
    registry.registerHandler(_record, (IContextFound,))
