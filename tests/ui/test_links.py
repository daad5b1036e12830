"""Crawl the admin from the dashboard: every internal link answers 200, or is a download."""

from __future__ import annotations

import collections
import re
import urllib.parse
from html.parser import HTMLParser

from tests.ui.conftest import ADMIN

MAX_PAGES = 300
MAX_REQUESTS = 900


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def shape(url: str) -> str:
    """A URL with its ids (and other numbers) normalised: pages of one kind share a shape."""
    return re.sub(r"\d+", "N", url)


def internal(base: str, href: str) -> str | None:
    """The admin path (+ query) an href points at, or None for anything else."""
    parts = urllib.parse.urlsplit(urllib.parse.urljoin("http://peter-sslers.example" + base, href))
    if parts.scheme not in ("http", "https") or parts.netloc != "peter-sslers.example":
        return None
    if not parts.path.startswith(ADMIN) or parts.path.startswith(ADMIN + "/static/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_link_from_the_dashboard_answers(ui_world):
    client = ui_world.client()
    start = ADMIN + "/"
    queue = collections.deque([(start, "(start)")])
    checked: dict[str, int] = {}
    crawled_shapes: set[str] = set()
    broken: list[str] = []
    pages = 0
    while queue and len(checked) < MAX_REQUESTS:
        url, referrer = queue.popleft()
        if url in checked:
            continue
        response = client.get(url, expect_errors=True)
        checked[url] = response.status_int
        is_download = "Content-Disposition" in response.headers
        if response.status_int != 200 and not is_download:
            broken.append(f"{url} -> {response.status} (linked from {referrer})")
            continue
        if is_download or not response.content_type.startswith("text/html"):
            continue
        if shape(url) in crawled_shapes or pages >= MAX_PAGES:
            continue
        crawled_shapes.add(shape(url))
        pages += 1
        for href in links_of(response.text):
            target = internal(url, href)
            if target and target not in checked:
                queue.append((target, url))
    assert not broken, "broken links:\n" + "\n".join(broken)
    # the crawl reached every area the store has rows for, and their focus pages
    ids = ui_world.ids
    for path in (
        f"/certificate-signed/{ids['certificate_signed']}",
        f"/private-key/{ids['private_key']}",
        f"/certificate-ca/{ids['certificate_ca']}",
        f"/certificate-ca-chain/{ids['certificate_ca_chain']}",
        f"/certificate-request/{ids['certificate_request']}",
        f"/acme-account/{ids['acme_account']}",
        f"/acme-order/{ids['acme_order']}",
        f"/unique-fqdn-set/{ids['unique_fqdn_set']}",
        f"/operations-event/{ids['operations_event']}",
        "/api",
    ):
        assert ADMIN + path in checked, f"{path} is not reachable from the dashboard"
    assert pages > 30
