"""API-token authentication. Tokens are random 256-bit values shown once; the database keeps their SHA-256.

Each token has one role. ``admin`` may do everything; other roles are named by the routes that need them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import insert, select, update

from vaspguard.errors import InvalidRequest, NotFound
from vaspguard.registry._tables import ApiTokenRow
from vaspguard.roles import Role

__all__ = [
    "Principal",
    "Role",
    "authenticate",
    "checked_principal",
    "create_token",
    "require",
    "revoke_token",
    "token_digest",
]
from vaspguard.store import Store, utcnow


@dataclass(frozen=True, slots=True)
class Principal:
    token_id: int
    name: str
    role: Role


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, *, name: str, role: Role | str) -> str:
    """Create a token and return it in plain text (the only time it is ever seen)."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidRequest("role", f"unknown role {role!r}; one of {', '.join(Role)}") from None
    token = "vg_" + secrets.token_urlsafe(32)
    with store.connect() as conn:
        conn.execute(insert(ApiTokenRow).values(name=name, role=role.value, token_sha256=token_digest(token)))
    return token


def revoke_token(store: Store, token_id: int) -> None:
    with store.connect() as conn:
        done = conn.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == token_id, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if done.rowcount != 1:
            raise NotFound("active token", str(token_id))


def authenticate(store: Store, token: str) -> Principal | None:
    with store.connect() as conn:
        row = conn.execute(
            select(ApiTokenRow).where(
                ApiTokenRow.token_sha256 == token_digest(token), ApiTokenRow.revoked_at.is_(None)
            )
        ).first()
    if row is None:
        return None
    return Principal(token_id=row.id, name=row.name, role=Role(row.role))


_bearer = HTTPBearer(auto_error=False)


def require(*roles: Role) -> Callable[..., Principal]:
    """A FastAPI dependency admitting tokens whose role is ``admin`` or one of ``roles``."""

    def dependency(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        principal = checked_principal(request)
        if principal is not None:
            return _admit(principal, roles)
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
        return _admit(principal, roles)

    return dependency


def _admit(principal: Principal, roles: tuple[Role, ...]) -> Principal:
    if principal.role is not Role.ADMIN and principal.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {principal.role} may not do this")
    return principal


def checked_principal(request: Request) -> Principal | None:
    """The principal the input-limits middleware found for this request (it checks the token of every
    request with a body before reading it, this same call); ``None`` for a request without a body."""
    found = request.scope.get("state", {}).get("principal")
    return found if isinstance(found, Principal) else None
