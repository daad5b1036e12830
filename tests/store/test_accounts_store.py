"""ACME accounts in the store: PEM upload, certbot's files, one key never on two accounts."""

from __future__ import annotations

import json

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa

from peter_sslers.lib.cert_utils import b64url_encode
from peter_sslers.model import AcmeAccountKey, AcmeServer
from tests import pki as pki_module
from tests.store.conftest import ADMIN


def _int_b64(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def certbot_jwk(key: rsa.RSAPrivateKey) -> dict:
    numbers = key.private_numbers()
    public = numbers.public_numbers
    return {
        "kty": "RSA", "n": _int_b64(public.n), "e": _int_b64(public.e), "d": _int_b64(numbers.d),
        "p": _int_b64(numbers.p), "q": _int_b64(numbers.q), "dp": _int_b64(numbers.dmp1),
        "dq": _int_b64(numbers.dmq1), "qi": _int_b64(numbers.iqmp),
    }


def _server_id(dbsession, name: str) -> str:
    return str(dbsession.execute(sa.select(AcmeServer.id).where(AcmeServer.name == name)).scalar_one())


def test_pem_account_upload(testapp, dbsession):
    key = pki_module.key_pem(pki_module.ec_key())
    staging = _server_id(dbsession, "letsencrypt_staging")
    fields = {"acme_server_id": staging, "contact": "ops@example.com"}
    data = testapp.post(ADMIN + "/acme-account/upload.json", fields, upload_files=[("account_key_file", "k.pem", key.encode())]).json
    account = data["acme_account"]
    assert account["created"] is True and account["contact"] == "ops@example.com"
    assert account["acme_server_id"] == staging
    again = testapp.post(ADMIN + "/acme-account/upload.json", fields, upload_files=[("account_key_file", "k.pem", key.encode())]).json
    assert again["acme_account"] == {**account, "created": False}
    # the same key on another server is refused
    production = _server_id(dbsession, "letsencrypt")
    res = testapp.post(
        ADMIN + "/acme-account/upload.json", {"acme_server_id": production},
        upload_files=[("account_key_file", "k.pem", key.encode())], status=409,
    )
    assert "another ACME server" in res.json["error"]
    focus = testapp.get(f"{ADMIN}/acme-account/{account['id']}.json").json
    key_id = focus["acme_account_keys"][0]["id"]
    assert focus["acme_server"]["name"] == "letsencrypt_staging"
    assert testapp.get(f"{ADMIN}/acme-account-key/{key_id}.json").json["acme_account_key"]["jwk_thumbprint"]
    assert testapp.get(f"{ADMIN}/acme-account-key/{key_id}/key.pem").text == key
    assert testapp.get(f"{ADMIN}/acme-account-key/{key_id}/key.key").content_type == "application/pkcs8"
    for path in (f"/acme-account/{account['id']}", f"/acme-account-key/{key_id}", "/acme-servers"):
        testapp.get(ADMIN + path)
    assert len(testapp.get(ADMIN + "/acme-servers.json").json["acme_servers"]) >= 2


def test_pem_account_bad_input(testapp, dbsession):
    key = pki_module.key_pem(pki_module.ec_key()).encode()
    staging = _server_id(dbsession, "letsencrypt_staging")
    for fields, upload, field in (
        ({}, [("account_key_file", "k.pem", key)], "acme_server_id"),
        ({"acme_server_id": staging}, [("account_key_file", "k.pem", b"garbage")], "account_key_file"),
        ({"acme_server_id": staging, "contact": "not-an-email"}, [("account_key_file", "k.pem", key)], "contact"),
        ({"acme_server_id": staging}, [], "account_key_file"),
    ):
        res = testapp.post(ADMIN + "/acme-account/upload.json", fields, upload_files=upload, status=400)
        assert field in res.json["form_errors"], res.json
    testapp.post(ADMIN + "/acme-account/upload.json", {"acme_server_id": "99999"},
                 upload_files=[("account_key_file", "k.pem", key)], status=404)


def test_certbot_account_upload(testapp, dbsession):
    key = pki_module.rsa_key()
    regr = {"body": {"contact": ["mailto:certbot@example.com"], "status": "valid"},
            "uri": "https://acme-staging-v02.api.letsencrypt.org/acme/acct/4242"}
    meta = {"creation_dt": "2024-01-02T03:04:05Z", "creation_host": "web1.example.com"}
    files = [
        ("certbot_private_key_json", "private_key.json", json.dumps(certbot_jwk(key)).encode()),
        ("certbot_regr_json", "regr.json", json.dumps(regr).encode()),
        ("certbot_meta_json", "meta.json", json.dumps(meta).encode()),
    ]
    data = testapp.post(
        ADMIN + "/acme-account/upload.json", {"certbot_server": "acme-staging-v02.api.letsencrypt.org/directory"},
        upload_files=files,
    ).json["acme_account"]
    assert data["acme_server_id"] == _server_id(dbsession, "letsencrypt_staging")
    assert data["contact"] == "certbot@example.com"
    assert data["account_url"] == regr["uri"]
    stored = dbsession.execute(sa.select(AcmeAccountKey).where(AcmeAccountKey.acme_account_id == int(data["id"]))).scalar_one()
    assert stored.source.value == "certbot" and stored.key_pem.startswith("-----BEGIN")
    # without the server path the account URL's host tells the server
    other = pki_module.rsa_key()
    files[0] = ("certbot_private_key_json", "private_key.json", json.dumps(certbot_jwk(other)).encode())
    regr["uri"] = "https://acme-v02.api.letsencrypt.org/acme/acct/1"
    files[1] = ("certbot_regr_json", "regr.json", json.dumps(regr).encode())
    data = testapp.post(ADMIN + "/acme-account/upload.json", upload_files=files).json["acme_account"]
    assert data["acme_server_id"] == _server_id(dbsession, "letsencrypt")
    # unknown servers and broken JSON are refused
    regr["uri"] = "https://acme.unknown.example/acct/1"
    files[0] = ("certbot_private_key_json", "private_key.json", json.dumps(certbot_jwk(pki_module.rsa_key())).encode())
    files[1] = ("certbot_regr_json", "regr.json", json.dumps(regr).encode())
    res = testapp.post(ADMIN + "/acme-account/upload.json", upload_files=files, status=400)
    assert "certbot_server" in res.json["form_errors"]
    files[0] = ("certbot_private_key_json", "private_key.json", b"{not json")
    res = testapp.post(ADMIN + "/acme-account/upload.json", upload_files=files, status=400)
    assert "certbot_private_key_json" in res.json["form_errors"]
    assert testapp.get(ADMIN + "/acme-account/upload.json").json["result"] == "instructions"
    assert "certbot_regr_json" in testapp.get(ADMIN + "/acme-account/upload").text


def test_html_account_upload_redirects(testapp, dbsession):
    key = pki_module.key_pem(pki_module.ec_key()).encode()
    res = testapp.post(
        ADMIN + "/acme-account/upload", {"acme_server_id": _server_id(dbsession, "letsencrypt_staging")},
        upload_files=[("account_key_file", "k.pem", key)], status=303,
    )
    assert "/acme-account/" in res.location
