"""cert_signed_by / order_chain / validate_chain on both backends."""

from __future__ import annotations

import pytest
from cryptography import x509

from peter_sslers.lib import cert_utils

from .conftest import issue


def test_cert_signed_by(backend, pki):
    assert cert_utils.cert_signed_by(pki.leaf_rsa.pem, pki.int_ec.pem) is True  # ECDSA P-384
    assert cert_utils.cert_signed_by(pki.leaf_ec.pem, pki.int_rsa.pem) is True  # RSA 2048
    assert cert_utils.cert_signed_by(pki.int_ec.pem, pki.root.pem) is True  # RSA 4096
    assert cert_utils.cert_signed_by(pki.root.pem, pki.root.pem) is True  # self-signed
    assert cert_utils.cert_signed_by(pki.ed_leaf.pem, pki.ed25519.pem) is True  # Ed25519
    assert cert_utils.cert_signed_by(pki.leaf_rsa.pem, pki.int_rsa.pem) is False  # wrong issuer
    assert cert_utils.cert_signed_by(pki.leaf_rsa.pem, pki.leaf_rsa.pem) is False


def test_cert_signed_by_same_name_other_key(backend, pki, keys):
    # an impostor CA with the same subject name but another key: name matches, signature not
    impostor = issue(pki.int_ec.cert.subject, keys.ec256, pki.root, serial=999, ca=True)
    assert cert_utils.cert_signed_by(pki.leaf_rsa.pem, impostor.pem) is False
    # an RSA-keyed impostor for an ECDSA signature: key type mismatch
    impostor_rsa = issue(pki.int_ec.cert.subject, keys.rsa_b, pki.root, serial=998, ca=True)
    assert cert_utils.cert_signed_by(pki.leaf_rsa.pem, impostor_rsa.pem) is False


def test_order_chain(backend, pki):
    shuffled = [pki.root.pem, pki.int_rsa.pem, pki.int_ec.pem]
    assert cert_utils.order_chain(pki.leaf_rsa.pem, shuffled) == [
        pki.leaf_rsa.pem, pki.int_ec.pem, pki.root.pem
    ]  # fmt: skip
    assert cert_utils.order_chain(pki.leaf_ec.pem, "".join(shuffled)) == [
        pki.leaf_ec.pem, pki.int_rsa.pem, pki.root.pem
    ]  # fmt: skip
    assert cert_utils.order_chain(pki.leaf_rsa.pem, []) == [pki.leaf_rsa.pem]


def test_order_long_chain(backend, pki):
    intermediates = [c.pem for c in pki.long_intermediates]
    candidates = [intermediates[2], pki.root_ec.pem, intermediates[0], pki.leaf_rsa.pem,
                  intermediates[3], intermediates[1], intermediates[1]]  # fmt: skip
    ordered = cert_utils.order_chain(pki.leaf_long.pem, candidates)
    assert ordered == [pki.leaf_long.pem, *reversed(intermediates), pki.root_ec.pem]


def test_validate_chain_ok(backend, pki):
    cert_utils.validate_chain(pki.leaf_rsa.pem, [pki.int_ec.pem])
    cert_utils.validate_chain(pki.leaf_rsa.pem, pki.int_ec.pem + pki.root.pem)
    long_chain = [c.pem for c in reversed(pki.long_intermediates)] + [pki.root_ec.pem]
    cert_utils.validate_chain(pki.leaf_long.pem, long_chain)


@pytest.mark.parametrize(
    "case, match",
    [
        ("wrong_order", "issuer name"),
        ("missing_link", "issuer name"),
        ("empty", "empty"),
        ("impostor", "signature"),
        ("not_ca", "not a CA"),
    ],
)
def test_validate_chain_broken(backend, pki, keys, case, match):
    inter = [c.pem for c in reversed(pki.long_intermediates)]
    chains = {
        "wrong_order": (pki.leaf_long.pem, [inter[1], inter[0], *inter[2:]]),
        "missing_link": (pki.leaf_long.pem, [inter[0], inter[2], inter[3]]),
        "empty": (pki.leaf_rsa.pem, []),
        "impostor": (
            pki.leaf_rsa.pem,
            [
                issue(
                    pki.int_ec.cert.subject,
                    keys.ec256,
                    pki.root,
                    serial=5,
                    ca=True,
                    ski=pki.int_ec.cert.extensions.get_extension_for_class(
                        x509.SubjectKeyIdentifier
                    ).value.digest,
                ).pem
            ],
        ),  # fmt: skip
        "not_ca": (
            pki.leaf_rsa.pem,
            [issue(pki.int_ec.cert.subject, keys.ec384, pki.root, serial=6, ca=False).pem],
        ),
    }
    leaf, chain = chains[case]
    with pytest.raises(cert_utils.ChainError, match=match):
        cert_utils.validate_chain(leaf, chain)
