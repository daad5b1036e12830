"""``initialize_peter_sslers_db CONFIG.ini``: migrate the database to head and seed it."""

from __future__ import annotations

import argparse
import os
import sys

import transaction
from alembic import command
from alembic.config import Config

from ..lib.db.acme_servers import seed_acme_servers
from ..model import get_engine, get_session_factory, get_tm_session
from ..settings import ConfigurationError, parse_settings
from . import ini_logging, ini_settings

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def alembic_config(config_uri: str) -> Config:
    """Alembic's config read from the app ini; migrations/ beside the package if the ini has none."""
    config = Config(config_uri, ini_section="alembic")
    if not config.get_main_option("script_location"):
        config.set_main_option("script_location", os.path.join(PROJECT_ROOT, "migrations"))
    return config


def ensure_sqlite_directory(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and url != prefix + ":memory:":
        directory = os.path.dirname(url[len(prefix):])
        if directory:
            os.makedirs(directory, exist_ok=True)


def initialize(config_uri: str, raw: dict | None = None) -> None:
    """Upgrade the ini's database to the newest migration and seed the ACME servers.

    ``raw`` overrides the ini's ``[app:main]`` settings (the tests point it at their database).
    """
    if raw is None:
        raw = ini_settings(config_uri)
    app_settings = parse_settings(raw)
    ensure_sqlite_directory(raw["sqlalchemy.url"])
    engine = get_engine(raw)
    with engine.begin() as connection:
        config = alembic_config(config_uri)
        config.attributes["connection"] = connection
        config.attributes["configure_logger"] = False
        command.upgrade(config, "head")
    session_factory = get_session_factory(engine)
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(session_factory, manager)
        seed_acme_servers(dbsession, app_settings)
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="initialize_peter_sslers_db",
        description="Create or upgrade the peter_sslers database named in CONFIG and seed it.",
    )
    parser.add_argument("config_uri", help="the ini file, e.g. example_development.ini")
    args = parser.parse_args(argv)
    ini_logging(args.config_uri)
    try:
        initialize(args.config_uri)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("database ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
