"""Admin authentication (htpasswd/bcrypt, bearer tokens), CSRF on forms, secrets encrypted at rest."""

from __future__ import annotations

import base64
import json
import re

import bcrypt
import pytest
import sqlalchemy as sa
import webtest
from cryptography.fernet import Fernet

from peter_sslers import main
from peter_sslers.model import DnsProvider, PrivateKey, encryption
from peter_sslers.scripts.initializedb import initialize
from peter_sslers.scripts.rotate_keys import rotate_all
from peter_sslers.security import new_api_token
from peter_sslers.settings import ConfigurationError, parse_settings
from tests import pki
from tests.conftest import TEST_INI, settings_for

ADMIN = "/.well-known/admin"


def _basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def secured(make_database_url, tmp_path_factory):
    """An app with admin.auth = basic_or_token, its own database and an htpasswd file."""
    htpasswd = tmp_path_factory.mktemp("auth") / "htpasswd"
    digest = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$")
    htpasswd.write_text(f"admin:{digest}\nnobody:not-a-bcrypt-hash\n")
    settings = settings_for(make_database_url("secured"), **{"admin.auth": "basic_or_token",
                                                             "admin.htpasswd_file": str(htpasswd)})
    initialize(TEST_INI, settings)
    application = main({}, **settings)
    with application.registry["dbsession_factory"]() as session, session.begin():
        _, token = new_api_token(session, "ci")
    return webtest.TestApp(application, extra_environ={"HTTP_HOST": "admin.example"}), token


def test_everything_under_the_admin_prefix_needs_credentials(secured):
    app, _ = secured
    for path in ("/", "/index.json", "/settings", "/domains.json", "/certificate-signed/1/cert.pem",
                 "/static/app/app.css", "/no-such-page", ""):
        res = app.get(ADMIN + path, status=401)
        assert "WWW-Authenticate" in res.headers
        assert res.headers["X-Peter-SSLers"] == "test"
    assert app.get(ADMIN + "/index.json", status=401).json["result"] == "error"
    assert "Error 401" in app.get(ADMIN + "/", status=401).text
    # the public routes stay public
    app.get("/.well-known/public/whoami", status=200)
    app.get("/.well-known/acme-challenge/nothing", status=404)


def test_basic_and_token_credentials(secured):
    app, token = secured
    assert app.get(ADMIN + "/index.json", headers=_basic("admin", "s3cret")).json["result"] == "success"
    app.get(ADMIN + "/index.json", headers=_basic("admin", "wrong"), status=401)
    app.get(ADMIN + "/index.json", headers=_basic("nobody", "x"), status=401)
    app.get(ADMIN + "/index.json", headers=_basic("ghost", "s3cret"), status=401)
    app.get(ADMIN + "/index.json", headers={"Authorization": "Basic !!notbase64"}, status=401)
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.get(ADMIN + "/index.json", headers=bearer).json["result"] == "success"
    app.get(ADMIN + "/index.json", headers={"Authorization": "Bearer pss_wrong"}, status=401)


def test_csrf_on_forms_but_not_for_token_clients(secured):
    app, token = secured
    auth = _basic("admin", "s3cret")
    # a form post without the token is refused, even to a .json route (basic auth is ambient)
    res = app.post(ADMIN + "/api/update-recents.json", headers=auth, status=403)
    assert "CSRF" in res.json["error"]
    app.post(ADMIN + "/api/update-recents", headers=auth, status=403)
    # the page's form carries the token: posting it works
    page = app.get(ADMIN + "/api/update-recents", headers=auth)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert app.post(ADMIN + "/api/update-recents.json", {"csrf_token": csrf}, headers=auth).json["result"] == "success"
    app.post(ADMIN + "/api/update-recents.json", {"csrf_token": "forged"}, headers=auth, status=403)
    # scripts with a bearer token need no CSRF token
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.post(ADMIN + "/api/update-recents.json", headers=bearer).json["result"] == "success"


def test_basic_auth_needs_an_htpasswd_file():
    with pytest.raises(ConfigurationError, match="admin.htpasswd_file"):
        parse_settings({"admin.auth": "basic"})
    assert parse_settings({"admin.auth": "token"}).admin_auth == "token"


@pytest.fixture
def encrypted_app(make_database_url):
    key = Fernet.generate_key().decode()
    settings = settings_for(make_database_url("encrypted"), **{"encryption.key": key})
    initialize(TEST_INI, settings)
    application = main({}, **settings)
    yield webtest.TestApp(application), application, key
    encryption.configure([])


def test_private_keys_and_credentials_are_encrypted_at_rest(encrypted_app):
    app, application, key = encrypted_app
    issuer = pki.make_pki()
    leaf = pki.make_leaf(["enc.example.com"], issuer.intermediate)
    data = app.post(ADMIN + "/certificate-signed/upload.json", upload_files=[
        ("certificate_file", "c.pem", leaf.pem.encode()), ("private_key_file", "k.pem", leaf.key_pem.encode()),
        ("chain_file", "ch.pem", issuer.intermediate.pem.encode())]).json
    app.post(ADMIN + "/dns-provider/new.json", {"name": "bind", "provider_type": "rfc2136", "config_json": json.dumps(
        {"server": "127.0.0.1", "tsig_key_name": "k", "tsig_secret": "c2VjcmV0c2VjcmV0"})})
    engine = application.registry["db_engine"]
    with engine.connect() as conn:
        raw_key = conn.execute(sa.text("SELECT key_pem FROM private_key")).scalar_one()
        raw_config = conn.execute(sa.text("SELECT config_json FROM dns_provider")).scalar_one()
    assert raw_key.startswith("fernet:") and "PRIVATE KEY" not in raw_key
    assert raw_config.startswith("fernet:") and "c2VjcmV0" not in raw_config
    # every feature reads it transparently
    key_id, cert_id = data["private_key"]["id"], data["certificate_signed"]["id"]
    assert app.get(f"{ADMIN}/private-key/{key_id}/key.pem").text == leaf.key_pem
    assert app.get(f"{ADMIN}/domain/enc.example.com/config.json").json["certificate_signed__latest_single"]["private_key"]["pem"] == leaf.key_pem
    assert app.get(f"{ADMIN}/certificate-signed/{cert_id}/cert.p12").status_int == 200
    # rotation: new key first, re-encrypt, then the old key can go
    new_key = Fernet.generate_key().decode()
    encryption.configure([new_key, key])
    with application.registry["dbsession_factory"]() as session, session.begin():
        counts = rotate_all(session)
    assert counts["private_key"] == 1 and counts["dns_provider"] == 1
    encryption.configure([new_key])
    with application.registry["dbsession_factory"]() as session:
        assert session.execute(sa.select(PrivateKey.key_pem)).scalar_one() == leaf.key_pem
        assert json.loads(session.execute(sa.select(DnsProvider.config_json)).scalar_one())["tsig_secret"] == "c2VjcmV0c2VjcmV0"
    encryption.configure([Fernet.generate_key().decode()])
    with application.registry["dbsession_factory"]() as session, pytest.raises(encryption.EncryptionError):
        session.execute(sa.select(PrivateKey.key_pem)).scalar_one()
