"""DNS-01 through providers (wildcards included), the manual provider, private key cycling
with a fake clock, and HTTP-01 validated through a real nginx (Pebble -> nginx -> app)."""

from __future__ import annotations

import datetime
import json
import secrets

import pytest
import requests
import sqlalchemy as sa
from cryptography import x509

from peter_sslers.model import AcmeServer, PrivateKey
from tests.acme.conftest import unique_email
from tests.acme.test_orders import ADMIN, new_order
from tests.services.pebble import PebbleOptions

UTC = datetime.timezone.utc


@pytest.fixture
def challtestsrv_provider(acme_testapp, app_pebble):
    data = acme_testapp.post(ADMIN + "/dns-provider/new.json", {
        "name": f"challtestsrv-{secrets.token_hex(3)}", "provider_type": "challtestsrv",
        "config_json": json.dumps({"management_url": app_pebble.challtestsrv_url}),
    }).json
    return data["dns_provider"]


def test_dns_provider_pages(acme_testapp, challtestsrv_provider):
    assert acme_testapp.get(ADMIN + "/dns-provider/new.json").json["result"] == "instructions"
    assert "<form" in acme_testapp.get(ADMIN + "/dns-provider/new").text
    for fields, field in (
        ({"name": "x", "provider_type": "rfc2136", "config_json": "{}"}, "config_json"),
        ({"name": "x", "provider_type": "rfc2136", "config_json": "{not json"}, "config_json"),
        ({"name": "x", "provider_type": "carrier-pigeon", "config_json": "{}"}, "provider_type"),
        ({"name": "", "provider_type": "manual", "config_json": "{}"}, "name"),
        ({"name": "x", "provider_type": "challtestsrv", "config_json": '{"management_url": "http://x", "typo": 1}'}, "config_json"),
    ):
        res = acme_testapp.post(ADMIN + "/dns-provider/new.json", fields, status=400)
        assert field in res.json["form_errors"], (fields, res.json)
    acme_testapp.post(ADMIN + "/dns-provider/new.json", {"name": challtestsrv_provider["name"], "provider_type": "manual"},
                      status=409)
    secret = acme_testapp.post(ADMIN + "/dns-provider/new.json", {
        "name": f"bind-{secrets.token_hex(3)}", "provider_type": "rfc2136",
        "config_json": json.dumps({"server": "127.0.0.1", "tsig_key_name": "k", "tsig_secret": "c2VjcmV0c2VjcmV0"}),
    }).json["dns_provider"]
    assert secret["config"]["tsig_secret"] == "********"
    base = f"{ADMIN}/dns-provider/{secret['id']}"
    assert "c2VjcmV0" not in acme_testapp.get(base).text and "c2VjcmV0" not in acme_testapp.get(base + ".json").text
    assert acme_testapp.post(base + "/mark.json", {"action": "inactive"}).json["dns_provider"]["is_active"] is False
    acme_testapp.post(base + "/mark.json", {"action": "inactive"}, status=409)
    acme_testapp.get(base + "/mark")
    assert acme_testapp.get(base + "/mark.json").json["result"] == "instructions"
    listed = acme_testapp.get(ADMIN + "/dns-providers.json").json["dns_providers"]
    assert {p["id"] for p in listed} >= {secret["id"], challtestsrv_provider["id"]}
    acme_testapp.get(ADMIN + "/dns-providers")
    res = acme_testapp.post(ADMIN + "/dns-provider/new", {"name": f"m-{secrets.token_hex(3)}", "provider_type": "manual"},
                            status=303)
    assert "Done: new DNS provider" in res.follow().text


def test_dns01_with_a_wildcard(acme_testapp, account, challtestsrv_provider):
    base = f"d{secrets.token_hex(4)}.example.test"
    data = new_order(acme_testapp, account, [f"www.{base}"], domain_names_dns01=f"{base},*.{base}",
                     dns_provider_id=challtestsrv_provider["id"])
    order = data["acme_order"]
    assert order["status"] == "valid", data
    assert order["domain_names_dns01"] == sorted([base, f"*.{base}"])
    pem = acme_testapp.get(f"{ADMIN}/certificate-signed/{order['certificate_signed_id']}/cert.pem").text
    sans = x509.load_pem_x509_certificate(pem.encode()).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert sorted(sans.value.get_values_for_type(x509.DNSName)) == sorted([base, f"*.{base}", f"www.{base}"])
    focus = acme_testapp.get(f"{ADMIN}/acme-order/{order['id']}.json").json
    used = {c["challenge_type"] for c in focus["acme_challenges"] if c["status"] == "valid"}
    assert used == {"http-01", "dns-01"}


def test_manual_dns_provider_waits_for_the_user(acme_testapp, account, app_pebble):
    provider = acme_testapp.post(ADMIN + "/dns-provider/new.json", {
        "name": f"manual-{secrets.token_hex(3)}", "provider_type": "manual"}).json["dns_provider"]
    name = f"manual-{secrets.token_hex(4)}.example.test"
    res = new_order(acme_testapp, account, [], status=409, domain_names_dns01=name, dns_provider_id=provider["id"])
    records = res["dns_records"]
    assert records[0]["name"] == f"_acme-challenge.{name}" and records[0]["type"] == "TXT"
    order = acme_testapp.get(ADMIN + "/acme-orders.json", {"acme_account_id": account["id"]}).json["acme_orders"][0]
    assert order["status"] == "pending" and order["next_step"] == "complete_challenges"
    # the user creates the record in their DNS (here: the DNS Pebble asks), then confirms
    requests.post(app_pebble.challtestsrv_url + "/set-txt",
                  json={"host": records[0]["name"] + ".", "value": records[0]["value"]}, timeout=5).raise_for_status()
    base = f"{ADMIN}/acme-order/{order['id']}"
    acme_testapp.post(base + "/advance.json", {"step": "auto"}, status=409)  # not confirmed yet
    done = acme_testapp.post(base + "/process.json", {"dns_records_confirmed": "1"}).json
    assert done["steps"] == ["complete_challenges", "finalize", "download"]
    assert done["acme_order"]["certificate_signed_id"]


