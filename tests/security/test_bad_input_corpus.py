"""Every upload, form and ``.json`` route fed malformed, truncated, mismatched, oversized and
wrong-type input (the table is ``corpus.py``): each answers a 4xx with a clear message, and the
database is unchanged afterwards (row counts of every table, and the rows themselves).

Cases marked ``bug`` are strict xfails: they document the expected behaviour of a defect the
application has today; fix the defect and remove the mark.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import database_kind
from tests.security.corpus import CORPUS, Case, resolve_case
from tests.store.conftest import ADMIN


def _param(case: Case):
    marks = []
    if case.bug:
        applies = case.bug_db is None or database_kind() == case.bug_db
        marks.append(pytest.mark.xfail(applies, strict=True, reason=case.bug))
    return pytest.param(case, id=case.id, marks=marks)


def send(testapp, case: Case, world):
    req = resolve_case(case, world)
    url = ADMIN + req["path"] + ("?" + case.query if case.query else "")
    if req["body"] is not None:
        return testapp.request(url, method=case.method, body=req["body"], content_type=case.content_type,
                               expect_errors=True)
    if case.method == "GET":
        return testapp.get(url, status="*")
    if case.method == "POST":
        return testapp.post(url, params=req["fields"], upload_files=req["files"] or None, status="*")
    return testapp.request(url, method=case.method, expect_errors=True)


def _changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


def check_error_body(case: Case, res) -> None:
    """The JSON error document on ``.json`` routes, an HTML error page (no traceback) elsewhere."""
    if case.is_json:
        assert res.content_type == "application/json", res.content_type
        body = res.json
        assert body["result"] == "error", body
        assert body["status"] == res.status_int, body
        assert isinstance(body["error"], str) and body["error"].strip(), body
        assert isinstance(body["form_errors"], dict), body
        if case.error_key:
            assert case.error_key in body["form_errors"], body
            assert str(body["form_errors"][case.error_key]).strip(), body
        if case.message:
            said = (body["error"] + " " + json.dumps(body["form_errors"])).lower()
            assert case.message.lower() in said, body
    else:
        assert res.content_type == "text/html", res.content_type
        text = res.text
        assert "<html" in text and f"Error {res.status_int}" in text, text[:500]
        assert "Traceback" not in text and not re.search(r'File "[^"]+", line \d+', text), text[:2000]
        if case.error_key:
            assert case.error_key in text, text[:2000]
        if case.message:
            assert case.message in text, text[:2000]


@pytest.mark.parametrize("case", [_param(case) for case in CORPUS])
def test_bad_input_is_refused_and_changes_nothing(case, world, testapp, row_counts, db_digest, network_log):
    counts_before, rows_before = row_counts(), db_digest.baseline

    res = send(testapp, case, world)

    assert res.status_int < 500, f"{res.status}: {res.text[:1500]}"
    assert res.status_int in case.statuses, f"expected {case.statuses}, got {res.status}: {res.text[:1500]}"
    assert 400 <= res.status_int < 500
    check_error_body(case, res)
    counts_after = row_counts()
    assert counts_after == counts_before, {
        name: (counts_before[name], counts_after[name]) for name in _changed_tables(counts_before, counts_after)
    }
    rows_after = db_digest.current()
    assert rows_after == rows_before, f"rows changed in: {_changed_tables(rows_before, rows_after)}"
    assert network_log.attempts == [], f"refused input reached the network: {network_log.attempts}"


# ---- the corpus itself ------------------------------------------------------------------------

# POST routes with no input to refuse without an ACME server, nginx or Redis (or none at all)
NOTHING_TO_REFUSE = {
    "/api/update-recents.json": "no input",
    "/api/deactivate-expired.json": "no input",
    "/api/reconcile-cas.json": "no input (downloads AIA issuers)",
    "/api/notify.json": "no input",
    "/queue-certificates/update.json": "only ari=0/1, anything else means 1",
    "/acme-account/{id}/deactivate-pending-authorizations.json": "no input; talks to the ACME server",
}


def _pattern(path: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(path)) + "$")


def test_the_corpus_is_large_and_covers_every_post_route(testapp, world):
    assert len(CORPUS) >= 150
    routes = testapp.get(ADMIN + "/api.json").json["routes"]
    post_routes = {r["path"].removeprefix(ADMIN) for r in routes if "POST" in r["methods"]}
    assert post_routes, routes
    case_paths = {resolve_case(case, world)["path"] for case in CORPUS if case.method == "POST"}
    missing = sorted(
        route for route in post_routes - set(NOTHING_TO_REFUSE)
        if not any(_pattern(route).match(path) for path in case_paths)
    )
    assert missing == [], f"POST routes without a bad-input case: {missing}"
    # every listing's paging is attacked, and every route with an id has an unknown-id case
    get_routes = {r["path"].removeprefix(ADMIN) for r in routes}
    id_routes = sorted(r for r in get_routes if "{id}" in r)
    probed = {resolve_case(case, world)["path"] for case in CORPUS if case.id.startswith(("unknown-id-", "id-"))}
    unprobed = [r for r in id_routes if not any(_pattern(r).match(path) for path in probed)]
    assert unprobed == [], f"routes with an id and no unknown-id case: {unprobed}"
