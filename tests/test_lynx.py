"""The admin pages read well in a text browser: `lynx -dump` against a live server."""

from __future__ import annotations

import subprocess

import pytest

from peter_sslers import main
from tests.conftest import require_binary
from tests.services.live_app import LiveServer


@pytest.fixture(scope="module")
def live(app_settings_raw):
    server = LiveServer(main({}, **app_settings_raw)).start()
    yield server
    server.stop()


def lynx_dump(url: str) -> str:
    lynx = require_binary("lynx", "apt-get install lynx")
    result = subprocess.run([lynx, "-dump", "-nolist", url], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/.well-known/admin/", ["Dashboard", "Needs attention", "Counts", "Certificates signed", "Recent operations"]),
        ("/.well-known/admin/settings", ["Settings", "admin_prefix", "redis.prime_style", "nginx.reset_path"]),
        ("/.well-known/admin/help", ["Help", "UniqueFQDNSet", "Private key cycling", "prequest"]),
    ],
)
def test_pages_read_well_in_lynx(live, path, expected):
    text = lynx_dump(live.url + path)
    for phrase in expected:
        assert phrase in text, f"{phrase!r} missing from lynx -dump of {path}"
    for leak in ("${", "<%", "%>", "Traceback", "<div", "<td"):
        assert leak not in text
    # headings come before the data: the page title precedes its first table row
    assert text.index(expected[0]) < text.index(expected[-1])


def test_prequest_works_without_a_server(app_settings_raw, tmp_path):
    """`prequest CONFIG.ini /path.json` runs a request inside the app, no server needed."""
    import sys
    from pathlib import Path

    from tests.conftest import TEST_INI

    ini = tmp_path / "prequest.ini"
    text = Path(TEST_INI).read_text().replace(
        "sqlite:///%(here)s/data/test.sqlite", app_settings_raw["sqlalchemy.url"]
    )
    ini.write_text(text)
    prequest = Path(sys.executable).parent / "prequest"
    result = subprocess.run(
        [str(prequest), str(ini), "/.well-known/admin/index.json"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert '"result": "success"' in result.stdout
