"""policy tables (owned by the policy capability; fill in as its tables are declared)

Revision ID: 0005_policy
Revises: 0004_screening
"""

revision = "0005_policy"
down_revision = "0004_screening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
