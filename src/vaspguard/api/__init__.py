"""The HTTP API (FastAPI). ``create_app(store)`` builds it; each capability adds a router in ``routers/``."""

from vaspguard.api._app import create_app
from vaspguard.api._auth import Principal, Role, create_token, require, revoke_token
from vaspguard.api._factory import create_app_from_env

__all__ = [
    "Principal",
    "Role",
    "create_app",
    "create_app_from_env",
    "create_token",
    "require",
    "revoke_token",
]
