"""Write-through of store-wide changes: deactivate-expired, update-recents and CA preference
edits rewrite (or remove) exactly the Redis keys of the domains they affect, in both prime
styles, key by key against the OpenResty contract; Redis being down fails none of them."""

from __future__ import annotations

import datetime
import json

import pytest
import sqlalchemy as sa
import webtest

from peter_sslers import main
from peter_sslers.lib import redis_sync
from peter_sslers.lib.db import recents
from peter_sslers.model import CertificateSigned, Domain, OperationsEvent, get_engine
from peter_sslers.scripts.initializedb import initialize
from tests import pki as pki_module
from tests.conftest import TEST_HOST, TEST_INI, settings_for
from tests.services.redis import RedisServer

from .conftest import ADMIN, upload

SENTINEL = {"c": "untouched", "p": "untouched", "i": "untouched"}
EXPIRED_START = pki_module.NOW - datetime.timedelta(days=200)


def _hash(client, key: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in client.hgetall(key).items()}


def _ids(answer: dict) -> dict:
    cert = answer["certificate_signed"]
    return {"cert": int(cert["id"]), "key": int(cert["private_key_id"]),
            "chain": int(answer["certificate_ca_chain_id"]) if answer["certificate_ca_chain_id"] else 0}  # fmt: skip


def _served(style: str, ids: dict, leaf, chain_pem: str) -> dict[str, dict[str, str]]:
    """The contract's keys for a domain serving ``leaf``: {key: hash or string value}."""
    if style == "1":
        return {"hash": {"c": str(ids["cert"]), "p": str(ids["key"]), "i": str(ids["chain"])},
                f"c:{ids['cert']}": leaf.pem, f"p:{ids['key']}": leaf.key_pem, f"i:{ids['chain']}": chain_pem}  # fmt: skip
    return {"hash": {"f": leaf.pem + chain_pem, "p": leaf.key_pem}}


def _assert_serves(client, style: str, name: str, expected: dict) -> None:
    assert client.type(f"d{style}:{name}") == b"hash"
    assert _hash(client, f"d{style}:{name}") == expected["hash"]
    for key, value in expected.items():
        if key != "hash":
            assert client.get(key).decode() == value, key


def _events(rdbsession, like: str) -> list[tuple[str, dict]]:
    rows = rdbsession.execute(
        sa.select(OperationsEvent.event_type, OperationsEvent.payload_json)
        .where(OperationsEvent.event_type.like(like)).order_by(OperationsEvent.id)
    ).all()
    return [(row.event_type, json.loads(row.payload_json or "{}")) for row in rows]


# --- deactivate-expired -------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["1", "2"])
def test_deactivate_expired_rewrites_and_removes(make_testapp, redis_db, rdbsession, pki, style):
    app = make_testapp(**{"redis.prime_style": style})
    chain = pki.intermediate.pem
    old = pki_module.make_leaf(["replaced.dx.example.com"], pki.intermediate, not_before=EXPIRED_START)
    new = pki_module.make_leaf(["replaced.dx.example.com"], pki.intermediate)
    kept = pki_module.make_leaf(["keep.dx.example.com"], pki.intermediate, not_before=EXPIRED_START)
    gone = pki_module.make_leaf(["gone.dx.example.com"], pki.intermediate)
    old_ids = _ids(upload(app, old, chain))
    new_ids = _ids(upload(app, new, chain))
    _ids(upload(app, kept, chain))
    gone_ids = _ids(upload(app, gone, chain))
    # Redis is stale, as after an outage: the replaced domain still points at the old
    # certificate, the gone one's certificate was deactivated behind the store's back (its
    # recents not refreshed). keep.dx is not affected: its sentinel must stay as it is.
    redis_db.flushdb()
    stale = _served(style, old_ids, old, chain)
    redis_db.hset(f"d{style}:replaced.dx.example.com", mapping=stale["hash"])
    redis_db.hset(f"d{style}:gone.dx.example.com", mapping={"f": "x", "p": "y"} if style == "2" else SENTINEL)
    redis_db.hset(f"d{style}:keep.dx.example.com", mapping=SENTINEL)
    rdbsession.execute(sa.update(CertificateSigned).where(CertificateSigned.id == gone_ids["cert"])
                       .values(is_active=False, is_deactivated=True))  # fmt: skip
    rdbsession.commit()

    data = app.post(ADMIN + "/api/deactivate-expired.json").json
    assert data["result"] == "success" and data["certificates_deactivated"] == 1  # the old one
    redis = data["redis"]
    assert (redis["result"], redis["domains"], redis["domains_primed"], redis["domains_removed"]) == ("success", 2, 1, 1)
    assert redis["prime_style"] == style
    _assert_serves(redis_db, style, "replaced.dx.example.com", _served(style, new_ids, new, chain))
    assert not redis_db.exists("d1:gone.dx.example.com", "d2:gone.dx.example.com")
    assert _hash(redis_db, f"d{style}:keep.dx.example.com") == SENTINEL
    expected = {f"d{style}:replaced.dx.example.com", f"d{style}:keep.dx.example.com"}
    if style == "1":
        expected |= {f"c:{new_ids['cert']}", f"p:{new_ids['key']}", f"i:{new_ids['chain']}"}
    assert {k.decode() for k in redis_db.keys("*")} == expected
    rdbsession.expire_all()
    assert rdbsession.get(CertificateSigned, old_ids["cert"]).is_active is False
    # nothing left to do: the operation still answers, with no domain to write
    again = app.post(ADMIN + "/api/deactivate-expired.json").json
    assert again["certificates_deactivated"] == 0 and again["redis"] == {"result": "success", "domains": 0}


