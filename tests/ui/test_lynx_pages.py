"""Every area's list and focus pages read well in Lynx: headings, their data, no template leaks."""

from __future__ import annotations

import subprocess
import urllib.request
from html.parser import HTMLParser

import pytest

from tests.conftest import require_binary
from tests.ui.conftest import ADMIN

LEAKS = ("${", "<%", "%>", "Traceback", "<div", "<td", "<svg", "None ")

# (path, title, {section heading: text that must be in that section}, [text anywhere on the page])
PAGES = [
    (
        "/",
        "Dashboard",
        {
            "Needs attention": "active certificates have expired",
            "Expirations in the next 13 weeks": "Week starting",
            "Counts": "Certificates signed",
            "Recent operations": "AcmeAccount__insert",
        },
        ["active certificates expire in the 13 weeks"],
    ),
    ("/domains", "Domains", {}, ["www.example.com", "soon.example.com"]),
    (
        "/domain/{domain}",
        "Domain www.example.com",
        {
            "Actions": "Deactivate",
            "Certificates": "Certificate {certificate_signed}: ",
            "Unique FQDN sets": "example.com, www.example.com",
            "ACME orders": "valid",
        },
        ["Validity periods", "certificates from"],
    ),
    (
        "/certificate-signeds",
        "Certificates signed",
        {},
        ["CN=www.example.com", "CN=old.example.net"],
    ),
    (
        "/certificate-signed/{certificate_signed}",
        "CertificateSigned {certificate_signed}",
        {
            "Related": "Domain: www.example.com",
            "Chains": "Test Intermediate R1",
            "Downloads": "fullchain.pem",
            "Actions": "Deactivate",
        },
        ["CN=www.example.com", "EC_P256"],
    ),
    ("/private-keys", "Private keys", {}, ["EC_P256", "imported"]),
    (
        "/private-key/{private_key}",
        "PrivateKey {private_key}",
        {
            "Actions": "Mark compromised",
            "Certificates using this key": "CN=www.example.com",
        },
        ["key.pem"],
    ),
    ("/certificate-requests", "Certificate requests", {}, ["csr.example.org"]),
    (
        "/certificate-request/{certificate_request}",
        "CertificateRequest {certificate_request}",
        {},
        ["csr.example.org", "csr.pem"],
    ),
    ("/certificate-cas", "CA certificates", {}, ["Test Root X1", "Test Intermediate R1"]),
    (
        "/certificate-ca/{certificate_ca_intermediate}",
        "Test Intermediate R1",
        {
            "Chains with this certificate": "Test Intermediate R1",
        },
        ["CN=Test Root X1"],
    ),
    ("/certificate-ca-chains", "CA chains", {}, ["Test Intermediate R1"]),
    (
        "/certificate-ca-chain/{certificate_ca_chain}",
        "CertificateCAChain {certificate_ca_chain}",
        {
            "CA certificates, nearest the leaf first": "Test Intermediate R1",
        },
        ["chain.pem"],
    ),
    ("/unique-fqdn-sets", "Unique FQDN sets", {}, ["example.com, www.example.com"]),
    (
        "/unique-fqdn-set/{unique_fqdn_set}",
        "Unique FQDN set {unique_fqdn_set}",
        {
            "Domains": "www.example.com",
            "Certificates": "CN=www.example.com",
            "ACME orders": "valid",
        },
        [],
    ),
    ("/acme-accounts", "ACME accounts", {}, ["ops@example.com"]),
    (
        "/acme-account/{acme_account}",
        "AcmeAccount {acme_account}",
        {
            "Actions": "Change the contact",
            "Account keys": "EC_P256",
        },
        ["ops@example.com", "letsencrypt_staging"],
    ),
    ("/acme-orders", "ACME orders", {}, ["example.com, www.example.com"]),
    (
        "/acme-order/{acme_order}",
        "AcmeOrder {acme_order}",
        {
            "Related": "Certificate: {certificate_signed}",
            "Authorizations": "www.example.com",
            "Challenges": "http-01",
            "ACME exchanges": "new-order",
        },
        ["create_order"],
    ),
    ("/acme-event-logs", "ACME event log", {}, ["new-order", "success"]),
    (
        "/acme-event-log/{acme_event_log}",
        "AcmeEventLog {acme_event_log}",
        {
            "Request payload": "identifiers",
            "Response": "valid",
        },
        ["new-order"],
    ),
    ("/operations-events", "Operations log", {}, ["CertificateSigned__insert"]),
    (
        "/operations-event/{operations_event}",
        "OperationsEvent {operations_event}",
        {
            "Objects": "AcmeAccount",
        },
        [],
    ),
    (
        "/api",
        "API",
        {
            "certificate-signed": "Form field certificate_file",
        },
        ["/.well-known/admin/certificate-signed/{{id}}.json", "OpenAPI document"],
    ),
]


def lynx_dump(url: str) -> str:
    lynx = require_binary("lynx", "apt-get install lynx")
    result = subprocess.run(
        [lynx, "-dump", "-nolist", "-width=200", "-display_charset=utf-8", url],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._open = True
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag == "h2":
            self._open = False

    def handle_data(self, data):
        if self._open:
            self.headings[-1] += data


def h2_headings(url: str) -> list[str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        parser = _Headings()
        parser.feed(response.read().decode("utf-8"))
    return [" ".join(h.split()) for h in parser.headings]


def sections(text: str, headings: list[str]) -> dict[str, str]:
    """The dump split at the page's <h2> headings (Lynx prints them at the left margin)."""
    found: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line and not line[0].isspace() and line.strip() in headings:
            current = line.strip()
            # "certificate-signed (12)" on the API page: key by the name before the count
            current = current.split(" (")[0] if current.endswith(")") else current
            found[current] = ""
        elif current is not None:
            found[current] += line.strip() + "\n"
    return found


@pytest.mark.parametrize(
    "path, title, expected_sections, phrases", PAGES, ids=[p[0] for p in PAGES]
)
def test_page_reads_well_in_lynx(ui_world, ui_live, path, title, expected_sections, phrases):
    ids = ui_world.ids
    url = ui_live.url + ADMIN + path.format(**ids)
    text = lynx_dump(url)
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} in lynx -dump of {path}"
    title = title.format(**ids)
    assert title in text
    for phrase in phrases:
        assert phrase.format(**ids) in text, f"{phrase!r} missing from {path}"
    found = sections(text, h2_headings(url))
    for heading, data in expected_sections.items():
        assert heading in found, f"no section {heading!r} on {path}; sections: {list(found)}"
        assert found[heading].strip(), f"section {heading!r} on {path} is empty"
        assert data.format(**ids) in found[heading], (
            f"{data!r} missing from section {heading!r} of {path}"
        )
    # the title heads the page: it comes before the first section
    if expected_sections:
        assert text.index(title) < text.index("\n" + next(iter(expected_sections)))
