"""Validating and normalising the domain names a user or a certificate gives us."""

from __future__ import annotations

import ipaddress
import re

import idna

from .errors import InvalidRequest

MAX_NAMES_PER_SET = 100
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class InvalidDomainName(ValueError):
    """A name that is not a valid DNS name for a certificate."""


def normalize_domain_name(raw: str) -> str:
    """Lower-case ASCII form of a name: IDNs become punycode, a trailing dot is dropped.

    A leading ``*.`` (wildcard) is kept. Raises InvalidDomainName with the reason.
    """
    name = raw.strip().rstrip(".")
    if not name:
        raise InvalidDomainName("empty name")
    if len(name) > 1024:
        raise InvalidDomainName("name is too long")
    wildcard = name.startswith("*.")
    body = name[2:] if wildcard else name
    try:
        ipaddress.ip_address(body)
    except ValueError:
        pass
    else:
        raise InvalidDomainName(f"{raw!r} is an IP address, not a domain name")
    if not body.isascii():
        try:
            body = idna.encode(body, uts46=True).decode("ascii")
        except idna.IDNAError as exc:
            raise InvalidDomainName(f"{raw!r} is not a valid internationalised name ({exc})") from None
    body = body.lower()
    labels = body.split(".")
    if len(labels) < 2:
        raise InvalidDomainName(f"{raw!r} is not a fully qualified domain name")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidDomainName(f"{raw!r} has an invalid label {label[:70]!r}")
    if labels[-1].isdigit():
        raise InvalidDomainName(f"{raw!r} has a numeric top-level label")
    if len(body) > 253:
        raise InvalidDomainName(f"{raw!r} is longer than 253 characters")
    return "*." + body if wildcard else body


def split_domain_names(text: str) -> list[str]:
    """Names from free text separated by commas, whitespace or newlines."""
    return [part for part in re.split(r"[\s,]+", text or "") if part]


def parse_domain_names(
    text_or_list: str | list[str], field: str = "domain_names", limit: int = MAX_NAMES_PER_SET
) -> list[str]:
    """Normalise a list of names; duplicates collapse. Raises InvalidRequest naming bad names."""
    raw = split_domain_names(text_or_list) if isinstance(text_or_list, str) else list(text_or_list)
    if not raw:
        raise InvalidRequest("no domain names given", {field: "give at least one domain name"})
    names: list[str] = []
    problems: list[str] = []
    for item in raw:
        try:
            name = normalize_domain_name(item)
        except InvalidDomainName as exc:
            problems.append(str(exc))
            continue
        if name not in names:
            names.append(name)
    if problems:
        raise InvalidRequest("invalid domain names", {field: "; ".join(problems[:20])})
    if len(names) > limit:
        raise InvalidRequest(
            f"too many domain names: {len(names)}, at most {limit} fit one certificate",
            {field: f"at most {limit} names"},
        )
    return sorted(names)
