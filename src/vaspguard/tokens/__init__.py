"""API tokens: random 256-bit values shown once, stored as their SHA-256, each with one role.

The HTTP layer (``vaspguard.api``) authenticates with them; the CLI creates, lists and revokes them. This
package needs only the store, so neither the CLI nor the migrations load the web stack to reach it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from vaspguard.errors import InvalidRequest, NotFound
from vaspguard.roles import Role
from vaspguard.store import Store, utcnow
from vaspguard.tokens._tables import ApiTokenRow

__all__ = [
    "Principal",
    "TokenInfo",
    "authenticate",
    "create_token",
    "list_tokens",
    "revoke_token",
    "token_digest",
]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request authenticated as."""

    token_id: int
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed: never its value."""

    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


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


def list_tokens(store: Store) -> list[TokenInfo]:
    with store.connect() as conn:
        rows = conn.execute(select(ApiTokenRow).order_by(ApiTokenRow.id)).all()
    return [TokenInfo(r.id, r.name, r.role, r.created_at, r.revoked_at) for r in rows]


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
