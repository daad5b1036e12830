"""Find the uploads hidden in a certbot configuration tree (usually /etc/letsencrypt).

Nothing here talks to a server: each function walks one part of the tree and returns
``Upload`` items, one per POST the import tasks will make.  A lineage or account with a
missing file still yields an item, marked with ``missing``, so the import reports it as a
failure instead of skipping it silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CERTIFICATE_ROUTE = "certificate-signed/upload.json"
ACCOUNT_ROUTE = "acme-account/upload.json"

# upload field -> file name inside a live/ or plain directory
PLAIN_FILES = {
    "private_key_file": "privkey.pem",
    "certificate_file": "cert.pem",
    "chain_file": "chain.pem",
}
# upload field -> file name inside a certbot account directory
ACCOUNT_FILES = {
    "certbot_private_key_json": "private_key.json",
    "certbot_regr_json": "regr.json",
    "certbot_meta_json": "meta.json",
}

_VERSIONED_CERT = re.compile(r"^cert(\d+)\.pem$")


class TreeError(Exception):
    """The path given on the command line is not the kind of directory the task expects."""


@dataclass(frozen=True)
class Upload:
    """One POST: which route, which files go in which multipart field, which plain fields."""

    label: str
    route: str
    answer_key: str  # the object in the success answer: certificate_signed / acme_account
    files: dict[str, Path]
    fields: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def _require_dir(path: str | Path, what: str) -> Path:
    directory = Path(path).expanduser()
    if not directory.is_dir():
        raise TreeError(f"{what} {str(directory)!r} is not a directory")
    return directory


def _certificate_upload(label: str, files: dict[str, Path]) -> Upload:
    missing = tuple(path.name for path in files.values() if not path.is_file())
    return Upload(label, CERTIFICATE_ROUTE, "certificate_signed", files, missing=missing)


def _subdirectories(directory: Path) -> list[Path]:
    return sorted(child for child in directory.iterdir() if child.is_dir())


def archive_versions(domain_dir: Path) -> list[int]:
    """The version numbers N of every certN.pem in an archive/NAME directory, ascending."""
    versions = []
    for child in domain_dir.iterdir():
        match = _VERSIONED_CERT.match(child.name)
        if match:
            versions.append(int(match.group(1)))
    return sorted(versions)


def certificate_version(domain_certs_path: str | Path, version: int) -> Upload:
    """Version N of one archive/NAME directory: certN.pem, chainN.pem, privkeyN.pem."""
    domain_dir = _require_dir(domain_certs_path, "archive directory")
    files = {
        "private_key_file": domain_dir / f"privkey{version}.pem",
        "certificate_file": domain_dir / f"cert{version}.pem",
        "chain_file": domain_dir / f"chain{version}.pem",
    }
    return _certificate_upload(f"{domain_dir.name} version {version}", files)


def archive_certificates(archive_path: str | Path) -> list[Upload]:
    """Every version of every lineage under archive/."""
    archive_dir = _require_dir(archive_path, "archive path")
    uploads = []
    for domain_dir in _subdirectories(archive_dir):
        for version in archive_versions(domain_dir):
            uploads.append(certificate_version(domain_dir, version))
    return uploads


def plain_certificate(cert_path: str | Path) -> Upload:
    """One unversioned directory holding cert.pem, chain.pem and privkey.pem."""
    cert_dir = _require_dir(cert_path, "certificate directory")
    files = {name: cert_dir / filename for name, filename in PLAIN_FILES.items()}
    return _certificate_upload(cert_dir.name, files)


def live_certificates(live_path: str | Path) -> list[Upload]:
    """Each lineage under live/ (certbot also leaves a README file there, which is skipped)."""
    live_dir = _require_dir(live_path, "live path")
    return [plain_certificate(domain_dir) for domain_dir in _subdirectories(live_dir)]


def certbot_server(account_dir: Path, accounts_root: Path | None = None) -> str:
    """The server path certbot filed an account under, e.g. acme-v02.api.letsencrypt.org/directory.

    Certbot lays accounts out as accounts/{SERVER...}/{ACCOUNT_HASH}/, so the server is the
    account's parent relative to the accounts directory.  Without a known root, the nearest
    ancestor called ``accounts`` is used, then the first component that looks like a host.
    """
    parent = account_dir.absolute().parent
    if accounts_root is not None:
        return parent.relative_to(accounts_root.absolute()).as_posix()
    parts = parent.parts
    if "accounts" in parts:
        start = len(parts) - parts[::-1].index("accounts")
        return "/".join(parts[start:])
    for index, part in enumerate(parts):
        if "." in part or ":" in part:
            return "/".join(parts[index:])
    raise TreeError(f"cannot tell which ACME server {str(account_dir)!r} belongs to")


def account(account_path: str | Path, accounts_root: Path | None = None) -> Upload:
    """One account directory: private_key.json, regr.json and meta.json."""
    account_dir = _require_dir(account_path, "account directory")
    server = certbot_server(account_dir, accounts_root)
    files = {name: account_dir / filename for name, filename in ACCOUNT_FILES.items()}
    missing = tuple(path.name for path in files.values() if not path.is_file())
    return Upload(
        f"{server}/{account_dir.name}",
        ACCOUNT_ROUTE,
        "acme_account",
        files,
        fields={"certbot_server": server},
        missing=missing,
    )


def _account_dirs(directory: Path) -> list[Path]:
    """Directories below ``directory`` holding any certbot account file."""
    found = {
        path.parent
        for filename in ACCOUNT_FILES.values()
        for path in directory.rglob(filename)
        if path.is_file()
    }
    return sorted(found)


def server_accounts(accounts_path_server: str | Path) -> list[Upload]:
    """All accounts under one server directory, e.g. accounts/acme-v02.api.letsencrypt.org/directory."""
    server_dir = _require_dir(accounts_path_server, "server accounts path")
    return [account(account_dir) for account_dir in _account_dirs(server_dir)]


def all_accounts(accounts_all_path: str | Path) -> list[Upload]:
    """Every account of every server under accounts/."""
    accounts_dir = _require_dir(accounts_all_path, "accounts path")
    return [account(account_dir, accounts_dir) for account_dir in _account_dirs(accounts_dir)]
