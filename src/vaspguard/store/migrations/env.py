"""Alembic environment: runs against the engine handed over by ``vaspguard.store.migrate``."""

from __future__ import annotations

import importlib

from alembic import context

from vaspguard.store import metadata

# Every capability's tables, so that ``compare_metadata`` (the models-match-migrations test) sees them all.
for _module in (
    "registry",
    "tokens",
    "audit",
    "lists",
    "screening",
    "policy",
    "requests",
    "desk",
    "events",
    "worker",
):
    importlib.import_module(f"vaspguard.{_module}._tables")

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
