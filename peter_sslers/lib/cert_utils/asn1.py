"""A tiny, strict DER reader and writer (pure Python, no dependencies).

Only what ``cert_utils`` needs: definite-length TLVs with low tag numbers,
INTEGER / OID / BIT STRING / OCTET STRING helpers and an encoder used to
build RSA/EC private keys from JWKs, ECDSA signatures and PKCS#7 bundles.
Every decoding failure raises :class:`~.errors.InvalidPEMError`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import InvalidPEMError

__all__ = [
    "Element",
    "bit_string",
    "context",
    "decode_oid",
    "encode_oid",
    "integer",
    "integer_bytes",
    "null",
    "octet_string",
    "parse",
    "sequence",
    "set_of",
    "tlv",
]

# universal tags (class + constructed bits included)
BOOLEAN = 0x01
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
T61_STRING = 0x14
IA5_STRING = 0x16
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
UNIVERSAL_STRING = 0x1C
BMP_STRING = 0x1E
SEQUENCE = 0x30
SET = 0x31


def _fail(msg: str) -> InvalidPEMError:
    return InvalidPEMError(f"malformed DER: {msg}")


class Element:
    """One decoded TLV; ``data[start:end]`` is the content, ``data[hstart:end]`` the TLV."""

    __slots__ = ("data", "end", "hstart", "start", "tag")

    def __init__(self, data: bytes, tag: int, hstart: int, start: int, end: int) -> None:
        self.data = data
        self.tag = tag
        self.hstart = hstart
        self.start = start
        self.end = end

    @property
    def value(self) -> bytes:
        """The content octets."""
        return self.data[self.start : self.end]

    @property
    def encoded(self) -> bytes:
        """The complete TLV encoding."""
        return self.data[self.hstart : self.end]

    def children(self) -> list[Element]:
        """Decode the content of a constructed element into its TLVs."""
        if not self.tag & 0x20:
            raise _fail(f"tag 0x{self.tag:02x} is not constructed")
        out = []
        pos = self.start
        while pos < self.end:
            child = _read(self.data, pos, self.end)
            out.append(child)
            pos = child.end
        return out

    def expect(self, tag: int, what: str) -> Element:
        """Return self if the tag matches, else raise."""
        if self.tag != tag:
            raise _fail(f"{what}: expected tag 0x{tag:02x}, got 0x{self.tag:02x}")
        return self

    def as_int(self) -> int:
        """Decode an INTEGER (two's complement)."""
        self.expect(INTEGER, "integer")
        raw = self.value
        if not raw:
            raise _fail("empty INTEGER")
        return int.from_bytes(raw, "big", signed=True)

    def as_oid(self) -> str:
        """Decode an OBJECT IDENTIFIER to its dotted string."""
        self.expect(OID, "object identifier")
        return decode_oid(self.value)

    def bit_string_bytes(self) -> bytes:
        """Content of a BIT STRING without the unused-bits octet."""
        self.expect(BIT_STRING, "bit string")
        raw = self.value
        if not raw or raw[0] > 7:
            raise _fail("bad BIT STRING")
        return raw[1:]


def _read(data: bytes, pos: int, limit: int) -> Element:
    if pos + 2 > limit:
        raise _fail("truncated header")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise _fail("high tag numbers are not supported")
    first = data[pos + 1]
    if first < 0x80:
        start = pos + 2
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise _fail("indefinite or oversized length")
        start = pos + 2 + count
        if start > limit:
            raise _fail("truncated length")
        length = int.from_bytes(data[pos + 2 : start], "big")
    end = start + length
    if end > limit:
        raise _fail("truncated content (data ends early)")
    return Element(data, tag, pos, start, end)


def parse(data: bytes, *, exact: bool = True) -> Element:
    """Decode the TLV at the start of ``data``; with ``exact`` no trailing bytes are allowed."""
    if not data:
        raise _fail("no data")
    element = _read(data, 0, len(data))
    if exact and element.end != len(data):
        raise _fail(f"{len(data) - element.end} trailing bytes after the structure")
    return element


def decode_oid(raw: bytes) -> str:
    """Decode OBJECT IDENTIFIER content octets."""
    if not raw or raw[-1] & 0x80:
        raise _fail("bad OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = arcs[0]
    head = [0, first] if first < 40 else ([1, first - 40] if first < 80 else [2, first - 80])
    return ".".join(str(a) for a in head + arcs[1:])


# --- encoder -----------------------------------------------------------------


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def tlv(tag: int, content: bytes) -> bytes:
    """Encode one TLV."""
    return bytes([tag]) + _length(len(content)) + content


def integer_bytes(n: int) -> bytes:
    """Minimal two's-complement big-endian content octets of an INTEGER."""
    size = ((n if n >= 0 else ~n).bit_length() // 8) + 1
    return n.to_bytes(size, "big", signed=True)


def integer(n: int) -> bytes:
    """Encode an INTEGER."""
    return tlv(INTEGER, integer_bytes(n))


def sequence(*parts: bytes) -> bytes:
    """Encode a SEQUENCE of already-encoded parts."""
    return tlv(SEQUENCE, b"".join(parts))


def set_of(parts: Iterable[bytes]) -> bytes:
    """Encode a SET OF (DER: elements sorted by encoding)."""
    return tlv(SET, b"".join(sorted(parts)))


def octet_string(raw: bytes) -> bytes:
    """Encode an OCTET STRING."""
    return tlv(OCTET_STRING, raw)


def bit_string(raw: bytes) -> bytes:
    """Encode a BIT STRING with zero unused bits."""
    return tlv(BIT_STRING, b"\x00" + raw)


def null() -> bytes:
    """Encode NULL."""
    return b"\x05\x00"


def context(number: int, content: bytes, *, constructed: bool = True) -> bytes:
    """Encode a context-specific tagged value ``[number]``."""
    return tlv((0xA0 if constructed else 0x80) | number, content)


def encode_oid(dotted: str) -> bytes:
    """Encode an OBJECT IDENTIFIER from its dotted string."""
    arcs = [int(a) for a in dotted.split(".")]
    values = [arcs[0] * 40 + arcs[1], *arcs[2:]]
    out = bytearray()
    for value in values:
        chunk = [value & 0x7F]
        value >>= 7
        while value:
            chunk.append(0x80 | (value & 0x7F))
            value >>= 7
        out.extend(reversed(chunk))
    return tlv(OID, bytes(out))
