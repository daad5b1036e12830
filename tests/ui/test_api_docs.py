"""/api lists every JSON route of the application; /api/openapi.json documents them and validates."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate
from pyramid.interfaces import IRoutesMapper

from peter_sslers.lib import openapi

ADMIN = "/.well-known/admin"


def _routes(app):
    return app.registry.getUtility(IRoutesMapper).get_routes()


def _json_routes(app) -> dict[str, str]:
    return {r.name: "/" + r.pattern.lstrip("/") for r in _routes(app) if r.name.endswith("|json")}


def _template(pattern: str) -> str:
    """A Pyramid pattern as an OpenAPI template, independently of lib.openapi: drop each regex."""
    out, depth, skipping = "", 0, False
    for char in pattern:
        if char == "{":
            depth += 1
            if depth == 1:
                out += char
                continue
        elif char == "}":
            depth -= 1
            if depth == 0:
                skipping = False
                out += char
                continue
        elif char == ":" and depth == 1:
            skipping = True
            continue
        if not skipping:
            out += char
    return out


@pytest.fixture(scope="module")
def client(ui_world):
    return ui_world.client()


@pytest.fixture(scope="module")
def document(client):
    return client.get(ADMIN + "/api/openapi.json").json


def test_api_json_lists_every_json_route(ui_world, client):
    data = client.get(ADMIN + "/api.json").json
    expected = _json_routes(ui_world.app)
    assert "admin:api:openapi|json" in expected
    listed = {r["name"]: r for r in data["routes"]}
    assert set(listed) == set(expected)
    assert data["count"] == len(expected)
    for name, pattern in expected.items():
        route = listed[name]
        assert route["pattern"] == pattern
        assert route["path"] == _template(pattern)
        assert route["methods"], f"{name}: no view answers it"
        assert route["example"]
    # POST routes carry their instructions' form fields; curl examples for POST, URLs for GET
    upload = listed["admin:certificate_signed:upload|json"]
    assert upload["methods"] == ["GET", "POST"]
    assert set(upload["form_fields"]) == {"certificate_file", "private_key_file", "chain_file"}
    assert upload["example"].startswith("curl ") and "ADMIN" not in upload["example"]
    mark = listed["admin:domain:mark|json"]
    assert (
        mark["form_fields"] == {"action": "active or inactive"}
        and "--form action=" in mark["example"]
    )
    focus = listed["admin:certificate_signed:focus|json"]
    assert focus["methods"] == ["GET"] and focus["example"].endswith("/certificate-signed/1.json")
    assert focus["path_parameters"] == [{"name": "id", "type": "integer"}]


def test_api_page_lists_every_json_route(ui_world, client):
    page = client.get(ADMIN + "/api")
    assert page.headers["Content-Type"].startswith("text/html")
    for pattern in _json_routes(ui_world.app).values():
        assert _template(pattern) in page.text
    assert 'href="http://peter-sslers.example/.well-known/admin/api/openapi.json"' in page.text


def test_openapi_document_validates_and_covers_the_route_table(ui_world, document):
    validate(document)
    assert document["openapi"].startswith("3.")
    for name, pattern in _json_routes(ui_world.app).items():
        path = _template(pattern)
        assert path in document["paths"], f"{name} ({path}) missing from openapi.json"
        assert document["paths"][path], f"{name}: no operations"
        # every {param} of the template is declared on each operation
        for operation in document["paths"][path].values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path))


def test_openapi_types_parameters_from_the_route_regex(document):
    focus = document["paths"][ADMIN + "/certificate-signed/{id}.json"]["get"]
    assert focus["parameters"][0]["schema"]["type"] == "integer"
    domain = document["paths"][ADMIN + "/domain/{domain}.json"]["get"]
    assert domain["parameters"][0]["schema"]["type"] == "string"
    download = document["paths"][ADMIN + "/certificate-signed/{id}/{filename}"]["get"]
    filename = next(p for p in download["parameters"] if p["name"] == "filename")
    assert {"cert.pem", "fullchain.pem.txt", "privkey.key"} <= set(filename["schema"]["enum"])


def test_openapi_post_bodies_and_errors(document):
    upload = document["paths"][ADMIN + "/certificate-signed/upload.json"]["post"]
    content = upload["requestBody"]["content"]
    assert set(content) == {"application/x-www-form-urlencoded", "multipart/form-data"}
    multipart = content["multipart/form-data"]["schema"]["properties"]
    assert multipart["certificate_file"] == {
        "type": "string",
        "format": "binary",
        "description": multipart["certificate_file"]["description"],
    }
    assert (
        "format"
        not in content["application/x-www-form-urlencoded"]["schema"]["properties"][
            "certificate_file"
        ]
    )
    assert set(upload["requestBody"]["content"]["multipart/form-data"]["schema"]["required"]) == {
        "certificate_file",
        "private_key_file",
    }
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["result", "status", "error", "form_errors"]
    assert upload["responses"]["4XX"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


@pytest.mark.parametrize(
    "regex, expected",
    [
        (r"cert\.(pem|pem\.txt|cer)", ["cert.pem", "cert.pem.txt", "cert.cer"]),
        (
            r"(chain|fullchain)\.(pem|pem\.txt)",
            ["chain.pem", "chain.pem.txt", "fullchain.pem", "fullchain.pem.txt"],
        ),
        (r"\d+", None),
        (r"[a-z]+", None),
        (r"(a|b", None),
    ],
)
def test_finite_alternatives(regex, expected):
    assert openapi.finite_alternatives(regex) == expected


def test_split_pattern_keeps_nested_braces():
    assert openapi.split_pattern(r"/x/{year:\d{4}}.json") == [
        ("literal", "/x/", None),
        ("param", "year", r"\d{4}"),
        ("literal", ".json", None),
    ]
    path, params = openapi.openapi_path(r"/x/{year:\d{4}}/{name}")
    assert path == "/x/{year}/{name}"
    assert params[0].schema() == {"type": "string", "minLength": 1, "pattern": r"^(?:\d{4})$"}
