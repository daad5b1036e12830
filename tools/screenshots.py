"""Screenshots of the admin pages with headless Chromium, to look at the layout and charts.

    python tools/screenshots.py http://127.0.0.1:7201 [--out test-artifacts] [--chromium /usr/bin/chromium]

Takes the dashboard and the newest certificate's page (found through ``certificate-signeds.json``)
at 1280x900; each Chromium run gets a fresh, throw-away profile directory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

DEFAULT_CHROMIUM = "/usr/bin/chromium"
ADMIN_PREFIX = "/.well-known/admin"
WIDTH, HEIGHT = 1280, 900
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)


def screenshot(
    url: str, out: Path, *, chromium: str = DEFAULT_CHROMIUM, timeout: float = 90
) -> Path:
    """One page as a WIDTHxHEIGHT PNG at ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        result = subprocess.run(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={out.resolve()}",
                f"--window-size={WIDTH},{HEIGHT}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    if result.returncode != 0 or not out.exists():
        raise RuntimeError(
            f"chromium failed on {url} ({result.returncode}): {result.stderr[-2000:]}"
        )
    return out


def newest_certificate_id(admin_url: str) -> str | None:
    with urllib.request.urlopen(admin_url + "/certificate-signeds.json", timeout=30) as response:
        certificates = json.load(response).get("certificates_signed") or []
    return certificates[0]["id"] if certificates else None


def take_screenshots(
    server_url: str,
    out_dir: Path,
    *,
    chromium: str = DEFAULT_CHROMIUM,
    admin_prefix: str = ADMIN_PREFIX,
) -> list[Path]:
    """The dashboard and a certificate page (when there is one); returns the PNG paths."""
    admin_url = server_url.rstrip("/") + admin_prefix
    pages = {"dashboard": admin_url + "/"}
    cert_id = newest_certificate_id(admin_url)
    if cert_id is not None:
        pages["certificate-signed"] = f"{admin_url}/certificate-signed/{cert_id}"
    return [
        screenshot(url, out_dir / f"{name}.png", chromium=chromium) for name, url in pages.items()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server_url", help="the server's root, e.g. http://127.0.0.1:7201")
    parser.add_argument(
        "--out", type=Path, default=Path("test-artifacts"), help="directory for the PNGs"
    )
    parser.add_argument("--chromium", default=DEFAULT_CHROMIUM)
    parser.add_argument("--admin-prefix", default=ADMIN_PREFIX)
    args = parser.parse_args(argv)
    for path in take_screenshots(
        args.server_url, args.out, chromium=args.chromium, admin_prefix=args.admin_prefix
    ):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
