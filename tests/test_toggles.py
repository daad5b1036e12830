"""enable_views_public / enable_views_admin switch whole route sets; the example inis start."""

from __future__ import annotations

from pathlib import Path

import webtest
from pyramid.paster import get_appsettings

from peter_sslers import main
from peter_sslers.settings import parse_settings

ROOT = Path(__file__).resolve().parent.parent


def _app(app_settings_raw, **overrides):
    return webtest.TestApp(main({}, **{**app_settings_raw, **overrides}), extra_environ={"HTTP_HOST": "h.example"})


def test_admin_off(app_settings_raw):
    app = _app(app_settings_raw, enable_views_admin="false")
    app.get("/.well-known/admin/", status=404)
    app.get("/.well-known/admin/index.json", status=404)
    app.get("/.well-known/admin/static/bootstrap/css/bootstrap.min.css", status=404)
    assert app.get("/.well-known/public/whoami").text.strip() == "h.example"


def test_public_off(app_settings_raw):
    app = _app(app_settings_raw, enable_views_public="false")
    app.get("/.well-known/public/whoami", status=404)
    app.get("/.well-known/acme-challenge/abc", status=404)
    app.get("/.well-known/admin/index.json", status=200)


def test_custom_admin_prefix(app_settings_raw):
    app = _app(app_settings_raw, admin_prefix="/private/peter")
    assert app.get("/private/peter/index.json").json["result"] == "success"
    app.get("/.well-known/admin/index.json", status=404)
    assert 'href="/private/peter/settings"' in app.get("/private/peter/").text


def test_production_ini_has_admin_off_and_public_on():
    production = parse_settings(get_appsettings(str(ROOT / "example_production.ini")))
    assert production.enable_views_admin is False
    assert production.enable_views_public is True
    assert production.peter_sslers_environment == "production"
    development = parse_settings(get_appsettings(str(ROOT / "example_development.ini")))
    assert development.enable_views_admin is True and development.enable_views_public is True


def test_production_ini_app_serves_no_admin(app_settings_raw):
    production = dict(get_appsettings(str(ROOT / "example_production.ini")))
    production["sqlalchemy.url"] = app_settings_raw["sqlalchemy.url"]
    app = webtest.TestApp(main({}, **production))
    res = app.get("/.well-known/admin/", status=404)
    assert res.headers["X-Peter-SSLers"] == "production"
    app.get("/.well-known/public/whoami", status=200)
