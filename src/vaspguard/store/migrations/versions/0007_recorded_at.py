"""registry: ``recorded_at`` on customers, transactions and logins, so an incremental screening run finds what
was stored since the last run (the exchange's own ``updated_at`` may lie in the past; transactions and logins
had no stamp at all). Rows already stored get the migration time: the first incremental run after the upgrade
screens them once more rather than never.

Revision ID: 0007_recorded_at
Revises: 0006_requests
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007_recorded_at"
down_revision = "0006_requests"
branch_labels = None
depends_on = None

_TABLES = ("customers", "transactions", "logins")


def upgrade() -> None:
    now = datetime.now(UTC)
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
            batch.create_index(op.f(f"ix_{table}_recorded_at"), ["recorded_at"], unique=False)
        op.execute(
            sa.table(table, sa.column("recorded_at", sa.DateTime(timezone=True)))
            .update()
            .values(recorded_at=now)
        )


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(op.f(f"ix_{table}_recorded_at"))
            batch.drop_column("recorded_at")
