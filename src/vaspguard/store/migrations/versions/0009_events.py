"""events and worker: the outbox, sinks and deliveries (vaspguard/events/_tables.py); worker runs and job
schedule (vaspguard/worker/_tables.py)

Revision ID: 0009_events
Revises: 0008_desk_users
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_events"
down_revision = "0008_desk_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("subjects", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dedupe", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events_outbox")),
        sa.UniqueConstraint("dedupe", name=op.f("uq_events_outbox_dedupe")),
    )
    op.create_index(op.f("ix_events_outbox_type"), "events_outbox", ["type"], unique=False)
    op.create_table(
        "events_sinks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secrets", sa.Text(), nullable=False),
        sa.Column("types", sa.Text(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events_sinks")),
        sa.UniqueConstraint("name", name=op.f("uq_events_sinks_name")),
    )
    op.create_table(
        "events_deliveries",
        sa.Column("sink_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events_outbox.id"], name=op.f("fk_events_deliveries_event_id_events_outbox")
        ),
        sa.ForeignKeyConstraint(
            ["sink_id"], ["events_sinks.id"], name=op.f("fk_events_deliveries_sink_id_events_sinks")
        ),
        sa.PrimaryKeyConstraint("sink_id", "event_id", name=op.f("pk_events_deliveries")),
    )
    op.create_index(op.f("ix_events_deliveries_status"), "events_deliveries", ["status"], unique=False)
    op.create_table(
        "worker_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_runs")),
    )
    op.create_index(op.f("ix_worker_runs_job"), "worker_runs", ["job"], unique=False)
    op.create_table(
        "worker_jobs",
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job", name=op.f("pk_worker_jobs")),
    )


def downgrade() -> None:
    op.drop_table("worker_jobs")
    op.drop_index(op.f("ix_worker_runs_job"), table_name="worker_runs")
    op.drop_table("worker_runs")
    op.drop_index(op.f("ix_events_deliveries_status"), table_name="events_deliveries")
    op.drop_table("events_deliveries")
    op.drop_table("events_sinks")
    op.drop_index(op.f("ix_events_outbox_type"), table_name="events_outbox")
    op.drop_table("events_outbox")
