"""Transparent encryption of secrets at rest (private keys, DNS provider credentials).

Values are stored as ``fernet:<token>`` when keys are configured; rows written before
encryption was turned on (plain PEM text) are read as they are, so turning it on needs no
migration, and ``rotate`` re-encrypts everything under the newest key.
"""

from __future__ import annotations

import sqlalchemy as sa

PREFIX = "fernet:"
_state: dict = {"fernet": None}


class EncryptionError(RuntimeError):
    pass


def configure(keys: list[str]) -> None:
    """Use these Fernet keys (newest first); an empty list stores values in clear."""
    if not keys:
        _state["fernet"] = None
        return
    try:
        from cryptography.fernet import Fernet, MultiFernet
    except ImportError:  # pragma: no cover - the OpenSSL-only mode
        raise EncryptionError("encryption.key needs the cryptography package") from None
    try:
        _state["fernet"] = MultiFernet([Fernet(k.strip().encode()) for k in keys])
    except ValueError as exc:
        raise EncryptionError(f"invalid encryption key: {exc} (make one with Fernet.generate_key())") from None


def is_enabled() -> bool:
    return _state["fernet"] is not None


def encrypt(value: str) -> str:
    fernet = _state["fernet"]
    if fernet is None or value.startswith(PREFIX):
        return value
    return PREFIX + fernet.encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(value: str) -> str:
    if not value.startswith(PREFIX):
        return value
    fernet = _state["fernet"]
    if fernet is None:
        raise EncryptionError("this value is encrypted but no encryption.key is configured")
    from cryptography.fernet import InvalidToken

    try:
        return fernet.decrypt(value[len(PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise EncryptionError("no configured encryption.key decrypts this value") from None


class EncryptedText(sa.types.TypeDecorator):
    """Text encrypted with the configured key(s) on the way in, decrypted on the way out."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)


def rotate_value(raw: str) -> str:
    """A stored value re-encrypted under the newest key (clear values get encrypted)."""
    fernet = _state["fernet"]
    if fernet is None:
        raise EncryptionError("set encryption.key (newest key first) before rotating")
    if raw.startswith(PREFIX):
        return PREFIX + fernet.rotate(raw[len(PREFIX):].encode("ascii")).decode("ascii")
    return encrypt(raw)
