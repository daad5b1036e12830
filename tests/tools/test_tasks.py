"""The certbot import tasks, run against the fake server over real HTTP."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from invoke import Context, Exit

from tools import certbot_tree, tasks

from .conftest import PRODUCTION_SERVER, STAGING_SERVER

ROOT = Path(__file__).resolve().parents[2]
CERT_FIELDS = {"private_key_file", "certificate_file", "chain_file"}
ACCOUNT_FILE_FIELDS = {"certbot_private_key_json", "certbot_regr_json", "certbot_meta_json"}


def counts(summary: tasks.ImportSummary) -> tuple[int, int, int]:
    return len(summary.imported), len(summary.already_present), len(summary.failed)


def uploaded_certs(fake) -> list[str]:
    return [record["files"]["certificate_file"][1] for record in fake.app.received]


def assert_certificate_upload(record, files, suffix=""):
    assert record["route"] == "certificate-signed/upload.json"
    assert set(record["files"]) == CERT_FIELDS
    assert record["fields"] == {}
    assert record["files"]["private_key_file"] == (
        f"privkey{suffix}.pem",
        files["privkey"].decode(),
    )
    assert record["files"]["certificate_file"] == (f"cert{suffix}.pem", files["cert"].decode())
    assert record["files"]["chain_file"] == (f"chain{suffix}.pem", files["chain"].decode())


@pytest.fixture
def out():
    return io.StringIO()


@pytest.fixture(autouse=True)
def no_env_root(monkeypatch):
    monkeypatch.delenv(tasks.ENV_SERVER_ROOT, raising=False)


def test_archive_imports_every_version(letsencrypt, fake, out):
    summary = tasks.import_certbot_certs_archive(letsencrypt.archive, fake.admin, out=out)
    assert counts(summary) == (3, 0, 0)
    assert summary.imported == [
        "example.com version 1",
        "example.com version 2",
        "example.org version 1",
    ]
    received = fake.app.received
    assert_certificate_upload(received[0], letsencrypt.version("example.com", 1), "1")
    assert_certificate_upload(received[1], letsencrypt.version("example.com", 2), "2")
    assert_certificate_upload(received[2], letsencrypt.version("example.org", 1), "1")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/3] imported") and "example.com version 1" in lines[0]
    assert lines[3] == "summary: 3 imported, 0 already present, 0 failed"

    again = tasks.import_certbot_certs_archive(letsencrypt.archive, fake.admin, out=out)
    assert counts(again) == (0, 3, 0)
    assert "summary: 0 imported, 3 already present, 0 failed" in out.getvalue()


def test_live_imports_the_current_version_of_each_lineage(letsencrypt, fake, out):
    summary = tasks.import_certbot_certs_live(letsencrypt.live, fake.admin, out=out)
    assert counts(summary) == (2, 0, 0)  # live/README is not a lineage
    assert summary.imported == ["example.com", "example.org"]
    assert_certificate_upload(fake.app.received[0], letsencrypt.version("example.com", 2))
    assert_certificate_upload(fake.app.received[1], letsencrypt.version("example.org", 1))


def test_live_after_archive_is_already_present(letsencrypt, fake, out):
    tasks.import_certbot_certs_archive(letsencrypt.archive, fake.admin, out=out)
    summary = tasks.import_certbot_certs_live(letsencrypt.live, fake.admin, out=out)
    assert counts(summary) == (0, 2, 0)


def test_cert_version_imports_one_version(letsencrypt, fake, out):
    summary = tasks.import_certbot_cert_version(
        letsencrypt.archive / "example.com", "1", fake.admin, out=out
    )
    assert counts(summary) == (1, 0, 0)
    assert len(fake.app.received) == 1
    assert_certificate_upload(fake.app.received[0], letsencrypt.version("example.com", 1), "1")


def test_cert_version_that_does_not_exist_fails(letsencrypt, fake, out):
    summary = tasks.import_certbot_cert_version(
        letsencrypt.archive / "example.com", 9, fake.admin, out=out
    )
    assert counts(summary) == (0, 0, 1)
    assert summary.failed == [
        ("example.com version 9", "missing privkey9.pem, cert9.pem, chain9.pem")
    ]
    assert fake.app.received == []


def test_cert_plain_imports_one_directory(letsencrypt, fake, out):
    summary = tasks.import_certbot_cert_plain(letsencrypt.live / "example.org", fake.admin, out=out)
    assert counts(summary) == (1, 0, 0)
    assert_certificate_upload(fake.app.received[0], letsencrypt.version("example.org", 1))


def assert_account_upload(record, letsencrypt, server):
    expected = letsencrypt.contents["accounts"][server]
    assert record["route"] == "acme-account/upload.json"
    assert set(record["files"]) == ACCOUNT_FILE_FIELDS
    assert record["fields"] == {"certbot_server": server}
    assert record["files"]["certbot_private_key_json"] == (
        "private_key.json",
        expected["private_key.json"],
    )
    assert record["files"]["certbot_regr_json"] == ("regr.json", expected["regr.json"])
    assert record["files"]["certbot_meta_json"] == ("meta.json", expected["meta.json"])
    assert json.loads(record["files"]["certbot_private_key_json"][1])["kty"] == "RSA"


def test_account_imports_one_account(letsencrypt, fake, out):
    account_dir = letsencrypt.account_dir(PRODUCTION_SERVER)
    summary = tasks.import_certbot_account(account_dir, fake.admin, out=out)
    assert counts(summary) == (1, 0, 0)
    assert summary.imported == [f"{PRODUCTION_SERVER}/{account_dir.name}"]
    assert_account_upload(fake.app.received[0], letsencrypt, PRODUCTION_SERVER)


def test_accounts_server_imports_one_server(letsencrypt, fake, out):
    summary = tasks.import_certbot_accounts_server(
        letsencrypt.accounts / STAGING_SERVER, fake.admin, out=out
    )
    assert counts(summary) == (1, 0, 0)
    assert len(fake.app.received) == 1
    assert_account_upload(fake.app.received[0], letsencrypt, STAGING_SERVER)


def test_accounts_all_imports_every_server(letsencrypt, fake, out):
    summary = tasks.import_certbot_accounts_all(letsencrypt.accounts, fake.admin, out=out)
    assert counts(summary) == (2, 0, 0)
    by_server = {record["fields"]["certbot_server"]: record for record in fake.app.received}
    assert set(by_server) == {PRODUCTION_SERVER, STAGING_SERVER}
    for server, record in by_server.items():
        assert_account_upload(record, letsencrypt, server)
    again = tasks.import_certbot_accounts_all(letsencrypt.accounts, fake.admin, out=out)
    assert counts(again) == (0, 2, 0)


def test_account_with_a_missing_file_is_reported(letsencrypt, fake, out):
    account_dir = letsencrypt.account_dir(STAGING_SERVER)
    (account_dir / "meta.json").unlink()
    summary = tasks.import_certbot_accounts_all(letsencrypt.accounts, fake.admin, out=out)
    assert counts(summary) == (1, 0, 1)
    assert summary.failed == [(f"{STAGING_SERVER}/{account_dir.name}", "missing meta.json")]


def test_certbot_server_outside_an_accounts_directory(tmp_path):
    account_dir = tmp_path / "copied" / "acme-v02.api.letsencrypt.org" / "directory" / "abc123"
    account_dir.mkdir(parents=True)
    assert certbot_tree.certbot_server(account_dir) == PRODUCTION_SERVER
    with pytest.raises(certbot_tree.TreeError, match="cannot tell which ACME server"):
        certbot_tree.certbot_server(tmp_path / "nowhere" / "abc123")


def test_server_root_falls_back_to_the_environment(letsencrypt, fake, out, monkeypatch):
    monkeypatch.setenv(tasks.ENV_SERVER_ROOT, fake.admin + "/")
    summary = tasks.import_certbot_certs_live(letsencrypt.live, out=out)
    assert counts(summary) == (2, 0, 0)
    # an explicit option wins over the environment
    monkeypatch.setenv(tasks.ENV_SERVER_ROOT, "http://127.0.0.1:9/nowhere")
    assert tasks.resolve_server_root(fake.admin) == fake.admin


def test_missing_server_root_is_an_error(letsencrypt, out):
    with pytest.raises(
        tasks.ServerRootError, match="--server-url-root or set PETER_SSLERS_SERVER_ROOT"
    ):
        tasks.import_certbot_certs_live(letsencrypt.live, out=out)
    with pytest.raises(tasks.ServerRootError, match="http"):
        tasks.resolve_server_root("127.0.0.1:7201/.well-known/admin")
    with pytest.raises(Exit) as raised:
        tasks.certs_live_task(Context(), live_path=str(letsencrypt.live))
    assert raised.value.code == 2
    assert "PETER_SSLERS_SERVER_ROOT" in raised.value.message


def test_a_path_that_is_not_a_directory_is_an_error(tmp_path, fake, out):
    with pytest.raises(certbot_tree.TreeError, match="is not a directory"):
        tasks.import_certbot_certs_archive(tmp_path / "absent", fake.admin, out=out)


def rejecting_app(fail_on=lambda number: True):
    """A server that refuses chosen requests with the app's JSON error body."""
    calls = []

    def app(environ, start_response):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        calls.append(environ["PATH_INFO"])
        if fail_on(len(calls)):
            status, body = (
                "400 Bad Request",
                {
                    "result": "error",
                    "error": "there was an error with your form",
                    "form_errors": {"chain_file": "the chain does not sign the certificate"},
                },
            )
        else:
            status, body = (
                "200 OK",
                {"result": "success", "certificate_signed": {"id": "5", "created": True}},
            )
        data = json.dumps(body).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]

    return app, calls


