"""Tables of the requests capability (declared on vaspguard.store.Base; migration 0006_requests).

Registries keep their full record as canonical JSON in ``doc`` beside the columns that are searched.
A request keeps what was filed (``doc``, never rewritten), its current scope and the hash every approval
signs (``scope_sha256``); approvals are never deleted, only voided with a reason when the scope narrows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vaspguard.store import Base, utcnow


class AgencyRow(Base):
    __tablename__ = "lr_agencies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2), index=True)
    agency_class: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[str | None] = mapped_column(String(64))
    verification_status: Mapped[str] = mapped_column(String(16))
    verified_on: Mapped[date | None] = mapped_column(Date)
    doc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProtectedPartyRow(Base):
    __tablename__ = "lr_protected_parties"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    doc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProtectedAddressRow(Base):
    """A protected party's wallet address, normalised, so a target or counterparty is found by index."""

    __tablename__ = "lr_protected_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    party_id: Mapped[str] = mapped_column(
        ForeignKey("lr_protected_parties.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(128), index=True)
    chain: Mapped[str | None] = mapped_column(String(16))


class OperatorRow(Base):
    __tablename__ = "lr_operators"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The desk user who acts as this operator, approving with their passkey (migration 0010_passkeys).
    desk_user: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PolicyVersionRow(Base):
    """Every assessment policy ever installed; the newest is in force. Weakenings are listed, never silent."""

    __tablename__ = "lr_policy_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(71), index=True)  # "sha256:<hex>"
    text: Mapped[str] = mapped_column(Text)
    installed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    installed_by: Mapped[str] = mapped_column(String(100))
    weakenings: Mapped[str] = mapped_column(Text, default="[]")
    reason: Mapped[str | None] = mapped_column(Text)


class RequestRow(Base):
    __tablename__ = "lr_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    agency_id: Mapped[str | None] = mapped_column(String(64), index=True)
    agency_country: Mapped[str] = mapped_column(String(2))
    channel: Mapped[str] = mapped_column(String(16))
    instrument_type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    tier: Mapped[str] = mapped_column(String(8))
    doc: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    scope_sha256: Mapped[str] = mapped_column(String(64))
    scope_version: Mapped[int] = mapped_column(Integer, default=1)
    assessment: Mapped[str] = mapped_column(Text)
    policy_version: Mapped[str] = mapped_column(String(71))
    intake_operator: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date | None] = mapped_column(Date)
    ndo_until: Mapped[date | None] = mapped_column(Date)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    follow_up_of: Mapped[str | None] = mapped_column(String(32), index=True)
    preserve_until: Mapped[date | None] = mapped_column(Date)
    preserve_extensions: Mapped[int] = mapped_column(Integer, default=0)
    disclosed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApprovalRow(Base):
    """One signed decision by one operator over one exact scope (``scope_sha256``)."""

    __tablename__ = "lr_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("lr_requests.id"), index=True)
    operator: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(8))  # approve | reject | narrow
    scope_sha256: Mapped[str] = mapped_column(String(64))
    scope_version: Mapped[int] = mapped_column(Integer)
    signature: Mapped[str] = mapped_column(Text)  # hex: Ed25519, or the passkey's (DER ECDSA, ...)
    # "ed25519" (a CLI key) or "webauthn" (a passkey in the desk: ``public_key`` is its COSE key in hex and
    # ``assertion`` the JSON of what the authenticator signed; see requests/_passkey.py). Migration 0010.
    method: Mapped[str] = mapped_column(String(8), default="ed25519", server_default="ed25519")
    public_key: Mapped[str | None] = mapped_column(Text)
    assertion: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    void: Mapped[bool] = mapped_column(Boolean, default=False)
    void_reason: Mapped[str | None] = mapped_column(Text)
    receipt: Mapped[str | None] = mapped_column(Text)  # the audit receipt (JSON) of this approval


class EventRow(Base):
    """The request's timeline: every action and every refused attempt, with its audit index."""

    __tablename__ = "lr_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("lr_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text)
    audit_index: Mapped[int | None] = mapped_column(BigInteger)


class DisclosureRow(Base):
    __tablename__ = "lr_disclosures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("lr_requests.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    merkle_root: Mapped[str] = mapped_column(String(64))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    record_counts: Mapped[str] = mapped_column(Text)
    pseudonym_salt: Mapped[str] = mapped_column(String(64))  # re-identification stays with the exchange
    output: Mapped[str] = mapped_column(Text)


class NoticeRow(Base):
    """A notice owed to one affected customer: held while a non-disclosure order runs, then due."""

    __tablename__ = "lr_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("lr_requests.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(8))  # held | pending | sent
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
