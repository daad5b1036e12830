"""one open renewal-queue item per UniqueFQDNSet

Two workers updating the renewal queue at once could both queue the same name set: a partial
unique index makes the second insert a no-op (INSERT ... ON CONFLICT DO NOTHING).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN_ITEM = "status IN ('queued', 'claimed')"


def upgrade() -> None:
    # an older database may hold duplicates already: keep the oldest open item of each set
    op.execute(
        "UPDATE queue_certificate SET status = 'cancelled', last_error = 'duplicate of an older open item' "
        f"WHERE {OPEN_ITEM} AND id NOT IN (SELECT MIN(id) FROM queue_certificate WHERE {OPEN_ITEM} "
        "GROUP BY unique_fqdn_set_id)"
    )
    op.create_index(
        "uq_queue_certificate_open_set", "queue_certificate", ["unique_fqdn_set_id"], unique=True,
        postgresql_where=sa.text(OPEN_ITEM), sqlite_where=sa.text(OPEN_ITEM),
    )


def downgrade() -> None:
    op.drop_index("uq_queue_certificate_open_set", table_name="queue_certificate")
