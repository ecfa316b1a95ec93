"""lists: snapshots of publisher files, their entities (content stored once) and addresses, fetch records

Revision ID: 0003_lists
Revises: 0002_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_lists"
down_revision = "0002_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lists_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=24), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("declared_count", sa.Integer(), nullable=True),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("base_snapshot_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("audit_index", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists_snapshots")),
    )
    op.create_index("ix_lists_snapshots_source", "lists_snapshots", ["source"], unique=False)
    op.create_index("ix_lists_snapshots_sha256", "lists_snapshots", ["sha256"], unique=False)
    # At most one active snapshot per source, enforced by the database itself.
    op.create_index(
        "uq_lists_snapshots_active_source",
        "lists_snapshots",
        ["source"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )
    # Entity JSON stored once per content digest, shared by every snapshot that holds that entity.
    op.create_table(
        "lists_entity_data",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_lists_entity_data")),
    )
    op.create_table(
        "lists_entities",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("entity_key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("primary_name", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["lists_snapshots.id"],
            name=op.f("fk_lists_entities_snapshot_id_lists_snapshots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["digest"],
            ["lists_entity_data.digest"],
            name=op.f("fk_lists_entities_digest_lists_entity_data"),
        ),
        sa.PrimaryKeyConstraint("snapshot_id", "entity_key", name=op.f("pk_lists_entities")),
    )
    op.create_table(
        "lists_addresses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("entity_key", sa.String(length=160), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=16), nullable=False),
        sa.Column("chain", sa.String(length=32), nullable=True),
        sa.Column("possibly_truncated", sa.Boolean(), nullable=False),
        sa.Column("malformed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["lists_snapshots.id"],
            name=op.f("fk_lists_addresses_snapshot_id_lists_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists_addresses")),
    )
    op.create_index("ix_lists_addresses_snapshot_id", "lists_addresses", ["snapshot_id"], unique=False)
    op.create_index("ix_lists_addresses_address", "lists_addresses", ["address"], unique=False)
    op.create_table(
        "lists_fetches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists_fetches")),
    )
    op.create_index("ix_lists_fetches_source", "lists_fetches", ["source"], unique=False)


def downgrade() -> None:
    op.drop_table("lists_fetches")
    op.drop_table("lists_addresses")
    op.drop_table("lists_entities")
    op.drop_table("lists_entity_data")
    op.drop_index("uq_lists_snapshots_active_source", table_name="lists_snapshots")
    op.drop_table("lists_snapshots")
