"""desk: users, one-time invites, passkeys, sessions and four-eyes proposals (hand-kept in step with
``vaspguard.desk._tables``; tests/store checks it)

Revision ID: 0008_desk_users
Revises: 0007_recorded_at
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_desk_users"
down_revision = "0007_recorded_at"
branch_labels = None
depends_on = None


def _user_fk(column: str, table: str, *, cascade: bool = True) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["desk_users.id"],
        name=op.f(f"fk_{table}_{column}_desk_users"),
        ondelete="CASCADE" if cascade else None,
    )


def upgrade() -> None:
    op.create_table(
        "desk_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("handle", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_desk_users_name")),
        sa.UniqueConstraint("handle", name=op.f("uq_desk_users_handle")),
    )
    op.create_table(
        "desk_invites",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        _user_fk("user_id", "desk_invites"),
        sa.PrimaryKeyConstraint("token_sha256", name=op.f("pk_desk_invites")),
    )
    op.create_table(
        "desk_credentials",
        sa.Column("credential_id", sa.String(length=400), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        _user_fk("user_id", "desk_credentials"),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_desk_credentials")),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("id_sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("challenge", sa.String(length=200), nullable=True),
        sa.Column("invite_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        _user_fk("user_id", "desk_sessions"),
        sa.PrimaryKeyConstraint("id_sha256", name=op.f("pk_desk_sessions")),
    )
    op.create_table(
        "desk_proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        _user_fk("proposed_by", "desk_proposals", cascade=False),
        _user_fk("confirmed_by", "desk_proposals", cascade=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_proposals")),
    )
    for table, column in (
        ("desk_invites", "user_id"),
        ("desk_credentials", "user_id"),
        ("desk_sessions", "user_id"),
        ("desk_proposals", "alert_id"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    for table in ("desk_proposals", "desk_sessions", "desk_credentials", "desk_invites", "desk_users"):
        op.drop_table(table)
