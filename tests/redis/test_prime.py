"""Redis priming against a real redis-server, key by key against the OpenResty contract."""

from __future__ import annotations

import pytest

from peter_sslers.lib import redis_prime
from tests import pki as pki_module

from .conftest import ADMIN, upload

MULTI = ["www.example.com", "example.com", "api.example.com"]


@pytest.fixture
def store(make_testapp, pki):
    """Certificates of every kind, uploaded through the style-1 app; ids as ints.

    - ``multi``: www/example/api.example.com, chain = intermediate
    - ``single``: www.example.com alone (so www has a latest single and a latest multi)
    - ``nochain``: nochain.example.org, uploaded without a chain
    - ``shared``: shared.example.org, same key as ``multi``, same chain
    - ``dead``: dead.example.org, certificate deactivated (its domain is skipped)
    """
    app = make_testapp()
    multi_leaf = pki_module.make_leaf(MULTI, pki.intermediate)
    leaves = {
        "multi": (multi_leaf, pki.intermediate.pem),
        "single": (pki_module.make_leaf(["www.example.com"], pki.intermediate), pki.intermediate.pem),
        "nochain": (pki_module.make_leaf(["nochain.example.org"], pki.intermediate), None),
        "shared": (pki_module.make_leaf(["shared.example.org"], pki.intermediate, key=multi_leaf.key),
                   pki.intermediate.pem),
        "dead": (pki_module.make_leaf(["dead.example.org"], pki.intermediate), pki.intermediate.pem),
    }  # fmt: skip
    data = {"app": app, "leaves": leaves}
    for name, (leaf, chain) in leaves.items():
        answer = upload(app, leaf, chain)
        data[name] = {
            "cert": int(answer["certificate_signed"]["id"]),
            "key": int(answer["certificate_signed"]["private_key_id"]),
            "chain": int(answer["certificate_ca_chain_id"]) if answer["certificate_ca_chain_id"] else None,
            "leaf": leaf,
        }
    app.post(f"{ADMIN}/certificate-signed/{data['dead']['cert']}/mark.json", {"action": "inactive"})
    return data


def _text(client, key: str) -> str:
    return client.get(key).decode()


def _hash(client, key: str) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in client.hgetall(key).items()}


def test_style1_key_by_key(store, redis_db, pki):
    app = store["app"]
    res = app.post(ADMIN + "/api/redis/prime.json")
    counts = res.json
    assert counts["result"] == "success"
    assert counts["prime_style"] == "1"
    assert counts["domains_primed"] == 5  # www, example, api, nochain, shared
    assert counts["domains_skipped"] == 1  # dead.example.org
    assert counts["certificates_written"] == 3  # multi, nochain, shared (www serves the multi)
    assert counts["private_keys_written"] == 2  # shared reuses the multi's key
    assert counts["chains_written"] == 2  # the intermediate, and the empty i:0
    assert counts["seconds"] >= 0

    multi, nochain, shared = store["multi"], store["nochain"], store["shared"]
    chain = multi["chain"]
    assert shared["key"] == multi["key"] and shared["chain"] == chain
    expected = {
        **{f"d1:{name}": {"c": str(multi["cert"]), "p": str(multi["key"]), "i": str(chain)} for name in MULTI},
        "d1:nochain.example.org": {"c": str(nochain["cert"]), "p": str(nochain["key"]), "i": "0"},
        "d1:shared.example.org": {"c": str(shared["cert"]), "p": str(shared["key"]), "i": str(chain)},
    }
    strings = {
        f"c:{multi['cert']}": multi["leaf"].pem,
        f"c:{nochain['cert']}": nochain["leaf"].pem,
        f"c:{shared['cert']}": shared["leaf"].pem,
        f"p:{multi['key']}": multi["leaf"].key_pem,
        f"p:{nochain['key']}": nochain["leaf"].key_pem,
        f"i:{chain}": pki.intermediate.pem,
        "i:0": "",  # a certificate without a chain still needs its i: key (contract, Details)
    }
    assert sorted(k.decode() for k in redis_db.keys("*")) == sorted([*expected, *strings])
    for key, fields in expected.items():
        assert redis_db.type(key) == b"hash", key
        assert _hash(redis_db, key) == fields, key
    for key, value in strings.items():
        assert redis_db.type(key) == b"string", key
        assert _text(redis_db, key) == value, key
        assert redis_db.ttl(key) == -1  # no redis.timeout.* set: no expiry

    # what the module assembles is what config.json serves (first non-null of multi, single)
    for name in [*MULTI, "nochain.example.org", "shared.example.org"]:
        config = app.get(f"{ADMIN}/domain/{name}/config.json").json
        served = config["certificate_signed__latest_multi"] or config["certificate_signed__latest_single"]
        fields = _hash(redis_db, f"d1:{name}")
        assert served["id"] == fields["c"] and served["private_key"]["id"] == fields["p"]
        assert served["private_key"]["pem"] == _text(redis_db, f"p:{fields['p']}")
        assert served["fullchain"]["pem"] == _text(redis_db, f"c:{fields['c']}") + _text(redis_db, f"i:{fields['i']}")
    assert app.get(f"{ADMIN}/domain/dead.example.org/config.json").json["certificate_signed__latest_single"] is None


