"""The desk: the browser workplace for compliance, legal and audit staff, served at ``/`` beside the API.

Server-rendered pages (FastAPI and Jinja2, htmx for partial updates, every asset served by the app), people
signing in with passkeys (WebAuthn), sessions with CSRF tokens and an idle timeout, roles enforced on the
server for every route (``ACCESS``, over ``guarded_routers()``). ``install(app)`` mounts it on the API's
app; ``invite``,
``list_users`` and ``deactivate`` are what ``vaspguard users`` calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vaspguard.desk._access import ACCESS, PUBLIC
from vaspguard.desk._config import DeskSettings
from vaspguard.desk._users import DeskRole, User, deactivate, invite, list_users

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI

__all__ = [
    "ACCESS",
    "PUBLIC",
    "DeskRole",
    "DeskSettings",
    "User",
    "deactivate",
    "guarded_routers",
    "install",
    "invite",
    "list_users",
]


def guarded_routers() -> list[APIRouter]:
    """The routers whose every route needs a signed-in user with a role ``ACCESS`` admits."""
    from vaspguard.desk import (
        _audit_pages,
        _jobs,
        _lists_pages,
        _oidc,
        _pages,
        _restrictions,
        _search,
        _transparency,
    )

    routers = [_pages.router, _restrictions.router, _jobs.router, _lists_pages.router, _audit_pages.router]
    from vaspguard.desk import _legal, _legal_intake, _legal_notices, _legal_policy, _legal_registry

    routers += [_legal_notices.router, _legal_registry.router]
    # the intake form and the policy pages first: /requests/new is not a request id
    return [
        *routers,
        _search.router,
        _legal_intake.router,
        _legal_policy.router,
        _legal.router,
        _transparency.router,
        _oidc.account_router,
    ]


def install(app: FastAPI) -> None:
    """Mount the desk on ``app`` (whose ``state.store`` is the store): pages, assets, security headers."""
    from fastapi.staticfiles import StaticFiles

    from vaspguard.desk import _oidc, _passkeys
    from vaspguard.desk._passkeys import RateLimit
    from vaspguard.desk._web import HERE, SecurityHeaders

    settings = DeskSettings()
    app.state.desk_settings = settings
    app.state.desk_signin_limit = RateLimit(settings.signin_attempts, settings.signin_window_seconds)
    app.mount("/desk-static", StaticFiles(directory=HERE / "static"), name="desk-static")
    app.include_router(_passkeys.router)
    _oidc.install(app)
    app.include_router(_oidc.router)
    for router in guarded_routers():
        app.include_router(router)
    app.add_middleware(SecurityHeaders)
