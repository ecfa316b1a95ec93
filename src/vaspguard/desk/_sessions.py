"""Desk sessions: a random cookie value (the database keeps its SHA-256), a CSRF token, an idle timeout.

- A visitor (not signed in) gets a session too, holding the CSRF token of the sign-in and enrolment forms and
  the pending WebAuthn challenge (one challenge per session, used once).
- Signing in deletes the visitor's session and creates a new one for the user (rotation: a value planted
  before sign-in is worth nothing after it).
- A session unused for ``idle_minutes`` is over: it is deleted when next presented.
- A session remembers how its user signed in (``method``: ``passkey`` or ``oidc``): approvals need a
  passkey (``passkey_refusal``), so a user signed in through single sign-on is sent to enrol or use one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import delete, insert, select, update

from vaspguard.desk._tables import DeskSessionRow
from vaspguard.desk._users import User, get_user
from vaspguard.store import Store, utcnow
from vaspguard.tokens import token_digest


@dataclass(frozen=True, slots=True)
class Session:
    key: str  # SHA-256 of the cookie value
    csrf: str
    user: User | None
    challenge: str | None
    invite_sha256: str | None
    method: str = "passkey"  # how the user signed in: passkey | oidc


def passkey_refusal(session: Session) -> str | None:
    """Why this session may not approve (None if it may): approvals need a passkey sign-in."""
    if session.user is None or session.method == "passkey":
        return None
    if session.user.passkeys == 0:
        return (
            "approving needs a passkey, and you have none yet: enrol one on your Account page (/account), "
            "or ask an administrator for an invite"
        )
    return "approving needs a passkey: sign out, then sign in with your passkey"


def create(store: Store, user_id: int | None = None, method: str = "passkey") -> tuple[str, Session]:
    """A new session; returns the cookie value (shown to the browser only) and the session."""
    value = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    with store.connect() as conn:
        conn.execute(
            insert(DeskSessionRow).values(
                id_sha256=token_digest(value),
                user_id=user_id,
                csrf=csrf,
                created_at=now,
                last_seen=now,
                method=method if user_id is not None else None,
            )
        )
    user = get_user(store, user_id) if user_id is not None else None
    return value, Session(token_digest(value), csrf, user, None, None, method)


def load(store: Store, value: str | None, *, idle: timedelta) -> Session | None:
    """The live session a cookie names (touched now); None if unknown, idle too long or user deactivated."""
    if not value:
        return None
    key = token_digest(value)
    now = utcnow()
    with store.connect() as conn:
        row = conn.execute(select(DeskSessionRow).where(DeskSessionRow.id_sha256 == key)).first()
        if row is None:
            return None
        last = row.last_seen if row.last_seen.tzinfo else row.last_seen.replace(tzinfo=UTC)
        if now - last > idle:
            conn.execute(delete(DeskSessionRow).where(DeskSessionRow.id_sha256 == key))
            return None
        conn.execute(update(DeskSessionRow).where(DeskSessionRow.id_sha256 == key).values(last_seen=now))
    user = get_user(store, row.user_id) if row.user_id is not None else None
    if user is not None and not user.active:
        end(store, key)
        return None
    return Session(key, row.csrf, user, row.challenge, row.invite_sha256, row.method or "passkey")


def set_challenge(store: Store, key: str, challenge: str | None, invite_sha256: str | None = None) -> None:
    with store.connect() as conn:
        conn.execute(
            update(DeskSessionRow)
            .where(DeskSessionRow.id_sha256 == key)
            .values(challenge=challenge, invite_sha256=invite_sha256)
        )


def take_challenge(store: Store, key: str) -> tuple[str | None, str | None]:
    """The pending challenge (and invite) of a session, cleared: a challenge is answered once."""
    with store.connect() as conn:
        row = conn.execute(
            select(DeskSessionRow.challenge, DeskSessionRow.invite_sha256).where(
                DeskSessionRow.id_sha256 == key
            )
        ).first()
        conn.execute(
            update(DeskSessionRow)
            .where(DeskSessionRow.id_sha256 == key)
            .values(challenge=None, invite_sha256=None)
        )
    return (row.challenge, row.invite_sha256) if row is not None else (None, None)


def end(store: Store, key: str) -> None:
    with store.connect() as conn:
        conn.execute(delete(DeskSessionRow).where(DeskSessionRow.id_sha256 == key))