def test_single_serves_once_the_multi_is_unusable(store, redis_db):
    app = store["app"]
    app.post(f"{ADMIN}/certificate-signed/{store['multi']['cert']}/mark.json", {"action": "inactive"})
    app.post(ADMIN + "/api/redis/prime.json")
    assert _hash(redis_db, "d1:www.example.com")["c"] == str(store["single"]["cert"])
    assert not redis_db.exists("d1:api.example.com")  # prime_all writes, it does not delete


def test_style1_writes_shared_strings_once(store, redis_db, redis_settings, rdbsession):
    """Batches of 2 domains: each c:/p:/i: string is still SET exactly once per run."""
    redis_db.config_resetstat()
    counts = redis_prime.prime_all(rdbsession, redis_settings(), batch_size=2)
    assert counts["batches"] == 3 and counts["domains_primed"] == 5
    stats = redis_db.info("commandstats")
    assert stats["cmdstat_set"]["calls"] == 3 + 2 + 2  # certificates, keys, chains
    assert stats["cmdstat_hset"]["calls"] == 5
    assert "cmdstat_expire" not in stats


def test_style2_fullchain_and_ttls(store, redis_db, redis_settings, rdbsession, pki):
    settings = redis_settings(**{"redis.prime_style": "2", "redis.timeout.domain": "600"})
    counts = redis_prime.prime_all(rdbsession, settings)
    assert (counts["prime_style"], counts["domains_primed"], counts["domains_skipped"]) == ("2", 5, 1)
    keys = sorted(k.decode() for k in redis_db.keys("*"))
    assert keys == sorted(f"d2:{n}" for n in [*MULTI, "nochain.example.org", "shared.example.org"])
    multi, nochain = store["multi"]["leaf"], store["nochain"]["leaf"]
    for name in MULTI:
        assert redis_db.type(f"d2:{name}") == b"hash"
        assert _hash(redis_db, f"d2:{name}") == {"f": multi.pem + pki.intermediate.pem, "p": multi.key_pem}
        assert 590 < redis_db.ttl(f"d2:{name}") <= 600
    assert _hash(redis_db, "d2:nochain.example.org") == {"f": nochain.pem, "p": nochain.key_pem}


def test_style1_ttls(store, redis_db, redis_settings, rdbsession):
    ttls = {"redis.timeout.certca": "100", "redis.timeout.cert": "200", "redis.timeout.pkey": "300",
            "redis.timeout.domain": "400"}  # fmt: skip
    redis_prime.prime_all(rdbsession, redis_settings(**ttls))
    expect = {"i:": 100, "c:": 200, "p:": 300, "d1:": 400}
    for key in redis_db.keys("*"):
        key = key.decode()
        ttl = expect[next(p for p in expect if key.startswith(p))]
        assert ttl - 10 < redis_db.ttl(key) <= ttl, key