def test_deactivate_expired_change_lists_the_domains(rdbsession, make_testapp, redis_db, pki):
    """The lib function: domains of the certificates deactivated, plus those whose recents changed."""
    app = make_testapp()
    multi_old = pki_module.make_leaf(["m1.dl.example.com", "m2.dl.example.com"], pki.intermediate,
                                     not_before=EXPIRED_START)  # fmt: skip
    upload(app, multi_old, pki.intermediate.pem)
    upload(app, pki_module.make_leaf(["m1.dl.example.com", "m2.dl.example.com"], pki.intermediate), pki.intermediate.pem)
    upload(app, pki_module.make_leaf(["other.dl.example.com"], pki.intermediate), pki.intermediate.pem)
    ids = dict(rdbsession.execute(sa.select(Domain.domain_name, Domain.id)).all())
    change = recents.deactivate_expired_changed(rdbsession)
    assert change.count == 1
    assert change.domain_ids == sorted([ids["m1.dl.example.com"], ids["m2.dl.example.com"]])
    assert recents.deactivate_expired_changed(rdbsession) == recents.Change(0, [])


# --- update-recents -----------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["1", "2"])
def test_update_recents_rewrites_the_changed_domains(make_testapp, redis_db, rdbsession, pki, style):
    app = make_testapp(**{"redis.prime_style": style})
    leaf1 = pki_module.make_leaf(["u1.ur.example.com"], pki.intermediate)
    leaf2 = pki_module.make_leaf(["u2.ur.example.com"], pki.intermediate)
    ids1 = _ids(upload(app, leaf1, pki.intermediate.pem))
    upload(app, leaf2, pki.intermediate.pem)
    # u1's cached latest certificate is lost (and so its key); u2 is up to date
    rdbsession.execute(sa.update(Domain).where(Domain.domain_name == "u1.ur.example.com")
                       .values(certificate_signed_id__latest_single=None))  # fmt: skip
    rdbsession.commit()
    redis_db.flushdb()
    redis_db.hset(f"d{style}:u2.ur.example.com", mapping=SENTINEL)

    data = app.post(ADMIN + "/api/update-recents.json").json
    assert data["result"] == "success" and data["domains_updated"] == 2  # every domain looked at
    assert (data["redis"]["domains"], data["redis"]["domains_primed"], data["redis"]["domains_removed"]) == (1, 1, 0)
    _assert_serves(redis_db, style, "u1.ur.example.com", _served(style, ids1, leaf1, pki.intermediate.pem))
    assert _hash(redis_db, f"d{style}:u2.ur.example.com") == SENTINEL  # not changed, not rewritten
    rdbsession.expire_all()
    u1 = rdbsession.execute(sa.select(Domain).where(Domain.domain_name == "u1.ur.example.com")).scalar_one()
    assert u1.certificate_signed_id__latest_single == ids1["cert"]
    # a second run changes nothing and writes nothing
    assert app.post(ADMIN + "/api/update-recents.json").json["redis"] == {"result": "success", "domains": 0}
    assert "domains updated" in app.post(ADMIN + "/api/update-recents").text


