"""The route table is asserted whole, and every registered route must be exercised by a test."""

from __future__ import annotations

import pytest
from pyramid.interfaces import IRoutesMapper

from tests import route_coverage

PREFIX = "/.well-known/admin"

EXPECTED_ROUTES = [
    ("public:acme_challenge", "/.well-known/acme-challenge/{token}"),
    ("public:whoami", "/.well-known/public/whoami"),
    ("admin:root", PREFIX),
    ("admin:dashboard", PREFIX + "/"),
    ("admin:dashboard|json", PREFIX + "/index.json"),
    ("admin:settings", PREFIX + "/settings"),
    ("admin:settings|json", PREFIX + "/settings.json"),
    ("admin:help", PREFIX + "/help"),
    ("admin:help|json", PREFIX + "/help.json"),
    ("__" + PREFIX + "/static/bootstrap/", PREFIX + "/static/bootstrap/*subpath"),
    ("__" + PREFIX + "/static/app/", PREFIX + "/static/app/*subpath"),
]


def registered_routes(app):
    return app.registry.getUtility(IRoutesMapper).get_routes()


def test_route_table(app):
    # pyramid stores prefixed patterns without their leading slash
    table = [(r.name, "/" + r.pattern.lstrip("/")) for r in registered_routes(app)]
    assert table == EXPECTED_ROUTES


def test_every_admin_page_has_a_json_twin(app):
    names = {r.name for r in registered_routes(app)}
    pages = {n for n in names if n.startswith("admin:") and not n.endswith("|json")}
    pages -= {"admin:root"}
    for name in pages:
        assert name + "|json" in names, f"{name} has no .json twin"


def test_every_route_is_exercised(app, request):
    """Runs last (see conftest); only meaningful when the whole suite ran."""
    session = request.session
    if session.config.option.keyword or session.config.option.markexpr or session.testsfailed:
        pytest.skip("route coverage is checked on a full, passing run")
    if len(session.items) < 20 or any("::" in str(arg) for arg in session.config.args):
        pytest.skip("route coverage is checked on a full run of the suite")
    missing = {r.name for r in registered_routes(app)} - route_coverage.REQUESTED
    assert not missing, f"routes no test requests: {sorted(missing)}"
