"""Alembic environment: reads the database URL from the application's ini file."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from pyramid.paster import get_appsettings

from peter_sslers.model import Base, get_engine
from peter_sslers.model.encryption import EncryptedText
from peter_sslers.model.meta import TZDateTime

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):
    """Write the timezone-aware column type as the plain DateTime it stores."""
    if type_ == "type" and isinstance(obj, TZDateTime):
        return "sa.DateTime()"
    if type_ == "type" and isinstance(obj, EncryptedText):
        return "sa.Text()"
    return False


def _configure(**kwargs):
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        render_as_batch=True,
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    settings = get_appsettings(config.config_file_name)
    _configure(url=settings["sqlalchemy.url"], literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # a caller (tests, initialize_peter_sslers_db) may hand us an open connection
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    settings = get_appsettings(config.config_file_name)
    engine = get_engine(settings)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
