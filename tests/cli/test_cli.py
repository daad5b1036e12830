"""The ``peter_sslers`` console script on a certbot tree: import, status, maintenance, export."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from peter_sslers.lib import cert_utils
from peter_sslers.scripts.initializedb import initialize
from tests.cli.conftest import run_here
from tests.conftest import settings_for
from tests.tools.conftest import write_certbot_tree


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_commands(cli, letsencrypt, tmp_path):
    assert "database: ready" in cli.run("initialize-db").stdout
    first = cli.run("import-certbot", str(letsencrypt.root), "--json")
    data = json.loads(first.stdout)
    assert (data["imported"], data["already_present"], data["failed"]) == (3, 0, 0)
    assert (data["accounts_imported"], data["accounts_failed"]) == (2, 0), data["account_failures"]
    assert "import-certbot [##############################] 3/3" in first.stderr
    counts = cli.json("status")["counts"]
    assert (
        counts["certificates_signed"],
        counts["certificates_active"],
        counts["acme_accounts"],
    ) == (3, 3, 2)
    assert counts["domains"] == 3 and counts["private_keys"] == 3

    assert cli.json("update-recents") == {
        "result": "success",
        "operation": "update-recents",
        "domains_updated": 3,
    }
    expired = cli.json("deactivate-expired")
    assert expired["result"] == "success" and expired["certificates_deactivated"] == 0

    out = tmp_path / "exported"
    exported = cli.json("export", str(out))
    assert sorted(e["domain_name"] for e in exported["written"]) == [
        "example.com",
        "example.org",
        "www.example.com",
    ]
    assert mode(out) == 0o700
    for name in ("example.com", "www.example.com", "example.org"):
        assert mode(out / name) == 0o700
        assert {p.name: mode(p) for p in (out / name).iterdir()} == {
            "cert.pem": 0o644, "chain.pem": 0o644, "fullchain.pem": 0o644, "privkey.pem": 0o600,
        }  # fmt: skip
    current = letsencrypt.version("example.com", 2)  # the newest version is the one served
    assert (out / "www.example.com" / "cert.pem").read_bytes() == current["cert"]
    assert (out / "www.example.com" / "fullchain.pem").read_bytes() == current["cert"] + current[
        "chain"
    ]
    key = (out / "example.com" / "privkey.pem").read_text()
    assert cert_utils.key_matches_cert(key, current["cert"])
    # the text forms, in this process (each console-script start costs a second or two)
    code, again, _ = run_here(cli, "import-certbot", str(letsencrypt.root), "--quiet")
    assert code == 0 and "summary: 0 imported, 3 already present, 0 failed" in again
    assert "accounts: 0 imported, 2 already present, 0 failed" in again
    _, table, _ = run_here(cli, "status")
    assert any(
        line.split()[-1] == "3"
        for line in table.splitlines()
        if line.startswith("certificates signed")
    )
    code, single, _ = run_here(cli, "export", str(out), "--domain", "example.org", "--json")
    single = json.loads(single)
    assert single["written"] == [] and [e["domain_name"] for e in single["unchanged"]] == [
        "example.org"
    ]


@pytest.fixture
def initialized(tmp_path, make_database_url, cli):
    """The cli fixture's database, initialized in this process (quicker than a subprocess)."""
    from pyramid.paster import get_appsettings

    raw = dict(get_appsettings(str(cli.ini)))
    initialize(str(cli.ini), settings_for(raw["sqlalchemy.url"]))
    return cli


def test_import_reports_each_failure_and_goes_on(initialized, tmp_path, key_material):
    tree = write_certbot_tree(tmp_path / "letsencrypt", key_material)
    archive = tree.archive
    (archive / "example.org" / "privkey1.pem").write_bytes(
        key_material["lineages"]["example.com"][0]["privkey"]
    )
    (archive / "example.com" / "cert1.pem").write_text("not a certificate\n")
    (archive / "example.com" / "chain2.pem").unlink()  # a missing chain is not an error
    code, out, err = run_here(initialized, "import-certbot", str(archive), "--json", "--quiet")
    data = json.loads(out)
    assert code == 1 and data["result"] == "partial" and err == ""
    assert (data["imported"], data["failed"]) == (1, 2)
    errors = {f["label"]: f["error"] for f in data["failures"]}
    assert "does not match" in errors["example.org version 1"]
    assert "invalid certificate" in errors["example.com version 1"]


def test_errors(initialized, tmp_path):
    code, out, _ = run_here(
        initialized, "export", str(tmp_path / "x"), "--domain", "nowhere.example", "--json"
    )
    assert code == 1 and json.loads(out) == {
        "result": "error",
        "error": "no domain nowhere.example",
        "form_errors": {},
    }
    code, _, err = run_here(initialized, "import-certbot", str(tmp_path))
    assert code == 2 and "no certbot archive/, live/ or accounts/ tree" in err
    code, _, err = run_here(initialized, "redis", "prime")
    assert code == 1 and "Redis is not configured" in err
    code, out, _ = run_here(initialized, "nginx", "status", "--json")
    assert code == 1 and "no nginx servers are configured" in json.loads(out)["error"]
    code, out, _ = run_here(initialized, "--json", "queue", "process")
    assert code == 0 and json.loads(out)["processed"] == 0


def test_missing_optional_module_is_reported(initialized, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "peter_sslers.lib.nginx_cache", None)
    code, _, err = run_here(initialized, "nginx", "flush")
    assert code == 2 and "nginx flush is not available in this installation" in err