def test_failed_upload_is_reported_with_the_reason(letsencrypt, serve, out):
    app, calls = rejecting_app(fail_on=lambda number: number == 2)
    url = serve(app)
    summary = tasks.import_certbot_certs_archive(letsencrypt.archive, url, out=out)
    assert counts(summary) == (2, 0, 1)
    assert calls == ["/certificate-signed/upload.json"] * 3
    reason = "HTTP 400; there was an error with your form; chain_file: the chain does not sign the certificate"
    assert summary.failed == [("example.com version 2", reason)]
    text = out.getvalue()
    assert f"[2/3] FAILED          example.com version 2: {reason}" in text
    assert "summary: 2 imported, 0 already present, 1 failed" in text
    assert f"  failed: example.com version 2: {reason}" in text


def test_failed_upload_makes_the_task_exit_non_zero(letsencrypt, serve, capsys):
    app, _ = rejecting_app()
    url = serve(app)
    with pytest.raises(Exit) as raised:
        tasks.cert_plain_task(
            Context(), cert_path=str(letsencrypt.live / "example.com"), server_url_root=url
        )
    assert raised.value.code == 1
    assert "1 failed" in capsys.readouterr().out


def test_non_json_answers_and_unreachable_servers_are_failures(letsencrypt, serve, out):
    def html_error(environ, start_response):
        start_response("500 Internal Server Error", [("Content-Type", "text/html")])
        return [b"<html><body>\n  Internal   Server Error</body></html>"]

    summary = tasks.import_certbot_cert_plain(
        letsencrypt.live / "example.com", serve(html_error), out=out
    )
    assert summary.failed[0][1] == "HTTP 500; <html><body> Internal Server Error</body></html>"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    summary = tasks.import_certbot_cert_plain(
        letsencrypt.live / "example.com", f"http://127.0.0.1:{closed_port}", out=out, timeout=5
    )
    assert counts(summary) == (0, 0, 1)
    assert summary.failed[0][1].startswith(
        f"http://127.0.0.1:{closed_port}/certificate-signed/upload.json: "
    )


