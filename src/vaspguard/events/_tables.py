"""Tables of the events capability (declared on vaspguard.store.Base; migration ``0009_events``).

``events_outbox``: one row per event, written in the same transaction as the state change it reports; rows
are never updated. ``dedupe`` (unique, nullable) lets a scheduled check raise an event once however often
it runs (a notice due on a date). ``events_sinks``: where events go (a webhook endpoint, the NATS stream),
each with ``cursor``, the last outbox id fanned out to it. ``events_deliveries``: one row per (sink, event),
pending until delivered or dead-lettered; the dispatcher marks it delivered only after the receiver
acknowledged it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vaspguard.store import Base


class OutboxRow(Base):
    __tablename__ = "events_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    version: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    subject: Mapped[str] = mapped_column(String(200), nullable=False)  # the ordering key (first subject)
    subjects: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list
    data: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON object
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    dedupe: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)


class SinkRow(Base):
    __tablename__ = "events_sinks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # webhook | nats
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    secrets: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list, newest first (webhooks)
    types: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of event types; [] = every type
    cursor: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeliveryRow(Base):
    __tablename__ = "events_deliveries"

    sink_id: Mapped[int] = mapped_column(ForeignKey("events_sinks.id"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events_outbox.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)  # pending|delivered|dead
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    first_failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