def _key_of(acme_testapp, account, name, **fields) -> str:
    order = new_order(acme_testapp, account, [name], **fields)["acme_order"]
    assert order["status"] == "valid"
    return order["private_key_id"]


def test_account_daily_keys(acme_testapp, new_account, order_names, fake_clock, acme_db):
    account = new_account(private_key_cycle="account_daily", private_key_technology="EC_P256")
    fake_clock.now = datetime.datetime(2026, 3, 2, 10, tzinfo=UTC)
    first = _key_of(acme_testapp, account, order_names(1)[0])
    same_day = _key_of(acme_testapp, account, order_names(1)[0])
    assert first == same_day
    fake_clock.now = datetime.datetime(2026, 3, 3, 9, tzinfo=UTC)
    next_day = _key_of(acme_testapp, account, order_names(1)[0])
    assert next_day != first
    key = acme_db(sa.select(PrivateKey).where(PrivateKey.id == int(first)))[0]
    assert key.private_key_type.value == "account_daily" and key.cycle_period == "2026-03-02"
    assert key.acme_account_id__owner == int(account["id"]) and key.key_technology.value == "EC_P256"
    # a compromised key is never handed out again
    acme_testapp.post(f"{ADMIN}/private-key/{next_day}/mark.json", {"action": "compromised"})
    assert _key_of(acme_testapp, account, order_names(1)[0]) not in (first, next_day)


def test_weekly_global_and_single_keys(acme_testapp, new_account, order_names, fake_clock):
    one, two = new_account(), new_account()
    weekly = {"private_key_option": "generate", "private_key_cycle": "account_weekly"}
    fake_clock.now = datetime.datetime(2026, 6, 1, tzinfo=UTC)  # a Monday
    monday = _key_of(acme_testapp, one, order_names(1)[0], **weekly)
    fake_clock.now = datetime.datetime(2026, 6, 4, tzinfo=UTC)
    assert _key_of(acme_testapp, one, order_names(1)[0], **weekly) == monday
    assert _key_of(acme_testapp, two, order_names(1)[0], **weekly) != monday  # per account
    fake_clock.now = datetime.datetime(2026, 6, 8, tzinfo=UTC)  # the next week
    assert _key_of(acme_testapp, one, order_names(1)[0], **weekly) != monday
    shared = {"private_key_option": "generate", "private_key_cycle": "global_daily", "private_key_technology": "EC_P384"}
    assert _key_of(acme_testapp, one, order_names(1)[0], **shared) == _key_of(acme_testapp, two, order_names(1)[0], **shared)
    single = {"private_key_option": "generate", "private_key_cycle": "single_certificate"}
    assert _key_of(acme_testapp, one, order_names(1)[0], **single) != _key_of(acme_testapp, one, order_names(1)[0], **single)
    # an existing key, chosen up front, is used as is
    chosen = _key_of(acme_testapp, one, order_names(1)[0], **single)
    assert _key_of(acme_testapp, one, order_names(1)[0], private_key_option="existing", private_key_id=chosen) == chosen


@pytest.fixture(scope="module")
def nginx_front(pebble_stack, acme_live, acme_app, tmp_path_factory):
    """nginx proxying /.well-known/acme-challenge/ to the live app, and a Pebble validating through it."""
    from tests.conftest import require_binary
    from tests.services.nginx import (
        INSTALL_HINT,
        NGINX_BIN,
        NginxServer,
        acme_challenge_proxy_config,
    )

    require_binary(NGINX_BIN, INSTALL_HINT)
    nginx = NginxServer(
        tmp_path_factory.mktemp("nginx-front"),
        lambda port: acme_challenge_proxy_config(port, [f"127.0.0.1:{acme_live.port}"]),
    ).start()
    pebble = pebble_stack.add_pebble(PebbleOptions(http_port=nginx.port, nonce_reject=0, authz_reuse=0), name="via-nginx")
    with acme_app.registry["dbsession_factory"]() as session, session.begin():
        session.add(AcmeServer(name="pebble-via-nginx", directory_url=pebble.directory_url, server=f"127.0.0.1:{pebble.port}",
                               ca_bundle_pem=open(pebble.ca_bundle).read()))
    yield nginx, pebble
    nginx.stop()


def test_http01_through_nginx(acme_testapp, acme_db, nginx_front, order_names):
    nginx, pebble = nginx_front
    server_id = acme_db(sa.select(AcmeServer.id).where(AcmeServer.name == "pebble-via-nginx"))[0]
    account = acme_testapp.post(ADMIN + "/acme-account/new.json", {
        "acme_server_id": str(server_id), "contact": unique_email(), "tos_agreed": "1"}).json["acme_account"]
    names = order_names(2, prefix="nginx")
    order = new_order(acme_testapp, account, names)["acme_order"]
    assert order["status"] == "valid" and order["certificate_signed_id"]
    proxied = [line for line in nginx.access_log_lines() if "/.well-known/acme-challenge/" in line]
    assert len(proxied) >= 2 and all(" 200 " in line or "status=200" in line for line in proxied), proxied
