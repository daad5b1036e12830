"""Turning crypto-layer errors on user input into InvalidRequest errors that name the field."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ... import model
from .. import cert_utils
from ..errors import InvalidRequest

_TECHNOLOGIES = {
    ("RSA", 2048): model.enums.KeyTechnology.RSA_2048,
    ("RSA", 3072): model.enums.KeyTechnology.RSA_3072,
    ("RSA", 4096): model.enums.KeyTechnology.RSA_4096,
    ("EC", "P-256"): model.enums.KeyTechnology.EC_P256,
    ("EC", "P-384"): model.enums.KeyTechnology.EC_P384,
}

# what each KeyTechnology means to cert_utils.new_private_key
GENERATE_ARGS = {
    model.enums.KeyTechnology.RSA_2048: {"technology": "RSA", "bits": 2048},
    model.enums.KeyTechnology.RSA_3072: {"technology": "RSA", "bits": 3072},
    model.enums.KeyTechnology.RSA_4096: {"technology": "RSA", "bits": 4096},
    model.enums.KeyTechnology.EC_P256: {"technology": "EC", "curve": "P-256"},
    model.enums.KeyTechnology.EC_P384: {"technology": "EC", "curve": "P-384"},
}


@contextlib.contextmanager
def field_errors(field: str, what: str) -> Iterator[None]:
    """Re-raise a CryptoError inside the block as InvalidRequest for ``field``."""
    try:
        yield
    except cert_utils.CryptoError as exc:
        raise InvalidRequest(f"{what}: {exc}", {field: str(exc)}) from None


def key_technology(technology: str, bits: int | None, curve: str | None, field: str):
    """The KeyTechnology of a parsed key; InvalidRequest for kinds we cannot order with."""
    key = (technology, curve if technology == "EC" else bits)
    found = _TECHNOLOGIES.get(key)
    if found is None:
        shown = f"{technology} {curve or bits or ''}".strip()
        raise InvalidRequest(
            f"unsupported key: {shown}",
            {field: f"{shown} is not supported; use RSA 2048/3072/4096 or EC P-256/P-384"},
        )
    return found


def key_technology_or_none(technology: str, bits: int | None, curve: str | None):
    """Like key_technology, but None for kinds outside the list (for certificates we only record)."""
    return _TECHNOLOGIES.get((technology, curve if technology == "EC" else bits))
