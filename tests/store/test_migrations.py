"""The migrations and the declared tables agree, on both backends."""

from __future__ import annotations

import importlib

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from vaspguard.store import Store, current_revision, head_revision, metadata, migrate

for _m in ("registry", "audit", "lists", "screening", "policy", "requests", "desk"):
    importlib.import_module(f"vaspguard.{_m}._tables")


def test_migrated_to_head(store: Store) -> None:
    assert current_revision(store) == head_revision()


def test_models_match_migrations(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []


def test_head_read_from_the_files_is_alembics_head() -> None:
    from vaspguard.store._migrate import _head_from_files

    assert _head_from_files() == head_revision()


def test_migrate_at_head_skips_alembic_and_a_stale_database_is_upgraded(store: Store) -> None:
    """The fast path answers only for a database at the head: one a revision behind is upgraded."""
    from alembic import command
    from sqlalchemy import text

    from vaspguard.store._migrate import _config, _stored_revision

    assert _stored_revision(store) == head_revision()
    migrate(store)  # at the head: nothing to do
    command.downgrade(_config(store), "0006_requests")
    assert _stored_revision(store) == "0006_requests"
    migrate(store)
    assert current_revision(store) == head_revision()
    with store.engine.connect() as conn:
        conn.execute(text("SELECT recorded_at FROM logins"))
