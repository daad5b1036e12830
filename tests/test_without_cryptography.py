"""With neither `cryptography` nor `josepy` importable, the app starts and works through OpenSSL."""

from __future__ import annotations

import json
import subprocess
import sys

from tests import pki
from tests.conftest import TEST_INI, settings_for

SCRIPT = r"""
import importlib.abc, json, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("cryptography", "josepy"):
            raise ImportError(f"{name} is blocked for this test")
        return None

sys.meta_path.insert(0, Block())
import webtest
from peter_sslers import main
from peter_sslers.lib import cert_utils
from peter_sslers.scripts.initializedb import initialize

settings = json.loads(sys.argv[1])
pems = json.loads(sys.argv[2])
initialize(sys.argv[3], settings)
app = webtest.TestApp(main({}, **settings))
out = {"backend": cert_utils.current_backend()}
res = app.post("/.well-known/admin/certificate-signed/upload.json", upload_files=[
    ("certificate_file", "c.pem", pems["cert"].encode()), ("private_key_file", "k.pem", pems["key"].encode()),
    ("chain_file", "ch.pem", pems["chain"].encode())])
cert = res.json["certificate_signed"]
out["fingerprint_sha256"] = cert["fingerprint_sha256"]
out["config_key"] = app.get("/.well-known/admin/domain/nocrypto.example.com/config.json").json[
    "certificate_signed__latest_single"]["private_key"]["pem"]
out["p12_bytes"] = len(app.get(f"/.well-known/admin/certificate-signed/{cert['id']}/cert.p12").body)
out["der_bytes"] = len(app.get(f"/.well-known/admin/certificate-signed/{cert['id']}/cert.der").body)
key = cert_utils.new_private_key(technology="EC", curve="P-256")
out["jws_alg"] = cert_utils.jws_alg(key)
bad = app.post("/.well-known/admin/private-key/upload.json", upload_files=[("private_key_file", "k.pem", b"junk")],
               status=400)
out["bad_input_field"] = sorted(bad.json["form_errors"])
out["blocked"] = [m for m in sys.modules if m.split(".")[0] in ("cryptography", "josepy")]
print(json.dumps(out))
"""


def test_the_app_runs_on_the_openssl_backend_alone(make_database_url, tmp_path):
    issuer = pki.make_pki()
    leaf = pki.make_leaf(["nocrypto.example.com"], issuer.intermediate)
    settings = settings_for(make_database_url("nocrypto"))
    pems = {"cert": leaf.pem, "key": leaf.key_pem, "chain": issuer.intermediate.pem}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(settings), json.dumps(pems), TEST_INI],
        capture_output=True, text=True, timeout=300, cwd=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["backend"] == "openssl"
    assert out["blocked"] == []
    assert out["fingerprint_sha256"] == leaf.cert.fingerprint(pki.hashes.SHA256()).hex()
    assert out["config_key"] == leaf.key_pem
    assert out["p12_bytes"] > 500 and out["der_bytes"] > 200
    assert out["jws_alg"] == "ES256"
    assert out["bad_input_field"] == ["private_key_file"]
