"""The storage seam: one ``Store`` over SQLite or PostgreSQL, the same tables and migrations for both.

Capabilities declare their tables on ``metadata`` (via ``Base``) in their own ``_tables.py`` and add an
Alembic migration under ``store/migrations/versions``; ``migrate()`` brings a database to the head revision.
"""

from vaspguard.store._engine import Backend, Store, open_store
from vaspguard.store._migrate import current_revision, head_revision, migrate
from vaspguard.store._types import Amount, Base, metadata, utcnow

__all__ = [
    "Amount",
    "Backend",
    "Base",
    "Store",
    "current_revision",
    "head_revision",
    "metadata",
    "migrate",
    "open_store",
    "utcnow",
]
