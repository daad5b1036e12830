"""The dashboard histogram's numbers (one grouped query) and the SVG charts' markup."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

from peter_sslers.lib import charts
from peter_sslers.lib.db import stats
from tests import factories

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime.datetime(2030, 3, 4, 15, 30, tzinfo=datetime.timezone.utc)


def test_expirations_by_week_buckets_active_certificates(dbsession):
    day = datetime.timedelta(days=1)
    for offset, active in (
        (-1, True),
        (0.5, True),
        (6.2, True),
        (7.0, True),
        (20, False),
        (40, True),
        (90.2, True),
        (91.0, True),
    ):
        factories.certificate_signed_row(dbsession, not_after=NOW + offset * day, is_active=active)
    weeks = stats.expirations_by_week(dbsession, now=NOW)
    assert len(weeks) == 13
    assert weeks[0]["week_start"] == datetime.date(2030, 3, 4)
    assert weeks[12]["week_start"] == datetime.date(2030, 5, 27)
    counts = [w["count"] for w in weeks]
    # today's midnight starts week 0: +0.5 and +6.2 days (before 2030-03-11 00:00) fall in it,
    # +7.0 days (15:30 on the 11th) in week 1, +90.2 days in the last; expired, inactive and
    # later ones (+91 days is past 2030-06-03 00:00) nowhere
    assert counts[0] == 2 and counts[1] == 1 and counts[5] == 1 and counts[12] == 1
    assert sum(counts) == 5


def test_dashboard_json_carries_the_histogram_numbers(testapp):
    data = testapp.get("/.well-known/admin/index.json").json
    weeks = data["expirations_by_week"]
    assert len(weeks) == 13 and set(weeks[0]) == {"week_start", "count"}
    datetime.date.fromisoformat(weeks[0]["week_start"])


def test_histogram_svg_is_accessible_and_escaped():
    weeks = [
        {"week_start": datetime.date(2030, 3, 4) + datetime.timedelta(days=7 * i), "count": i % 3}
        for i in range(13)
    ]
    svg = charts.expirations_histogram(weeks, chart_id='x"<y>')
    root = ET.fromstring(svg)  # well-formed XML: every text and attribute escaped
    assert root.get("role") == "img" and "title" in root.get("aria-labelledby")
    assert root.find(f"{SVG}title").text == "Active certificates expiring per week"
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 13
    assert bars[1].find(f"{SVG}title").text == "Week of 2030-03-11: 1 certificate"
    assert "12 active certificates" in root.find(f"{SVG}desc").text


def test_timeline_svg_marks_today_and_states():
    def cert(i, start, end, **kw):
        return {
            "id": i,
            "timestamp_not_before": NOW + datetime.timedelta(days=start),
            "timestamp_not_after": NOW + datetime.timedelta(days=end),
            "is_active": True,
            "is_revoked": False,
            **kw,
        }

    certs = [
        cert(3, -10, 80),
        cert(2, -100, -10),
        cert(1, -50, 40, is_revoked=True),
        cert("<b>", 0, 1),
    ]
    root = ET.fromstring(charts.certificate_timeline(certs, NOW))
    titles = [r.find(f"{SVG}title").text for r in root.findall(f"{SVG}rect")]
    assert titles[0].startswith("Certificate 3 (active)")
    assert titles[1].startswith("Certificate 2 (expired)")
    assert titles[2].startswith("Certificate 1 (revoked)")
    assert titles[3].startswith("Certificate <b> (active)")
    assert any(t.text == "today" for t in root.iter(f"{SVG}text"))
    assert charts.certificate_state(certs[1], NOW) == "expired"
