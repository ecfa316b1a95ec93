"""audit tables (owned by the audit capability; fill in as its tables are declared)

Revision ID: 0002_audit
Revises: 0001_registry
"""

revision = "0002_audit"
down_revision = "0001_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
