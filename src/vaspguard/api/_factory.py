"""``create_app_from_env``: the app for ``uvicorn --factory`` and for ``vaspguard serve --workers N``.

Each worker process builds its own app and its own connection pool from ``VASPGUARD_DB``; the parent has
already migrated the database, so workers only open it.
"""

from __future__ import annotations

from fastapi import FastAPI

from vaspguard.api._app import create_app
from vaspguard.settings import Settings
from vaspguard.store import open_store


def create_app_from_env() -> FastAPI:
    return create_app(open_store(Settings().db))
