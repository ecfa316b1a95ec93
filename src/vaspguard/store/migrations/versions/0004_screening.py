"""screening tables (owned by the screening capability; fill in as its tables are declared)

Revision ID: 0004_screening
Revises: 0003_lists
"""

revision = "0004_screening"
down_revision = "0003_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
