"""Tables of the policy capability (declared on vaspguard.store.Base; migration ``0005_policy``).

``policy_versions``: every policy version used, with the packs (id, source, SHA-256) that make it.
``policy_decisions``: the decision log of deny and review decisions (input digest, outcome, version), written
in batches off the hot path. ``policy_evaluations``: one row per batch evaluation. ``policy_customer_states``:
each customer's current state from the latest evaluation; a customer with no row is unrestricted (so the
table grows with restricted customers, not with the registry). ``policy_notices``: one per state change
(the diff between evaluations), with the notice text. ``policy_exemption_evidence``: residence permits and
authorisations recorded as evidence for an exemption; the engine reads them beside the registry's facts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vaspguard.store import Base, utcnow


class PolicyVersionRow(Base):
    __tablename__ = "policy_versions"

    policy_version: Mapped[str] = mapped_column(String(80), primary_key=True)
    packs: Mapped[str] = mapped_column(Text)  # JSON: [{"id", "source", "sha256"}]
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PolicyDecisionRow(Base):
    __tablename__ = "policy_decisions"

    decision_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    input_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical request JSON
    outcome: Mapped[str] = mapped_column(String(8))
    rule_id: Mapped[str | None] = mapped_column(String(100))
    policy_version: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(24))
    at: Mapped[date] = mapped_column(Date)
    customer_id: Mapped[str | None] = mapped_column(String(40), index=True)  # inline customers have none
    request_id: Mapped[str | None] = mapped_column(String(100))
    report: Mapped[bool] = mapped_column(Boolean, default=False)


class PolicyEvaluationRow(Base):
    __tablename__ = "policy_evaluations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[date] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(100))  # "registry" or "customer:ID"
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    customers: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON: state -> customers


class PolicyCustomerStateRow(Base):
    __tablename__ = "policy_customer_states"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    rule_id: Mapped[str | None] = mapped_column(String(100))
    citation: Mapped[str | None] = mapped_column(Text)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("policy_evaluations.id"))
    since: Mapped[date] = mapped_column(Date)


class PolicyNoticeRow(Base):
    __tablename__ = "policy_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("policy_evaluations.id"), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    old_state: Mapped[str] = mapped_column(String(16))
    new_state: Mapped[str] = mapped_column(String(16))
    rule_id: Mapped[str | None] = mapped_column(String(100))
    citation: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # JSON: what changed, legal basis, can still do, how to prove
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PolicyEvidenceRow(Base):
    __tablename__ = "policy_exemption_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # residence_permit | authorisation
    country: Mapped[str | None] = mapped_column(String(2))
    permit_kind: Mapped[str | None] = mapped_column(String(10))  # temporary | permanent
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str | None] = mapped_column(Text)
    document: Mapped[str] = mapped_column(Text)  # reference to the document seen (number, file id)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
