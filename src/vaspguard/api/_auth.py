"""API-token authentication for routes: ``require(*roles)``. The tokens themselves (create, revoke,
authenticate) are ``vaspguard.tokens``; re-exported here for the API's callers.

Each token has one role. ``admin`` may do everything; other roles are named by the routes that need them.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from vaspguard.roles import Role
from vaspguard.tokens import Principal, authenticate, create_token, revoke_token, token_digest

__all__ = ["Principal", "Role", "authenticate", "create_token", "require", "revoke_token", "token_digest"]

_bearer = HTTPBearer(auto_error=False)


def require(*roles: Role) -> Callable[..., Principal]:
    """A FastAPI dependency admitting tokens whose role is ``admin`` or one of ``roles``."""

    def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        if credentials is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers={"WWW-Authenticate": "Bearer"}
            )
        principal = authenticate(request.app.state.store, credentials.credentials)
        if principal is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "invalid or revoked token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if principal.role is not Role.ADMIN and principal.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {principal.role} may not do this")
        return principal

    return dependency