def test_chain_follows_the_ca_preference_list(make_testapp, redis_db, pki, redis_settings, rdbsession):
    """A two-name certificate with two chains: both domains serve the preferred one."""
    app = make_testapp()
    names = ["alt.example.net", "alt2.example.net"]
    leaf = pki_module.make_leaf(names, pki.intermediate)
    chain_a = upload(app, leaf, pki.intermediate.pem)["certificate_ca_chain_id"]
    chain_b = upload(app, leaf, pki.intermediate_b.pem)["certificate_ca_chain_id"]
    assert chain_a != chain_b
    app.post(ADMIN + "/api/redis/prime.json")
    assert [_hash(redis_db, f"d1:{n}")["i"] for n in names] == [chain_a, chain_a]  # the upstream default
    # prefer the CA of chain b: its chain becomes the default, in Redis as in config.json
    ca_b = app.get(f"{ADMIN}/certificate-ca-chain/{chain_b}.json").json["certificate_ca_chain"]["certificate_ca_0_id"]
    app.post(ADMIN + "/certificate-ca/preferences.json", {"action": "add", "certificate_ca_id": ca_b})
    for style in ("1", "2"):
        redis_db.flushdb()
        assert make_testapp(**{"redis.prime_style": style}).post(ADMIN + "/api/redis/prime.json").json["chains_written"] == 1
    assert _hash(redis_db, "d2:alt2.example.net")["f"] == leaf.pem + pki.intermediate_b.pem
    redis_db.flushdb()
    app.post(ADMIN + "/api/redis/prime.json")
    assert [_hash(redis_db, f"d1:{n}")["i"] for n in names] == [chain_b, chain_b]
    assert _text(redis_db, f"i:{chain_b}") == pki.intermediate_b.pem
    config = app.get(f"{ADMIN}/domain/alt.example.net/config.json").json
    assert config["certificate_signed__latest_multi"]["chain"]["id"] == chain_b
    # the write-through of one domain makes the same choice
    redis_db.flushdb()
    redis_prime.prime_domains(rdbsession, redis_settings(), [int(config["domain"]["id"])])
    assert _hash(redis_db, "d1:alt.example.net")["i"] == chain_b and not redis_db.exists("d1:alt2.example.net")


def test_prime_domains_writes_through_and_removes(store, redis_db, redis_settings, rdbsession):
    from peter_sslers.model import Domain

    settings = redis_settings()
    ids = dict(rdbsession.query(Domain.domain_name, Domain.id).all())
    counts = redis_prime.prime_domains(rdbsession, settings, [ids["shared.example.org"], ids["dead.example.org"]])
    assert (counts["domains_primed"], counts["domains_removed"]) == (1, 1)
    assert sorted(k.decode() for k in redis_db.keys("*")) == sorted([
        "d1:shared.example.org", f"c:{store['shared']['cert']}", f"p:{store['shared']['key']}",
        f"i:{store['shared']['chain']}",
    ])  # fmt: skip
    # the certificate is deactivated: write-through now deletes the domain's key
    store["app"].post(f"{ADMIN}/certificate-signed/{store['shared']['cert']}/mark.json", {"action": "inactive"})
    rdbsession.expire_all()
    counts = redis_prime.prime_domains(rdbsession, settings, [ids["shared.example.org"]])
    assert (counts["domains_primed"], counts["domains_removed"]) == (0, 1)
    assert not redis_db.exists("d1:shared.example.org")
    # an explicit removal (both styles' keys)
    redis_db.hset("d2:x.example.com", mapping={"f": "x", "p": "y"})
    assert redis_prime.remove_domains(settings, ["x.example.com", "absent.example.com"]) == 1
    assert not redis_db.exists("d2:x.example.com")


def test_url_without_a_database_uses_9(store, redis_server, redis_db, redis_settings, rdbsession):
    settings = redis_settings(**{"redis.url": redis_server.url(None)})
    redis_prime.prime_all(rdbsession, settings)
    assert redis_db.exists("d1:www.example.com")
    assert redis_server.client(0).dbsize() == 0


def test_html_pages(make_testapp, redis_db):
    app = make_testapp()
    page = app.get(ADMIN + "/api/redis/prime")
    assert "Prime Redis" in page.text and "redis.prime_style" in page.text
    assert app.get(ADMIN + "/api/redis/prime.json").json["result"] == "instructions"
    done = app.post(ADMIN + "/api/redis/prime")
    assert done.status_int == 200 and "Domains primed" in done.text
