"""The service helpers themselves: skip/fail rule, responder, ports, process stop."""

from __future__ import annotations

import concurrent.futures
import sys

import pytest
import requests

from tests.services import pebble as pebble_module
from tests.services.common import ManagedProcess, free_port
from tests.services.pebble import Http01Responder, PebbleServer


def test_missing_pebble_skips_locally_and_fails_in_ci(monkeypatch) -> None:
    monkeypatch.setattr(pebble_module, "PEBBLE_BIN", "/nonexistent/pebble")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install pebble"):
        pebble_module.require_pebble()
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="apt-get install pebble"):
        pebble_module.require_pebble()


def test_free_ports_are_not_handed_out_twice() -> None:
    ports = {free_port(udp=True) for _ in range(20)}
    assert len(ports) == 20


def test_http01_responder_survives_a_burst() -> None:
    responder = Http01Responder().start()
    try:
        responder.add("tok", "tok.thumb")
        url = f"http://127.0.0.1:{responder.port}{Http01Responder.PREFIX}"

        def get(path: str) -> tuple[int, str]:
            with requests.Session() as session:
                session.trust_env = False
                response = session.get(url + path, timeout=5)
                return response.status_code, response.text

        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            results = list(pool.map(get, ["tok"] * 150 + ["nope"] * 10))
        assert results[:150] == [(200, "tok.thumb")] * 150
        assert {status for status, _ in results[150:]} == {404}
    finally:
        responder.stop()


def test_managed_process_stops_its_own_pid(tmp_path) -> None:
    process = ManagedProcess(
        "sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], log_path=tmp_path / "log"
    )
    process.start()
    assert process.running and process.pid
    process.stop()
    assert not process.running


def test_pebble_instance_exposes_its_endpoints(pebble: PebbleServer) -> None:
    assert pebble.directory_url.startswith("https://127.0.0.1:")
    assert pebble.management_url.startswith("https://127.0.0.1:")
    assert pebble.challtestsrv_url.startswith("http://127.0.0.1:")
    assert pebble.roots and pebble.intermediates and pebble.http_port
    with requests.Session() as session:
        session.trust_env = False
        assert session.get(pebble.directory_url, verify=pebble.ca_bundle, timeout=5).ok
