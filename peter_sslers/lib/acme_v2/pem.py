"""Tiny PEM helpers (no crypto library needed): PEM <-> DER, chain splitting."""

from __future__ import annotations

import base64
import re

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----", re.DOTALL)


def pem_blocks(pem: str | bytes, label: str | None = None) -> list[tuple[str, bytes]]:
    """``(label, der)`` of every PEM block (only those with ``label`` when given)."""
    text = pem.decode("ascii") if isinstance(pem, bytes) else pem
    blocks = []
    for match in _PEM_BLOCK.finditer(text):
        if label is None or match.group(1) == label:
            blocks.append((match.group(1), base64.b64decode("".join(match.group(2).split()))))
    return blocks


def to_der(data: str | bytes, label: str) -> bytes:
    """DER bytes from DER or PEM input (the first block labelled ``label``).

    For CSRs both ``CERTIFICATE REQUEST`` and ``NEW CERTIFICATE REQUEST`` are accepted.
    """
    if isinstance(data, bytes) and not data.lstrip().startswith(b"-----BEGIN"):
        return data
    labels = {label, "NEW " + label}
    for block_label, der in pem_blocks(data):
        if block_label in labels:
            return der
    raise ValueError(f"no PEM block labelled {label!r}")


def der_to_pem(der: bytes, label: str = "CERTIFICATE") -> str:
    """A PEM block (64-column base64) for ``der``."""
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def split_chain(pem_chain: str) -> list[str]:
    """The certificates of a PEM chain, leaf first, each as its own PEM string."""
    return [der_to_pem(der) for _, der in pem_blocks(pem_chain, "CERTIFICATE")]
