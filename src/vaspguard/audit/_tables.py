"""Tables of the audit capability (declared on vaspguard.store.Base; migration ``0002_audit``).

Log tables (append-only; triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL):
``audit_leaves`` (the entries, one per leaf index), ``audit_subjects`` (index of subject refs to leaves),
``audit_nodes`` (roots of completed perfect subtrees of height >= 1, for proofs), ``audit_checkpoints`` (every
signed checkpoint), ``audit_cosignatures`` (witness cosignature lines).
``audit_state`` holds the single row of the log's right-edge frontier, updated in the same transaction as the
leaves; it may be updated but never deleted. ``audit_payloads`` is deliberately erasable: it holds the payload
and salt behind each leaf's commitment, and erasing a row leaves the log verifiable.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vaspguard.store import Base, utcnow

APPEND_ONLY_TABLES = (
    "audit_leaves",
    "audit_subjects",
    "audit_nodes",
    "audit_checkpoints",
    "audit_cosignatures",
)


class AuditLeafRow(Base):
    __tablename__ = "audit_leaves"

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    type: Mapped[str] = mapped_column(String(100), nullable=False, index=True)


class AuditSubjectRow(Base):
    __tablename__ = "audit_subjects"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class AuditNodeRow(Base):
    __tablename__ = "audit_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class AuditStateRow(Base):
    __tablename__ = "audit_state"

    log_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    origin: Mapped[str | None] = mapped_column(String(200), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    frontier: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    checkpoint_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    checkpoint_root: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class AuditPayloadRow(Base):
    __tablename__ = "audit_payloads"

    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    salt: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    payload: Mapped[str] = mapped_column(Text, nullable=False)


class AuditCheckpointRow(Base):
    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class AuditCosignatureRow(Base):
    __tablename__ = "audit_cosignatures"
    __table_args__ = (Index("ix_audit_cosignatures_witness", "witness"),)

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(String(200), primary_key=True)
    line: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
