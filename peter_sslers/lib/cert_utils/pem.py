"""Pure-Python PEM helpers: size limit, normalisation, block decoding, DER<->PEM framing,
base64url.

Nothing here needs ``cryptography`` or ``openssl``; both backends receive
input that went through :func:`decode_blocks`, which is why they raise the
same error class for the same malformed input.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
import sys

from .errors import InvalidPEMError, TooLargeError, UnsupportedKeyError

__all__ = [
    "MAX_INPUT_BYTES",
    "Block",
    "b64url_decode",
    "b64url_encode",
    "check_size",
    "decode_blocks",
    "der_to_pem",
    "ensure_text",
    "normalize_pem",
]

#: Any single PEM/DER input larger than this is refused before parsing.
MAX_INPUT_BYTES = 1024 * 1024

_MARKER_RE = re.compile(r"-----(BEGIN|END) ([A-Z0-9][A-Z0-9 #]*)-----")
_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]*$")


@dataclasses.dataclass(frozen=True)
class Block:
    """One decoded PEM block: its label (e.g. "CERTIFICATE") and DER bytes."""

    label: str
    der: bytes

    @property
    def pem(self) -> str:
        """Canonical PEM text (64-column base64, one trailing newline)."""
        return der_to_pem(self.der, self.label)


def check_size(data: object, what: str = "input", limit: int | None = None) -> None:
    """Raise :class:`TooLargeError` when ``data`` (str/bytes) is longer than the limit."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    size = len(data) if isinstance(data, (str, bytes, bytearray, memoryview)) else 0
    if size > limit:
        raise TooLargeError(
            f"{what} is {size} bytes, more than the {limit} byte limit; "
            "refusing to parse it (is this really a single PEM object?)"
        )


def ensure_text(data: object, what: str = "input") -> str:
    """Return ``data`` as str after the size check; bytes must be ASCII PEM text."""
    check_size(data, what)
    if isinstance(data, str):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            hint = (
                " It looks like binary DER; use the *_der_to_pem() helpers first."
                if raw[:1] == b"\x30"
                else ""
            )
            raise InvalidPEMError(f"{what} is not ASCII PEM text.{hint}") from None
    raise InvalidPEMError(f"{what} must be PEM text (str or bytes), got {type(data).__name__}")


def normalize_pem(text: str | bytes) -> str:
    """Strip surrounding whitespace, use unix newlines, strip trailing spaces on each
    line and end with exactly one newline. Raises :class:`InvalidPEMError` on empty input."""
    text = ensure_text(text, "PEM text")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    out = "\n".join(line.rstrip() for line in lines)
    if not out:
        raise InvalidPEMError("PEM text is empty")
    return out + "\n"


def der_to_pem(der: bytes, label: str) -> str:
    """Frame DER bytes as PEM with the given label."""
    b64 = base64.b64encode(der).decode("ascii")
    body = "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def _looks_binary(text: str) -> bool:
    return any(ord(ch) < 9 or 13 < ord(ch) < 32 or ord(ch) > 126 for ch in text[:64])


def _no_block_error(text: str, what: str) -> InvalidPEMError:
    if not text.strip():
        return InvalidPEMError(f"{what} is empty")
    if _looks_binary(text):
        return InvalidPEMError(
            f"{what} contains binary data, not PEM text; if it is DER use the "
            "*_der_to_pem() helpers first"
        )
    if "-----BEGIN" in text:
        return InvalidPEMError(f"{what} has a malformed BEGIN line")
    return InvalidPEMError(f"{what} contains no PEM block (no '-----BEGIN ...-----' line)")


def _strict_b64decode(compact: str) -> bytes:
    if sys.version_info >= (3, 11):  # C implementation of the strict check
        return binascii.a2b_base64(compact, strict_mode=True)
    return base64.b64decode(compact, validate=True)


def _decode_body(label: str, body: str) -> bytes:
    if ":" in body:
        if "ENCRYPTED" in body:
            raise UnsupportedKeyError(
                "encrypted PEM keys are not supported; decrypt it first "
                "(openssl pkey -in key.pem -out plain.pem)"
            )
        raise InvalidPEMError(f"unexpected headers inside the PEM block {label!r}")
    compact = "".join(body.split())
    if not compact:
        raise InvalidPEMError(f"PEM block {label!r} is empty")
    try:
        der = _strict_b64decode(compact)
    except (binascii.Error, ValueError) as exc:
        raise InvalidPEMError(f"PEM block {label!r} contains invalid base64 ({exc})") from None
    if not der:
        raise InvalidPEMError(f"PEM block {label!r} is empty")
    return der


def decode_blocks(data: object, what: str = "input") -> list[Block]:
    """Decode every PEM block in ``data``; text outside blocks is ignored.

    Raises :class:`InvalidPEMError` on no block, BEGIN without END, mismatched
    BEGIN/END labels or bad base64.
    """
    text = ensure_text(data, what)
    blocks: list[Block] = []
    open_label: str | None = None
    open_end = 0
    for match in _MARKER_RE.finditer(text):
        kind, label = match.group(1), match.group(2)
        if kind == "BEGIN":
            if open_label is not None:
                raise InvalidPEMError(
                    f"{what}: PEM block {open_label!r} is truncated (BEGIN without END)"
                )
            open_label, open_end = label, match.end()
            continue
        if open_label is None:
            raise InvalidPEMError(f"{what}: found 'END {label}' without a BEGIN line")
        if label != open_label:
            raise InvalidPEMError(f"{what}: 'BEGIN {open_label}' does not match 'END {label}'")
        blocks.append(Block(label, _decode_body(label, text[open_end : match.start()])))
        open_label = None
    if open_label is not None:
        raise InvalidPEMError(
            f"{what}: PEM block {open_label!r} is truncated (no 'END {open_label}' line)"
        )
    if not blocks:
        raise _no_block_error(text, what)
    return blocks


def b64url_encode(raw: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; raises :class:`InvalidPEMError`."""
    if not isinstance(text, str):
        raise InvalidPEMError("base64url value must be a string")
    text = text.rstrip("=")
    if not _B64URL_RE.match(text) or len(text) % 4 == 1:
        raise InvalidPEMError("invalid base64url value")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
