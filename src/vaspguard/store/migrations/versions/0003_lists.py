"""lists tables (owned by the lists capability; fill in as its tables are declared)

Revision ID: 0003_lists
Revises: 0002_audit
"""

revision = "0003_lists"
down_revision = "0002_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
