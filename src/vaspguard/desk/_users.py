"""Desk users: people with roles and a region, enrolled through a one-time link, signing in with passkeys.

Users are not API tokens: a token is a machine's credential with one API role; a desk user is a person who
may hold several desk roles. An invite is a random 256-bit token shown once (in a link); the database keeps
its SHA-256, its expiry and when it was used. A deactivated user cannot sign in and their sessions end.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from vaspguard.desk._config import DeskSettings
from vaspguard.desk._tables import DeskCredentialRow, DeskInviteRow, DeskSessionRow, DeskUserRow
from vaspguard.errors import AlreadyExists, InvalidRequest, NotFound, Refused
from vaspguard.store import Store, utcnow
from vaspguard.tokens import token_digest


class DeskRole(enum.StrEnum):
    ANALYST = "analyst"  # alerts, dispositions, customers, restrictions
    LEGAL = "legal"  # lawful requests (issue 14)
    PRIVACY = "privacy"  # privacy officer: lawful-request quorum
    SECURITY = "security"
    REGIONAL_LEAD = "regional_lead"
    EXECUTIVE = "executive"
    AUDITOR = "auditor"  # read-only, and the audit log
    ADMIN = "admin"  # everything


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    roles: frozenset[DeskRole]
    region: str
    active: bool
    handle: str
    created_at: datetime
    passkeys: int = 0

    def has(self, *roles: DeskRole) -> bool:
        """Whether the user holds one of ``roles`` (``admin`` holds every role)."""
        return DeskRole.ADMIN in self.roles or any(r in self.roles for r in roles)

    @property
    def role_text(self) -> str:
        return ", ".join(sorted(self.roles))


def parse_roles(values: Iterable[str]) -> frozenset[DeskRole]:
    roles = set()
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            try:
                roles.add(DeskRole(part.strip()))
            except ValueError:
                raise InvalidRequest(
                    "role", f"unknown role {part.strip()!r}; one of {', '.join(DeskRole)}"
                ) from None
    if not roles:
        raise InvalidRequest("role", f"a user needs at least one role: {', '.join(DeskRole)}")
    return frozenset(roles)


def _user(r: Any, passkeys: int = 0) -> User:
    return User(
        id=r.id,
        name=r.name,
        roles=frozenset(DeskRole(x) for x in r.roles.split(",") if x),
        region=r.region,
        active=r.active,
        handle=r.handle,
        created_at=r.created_at,
        passkeys=passkeys,
    )


def invite(
    store: Store, *, name: str, roles: Iterable[str], region: str, settings: DeskSettings | None = None
) -> tuple[User, str]:
    """Create a user (or re-invite an existing active one without a passkey) and return the one-time
    enrolment link, valid ``invite_hours``."""
    settings = settings or DeskSettings()
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidRequest("name", "a user's name is 1 to 100 characters")
    region = region.strip().upper()
    if not region or len(region) > 16:
        raise InvalidRequest("region", "a region code of 1 to 16 characters (e.g. EU, KR, US)")
    wanted = parse_roles(roles)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    try:
        with store.connect() as conn:
            user_id = conn.execute(
                insert(DeskUserRow)
                .values(
                    name=name,
                    roles=",".join(sorted(wanted)),
                    region=region,
                    handle=secrets.token_hex(32),
                    active=True,
                    created_at=now,
                )
                .returning(DeskUserRow.id)
            ).scalar_one()
            conn.execute(
                insert(DeskInviteRow).values(
                    token_sha256=token_digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + timedelta(hours=settings.invite_hours),
                )
            )
    except IntegrityError:
        raise AlreadyExists("desk user", name, "a user with this name exists") from None
    return get_user(store, user_id), f"{settings.site()}/enrol/{token}"


def get_user(store: Store, user_id: int) -> User:
    with store.connect() as conn:
        row = conn.execute(select(DeskUserRow).where(DeskUserRow.id == user_id)).first()
        if row is None:
            raise NotFound("desk user", str(user_id))
        keys = conn.execute(
            select(DeskCredentialRow.credential_id).where(DeskCredentialRow.user_id == user_id)
        )
        return _user(row, len(keys.all()))


def find_user(store: Store, name_or_id: str) -> User:
    with store.connect() as conn:
        q = select(DeskUserRow.id).where(DeskUserRow.name == name_or_id)
        if name_or_id.isdigit():
            q = select(DeskUserRow.id).where(
                (DeskUserRow.id == int(name_or_id)) | (DeskUserRow.name == name_or_id)
            )
        user_id = conn.execute(q).scalar()
    if user_id is None:
        raise NotFound("desk user", name_or_id)
    return get_user(store, user_id)


def list_users(store: Store) -> list[User]:
    with store.connect() as conn:
        rows = conn.execute(select(DeskUserRow).order_by(DeskUserRow.id)).all()
        counts: dict[int, int] = {}
        for uid in conn.execute(select(DeskCredentialRow.user_id)).scalars():
            counts[uid] = counts.get(uid, 0) + 1
    return [_user(r, counts.get(r.id, 0)) for r in rows]


def deactivate(store: Store, name_or_id: str) -> User:
    """Deactivate a user: no more sign-ins, sessions ended now, unused invites void."""
    user = find_user(store, name_or_id)
    if not user.active:
        raise Refused(f"desk user {user.name} is already deactivated")
    with store.connect() as conn:
        conn.execute(
            update(DeskUserRow).where(DeskUserRow.id == user.id).values(active=False, deactivated_at=utcnow())
        )
        conn.execute(delete(DeskSessionRow).where(DeskSessionRow.user_id == user.id))
        conn.execute(delete(DeskInviteRow).where(DeskInviteRow.user_id == user.id))
    return get_user(store, user.id)


def open_invite(store: Store, token: str) -> tuple[User, str]:
    """The user an unused, unexpired invite is for, and the invite's digest; ``Refused`` otherwise."""
    with store.connect() as conn:
        row = conn.execute(
            select(DeskInviteRow).where(DeskInviteRow.token_sha256 == token_digest(token))
        ).first()
    if row is None or row.used_at is not None:
        raise Refused("this enrolment link is not valid (unknown or already used); ask for a new invite")
    if _aware(row.expires_at) <= utcnow():
        raise Refused("this enrolment link has expired (links last 24 hours); ask for a new invite")
    user = get_user(store, row.user_id)
    if not user.active:
        raise Refused("this user is deactivated")
    return user, row.token_sha256