def test_success_without_created_flag_is_a_failure(letsencrypt, serve, out):
    def vague(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"result": "success"}']

    summary = tasks.import_certbot_cert_plain(
        letsencrypt.live / "example.com", serve(vague), out=out
    )
    assert summary.failed[0][1] == "unexpected answer: no certificate_signed.created in the JSON"


def run_invoke(*args: str, env_root: str | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != tasks.ENV_SERVER_ROOT}
    if env_root:
        env[tasks.ENV_SERVER_ROOT] = env_root
    invoke = Path(sys.executable).with_name("invoke")
    return subprocess.run(
        [str(invoke), "-r", "tools", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_invoke_cli_runs_a_task(letsencrypt, fake):
    result = run_invoke(
        "import-certbot-certs-live",
        f"--live-path={letsencrypt.live}",
        f"--server-url-root={fake.admin}",
    )
    assert result.returncode == 0, result.stderr
    assert "[1/2] imported" in result.stdout
    assert "summary: 2 imported, 0 already present, 0 failed" in result.stdout
    assert len(fake.app.received) == 2

    listing = run_invoke("--list")
    for name in (
        "import-certbot-certs-archive",
        "import-certbot-certs-live",
        "import-certbot-cert-version",
        "import-certbot-cert-plain",
        "import-certbot-account",
        "import-certbot-accounts-server",
        "import-certbot-accounts-all",
    ):
        assert name in listing.stdout


def test_invoke_cli_reads_the_environment_and_reports_errors(letsencrypt, fake):
    result = run_invoke(
        "import-certbot-cert-version",
        f"--domain-certs-path={letsencrypt.archive / 'example.com'}",
        "--certificate-version=2",
        env_root=fake.admin,
    )
    assert result.returncode == 0, result.stderr
    assert "summary: 1 imported" in result.stdout

    missing_root = run_invoke(
        "import-certbot-accounts-all", f"--accounts-all-path={letsencrypt.accounts}"
    )
    assert missing_root.returncode == 2
    assert "PETER_SSLERS_SERVER_ROOT" in missing_root.stderr

    failed = run_invoke(
        "import-certbot-cert-version",
        f"--domain-certs-path={letsencrypt.archive / 'example.com'}",
        "--certificate-version=7",
        f"--server-url-root={fake.admin}",
    )
    assert failed.returncode == 1
    assert "missing privkey7.pem" in failed.stdout
