"""tools/screenshots.py against a live server: 1280x900 PNGs of the dashboard and a certificate,
and not blank. Skipped locally without Chromium; CI installs it (bin/test) and must not skip."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from tests.conftest import require_binary
from tools import screenshots

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> bytes per pixel (8-bit depth)


def read_png(path: Path) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, raw pixel rows) of an 8-bit, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour in CHANNELS, header
    bpp = CHANNELS[colour]
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            up_left = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
                line[i] = (line[i] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, bpp, b"".join(rows)


def pixel_stats(width: int, height: int, bpp: int, pixels: bytes) -> tuple[int, float]:
    """(distinct colours, standard deviation of brightness) over a grid of sampled pixels."""
    colours, values = set(), []
    for y in range(0, height, 7):
        for x in range(0, width, 7):
            offset = (y * width + x) * bpp
            pixel = pixels[offset : offset + min(bpp, 3)]
            colours.add(pixel)
            values.append(sum(pixel) / len(pixel))
    mean = sum(values) / len(values)
    return len(colours), (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5


def test_screenshots_of_dashboard_and_certificate(ui_live, tmp_path):
    chromium = require_binary(screenshots.DEFAULT_CHROMIUM, "apt-get install chromium")
    paths = screenshots.take_screenshots(ui_live.url, tmp_path / "shots", chromium=chromium)
    assert [p.name for p in paths] == ["dashboard.png", "certificate-signed.png"]
    for path in paths:
        width, height, bpp, pixels = read_png(path)
        assert (width, height) == (screenshots.WIDTH, screenshots.HEIGHT), path.name
        colours, spread = pixel_stats(width, height, bpp, pixels)
        assert colours > 20 and spread > 10, (
            f"{path.name} looks blank ({colours} colours, spread {spread:.1f})"
        )


@pytest.mark.parametrize("kind", [0, 2, 6])
def test_read_png_decodes_what_zlib_encodes(tmp_path, kind):
    """The little PNG reader, checked on a hand-made image of each colour type."""
    width, height = 5, 3
    bpp = CHANNELS[kind]
    rows = [
        bytes((x * 40 + y * 7 + c) % 256 for x in range(width) for c in range(bpp))
        for y in range(height)
    ]
    filtered = b"".join(
        bytes([2 if y else 0])
        + (
            bytes((a - b) & 0xFF for a, b in zip(rows[y], rows[y - 1], strict=True))
            if y
            else rows[y]
        )
        for y in range(height)
    )

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, kind, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(filtered))
        + chunk(b"IEND", b"")
    )
    path = tmp_path / "x.png"
    path.write_bytes(png)
    assert read_png(path) == (width, height, bpp, b"".join(rows))
