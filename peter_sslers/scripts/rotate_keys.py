"""``peter_sslers_rotate_keys CONFIG.ini``: re-encrypt stored secrets under the newest key.

Rotation: put the new Fernet key first in ``encryption.key`` (``NEW,OLD``), run this, then
drop the old key. It also encrypts rows stored while encryption was off.
"""

from __future__ import annotations

import argparse
import sys

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..model import (
    AcmeAccountKey,
    DnsProvider,
    DnsProviderDomain,
    PrivateKey,
    encryption,
    get_engine,
    writer_bind,
)
from ..settings import ConfigurationError, parse_settings
from . import ini_logging, ini_settings

COLUMNS = (
    (PrivateKey, "key_pem"),
    (AcmeAccountKey, "key_pem"),
    (DnsProvider, "config_json"),
    (DnsProviderDomain, "credentials_json"),
)


def rotate_all(session: Session, batch: int = 500) -> dict[str, int]:
    """Rewrite every encrypted column under the newest key; returns rows per table."""
    counts = {}
    for model, name in COLUMNS:
        table = model.__table__
        raw = sa.type_coerce(table.c[name], sa.Text)
        done = 0
        last_id = 0
        while True:
            rows = session.execute(
                sa.select(table.c.id, raw).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
            ).all()
            if not rows:
                break
            for row_id, value in rows:
                session.execute(
                    sa.update(table).where(table.c.id == row_id)
                    .values({name: sa.bindparam("v", encryption.rotate_value(value), type_=sa.Text)})
                )
                last_id = row_id
            done += len(rows)
        counts[table.name] = done
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="peter_sslers_rotate_keys", description=__doc__.splitlines()[0])
    parser.add_argument("config_uri")
    args = parser.parse_args(argv)
    ini_logging(args.config_uri)
    raw = ini_settings(args.config_uri)
    try:
        settings = parse_settings(raw)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import os

    keys = settings.encryption_key or os.environ.get("PETER_SSLERS_ENCRYPTION_KEY", "")
    encryption.configure([k for k in keys.split(",") if k.strip()])
    engine = get_engine(raw)
    with Session(bind=writer_bind(engine)) as session, session.begin():
        counts = rotate_all(session)
    for table, count in counts.items():
        print(f"{table}: {count} rows re-encrypted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
