"""Write each domain's current certificate to disk, the way a web server reads it.

``DIR/NAME/cert.pem``, ``chain.pem``, ``fullchain.pem`` (0644) and ``privkey.pem`` (0600) in a
0700 directory per domain. A domain serves the first usable of its latest multi-name then
latest single-name certificate (the choice of ``config_payloads.domain_config`` and Redis).
Every file is written atomically (a temporary file in the same directory, then a rename), so
a server reloading meanwhile reads the old file or the new one, never half of either; files
whose content and mode are already right are left alone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..model import Domain
from .db.config_payloads import domain_config
from .domain_names import InvalidDomainName, normalize_domain_name
from .errors import InvalidRequest, NotFound

KEY_MODE = 0o600
CERT_MODE = 0o644
DIR_MODE = 0o700
# file name -> (part of the config payload, mode)
FILES = {
    "cert.pem": ("certificate", CERT_MODE),
    "chain.pem": ("chain", CERT_MODE),
    "fullchain.pem": ("fullchain", CERT_MODE),
    "privkey.pem": ("private_key", KEY_MODE),
}


def write_atomic(path: Path, data: bytes, mode: int) -> bool:
    """Replace ``path`` with ``data`` at ``mode`` in one rename; False if it already was so."""
    try:
        if path.read_bytes() == data and (path.stat().st_mode & 0o777) == mode:
            return False
    except FileNotFoundError:
        pass
    # mkstemp creates the file 0600: a key is never readable by others, not even briefly
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return True


def _private_directory(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask, and the directory may be old


def _domains(dbsession: Session, domain_name: str | None) -> list[Domain]:
    if domain_name is None:
        return list(
            dbsession.execute(
                sa.select(Domain).where(Domain.is_active.is_(True)).order_by(Domain.domain_name)
            ).scalars()
        )
    try:
        name = normalize_domain_name(domain_name)
    except InvalidDomainName as exc:
        raise InvalidRequest("invalid domain name", {"domain": str(exc)}) from None
    domain = dbsession.execute(
        sa.select(Domain).where(Domain.domain_name == name)
    ).scalar_one_or_none()
    if domain is None:
        raise NotFound(f"no domain {name}")
    return [domain]


def export_domains(
    dbsession: Session, directory: str | Path, domain_name: str | None = None
) -> dict:
    """Write the files of every active domain (or of one); returns what was written and skipped.

    Skipped: domains without a usable certificate (inactive domain, or no active unrevoked one).
    """
    root = Path(directory).expanduser()
    if not root.exists():
        _private_directory(root)
    written, unchanged, skipped = [], [], []
    for domain in _domains(dbsession, domain_name):
        payload = domain_config(dbsession, domain)
        config = (
            payload["certificate_signed__latest_multi"]
            or payload["certificate_signed__latest_single"]
        )
        if config is None:
            skipped.append(domain.domain_name)
            continue
        target = root / domain.domain_name
        _private_directory(target)
        changed = False
        for filename, (part, mode) in FILES.items():
            changed |= write_atomic(
                target / filename, (config[part]["pem"] or "").encode("ascii"), mode
            )
        entry = {
            "domain_name": domain.domain_name,
            "certificate_signed_id": config["id"],
            "path": str(target),
        }
        (written if changed else unchanged).append(entry)
    return {"directory": str(root), "written": written, "unchanged": unchanged, "skipped": skipped}
