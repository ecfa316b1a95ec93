"""desk search and single sign-on: the customer search index (words of names, ids, e-mails, phones) and
how far it has caught up (hand-kept in step with ``vaspguard.desk._tables``; tests/store checks it).
Existing customers are indexed on first use (``vaspguard.desk._search.refresh``), not here: at a million
customers that takes minutes.

Also: OIDC identities (issuer and subject of a desk user) and how each desk session was signed in.

Revision ID: 0012_desk_search
Revises: 0011_ingest
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_desk_search"
down_revision = "0011_ingest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_search_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_search_tokens")),
    )
    op.create_index(op.f("ix_desk_search_tokens_token"), "desk_search_tokens", ["token"], unique=False)
    op.create_index(
        op.f("ix_desk_search_tokens_customer_id"), "desk_search_tokens", ["customer_id"], unique=False
    )
    op.create_table(
        "desk_search_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indexed_until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_search_state")),
    )

    op.create_table(
        "desk_oidc_identities",
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_signin_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["desk_users.id"],
            name=op.f("fk_desk_oidc_identities_user_id_desk_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issuer", "subject", name=op.f("pk_desk_oidc_identities")),
    )
    op.create_index(
        op.f("ix_desk_oidc_identities_user_id"), "desk_oidc_identities", ["user_id"], unique=False
    )
    with op.batch_alter_table("desk_sessions") as batch:
        batch.add_column(sa.Column("method", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("desk_sessions") as batch:
        batch.drop_column("method")
    op.drop_index(op.f("ix_desk_oidc_identities_user_id"), table_name="desk_oidc_identities")
    op.drop_table("desk_oidc_identities")
    op.drop_table("desk_search_state")
    op.drop_index(op.f("ix_desk_search_tokens_customer_id"), table_name="desk_search_tokens")
    op.drop_index(op.f("ix_desk_search_tokens_token"), table_name="desk_search_tokens")
    op.drop_table("desk_search_tokens")
