"""requests tables (owned by the requests capability; fill in as its tables are declared)

Revision ID: 0006_requests
Revises: 0005_policy
"""

revision = "0006_requests"
down_revision = "0005_policy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
