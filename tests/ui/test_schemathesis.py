"""Property-based fuzzing of the JSON API from its own OpenAPI document: no input gives a 5xx.

Runs on an application of its own (its own database, filled like the other UI tests), so the
POST operations it fuzzes cannot disturb them. POST operations that would talk to an ACME server,
nginx or Redis are left out: their failures are the network's, and they would be slow.
"""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest
import schemathesis
import webtest
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from tests.ui.conftest import ADMIN, make_world

MAX_EXAMPLES = 6
# POST operations that stay inside the database: uploads, marks, preferences, local maintenance
LOCAL_POSTS = re.compile(
    r":(upload|upload_cert|upload_chain|mark|preferences|update_recents|deactivate_expired|edit_defaults|"
    r"mark_global_default|mark_invalid|auto_renew)\|json$"
    r"|^admin:acme_flow:|^admin:dns_provider:new\|json$|^admin:queue_domains:add\|json$"
)


@pytest.fixture(scope="module")
def schema(make_database_url):
    world = make_world(make_database_url("fuzz"))
    return schemathesis.openapi.from_wsgi(ADMIN + "/api/openapi.json", world.app)


def _wanted(operation) -> bool:
    if operation.method.upper() == "GET":
        return True
    return bool(LOCAL_POSTS.search(operation.definition.raw.get("x-pyramid-route", "")))


def _reproduce(exc: BaseException) -> str:
    """The curl line schemathesis prints, or the start of the message."""
    text = str(exc)
    found = re.search(r"curl -X .*", text)
    return found.group(0)[:400] if found else text[:400]


def test_no_server_error_on_generated_input(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    chosen = [op for op in operations if _wanted(op)]
    assert len(chosen) > 60, "the OpenAPI document lost its operations"
    failures: list[str] = []
    started = time.monotonic()
    for operation in chosen:

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])

        try:
            fuzz()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # schemathesis raises an exception group: collect them all
            failures.append(f"{operation.method.upper()} {operation.path}: {_reproduce(exc)}")
    elapsed = time.monotonic() - started
    assert not failures, f"{len(failures)} operations answered 5xx:\n" + "\n\n".join(failures)
    assert elapsed < 90, f"fuzzing took {elapsed:.0f}s"


# inputs random generation rarely hits: a 20-digit id (beyond a 64-bit integer), a digit that
# str.isdigit() accepts but int() refuses, a negative number, a value outside any enum
EDGE_PATH_VALUES = {"integer": "99999999999999999999"}
EDGE_QUERY_VALUES = ("\u00b2", "-1", "zzz")


def _edge_requests(document: dict):
    """(why, path, query) for each GET operation: a huge id, then odd values of each query parameter."""
    for path, item in document["paths"].items():
        operation = item.get("get")
        if not operation:
            continue
        params = operation.get("parameters", [])
        concrete, why = path, "no parameters"
        for param in (p for p in params if p["in"] == "path"):
            schema = param["schema"]
            if schema["type"] in EDGE_PATH_VALUES:
                value, why = EDGE_PATH_VALUES[schema["type"]], "a 20-digit id in the path"
            else:
                value = (schema.get("enum") or ["example.com"])[0]
            concrete = concrete.replace("{" + param["name"] + "}", value)
        yield why, concrete, {}
        if why != "no parameters":  # the odd query values are tried on an existing object's path
            concrete = re.sub(r"/9{20}", "/1", concrete)
        for param in (p for p in params if p["in"] == "query"):
            for value in EDGE_QUERY_VALUES:
                yield f"{param['name']}={value!r}", concrete, {param["name"]: value}


def test_no_server_error_on_edge_inputs(schema):
    client = webtest.TestApp(schema.app, extra_environ={"HTTP_HOST": "peter-sslers.example"})
    failures: dict[str, list[str]] = {}
    for why, path, query in _edge_requests(schema.raw_schema):
        response = client.get(path, query, expect_errors=True)
        if response.status_int >= 500:
            url = path + (f"?{urllib.parse.urlencode(query)}" if query else "")
            failures.setdefault(why, []).append(url)
    report = "\n".join(
        f"{why}: {len(urls)} routes, e.g. {', '.join(urls[:3])}" for why, urls in failures.items()
    )
    assert not failures, "5xx on edge inputs:\n" + report
