"""Tables of the screening capability (declared on vaspguard.store.Base; migration 0004_screening).

- ``screening_runs``: one row per screening of the registry (full or incremental), with the list snapshots
  it screened against, so the next run knows what changed since.
- ``screening_alerts``: one per (customer, list entity, snapshot, kind, and both fingerprints). The
  fingerprints are SHA-256 over what the match rests on (the customer's names, date of birth and
  nationalities; the entity's names, dates of birth and documents): a false positive stays quiet only
  while both are unchanged.
- ``screening_dispositions``: analysts' decisions, append-only (never updated or deleted by vaspguard);
  each is also logged to the audit log, whose index is kept here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from vaspguard.store import Base, utcnow


class ScreeningRunRow(Base):
    __tablename__ = "screening_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # full | incremental
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    snapshots: Mapped[str] = mapped_column(Text)  # JSON {source: snapshot id}
    threshold: Mapped[float] = mapped_column(Float)
    customers_screened: Mapped[int] = mapped_column(Integer, default=0)
    alerts_created: Mapped[int] = mapped_column(Integer, default=0)


class ScreeningAlertRow(Base):
    __tablename__ = "screening_alerts"
    __table_args__ = (
        UniqueConstraint(
            "customer_id",
            "entity_key",
            "snapshot_id",
            "kind",
            "customer_fingerprint",
            "entity_fingerprint",
            name="uq_screening_alerts_identity",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    entity_key: Mapped[str] = mapped_column(String(200), index=True)
    snapshot_id: Mapped[int] = mapped_column(Integer)  # 0 when screened against lists not in the store
    kind: Mapped[str] = mapped_column(String(8))  # name | address
    score: Mapped[float] = mapped_column(Float)
    screened_value: Mapped[str] = mapped_column(Text)  # the customer's name or address that matched
    matched_value: Mapped[str] = mapped_column(Text)  # the listed name or address
    customer_fingerprint: Mapped[str] = mapped_column(String(64))
    entity_fingerprint: Mapped[str] = mapped_column(String(64))
    breakdown: Mapped[str] = mapped_column(Text)  # JSON
    status: Mapped[str] = mapped_column(String(16), index=True)  # open | true_match | false_positive
    run_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScreeningDispositionRow(Base):
    __tablename__ = "screening_dispositions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("screening_alerts.id"), index=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    entity_key: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(16))  # true_match | false_positive
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    customer_fingerprint: Mapped[str] = mapped_column(String(64))
    entity_fingerprint: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audit_index: Mapped[int | None] = mapped_column(Integer)  # the audit log entry of this decision
