"""audit: the RFC 9162 log tables, the frontier row and the append-only triggers

Revision ID: 0002_audit
Revises: 0001_registry
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_audit"
down_revision = "0001_registry"
branch_labels = None
depends_on = None

# Kept here, not imported from vaspguard.audit, so this migration never changes when the package does.
_APPEND_ONLY = ("audit_leaves", "audit_subjects", "audit_nodes", "audit_checkpoints", "audit_cosignatures")


def upgrade() -> None:
    op.create_table(
        "audit_leaves",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_audit_leaves")),
    )
    op.create_index(op.f("ix_audit_leaves_type"), "audit_leaves", ["type"], unique=False)
    op.create_table(
        "audit_subjects",
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("subject", "idx", name=op.f("pk_audit_subjects")),
    )
    op.create_table(
        "audit_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_audit_nodes")),
    )
    op.create_table(
        "audit_state",
        sa.Column("log_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("checkpoint_size", sa.BigInteger(), nullable=True),
        sa.Column("checkpoint_root", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("log_id", name=op.f("pk_audit_state")),
    )
    op.create_table(
        "audit_payloads",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_audit_payloads")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_audit_checkpoints")),
    )
    op.create_table(
        "audit_cosignatures",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", "witness", name=op.f("pk_audit_cosignatures")),
    )
    op.create_index("ix_audit_cosignatures_witness", "audit_cosignatures", ["witness"], unique=False)

    # The one log's state row: empty tree, no checkpoint yet.
    state = sa.table(
        "audit_state",
        sa.column("log_id", sa.Integer()),
        sa.column("size", sa.BigInteger()),
        sa.column("frontier", sa.LargeBinary()),
    )
    op.bulk_insert(state, [{"log_id": 1, "size": 0, "frontier": b""}])

    # Append-only, as defence in depth (the Merkle tree and signed checkpoints are the real guarantee: an
    # attacker who drops these triggers is still caught by `vaspguard audit verify`).
    if op.get_bind().dialect.name == "sqlite":
        for table in _APPEND_ONLY:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'audit log is append-only: {action} on {table} refused'); END"
                )
        op.execute(
            "CREATE TRIGGER audit_state_no_delete BEFORE DELETE ON audit_state "
            "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on audit_state refused'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_state_no_shrink BEFORE UPDATE ON audit_state WHEN NEW.size < OLD.size "
            "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: the tree may not shrink'); END"
        )
    else:
        op.execute(
            """
            CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        op.execute(
            """
            CREATE FUNCTION audit_refuse_shrink() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.size < OLD.size THEN
                    RAISE EXCEPTION 'audit log is append-only: the tree may not shrink'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END $$
            """
        )
        for table in _APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()"
            )
        op.execute(
            "CREATE TRIGGER audit_state_no_delete BEFORE DELETE OR TRUNCATE ON audit_state "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse()"
        )
        op.execute(
            "CREATE TRIGGER audit_state_no_shrink BEFORE UPDATE ON audit_state "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_shrink()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for table in _APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS audit_state_no_delete ON audit_state")
        op.execute("DROP TRIGGER IF EXISTS audit_state_no_shrink ON audit_state")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse()")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_shrink()")
    for table in ("audit_cosignatures", "audit_checkpoints", "audit_payloads", "audit_state", "audit_nodes"):
        op.drop_table(table)
    op.drop_table("audit_subjects")
    op.drop_index(op.f("ix_audit_leaves_type"), table_name="audit_leaves")
    op.drop_table("audit_leaves")
