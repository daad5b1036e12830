"""The fake server answers every advertised route, always with X-Peter-SSLers: fakeserver."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import webtest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tools import fake_server

ADMIN = fake_server.ADMIN
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fakeapp():
    return webtest.TestApp(fake_server.FakeServer(), extra_environ={"HTTP_HOST": "proxy.example"})


def assert_marked(response):
    assert response.headers["X-Peter-SSLers"] == "fakeserver"


def assert_config_entry(entry, domain_name):
    """One certificate entry: string ids and PEMs that belong together."""
    assert isinstance(entry["id"], str)
    for part in ("private_key", "certificate", "chain", "fullchain"):
        assert isinstance(entry[part]["id"], str)
        assert entry[part]["pem"].startswith("-----BEGIN ")
    cert = x509.load_pem_x509_certificate(entry["certificate"]["pem"].encode())
    key = serialization.load_pem_private_key(entry["private_key"]["pem"].encode(), None)
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == [domain_name]
    chain = x509.load_pem_x509_certificate(entry["chain"]["pem"].encode())
    assert cert.issuer == chain.subject
    assert entry["fullchain"]["pem"] == entry["certificate"]["pem"] + entry["chain"]["pem"]


def assert_domain_payload(payload, domain_name):
    assert set(payload) == {
        "domain",
        "certificate_signed__latest_single",
        "certificate_signed__latest_multi",
    }
    assert payload["domain"] == {"id": "1", "domain_name": domain_name}
    assert payload["certificate_signed__latest_single"] is None
    assert_config_entry(payload["certificate_signed__latest_multi"], domain_name)


def test_acme_challenge_echoes_the_token(fakeapp):
    response = fakeapp.get("/.well-known/acme-challenge/tok-123_abc")
    assert_marked(response)
    assert response.content_type == "text/plain"
    assert response.text == "tok-123_abc.fakekeyauth"


def test_whoami_names_the_host(fakeapp):
    response = fakeapp.get("/.well-known/public/whoami")
    assert_marked(response)
    assert response.text == "proxy.example\n"


def test_admin_index_page_and_json(fakeapp):
    assert_marked(fakeapp.get(ADMIN, status=302))
    page = fakeapp.get(ADMIN + "/")
    assert_marked(page)
    assert page.content_type == "text/html"
    assert ADMIN + "/domain/example.com/config.json" in page.text
    data = fakeapp.get(ADMIN + "/index.json")
    assert_marked(data)
    assert data.json["result"] == "success"
    assert data.json["version"] == "fakeserver"


def test_domain_config_is_a_real_certificate_for_the_name(fakeapp):
    response = fakeapp.get(ADMIN + "/domain/shop.example.net/config.json")
    assert_marked(response)
    assert response.content_type == "application/json"
    assert_domain_payload(response.json, "shop.example.net")
    # cached: the same name gets the same certificate
    again = fakeapp.get(ADMIN + "/domain/shop.example.net/config.json")
    assert again.json == response.json


def test_domain_config_accepts_a_numeric_id(fakeapp):
    payload = fakeapp.get(ADMIN + "/domain/7/config.json").json
    assert payload["domain"] == {"id": "7", "domain_name": "example.com"}
    assert_config_entry(payload["certificate_signed__latest_multi"], "example.com")


def test_certificate_signed_config(fakeapp):
    response = fakeapp.get(ADMIN + "/certificate-signed/42/config.json")
    assert_marked(response)
    assert response.json["id"] == "42"
    assert_config_entry(response.json, "example.com")
    assert_marked(fakeapp.get(ADMIN + "/certificate-signed/abc/config.json", status=404))


def test_autocert_post_answers_the_domain_payload(fakeapp):
    response = fakeapp.post(
        ADMIN + "/api/domain/autocert.json", {"domain_name": "auto.example.com"}
    )
    assert_marked(response)
    assert_domain_payload(response.json, "auto.example.com")


def test_autocert_without_domain_name_is_a_form_error(fakeapp):
    response = fakeapp.post(ADMIN + "/api/domain/autocert.json", {}, status=400)
    assert_marked(response)
    assert response.json["result"] == "error"
    assert "domain_name" in response.json["form_errors"]
    instructions = fakeapp.get(ADMIN + "/api/domain/autocert.json")
    assert "domain_name" in instructions.json["form_fields"]


def test_autocert_body_without_content_type_is_read_as_a_form(fake):
    """nginx/lua callers often POST a bare body; http.client sends no Content-Type of its own."""
    connection = http.client.HTTPConnection(fake.url.removeprefix("http://"), timeout=10)
    try:
        connection.request(
            "POST", ADMIN + "/api/domain/autocert.json", body=b"domain_name=bare.example.com"
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert response.getheader("X-Peter-SSLers") == "fakeserver"
    assert_domain_payload(json.loads(body), "bare.example.com")


def test_uploads_are_recorded_and_deduplicated(fakeapp):
    files = [
        ("private_key_file", "privkey1.pem", b"KEY"),
        ("certificate_file", "cert1.pem", b"CERT"),
        ("chain_file", "chain1.pem", b"CHAIN"),
    ]
    first = fakeapp.post(ADMIN + "/certificate-signed/upload.json", upload_files=files)
    assert_marked(first)
    assert first.json == {"result": "success", "certificate_signed": {"id": "1", "created": True}}
    second = fakeapp.post(ADMIN + "/certificate-signed/upload.json", upload_files=files)
    assert second.json["certificate_signed"] == {"id": "1", "created": False}
    received = fakeapp.app.received
    assert len(received) == 2
    assert received[0]["route"] == "certificate-signed/upload.json"
    assert received[0]["files"]["certificate_file"] == ("cert1.pem", "CERT")


def test_account_upload_needs_every_field(fakeapp):
    url = ADMIN + "/acme-account/upload.json"
    files = [
        ("certbot_private_key_json", "private_key.json", b"{}"),
        ("certbot_regr_json", "regr.json", b"{}"),
        ("certbot_meta_json", "meta.json", b"{}"),
    ]
    answer = fakeapp.post(
        url, {"certbot_server": "acme-v02.api.letsencrypt.org/directory"}, upload_files=files
    )
    assert answer.json["acme_account"] == {"id": "1", "created": True}
    assert fakeapp.app.received[0]["fields"] == {
        "certbot_server": "acme-v02.api.letsencrypt.org/directory"
    }
    incomplete = fakeapp.post(url, upload_files=files[:2], status=400)
    assert_marked(incomplete)
    assert set(incomplete.json["form_errors"]) == {"certbot_meta_json", "certbot_server"}
    assert "form_fields" in fakeapp.get(url).json


def test_unknown_paths_and_methods(fakeapp):
    json_404 = fakeapp.get(ADMIN + "/nothing/here.json", status=404)
    assert_marked(json_404)
    assert json_404.json["result"] == "error"
    text_404 = fakeapp.get("/elsewhere", status=404)
    assert_marked(text_404)
    assert text_404.content_type == "text/plain"
    wrong_method = fakeapp.post(ADMIN + "/index.json", status=405)
    assert_marked(wrong_method)
    assert "GET" in wrong_method.headers["Allow"]
    head = fakeapp.head("/.well-known/public/whoami")
    assert_marked(head)
    assert head.body == b""


def test_every_route_is_marked_over_http(fake):
    session = requests.Session()
    session.trust_env = False
    for path in (
        "/.well-known/acme-challenge/token",
        "/.well-known/public/whoami",
        ADMIN + "/",
        ADMIN + "/index.json",
        ADMIN + "/domain/example.com/config.json",
        ADMIN + "/certificate-signed/1/config.json",
        ADMIN + "/missing.json",
    ):
        response = session.get(fake.url + path, timeout=10)
        assert response.headers["X-Peter-SSLers"] == "fakeserver", path
        assert response.status_code == (404 if "missing" in path else 200), path


def test_runs_as_a_script():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "fake_server.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        session = requests.Session()
        session.trust_env = False
        url = f"http://127.0.0.1:{port}/.well-known/public/whoami"
        deadline = time.monotonic() + 15
        while True:
            try:
                response = session.get(url, timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.headers["X-Peter-SSLers"] == "fakeserver"
        assert response.text == f"127.0.0.1:{port}\n"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