def test_update_recents_changed_answers_the_domains_it_rewrote(rdbsession, make_testapp, redis_db, pki):
    """Stale latest columns are rewritten, and only those domains are answered."""
    app = make_testapp()
    for name in ("r1.rt.example.com", "r2.rt.example.com", "r3.rt.example.com"):
        upload(app, pki_module.make_leaf([name], pki.intermediate), pki.intermediate.pem)
    ids = dict(rdbsession.execute(sa.select(Domain.domain_name, Domain.id)).all())
    stale = [ids["r1.rt.example.com"], ids["r3.rt.example.com"]]
    rdbsession.execute(sa.update(Domain).where(Domain.id.in_(stale)).values(certificate_signed_id__latest_single=None))
    total = rdbsession.execute(sa.select(sa.func.count()).select_from(Domain)).scalar_one()
    assert recents.update_recents_changed(rdbsession) == recents.Change(total, sorted(stale))
    assert recents.update_recents_changed(rdbsession) == recents.Change(total, [])
    scoped = [ids["r1.rt.example.com"], ids["r2.rt.example.com"]]
    assert recents.update_recents_changed(rdbsession, scoped) == recents.Change(2, [])
    assert recents.update_recents_changed(rdbsession, []) == recents.Change(0, [])


# --- CA preferences -----------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["1", "2"])
def test_ca_preference_rewrites_the_embedded_chain(make_testapp, redis_db, rdbsession, pki, style):
    app = make_testapp(**{"redis.prime_style": style})
    names = ["alt1.pref.example.net", "alt2.pref.example.net"]
    leaf = pki_module.make_leaf(names, pki.intermediate)
    first = _ids(upload(app, leaf, pki.intermediate.pem))
    chain_b = int(upload(app, leaf, pki.intermediate_b.pem)["certificate_ca_chain_id"])
    single = pki_module.make_leaf(["one.pref.example.net"], pki.intermediate)
    upload(app, single, pki.intermediate.pem)
    redis_db.delete(f"d{style}:one.pref.example.net")
    redis_db.hset(f"d{style}:one.pref.example.net", mapping=SENTINEL)  # one chain: never affected
    for name in names:  # the upstream default, written through at upload
        _assert_serves(redis_db, style, name, _served(style, first, leaf, pki.intermediate.pem))
    url = ADMIN + "/certificate-ca/preferences.json"
    ca_b = app.get(f"{ADMIN}/certificate-ca-chain/{chain_b}.json").json["certificate_ca_chain"]["certificate_ca_0_id"]

    data = app.post(url, {"action": "add", "certificate_ca_id": ca_b}).json
    assert data["operation"] == "preference add"
    assert (data["redis"]["result"], data["redis"]["domains"], data["redis"]["domains_primed"]) == ("success", 2, 2)
    for name in names:
        _assert_serves(redis_db, style, name, _served(style, {**first, "chain": chain_b}, leaf, pki.intermediate_b.pem))
    assert _hash(redis_db, f"d{style}:one.pref.example.net") == SENTINEL
    # a CA in no chain of theirs changes no default: nothing is written
    root_id = app.post(ADMIN + "/certificate-ca/upload-cert.json", upload_files=[
        ("certificate_file", "r.pem", pki.root.pem.encode())]).json["certificate_ca"]["id"]  # fmt: skip
    assert app.post(url, {"action": "add", "certificate_ca_id": root_id}).json["redis"] == {"result": "success", "domains": 0}
    # back to the upstream default
    data = app.post(url, {"action": "delete", "certificate_ca_id": ca_b}).json
    assert data["redis"]["domains"] == 2
    for name in names:
        _assert_serves(redis_db, style, name, _served(style, first, leaf, pki.intermediate.pem))
    # the HTML form does the same
    app.post(ADMIN + "/certificate-ca/preferences", {"action": "add", "certificate_ca_id": ca_b}, status=303)
    assert _hash(redis_db, f"d{style}:alt2.pref.example.net") == _served(
        style, {**first, "chain": chain_b}, leaf, pki.intermediate_b.pem)["hash"]


