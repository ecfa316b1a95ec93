"""screening: runs, alerts, dispositions (see vaspguard/screening/_tables.py)

Revision ID: 0004_screening
Revises: 0003_lists
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_screening"
down_revision = "0003_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snapshots", sa.Text(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("customers_screened", sa.Integer(), nullable=False),
        sa.Column("alerts_created", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_runs")),
    )
    op.create_table(
        "screening_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=200), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("screened_value", sa.Text(), nullable=False),
        sa.Column("matched_value", sa.Text(), nullable=False),
        sa.Column("customer_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("entity_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("breakdown", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_alerts")),
        sa.UniqueConstraint(
            "customer_id",
            "entity_key",
            "snapshot_id",
            "kind",
            "customer_fingerprint",
            "entity_fingerprint",
            name="uq_screening_alerts_identity",
        ),
    )
    with op.batch_alter_table("screening_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_alerts_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_alerts_entity_key"), ["entity_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_screening_alerts_status"), ["status"], unique=False)
    op.create_table(
        "screening_dispositions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("customer_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("entity_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_index", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["screening_alerts.id"],
            name=op.f("fk_screening_dispositions_alert_id_screening_alerts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_dispositions")),
    )
    with op.batch_alter_table("screening_dispositions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_dispositions_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_screening_dispositions_customer_id"), ["customer_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("screening_dispositions")
    op.drop_table("screening_alerts")
    op.drop_table("screening_runs")
