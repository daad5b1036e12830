"""configure() / current_backend() and the openssl subprocess helper."""

from __future__ import annotations

import os
import stat

import pytest

from peter_sslers.lib import cert_utils
from peter_sslers.lib.cert_utils import openssl_cli

from .conftest import use_backend


def _script(tmp_path, body: str) -> str:
    path = tmp_path / "fake-openssl"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_configure_and_restore():
    previous = cert_utils.configure("openssl")
    try:
        assert cert_utils.current_backend() == "openssl"
        assert cert_utils.get_configuration()["backend"] == "openssl"
        cert_utils.configure("auto")
        assert cert_utils.current_backend() == "cryptography"  # importable in this venv
        cert_utils.configure("cryptography")
        assert cert_utils.current_backend() == "cryptography"
    finally:
        cert_utils.configure(**previous)


def test_configure_rejects_unknown_backend_and_missing_binary(tmp_path):
    before = cert_utils.get_configuration()
    with pytest.raises(cert_utils.BackendUnavailableError, match="unknown backend"):
        cert_utils.configure("gnutls")
    with pytest.raises(cert_utils.BackendUnavailableError, match="not found"):
        cert_utils.configure("openssl", openssl_path=str(tmp_path / "no-such-openssl"))
    with pytest.raises(cert_utils.BackendUnavailableError, match="openssl_path_conf"):
        cert_utils.configure("openssl", openssl_path_conf=str(tmp_path / "missing.cnf"))
    assert cert_utils.get_configuration() == before


def test_openssl_path_and_conf_are_honoured(tmp_path):
    conf = tmp_path / "openssl.cnf"
    conf.write_text("# empty\n")
    fake = _script(tmp_path, 'echo "conf=$OPENSSL_CONF lang=$LC_ALL args=$*"')
    with use_backend("openssl"):
        previous = cert_utils.configure("openssl", openssl_path=fake, openssl_path_conf=str(conf))
        try:
            out = openssl_cli.run(["version", "-a"]).stdout.decode()
        finally:
            cert_utils.configure(**previous)
    assert out.strip() == f"conf={conf} lang=C args=version -a"


def test_nonzero_exit_is_summarised():
    with pytest.raises(cert_utils.OpenSSLError) as excinfo:
        openssl_cli.run(["x509", "-in", "/nonexistent/cert.pem", "-noout"])
    err = excinfo.value
    assert err.returncode not in (0, None)
    assert "x509" in str(err) and "No such file" in err.stderr
    assert len(err.stderr) < 400


def test_timeout(tmp_path):
    fake = _script(tmp_path, "sleep 5")
    saved = openssl_cli.settings.openssl_path
    openssl_cli.settings.openssl_path = fake
    try:
        with pytest.raises(cert_utils.OpenSSLError, match="timed out") as excinfo:
            openssl_cli.run(["version"], timeout=0.3)
    finally:
        openssl_cli.settings.openssl_path = saved
    assert excinfo.value.returncode is None


def test_binary_vanished_after_configure(tmp_path, pki):
    fake = _script(tmp_path, "exit 0")
    with use_backend("openssl"):
        previous = cert_utils.configure("openssl", openssl_path=fake)
        try:
            os.unlink(fake)
            with pytest.raises(cert_utils.OpenSSLError, match="not found"):
                cert_utils.parse_cert(pki.root.pem)
        finally:
            cert_utils.configure(**previous)


def test_input_files_are_private_and_removed(tmp_path):
    fake = _script(tmp_path, 'echo "$1"; stat -c "%a" "$1"; cat "$1"')
    saved = openssl_cli.settings.openssl_path
    openssl_cli.settings.openssl_path = fake
    try:
        result = openssl_cli.run([openssl_cli.InputFile(b"secret", "key.pem")])
    finally:
        openssl_cli.settings.openssl_path = saved
    path, mode, content = result.stdout.decode().split("\n", 2)
    assert mode == "600" and content == "secret"
    assert not os.path.exists(path) and not os.path.exists(os.path.dirname(path))


def test_summarize_stderr():
    stderr = (
        b"Could not read certificate from <stdin>\n"
        b"40F7:error:0480006C:PEM routines:PEM_read_bio_ex:no start line:../crypto/pem/pem_lib.c:763:\n"
        b"40F7:error:0480006C:PEM routines:PEM_read_bio_ex:no start line:../crypto/pem/pem_lib.c:763:\n"
    )
    assert openssl_cli.summarize_stderr(stderr) == "PEM routines: no start line"
    assert openssl_cli.summarize_stderr(b"plain message\n") == "plain message"
