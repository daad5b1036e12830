"""Error answers: an HTML page for pages, a fixed JSON body with a 4xx/5xx status for .json."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import webtest
from pyramid.config import Configurator

from peter_sslers import configure
from peter_sslers.lib.errors import InvalidRequest
from peter_sslers.model import Domain
from peter_sslers.settings import parse_settings


@pytest.fixture(scope="module")
def error_app(app_settings_raw):
    """The real application plus three routes that fail on purpose."""
    settings = dict(app_settings_raw)
    settings.setdefault("mako.directories", "peter_sslers:templates")
    config = Configurator(settings=settings)
    configure(config, parse_settings(settings))

    def write_then_fail(request):
        request.dbsession.add(Domain(domain_name="must-not-persist.example"))
        request.dbsession.flush()
        raise InvalidRequest("the domain list is invalid", {"domain_names": "bad name: 'x y'"})

    def crash(request):
        raise RuntimeError("boom")

    for name, pattern, view in (
        ("t:bad", "/test/bad", write_then_fail),
        ("t:bad|json", "/test/bad.json", write_then_fail),
        ("t:crash", "/test/crash", crash),
        ("t:crash|json", "/test/crash.json", crash),
    ):
        config.add_route(name, pattern)
        config.add_view(view, route_name=name)
    return webtest.TestApp(config.make_wsgi_app())


def test_json_404_body(testapp, admin_prefix):
    res = testapp.get(admin_prefix + "/nothing-here.json", status=404)
    assert res.content_type == "application/json"
    assert res.json["result"] == "error"
    assert res.json["status"] == 404
    assert res.json["error"]


def test_html_404_page(testapp, admin_prefix):
    res = testapp.get(admin_prefix + "/nothing-here", status=404)
    assert res.content_type == "text/html"
    assert "Error 404" in res.text


def test_method_not_allowed_on_public_route(testapp):
    testapp.post("/.well-known/public/whoami", status=404)


def test_invalid_request_json_is_400_with_form_errors_and_rolls_back(error_app):
    res = error_app.get("/test/bad.json", status=400)
    assert res.json == {
        "result": "error",
        "status": 400,
        "error": "the domain list is invalid",
        "form_errors": {"domain_names": "bad name: 'x y'"},
    }
    assert res.headers["X-Peter-SSLers"] == "test"
    engine = error_app.app.registry["db_engine"]
    with engine.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count()).select_from(Domain).where(Domain.domain_name == "must-not-persist.example")
        ).scalar()
    assert count == 0


def test_invalid_request_html_shows_the_error_next_to_the_field(error_app):
    res = error_app.get("/test/bad", status=400)
    assert "the domain list is invalid" in res.text
    assert "domain_names" in res.text
    assert "&#39;x y&#39;" in res.text or "&#x27;x y&#x27;" in res.text  # escaped


def test_unhandled_error_is_500_without_details(error_app):
    res = error_app.get("/test/crash.json", status=500)
    assert res.json["result"] == "error"
    assert "boom" not in res.text
    res = error_app.get("/test/crash", status=500)
    assert "Error 500" in res.text and "boom" not in res.text
