"""The openssl backend in a child interpreter where cryptography and josepy cannot be imported."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import josepy
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from peter_sslers.lib import cert_utils

from .conftest import on_both, pkcs8, traditional

REPO_ROOT = Path(__file__).resolve().parents[3]

CHILD = r"""
import importlib.abc, json, sys, base64

BLOCKED = ("cryptography", "josepy")

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked for this test")
        return None

sys.meta_path.insert(0, Blocker())
for name in list(sys.modules):
    if name.split(".")[0] in BLOCKED:
        del sys.modules[name]

from peter_sslers.lib import cert_utils as cu

data = json.load(sys.stdin)
out = {"backend": cu.current_backend()}
try:
    cu.configure("cryptography")
    out["configure_cryptography"] = "no error"
except cu.BackendUnavailableError as exc:
    out["configure_cryptography"] = type(exc).__name__
cu.configure("auto")
out["backend_after"] = cu.current_backend()

def info(obj):
    d = obj.as_dict()
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in d.items()}

out["certs"] = [info(i) for i in cu.parse_certs_batch(data["certs"])]
out["cert"] = info(cu.parse_cert(data["certs"][0]))
ec_key = cu.new_private_key("EC", curve="P-256")
rsa_key = cu.new_private_key("RSA", 2048)
out["ec_key"], out["rsa_key"] = ec_key, rsa_key
out["ec_key_info"] = info(cu.parse_key(ec_key))
out["csr"] = cu.make_csr(["a.example", "www.a.example"], ec_key)
out["csr_info"] = info(cu.parse_csr(out["csr"]))
for name in ("rsa", "ec"):
    key = data[name + "_account"]
    out[name + "_jwk"] = cu.jwk_public(key)
    out[name + "_thumbprint"] = cu.jwk_thumbprint(key)
    out[name + "_alg"] = cu.jws_alg(key)
    out[name + "_sig"] = base64.b64encode(cu.jws_sign(key, b"protected.payload")).decode()
out["jwk_to_pem"] = cu.jwk_to_pem(data["certbot_jwk"])
out["signed_by"] = cu.cert_signed_by(data["certs"][0], data["certs"][1])
out["p12"] = base64.b64encode(cu.export_pkcs12(data["leaf_key"], data["certs"][0], data["certs"][1:], "pw")).decode()
try:
    cu.parse_cert(data["leaf_key"])
except cu.WrongTypeError:
    out["wrong_type"] = "WrongTypeError"
out["loaded"] = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in BLOCKED})
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def child_result(pki, keys):
    data = {
        "certs": [pki.leaf_rsa.pem, pki.int_ec.pem, pki.root.pem, pki.leaf_ec.pem, pki.weird.pem],
        "rsa_account": traditional(keys.rsa_a),
        "ec_account": pkcs8(keys.ec384),
        "certbot_jwk": josepy.JWKRSA(key=keys.rsa_b).to_json(),
        "leaf_key": pki.leaf_rsa.key_pem,
    }
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONWARNINGS="ignore")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps(data).encode(),
        capture_output=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    return json.loads(proc.stdout)


def test_auto_selects_openssl(child_result):
    assert child_result["backend"] == "openssl"
    assert child_result["backend_after"] == "openssl"
    assert child_result["configure_cryptography"] == "BackendUnavailableError"
    assert child_result["loaded"] == []


def test_parse_matches_cryptography_backend(child_result, pki):
    pems = [pki.leaf_rsa.pem, pki.int_ec.pem, pki.root.pem, pki.leaf_ec.pem, pki.weird.pem]
    expected = on_both(cert_utils.parse_certs_batch, pems)["cryptography"]
    for got, want in zip(child_result["certs"], expected, strict=True):
        want = want.as_dict()
        want["not_before"] = want["not_before"].isoformat()
        want["not_after"] = want["not_after"].isoformat()
        assert got == want
    assert child_result["cert"] == child_result["certs"][0]
    assert child_result["certs"][0]["ari_identifier"]
    assert child_result["signed_by"] is True
    assert child_result["wrong_type"] == "WrongTypeError"


def test_generated_keys_and_csr(child_result):
    ec_key = serialization.load_pem_private_key(child_result["ec_key"].encode(), None)
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey) and ec_key.curve.name == "secp256r1"
    rsa_key = serialization.load_pem_private_key(child_result["rsa_key"].encode(), None)
    assert rsa_key.key_size == 2048
    assert child_result["ec_key_info"]["curve"] == "P-256"
    csr = x509.load_pem_x509_csr(child_result["csr"].encode())
    assert csr.is_signature_valid
    assert child_result["csr_info"]["domain_names"] == ["a.example", "www.a.example"]
    assert child_result["csr_info"]["spki_sha256"] == child_result["ec_key_info"]["spki_sha256"]


def test_jwk_and_jws(child_result, keys):
    for name, key in (("rsa", keys.rsa_a), ("ec", keys.ec384)):
        reference = (josepy.JWKRSA if name == "rsa" else josepy.JWKEC)(key=key)
        assert child_result[f"{name}_jwk"] == reference.public_key().to_json()
        assert child_result[f"{name}_thumbprint"] == cert_utils.b64url_encode(
            reference.thumbprint()
        )
    assert (child_result["rsa_alg"], child_result["ec_alg"]) == ("RS256", "ES384")
    data = b"protected.payload"
    rsa_sig = base64.b64decode(child_result["rsa_sig"])
    keys.rsa_a.public_key().verify(rsa_sig, data, padding.PKCS1v15(), hashes.SHA256())
    raw = base64.b64decode(child_result["ec_sig"])
    assert len(raw) == 96
    der = encode_dss_signature(int.from_bytes(raw[:48], "big"), int.from_bytes(raw[48:], "big"))
    keys.ec384.public_key().verify(der, data, ec.ECDSA(hashes.SHA384()))


def test_jwk_import_and_pkcs12(child_result, keys, pki):
    assert child_result["jwk_to_pem"] == pkcs8(keys.rsa_b)
    from cryptography.hazmat.primitives.serialization import pkcs12

    loaded = pkcs12.load_pkcs12(base64.b64decode(child_result["p12"]), b"pw")
    assert loaded.cert.certificate == pki.leaf_rsa.cert
    assert len(loaded.additional_certs) == 4