def test_domains_with_new_default_chain(rdbsession, make_testapp, redis_db, pki):
    app = make_testapp()
    leaf = pki_module.make_leaf(["a.ndc.example.net", "b.ndc.example.net"], pki.intermediate)
    upload(app, leaf, pki.intermediate.pem)
    chain_b = int(upload(app, leaf, pki.intermediate_b.pem)["certificate_ca_chain_id"])
    upload(app, pki_module.make_leaf(["c.ndc.example.net"], pki.intermediate), pki.intermediate.pem)
    ca_b = int(app.get(f"{ADMIN}/certificate-ca-chain/{chain_b}.json").json["certificate_ca_chain"]["certificate_ca_0_id"])
    ids = dict(rdbsession.execute(sa.select(Domain.domain_name, Domain.id)).all())
    both = sorted([ids["a.ndc.example.net"], ids["b.ndc.example.net"]])
    assert redis_sync.domains_with_new_default_chain(rdbsession, [], [ca_b]) == both
    assert redis_sync.domains_with_new_default_chain(rdbsession, [ca_b], []) == both
    assert redis_sync.domains_with_new_default_chain(rdbsession, [ca_b], [ca_b]) == []
    assert redis_sync.domains_with_new_default_chain(rdbsession, [], [999999]) == []


# --- Redis down ---------------------------------------------------------------------------------


