"""Dashboard, settings and help pages, each with its .json twin; static assets served locally."""

from __future__ import annotations

import datetime

from peter_sslers.model import OperationsEvent
from peter_sslers.settings import OPTIONS


def test_bare_prefix_redirects_to_dashboard(testapp, admin_prefix):
    res = testapp.get(admin_prefix, status=302)
    assert res.location.endswith(admin_prefix + "/")


def test_dashboard_html_and_json_agree(testapp, admin_prefix, dbsession):
    dbsession.add(OperationsEvent(event_type="test_event", payload_json='{"n": 1}'))
    dbsession.commit()
    html = testapp.get(admin_prefix + "/")
    data = testapp.get(admin_prefix + "/index.json").json
    assert data["result"] == "success"
    assert set(data["counts"]) >= {"domains", "certificates_active", "acme_orders", "queue_certificates"}
    assert "Dashboard" in html.text and "Needs attention" in html.text
    assert data["recent_operations"][0]["event_type"] == "test_event"
    assert data["recent_operations"][0]["id"].isdigit()  # ids are strings
    assert "test_event" in html.text
    datetime.datetime.fromisoformat(data["recent_operations"][0]["timestamp_event"])


def test_dashboard_shows_what_needs_attention(testapp, admin_prefix, dbsession):
    from peter_sslers.model.meta import utcnow
    from tests import factories

    before = testapp.get(admin_prefix + "/index.json").json["counts"]
    now = utcnow()
    factories.certificate_signed_row(dbsession, not_after=now - datetime.timedelta(days=1))
    factories.certificate_signed_row(dbsession, not_after=now + datetime.timedelta(days=3))
    factories.certificate_signed_row(dbsession, not_after=now + datetime.timedelta(days=20))
    factories.certificate_signed_row(dbsession, not_after=now - datetime.timedelta(days=1), is_active=False)
    dbsession.commit()
    data = testapp.get(admin_prefix + "/index.json").json
    counts = data["counts"]
    assert counts["certificates_expired_active"] == before["certificates_expired_active"] + 1
    assert counts["certificates_expiring_7d"] == before["certificates_expiring_7d"] + 1
    assert counts["certificates_expiring_30d"] == before["certificates_expiring_30d"] + 2
    assert counts["certificates_signed"] == before["certificates_signed"] + 4
    attention = {item["key"]: item for item in data["attention"]}
    assert attention["certificates_expired_active"]["level"] == "danger"
    assert "certificates_expiring_7d" in attention
    html = testapp.get(admin_prefix + "/").text
    assert "active certificates have expired" in html


def test_settings_page_documents_every_option(testapp, admin_prefix):
    data = testapp.get(admin_prefix + "/settings.json").json
    listed = {row["option"]: row for row in data["settings"]}
    assert set(listed) == {option.key for option in OPTIONS}
    assert listed["admin_prefix"]["value"] == "/.well-known/admin"
    assert listed["redis.prime_style"]["value"] == "1"
    assert all(row["help"] for row in data["settings"])
    html = testapp.get(admin_prefix + "/settings").text
    for option in OPTIONS:
        assert option.key in html


def test_help_page(testapp, admin_prefix):
    data = testapp.get(admin_prefix + "/help.json").json
    titles = [section["title"] for section in data["sections"]]
    assert any("AcmeOrder" in t for t in titles)
    html = testapp.get(admin_prefix + "/help").text
    assert "UniqueFQDNSet" in html and "prequest" in html


def test_bootstrap_and_app_css_are_served_locally(testapp, admin_prefix):
    page = testapp.get(admin_prefix + "/").text
    assert "cdn" not in page.lower()
    css = testapp.get(admin_prefix + "/static/bootstrap/css/bootstrap.min.css")
    assert css.content_type == "text/css" and "Bootstrap" in css.text[:300]
    assert "pem" in testapp.get(admin_prefix + "/static/app/app.css").text


def test_every_response_has_the_environment_header(testapp, admin_prefix):
    for path, status in (
        (admin_prefix + "/", 200),
        (admin_prefix + "/index.json", 200),
        (admin_prefix + "/no-such-page", 404),
        (admin_prefix + "/no-such-page.json", 404),
        ("/.well-known/public/whoami", 200),
        ("/.well-known/acme-challenge/nothing", 404),
        (admin_prefix + "/static/app/app.css", 200),
    ):
        res = testapp.get(path, status=status)
        assert res.headers["X-Peter-SSLers"] == "test", path
