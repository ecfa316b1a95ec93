"""The migrations and the declared tables agree, on both backends."""

from __future__ import annotations

import importlib

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from vaspguard.store import Store, current_revision, head_revision, metadata

for _m in ("registry", "audit", "lists", "screening", "policy", "requests"):
    importlib.import_module(f"vaspguard.{_m}._tables")


def test_migrated_to_head(store: Store) -> None:
    assert current_revision(store) == head_revision()


def test_models_match_migrations(store: Store) -> None:
    with store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []
