"""desk: lawful-request operators linked to desk users (hand-kept in step with
``vaspguard.desk._tables.DeskOperatorLinkRow``; tests/store checks it)

Revision ID: 0010_legalreg
Revises: 0009_events
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_legalreg"
down_revision = "0009_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_operator_links",
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("linked_by", sa.String(length=100), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["desk_users.id"],
            name=op.f("fk_desk_operator_links_user_id_desk_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operator", name=op.f("pk_desk_operator_links")),
        sa.UniqueConstraint("user_id", name=op.f("uq_desk_operator_links_user_id")),
    )


def downgrade() -> None:
    op.drop_table("desk_operator_links")