@pytest.fixture
def own_redis(redis_server, tmp_path):
    """A redis-server of this test's own, to stop at will (the shared one stays up)."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def test_redis_down_fails_no_operation(own_redis, make_testapp, rdbsession, pki):
    app = make_testapp(**{"redis.url": own_redis.url(9)})
    leaf = pki_module.make_leaf(["a.down.example.net", "b.down.example.net"], pki.intermediate)
    cert = _ids(upload(app, leaf, pki.intermediate.pem))
    chain_b = int(upload(app, leaf, pki.intermediate_b.pem)["certificate_ca_chain_id"])
    upload(app, pki_module.make_leaf(["old.down.example.net"], pki.intermediate, not_before=EXPIRED_START),
           pki.intermediate.pem)  # fmt: skip
    upload(app, pki_module.make_leaf(["old.down.example.net"], pki.intermediate), pki.intermediate.pem)
    rdbsession.execute(sa.update(Domain).values(certificate_signed_id__latest_single=None))
    rdbsession.commit()
    own_redis.stop()
    refused = f"Redis at redis://127.0.0.1:{own_redis.port}/9 failed"

    def check(data: dict, domains: int) -> None:
        assert data["result"] == "success"
        assert data["redis"]["result"] == "error" and data["redis"]["domains"] == domains
        assert refused in data["redis"]["error"]

    # each change is committed, and answers the Redis error
    data = app.post(f"{ADMIN}/certificate-signed/{cert['cert']}/mark.json", {"action": "inactive"}).json
    check(data, 2)
    assert data["certificate_signed"]["is_active"] is False
    page = app.post(ADMIN + "/api/update-recents").text  # the HTML twin shows the error too
    assert "domains updated" in page and f"Redis: error, 1 domains: {refused}" in page
    check(app.post(ADMIN + "/api/deactivate-expired.json").json, 1)
    app.post(f"{ADMIN}/certificate-signed/{cert['cert']}/mark.json", {"action": "active"})
    ca_b = app.get(f"{ADMIN}/certificate-ca-chain/{chain_b}.json").json["certificate_ca_chain"]["certificate_ca_0_id"]
    check(app.post(ADMIN + "/certificate-ca/preferences.json", {"action": "add", "certificate_ca_id": ca_b}).json, 2)
    # the HTML twins redirect or answer as usual
    app.post(f"{ADMIN}/certificate-signed/{cert['cert']}/mark", {"action": "inactive"}, status=303)
    assert "certificates deactivated" in app.post(ADMIN + "/api/deactivate-expired").text

    rdbsession.expire_all()
    assert rdbsession.get(CertificateSigned, cert["cert"]).is_active is False
    events = _events(rdbsession, "Redis__write_through__error")
    assert [p["operation"] for _, p in events] == [
        "CertificateSigned__mark__inactive", "Domain__update_recents", "CertificateSigned__deactivate_expired",
        "CertificateSigned__mark__active", "CertificateCAPreference__edit__add", "CertificateSigned__mark__inactive",
    ]  # fmt: skip
    assert all(refused in p["error"] for _, p in events)
    # the deactivate-expired run through HTML found nothing to write: no contact, no event
    assert events[-1][1]["domains"] == 2


def test_not_configured_writes_nothing(testapp, dbsession):
    """The session app has no redis.url: the answers carry no "redis" part."""
    for path in ("/api/update-recents.json", "/api/deactivate-expired.json"):
        data = testapp.post(ADMIN + path).json
        assert data["result"] == "success" and "redis" not in data and "nginx" not in data


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_commands_write_through(make_database_url, own_redis, tmp_path, pki):
    """``peter_sslers deactivate-expired`` / ``update-recents`` on a database of their own."""
    from tests.cli.conftest import Cli, run_here, write_ini

    url = make_database_url("redis_cli")
    initialize(TEST_INI, settings_for(url))
    redis_settings = {"redis.url": own_redis.url(9), "redis.prime_style": "2"}
    app = webtest.TestApp(main({}, **settings_for(url, **redis_settings)), extra_environ={"HTTP_HOST": TEST_HOST})
    old = pki_module.make_leaf(["cli.wt.example.com"], pki.intermediate, not_before=EXPIRED_START)
    new = pki_module.make_leaf(["cli.wt.example.com"], pki.intermediate)
    upload(app, old, pki.intermediate.pem)
    upload(app, new, pki.intermediate.pem)
    client = own_redis.client(9)
    client.hset("d2:cli.wt.example.com", mapping={"f": "stale", "p": "stale"})
    cli = Cli(write_ini(tmp_path / "cli.ini", {"sqlalchemy.url": url, **redis_settings}))

    code, out, _ = run_here(cli, "deactivate-expired", "--json")
    data = json.loads(out)
    assert code == 0 and data["certificates_deactivated"] == 1
    assert (data["redis"]["result"], data["redis"]["domains"], data["redis"]["domains_primed"]) == ("success", 1, 1)
    assert _hash(client, "d2:cli.wt.example.com") == {"f": new.pem + pki.intermediate.pem, "p": new.key_pem}

    engine = get_engine({"sqlalchemy.url": url})
    try:
        with engine.begin() as conn:
            conn.execute(sa.update(Domain).values(certificate_signed_id__latest_single=None))
        client.delete("d2:cli.wt.example.com")
        code, out, _ = run_here(cli, "update-recents", "--json")
        data = json.loads(out)
        assert code == 0 and data["redis"]["domains_primed"] == 1
        assert _hash(client, "d2:cli.wt.example.com")["p"] == new.key_pem
        # Redis down: the command still succeeds (its change is committed) and says why
        with engine.begin() as conn:
            conn.execute(sa.update(Domain).values(certificate_signed_id__latest_single=None))
        own_redis.stop()
        code, out, _ = run_here(cli, "update-recents", "--json")
        data = json.loads(out)
        assert code == 0 and data["result"] == "success" and data["redis"]["result"] == "error"
        assert f"Redis at redis://127.0.0.1:{own_redis.port}/9 failed" in data["redis"]["error"]
        with engine.connect() as conn:
            latest = conn.execute(sa.select(Domain.certificate_signed_id__latest_single)).scalars().all()
            events = conn.execute(
                sa.select(OperationsEvent.payload_json).where(OperationsEvent.event_type == "Redis__write_through__error")
            ).scalars().all()
        assert None not in latest
        assert [json.loads(p)["operation"] for p in events] == ["Domain__update_recents"]
    finally:
        engine.dispose()
