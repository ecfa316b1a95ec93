"""Alembic driven from code: the migrations ship inside the package, so no alembic.ini is needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from vaspguard.store._engine import Store

_MIGRATIONS = Path(__file__).with_name("migrations")


def _config(store: Store) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = store.engine
    return config


def migrate(store: Store, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (idempotent)."""
    command.upgrade(_config(store), revision)


def head_revision() -> str | None:
    script = ScriptDirectory(str(_MIGRATIONS))
    return script.get_current_head()


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
