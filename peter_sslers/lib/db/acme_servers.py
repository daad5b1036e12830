"""The ACME servers table: seeding the well-known servers and the configured custom one."""

from __future__ import annotations

import logging
import urllib.parse

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...model import AcmeServer
from ...settings import (
    LETSENCRYPT_DIRECTORY,
    LETSENCRYPT_STAGING_DIRECTORY,
    AppSettings,
)

log = logging.getLogger(__name__)

WELL_KNOWN = (
    ("letsencrypt", LETSENCRYPT_DIRECTORY),
    ("letsencrypt_staging", LETSENCRYPT_STAGING_DIRECTORY),
)


def _read_bundle(path: str | None) -> str | None:
    if not path:
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def seed_acme_servers(dbsession: Session, settings: AppSettings) -> list[AcmeServer]:
    """Ensure the Let's Encrypt servers and the configured server exist; mark the default.

    Safe to run again: existing rows are kept (a changed CA bundle is updated).
    """
    wanted = list(WELL_KNOWN)
    custom_url = settings.acme_directory_url
    custom_name = None
    if custom_url and custom_url not in dict(WELL_KNOWN).values():
        custom_name = (
            settings.certificate_authority
            if settings.certificate_authority in ("pebble", "custom")
            else "custom"
        )
        wanted.append((custom_name, custom_url))
    servers = []
    for name, url in wanted:
        server = dbsession.execute(
            sa.select(AcmeServer).where(AcmeServer.directory_url == url)
        ).scalar_one_or_none()
        if server is None:
            server = dbsession.execute(
                sa.select(AcmeServer).where(AcmeServer.name == name)
            ).scalar_one_or_none()
            if server is not None:  # same name, new URL: keep the old row under another name
                server.name = f"{name}-{server.id}"
            server = AcmeServer(
                name=name, directory_url=url, server=urllib.parse.urlsplit(url).netloc
            )
            dbsession.add(server)
            log.info("seeded ACME server %s (%s)", name, url)
        if name == custom_name:
            bundle = _read_bundle(settings.certificate_authority_ca_bundle)
            if bundle:
                server.ca_bundle_pem = bundle
        servers.append(server)
    dbsession.flush()
    for server in dbsession.execute(sa.select(AcmeServer)).scalars():
        server.is_default = server.directory_url == custom_url
    dbsession.flush()
    return servers
