"""policy: versions, decision log, evaluations, customer states, notices, exemption evidence

Revision ID: 0005_policy
Revises: 0004_screening
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_policy"
down_revision = "0004_screening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("policy_version", sa.String(length=80), nullable=False),
        sa.Column("packs", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("policy_version", name=op.f("pk_policy_versions")),
    )
    op.create_table(
        "policy_decisions",
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=True),
        sa.Column("policy_version", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("at", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("request_id", sa.String(length=100), nullable=True),
        sa.Column("report", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_policy_decisions")),
    )
    op.create_index(op.f("ix_policy_decisions_decided_at"), "policy_decisions", ["decided_at"])
    op.create_index(op.f("ix_policy_decisions_customer_id"), "policy_decisions", ["customer_id"])
    op.create_table(
        "policy_evaluations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_evaluations")),
    )
    op.create_table(
        "policy_customer_states",
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=True),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_policy_customer_states_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["policy_evaluations.id"],
            name=op.f("fk_policy_customer_states_evaluation_id_policy_evaluations"),
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_policy_customer_states")),
    )
    op.create_index(op.f("ix_policy_customer_states_state"), "policy_customer_states", ["state"])
    op.create_table(
        "policy_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("old_state", sa.String(length=16), nullable=False),
        sa.Column("new_state", sa.String(length=16), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=True),
        sa.Column("citation", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_policy_notices_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["policy_evaluations.id"],
            name=op.f("fk_policy_notices_evaluation_id_policy_evaluations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_notices")),
    )
    op.create_index(op.f("ix_policy_notices_evaluation_id"), "policy_notices", ["evaluation_id"])
    op.create_index(op.f("ix_policy_notices_customer_id"), "policy_notices", ["customer_id"])
    op.create_table(
        "policy_exemption_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("permit_kind", sa.String(length=10), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_policy_exemption_evidence_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_exemption_evidence")),
    )
    op.create_index(
        op.f("ix_policy_exemption_evidence_customer_id"), "policy_exemption_evidence", ["customer_id"]
    )


def downgrade() -> None:
    for table in (
        "policy_exemption_evidence",
        "policy_notices",
        "policy_customer_states",
        "policy_evaluations",
        "policy_decisions",
        "policy_versions",
    ):
        op.drop_table(table)
