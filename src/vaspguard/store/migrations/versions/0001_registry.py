"""registry

Revision ID: 0001_registry
Revises: (base)
"""

import sqlalchemy as sa
from alembic import op

from vaspguard.store import Amount

revision = "0001_registry"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=True),
        sa.Column("gender", sa.String(length=8), nullable=True),
        sa.Column("residence", sa.String(length=2), nullable=True),
        sa.Column("established", sa.String(length=2), nullable=True),
        sa.Column("kyc_status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_residence"), ["residence"], unique=False)
        batch_op.create_index(batch_op.f("ix_customers_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "prices",
        sa.Column("asset", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("eur", Amount(), nullable=False),
        sa.PrimaryKeyConstraint("asset", "day", name=op.f("pk_prices")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("product", sa.String(length=10), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_accounts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "customer_contacts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_contacts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_contacts")),
    )
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_contacts_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_customer_contacts_value"), ["value"], unique=False)

    op.create_table(
        "customer_names",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("script", sa.String(length=4), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_names_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_names")),
    )
    with op.batch_alter_table("customer_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_names_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "customer_nationalities",
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_nationalities_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "country", name=op.f("pk_customer_nationalities")),
    )
    with op.batch_alter_table("customer_nationalities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_nationalities_country"), ["country"], unique=False)

    op.create_table(
        "logins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_logins_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logins")),
    )
    with op.batch_alter_table("logins", schema=None) as batch_op:
        batch_op.create_index("ix_logins_customer_time", ["customer_id", "occurred_at"], unique=False)

    op.create_table(
        "owners",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("owner_customer_id", sa.String(length=40), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("nationalities", sa.String(length=64), nullable=False),
        sa.Column("residence", sa.String(length=2), nullable=True),
        sa.Column("established", sa.String(length=2), nullable=True),
        sa.Column("share", Amount(), nullable=True),
        sa.Column("control", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_owners_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_customer_id"], ["customers.id"], name=op.f("fk_owners_owner_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owners")),
    )
    with op.batch_alter_table("owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_owners_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_owners_owner_customer_id"), ["owner_customer_id"], unique=False)

    op.create_table(
        "permit_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_permit_applications_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_applications")),
    )
    with op.batch_alter_table("permit_applications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_applications_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "residence_permits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_residence_permits_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residence_permits")),
    )
    with op.batch_alter_table("residence_permits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_residence_permits_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "visas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_visas_customer_id_customers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visas")),
    )
    with op.batch_alter_table("visas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visas_customer_id"), ["customer_id"], unique=False)

    op.create_table(
        "balances",
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("asset", sa.String(length=16), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_balances_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("account_id", "asset", name=op.f("pk_balances")),
    )
    op.create_table(
        "transactions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asset", sa.String(length=16), nullable=False),
        sa.Column("amount", Amount(), nullable=False),
        sa.Column("chain", sa.String(length=16), nullable=True),
        sa.Column("address", sa.String(length=128), nullable=True),
        sa.Column("tx_hash", sa.String(length=128), nullable=True),
        sa.Column("counter_asset", sa.String(length=16), nullable=True),
        sa.Column("counter_amount", Amount(), nullable=True),
        sa.Column("counterparty_customer_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_transactions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["counterparty_customer_id"],
            ["customers.id"],
            name=op.f("fk_transactions_counterparty_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_transactions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transactions_address"), ["address"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_transactions_counterparty_customer_id"), ["counterparty_customer_id"], unique=False
        )
        batch_op.create_index("ix_transactions_customer_time", ["customer_id", "occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_transactions_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_transactions_tx_hash"), ["tx_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transactions_tx_hash"))
        batch_op.drop_index(batch_op.f("ix_transactions_occurred_at"))
        batch_op.drop_index("ix_transactions_customer_time")
        batch_op.drop_index(batch_op.f("ix_transactions_counterparty_customer_id"))
        batch_op.drop_index(batch_op.f("ix_transactions_address"))

    op.drop_table("transactions")
    op.drop_table("balances")
    with op.batch_alter_table("visas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visas_customer_id"))

    op.drop_table("visas")
    with op.batch_alter_table("residence_permits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_residence_permits_customer_id"))

    op.drop_table("residence_permits")
    with op.batch_alter_table("permit_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_applications_customer_id"))

    op.drop_table("permit_applications")
    with op.batch_alter_table("owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_owners_owner_customer_id"))
        batch_op.drop_index(batch_op.f("ix_owners_customer_id"))

    op.drop_table("owners")
    with op.batch_alter_table("logins", schema=None) as batch_op:
        batch_op.drop_index("ix_logins_customer_time")

    op.drop_table("logins")
    with op.batch_alter_table("customer_nationalities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_nationalities_country"))

    op.drop_table("customer_nationalities")
    with op.batch_alter_table("customer_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_names_customer_id"))

    op.drop_table("customer_names")
    with op.batch_alter_table("customer_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_contacts_value"))
        batch_op.drop_index(batch_op.f("ix_customer_contacts_customer_id"))

    op.drop_table("customer_contacts")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_customer_id"))

    op.drop_table("accounts")
    op.drop_table("prices")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_updated_at"))
        batch_op.drop_index(batch_op.f("ix_customers_residence"))

    op.drop_table("customers")
    op.drop_table("api_tokens")
