"""registry: Idempotency-Key records of the ingestion API (vaspguard/registry/_tables.py IngestKeyRow)

Revision ID: 0011_ingest
Revises: 0010_passkeys
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_ingest"
down_revision = "0010_passkeys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_ingest_keys",
        sa.Column("owner", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("route", sa.String(length=100), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", "key", name=op.f("pk_registry_ingest_keys")),
    )
    op.create_index(
        op.f("ix_registry_ingest_keys_expires_at"), "registry_ingest_keys", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_registry_ingest_keys_expires_at"), table_name="registry_ingest_keys")
    op.drop_table("registry_ingest_keys")
