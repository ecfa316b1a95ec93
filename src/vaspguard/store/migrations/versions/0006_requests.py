"""requests: authorities, protected parties, operators, policy versions, requests, approvals, timeline,
disclosures and notices (hand-kept in step with ``vaspguard.requests._tables``; tests/store checks it)

Revision ID: 0006_requests
Revises: 0005_policy
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_requests"
down_revision = "0005_policy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lr_agencies",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("agency_class", sa.String(length=32), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("verification_status", sa.String(length=16), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_agencies")),
    )
    with op.batch_alter_table("lr_agencies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lr_agencies_country"), ["country"], unique=False)

    op.create_table(
        "lr_operators",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_lr_operators")),
        sa.UniqueConstraint("public_key", name=op.f("uq_lr_operators_public_key")),
    )
    op.create_table(
        "lr_policy_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.String(length=71), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("installed_by", sa.String(length=100), nullable=False),
        sa.Column("weakenings", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_policy_versions")),
    )
    with op.batch_alter_table("lr_policy_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lr_policy_versions_version"), ["version"], unique=False)

    op.create_table(
        "lr_protected_parties",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_protected_parties")),
    )
    op.create_table(
        "lr_requests",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=True),
        sa.Column("agency_country", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("instrument_type", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=8), nullable=False),
        sa.Column("doc", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("scope_sha256", sa.String(length=64), nullable=False),
        sa.Column("scope_version", sa.Integer(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=False),
        sa.Column("policy_version", sa.String(length=71), nullable=False),
        sa.Column("intake_operator", sa.String(length=100), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("ndo_until", sa.Date(), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("follow_up_of", sa.String(length=32), nullable=True),
        sa.Column("preserve_until", sa.Date(), nullable=True),
        sa.Column("preserve_extensions", sa.Integer(), nullable=False),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_requests")),
    )
    with op.batch_alter_table("lr_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lr_requests_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lr_requests_follow_up_of"), ["follow_up_of"], unique=False)
        batch_op.create_index(batch_op.f("ix_lr_requests_state"), ["state"], unique=False)

    op.create_table(
        "lr_approvals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("operator", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("scope_sha256", sa.String(length=64), nullable=False),
        sa.Column("scope_version", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("void", sa.Boolean(), nullable=False),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("receipt", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["lr_requests.id"], name=op.f("fk_lr_approvals_request_id_lr_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_approvals")),
    )
    with op.batch_alter_table("lr_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lr_approvals_request_id"), ["request_id"], unique=False)

    op.create_table(
        "lr_disclosures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merkle_root", sa.String(length=64), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("record_counts", sa.Text(), nullable=False),
        sa.Column("pseudonym_salt", sa.String(length=64), nullable=False),
        sa.Column("output", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["lr_requests.id"], name=op.f("fk_lr_disclosures_request_id_lr_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_disclosures")),
    )
    with op.batch_alter_table("lr_disclosures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lr_disclosures_request_id"), ["request_id"], unique=False)

    op.create_table(
        "lr_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("audit_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["lr_requests.id"], name=op.f("fk_lr_events_request_id_lr_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_events")),
    )
    with op.batch_alter_table("lr_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lr_events_request_id"), ["request_id"], unique=False)

    op.create_table(
        "lr_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["lr_requests.id"], name=op.f("fk_lr_notices_request_id_lr_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_notices")),
    )
    with op.batch_alter_table("lr_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lr_notices_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lr_notices_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_lr_notices_request_id"), ["request_id"], unique=False)

    op.create_table(
        "lr_protected_addresses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party_id", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=128), nullable=False),
        sa.Column("chain", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["lr_protected_parties.id"],
            name=op.f("fk_lr_protected_addresses_party_id_lr_protected_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lr_protected_addresses")),
    )
    with op.batch_alter_table("lr_protected_addresses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lr_protected_addresses_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_lr_protected_addresses_party_id"), ["party_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lr_protected_addresses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lr_protected_addresses_party_id"))
        batch_op.drop_index(batch_op.f("ix_lr_protected_addresses_address"))

    op.drop_table("lr_protected_addresses")
    with op.batch_alter_table("lr_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lr_notices_request_id"))
        batch_op.drop_index(batch_op.f("ix_lr_notices_due_on"))
        batch_op.drop_index(batch_op.f("ix_lr_notices_customer_id"))

    op.drop_table("lr_notices")
    with op.batch_alter_table("lr_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lr_events_request_id"))

    op.drop_table("lr_events")
    with op.batch_alter_table("lr_disclosures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lr_disclosures_request_id"))

    op.drop_table("lr_disclosures")
    with op.batch_alter_table("lr_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lr_approvals_request_id"))

    op.drop_table("lr_approvals")
    with op.batch_alter_table("lr_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lr_requests_state"))
        batch_op.drop_index(batch_op.f("ix_lr_requests_follow_up_of"))
        batch_op.drop_index(batch_op.f("ix_lr_requests_agency_id"))

    op.drop_table("lr_requests")
    op.drop_table("lr_protected_parties")
    with op.batch_alter_table("lr_policy_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lr_policy_versions_version"))

    op.drop_table("lr_policy_versions")
    op.drop_table("lr_operators")
    with op.batch_alter_table("lr_agencies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lr_agencies_country"))

    op.drop_table("lr_agencies")
