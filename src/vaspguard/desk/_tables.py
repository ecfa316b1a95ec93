"""Tables of the desk (declared on vaspguard.store.Base; migration 0008_desk_users).

- ``desk_users``: people who sign in to the desk, distinct from API tokens. ``roles`` is a comma-separated,
  sorted list of ``DeskRole`` values; ``handle`` is the random WebAuthn user handle (never the name).
- ``desk_invites``: one-time enrolment links; only the SHA-256 of the link's token is kept, with its expiry.
- ``desk_credentials``: passkeys (WebAuthn credential id, COSE public key, signature counter).
- ``desk_sessions``: sessions by the SHA-256 of the cookie value, with the CSRF token and the pending WebAuthn
  challenge. A session without a user is a visitor's (sign-in or enrolment in progress); signing in deletes it
  and creates a new one (rotation).
- ``desk_proposals``: four-eyes dispositions waiting for a second analyst. The alert is decided (through
  screening's ``decide``) only when another person confirms.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vaspguard.store import Base, utcnow


class DeskUserRow(Base):
    __tablename__ = "desk_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    roles: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(64), unique=True)  # hex of the WebAuthn user handle
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeskInviteRow(Base):
    __tablename__ = "desk_invites"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("desk_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeskCredentialRow(Base):
    __tablename__ = "desk_credentials"

    credential_id: Mapped[str] = mapped_column(String(400), primary_key=True)  # base64url
    user_id: Mapped[int] = mapped_column(ForeignKey("desk_users.id", ondelete="CASCADE"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE_Key
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeskSessionRow(Base):
    __tablename__ = "desk_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    challenge: Mapped[str | None] = mapped_column(String(200))  # base64url, while a ceremony is pending
    invite_sha256: Mapped[str | None] = mapped_column(String(64))  # the invite an enrolment is for
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # how the user signed in: passkey | oidc (migration 0012_desk_search; None: a passkey, from before)
    method: Mapped[str | None] = mapped_column(String(8))


class DeskProposalRow(Base):
    __tablename__ = "desk_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(Integer, index=True)
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[int] = mapped_column(ForeignKey("desk_users.id"))
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | confirmed
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("desk_users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeskSearchTokenRow(Base):
    """The desk's search index (migration 0012_desk_search): one row per customer and word of a name (read
    in Latin letters by screening's normalisation), lower-cased id, e-mail or phone. Found by prefix (a
    range on ``token``, which the index serves); kept up to date by ``vaspguard.desk._search.refresh``."""

    __tablename__ = "desk_search_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(200), index=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # name | id | email | phone


class DeskSearchStateRow(Base):
    """How far the search index has caught up: customers recorded or changed before ``indexed_until``
    are in it (one row, id 1; none until the first build)."""

    __tablename__ = "desk_search_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indexed_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeskOidcIdentityRow(Base):
    """A desk user signed in through OIDC single sign-on, by the identity provider's issuer and subject
    (migration 0012_desk_search). Never matched by name: a name at the provider is not a desk identity."""

    __tablename__ = "desk_oidc_identities"

    issuer: Mapped[str] = mapped_column(String(300), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("desk_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_signin_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
