"""Alembic driven from code: the migrations ship inside the package, so no alembic.ini is needed.

``migrate`` is called by every CLI command that opens the database, so a database already at the newest
revision is recognised without loading Alembic (and, through the migrations' environment, every
capability's tables): one query of ``alembic_version`` against the head read from the migration files.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from vaspguard.store._engine import Store

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r'^revision\s*=\s*"([^"]+)"', re.M)
_DOWN = re.compile(r'^down_revision\s*=\s*(?:"([^"]+)"|None)', re.M)


def _config(store: Store) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = store.engine
    return config


def migrate(store: Store, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (idempotent; at the head already, one query and nothing else)."""
    if revision == "head" and _stored_revision(store) == _head_from_files():
        return
    from alembic import command

    command.upgrade(_config(store), revision)


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(_MIGRATIONS))
    return script.get_current_head()


def current_revision(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _stored_revision(store: Store) -> str | None:
    """The one revision in ``alembic_version``; None when the table is missing or holds several (branches)."""
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError:  # no such table yet: a new database
        return None
    return rows[0] if len(rows) == 1 else None


@lru_cache(maxsize=1)
def _head_from_files() -> str | None:
    """The head revision as the migration files name it: the one no other file revises (None unless one)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(source), _DOWN.search(source)
        if rev is None or down is None:
            return None  # a file this reader does not understand: leave it to Alembic
        revisions.add(rev.group(1))
        if down.group(1):
            revised.add(down.group(1))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None
