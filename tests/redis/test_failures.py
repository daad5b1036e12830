"""Redis missing, refusing or dying mid-run: a clear 4xx, an event, and the rest keeps working."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
import webtest

from peter_sslers import main
from peter_sslers.lib import redis_prime
from peter_sslers.model import OperationsEvent, get_engine
from peter_sslers.scripts.initializedb import initialize
from tests import pki as pki_module
from tests.conftest import TEST_HOST, TEST_INI, settings_for
from tests.services.redis import RedisServer

from .conftest import ADMIN, upload


@pytest.fixture
def own_redis(redis_server, tmp_path):
    """A redis-server of this test's own, to stop at will (the shared one stays up)."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def _three_domains(app, pki) -> list[str]:
    names = [f"r{i}.fail.example.com" for i in range(3)]
    for name in names:
        upload(app, pki_module.make_leaf([name], pki.intermediate), pki.intermediate.pem)
    return names


def test_redis_stopped_mid_run(own_redis, make_testapp, redis_settings, rdbsession, pki):
    app = make_testapp(**{"redis.url": own_redis.url(9)})
    _three_domains(app, pki)
    seen = []

    def stop_after_first_batch(counts: dict) -> None:
        seen.append(counts["domains_primed"])
        own_redis.stop()

    settings = redis_settings(**{"redis.url": own_redis.url(9)})
    with pytest.raises(redis_prime.RedisPrimeError) as failed:
        redis_prime.prime_all(rdbsession, settings, batch_size=1, progress=stop_after_first_batch)
    assert seen == [1]
    assert failed.value.counts["domains_primed"] == 1
    message = str(failed.value)
    assert f"Redis at redis://127.0.0.1:{own_redis.port}/9 failed" in message
    assert "(domains primed before the failure: 1)" in message

    # through the app: a 409 with the JSON error body, and an HTML error page
    res = app.post(ADMIN + "/api/redis/prime.json", status=409)
    assert res.json["result"] == "error" and "Redis at redis://127.0.0.1:" in res.json["error"]
    assert "Connection refused" in res.json["error"] or "connecting" in res.json["error"]
    page = app.post(ADMIN + "/api/redis/prime", status=409)
    assert "Redis at" in page.text
    # every other route still answers, config.json included
    for path in ("/domain/r0.fail.example.com/config.json", "/domain/r0.fail.example.com/config.json?openresty=1",
                 "/domains.json", "/domain/r0.fail.example.com", "/certificate-signeds.json", "/",
                 "/api/redis/prime", "/api/redis/prime.json", "/settings"):  # fmt: skip
        assert app.get(ADMIN + path).status_int == 200, path
    config = app.get(ADMIN + "/domain/r0.fail.example.com/config.json").json
    assert config["certificate_signed__latest_single"]["fullchain"]["pem"]


def test_not_configured(testapp):
    """The session app has no redis.url: a 400 saying so; the instructions still show."""
    res = testapp.post(ADMIN + "/api/redis/prime.json", status=400)
    assert res.json["result"] == "error" and "Redis is not configured" in res.json["error"]
    assert "set redis.url" in res.json["error"]
    assert "not configured" in testapp.post(ADMIN + "/api/redis/prime", status=400).text
    assert testapp.get(ADMIN + "/api/redis/prime.json").json["redis_config"]["redis.url"] is None
    assert "Redis is not configured" in testapp.get(ADMIN + "/api/redis/prime").text


def test_failure_event_survives_the_aborted_request(make_database_url, own_redis):
    """On a database of its own with real commits: the error event is in its own transaction."""
    url = make_database_url("redis_events")
    initialize(TEST_INI, settings_for(url))
    port = own_redis.port
    own_redis.stop()  # refused from the start
    app = webtest.TestApp(
        main({}, **settings_for(url, **{"redis.url": f"redis://:secret@127.0.0.1:{port}/9"})),
        extra_environ={"HTTP_HOST": TEST_HOST},
    )
    res = app.post(ADMIN + "/api/redis/prime.json", status=409)
    assert "secret" not in res.json["error"] and ":********@" in res.json["error"]
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with engine.connect() as conn:
            events = conn.execute(
                sa.select(OperationsEvent.event_type, OperationsEvent.payload_json)
                .where(OperationsEvent.event_type.like("Redis__%"))
            ).all()
    finally:
        engine.dispose()
    assert [e.event_type for e in events] == ["Redis__prime__error"]
    payload = json.loads(events[0].payload_json)
    assert payload["domains_primed"] == 0 and "failed" in payload["error"]
