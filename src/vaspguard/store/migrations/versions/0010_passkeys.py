"""requests: approvals signed with a passkey (method, COSE public key, the WebAuthn assertion; a signature
column long enough for DER ECDSA) and the desk user an operator acts as (vaspguard/requests/_tables.py)

Revision ID: 0010_passkeys
Revises: 0009_events
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_passkeys"
down_revision = "0009_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Batch mode: SQLite cannot alter a column's type in place (the table is copied); PostgreSQL alters.
    with op.batch_alter_table("lr_approvals") as batch:
        batch.alter_column("signature", existing_type=sa.String(length=128), type_=sa.Text())
        batch.add_column(sa.Column("method", sa.String(length=8), server_default="ed25519", nullable=False))
        batch.add_column(sa.Column("public_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("assertion", sa.Text(), nullable=True))
    with op.batch_alter_table("lr_operators") as batch:
        batch.add_column(sa.Column("desk_user", sa.String(length=100), nullable=True))
        batch.create_unique_constraint(batch.f("uq_lr_operators_desk_user"), ["desk_user"])


def downgrade() -> None:
    with op.batch_alter_table("lr_operators") as batch:
        batch.drop_constraint(batch.f("uq_lr_operators_desk_user"), type_="unique")
        batch.drop_column("desk_user")
    with op.batch_alter_table("lr_approvals") as batch:
        batch.drop_column("assertion")
        batch.drop_column("public_key")
        batch.drop_column("method")
        batch.alter_column("signature", existing_type=sa.Text(), type_=sa.String(length=128))