def add_passkey(
    store: Store, *, user_id: int, invite_sha256: str, credential_id: str, public_key: bytes, sign_count: int
) -> None:
    """Store a verified passkey and use up the invite, in one transaction (a link enrols once)."""
    with store.connect() as conn:
        used = conn.execute(
            update(DeskInviteRow)
            .where(DeskInviteRow.token_sha256 == invite_sha256, DeskInviteRow.used_at.is_(None))
            .values(used_at=utcnow())
        )
        if used.rowcount != 1:
            raise Refused("this enrolment link was used already")
        conn.execute(
            insert(DeskCredentialRow).values(
                credential_id=credential_id,
                user_id=user_id,
                public_key=public_key,
                sign_count=sign_count,
                created_at=utcnow(),
            )
        )


def passkey(store: Store, credential_id: str) -> tuple[User, bytes, int] | None:
    """The active user a passkey belongs to, its public key and counter."""
    with store.connect() as conn:
        row = conn.execute(
            select(DeskCredentialRow).where(DeskCredentialRow.credential_id == credential_id)
        ).first()
    if row is None:
        return None
    user = get_user(store, row.user_id)
    if not user.active:
        return None
    return user, row.public_key, row.sign_count


def passkey_used(store: Store, credential_id: str, sign_count: int) -> None:
    with store.connect() as conn:
        conn.execute(
            update(DeskCredentialRow)
            .where(DeskCredentialRow.credential_id == credential_id)
            .values(sign_count=sign_count, last_used_at=utcnow())
        )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def reinvite(store: Store, user: User, settings: DeskSettings | None = None) -> str:
    """A new one-time enrolment link for an existing active user (a passkey on another device, or a first
    passkey for someone who signs in through single sign-on)."""
    settings = settings or DeskSettings()
    if not user.active:
        raise Refused("this user is deactivated")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.connect() as conn:
        conn.execute(
            insert(DeskInviteRow).values(
                token_sha256=token_digest(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(hours=settings.invite_hours),
            )
        )
    return f"{settings.site()}/enrol/{token}"


def oidc_user(
    store: Store, *, issuer: str, subject: str, name: str, roles: frozenset[DeskRole], region: str
) -> User:
    """The desk user of an OIDC identity (issuer and subject), created at its first sign-in; roles and
    region follow the identity provider's claims at every sign-in. A deactivated user stays refused."""
    from vaspguard.desk._tables import DeskOidcIdentityRow as Identity

    now = utcnow()
    role_text = ",".join(sorted(roles))
    with store.connect() as conn:
        user_id = conn.execute(
            select(Identity.user_id).where(Identity.issuer == issuer, Identity.subject == subject)
        ).scalar()
        if user_id is None:
            taken = conn.execute(select(DeskUserRow.id).where(DeskUserRow.name == name)).first()
            if taken is not None:  # never linked by name: another person may hold it here
                name = f"{name[:80]} (sso {secrets.token_hex(3)})"
            user_id = conn.execute(
                insert(DeskUserRow)
                .values(
                    name=name,
                    roles=role_text,
                    region=region,
                    handle=secrets.token_hex(32),
                    active=True,
                    created_at=now,
                )
                .returning(DeskUserRow.id)
            ).scalar_one()
            conn.execute(
                insert(Identity).values(issuer=issuer, subject=subject, user_id=user_id, created_at=now)
            )
        else:
            conn.execute(
                update(DeskUserRow)
                .where(DeskUserRow.id == user_id, DeskUserRow.active.is_(True))
                .values(roles=role_text, region=region)
            )
        conn.execute(
            update(Identity)
            .where(Identity.issuer == issuer, Identity.subject == subject)
            .values(last_signin_at=now)
        )
    user = get_user(store, user_id)
    if not user.active:
        raise Refused("this user is deactivated")
    return user
