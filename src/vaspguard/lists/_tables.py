"""Tables of the lists capability (declared on vaspguard.store.Base; migration 0003_lists).

Invariants:

- ``lists_snapshots``: one row per imported publisher file (or OFAC file set); at most one row per source
  is ``active`` (a partial unique index enforces it on both backends). A snapshot and all its entities
  are written in one transaction; rows are never updated afterwards except the ``active`` flag (and
  ``audit_index`` once the import is in the audit log). An inactive row without ``audit_index`` is an
  audited import not finished yet, or interrupted: the next import completes or removes it.
- ``lists_entities``: every entity of a snapshot, by key, with the SHA-256 (``digest``) of its canonical
  JSON; two snapshots diff by comparing digests and only changed entities are decoded.
- ``lists_entity_data``: the canonical JSON itself, stored once per digest. Successive snapshots of a list
  share most entities, so a new snapshot stores only what changed (a daily OFAC fetch does not grow the
  database by a full copy each time).
- ``lists_addresses``: the digital currency addresses of a snapshot, indexed for lookup by address.
- ``lists_fetches``: every download attempt of ``lists fetch`` (URL, HTTP status, validators, checksum).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from vaspguard.store import Base, utcnow


class SnapshotRow(Base):
    __tablename__ = "lists_snapshots"
    __table_args__ = (
        Index(
            "uq_lists_snapshots_active_source",
            "source",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(20), index=True)
    format: Mapped[str] = mapped_column(String(24))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    files: Mapped[str] = mapped_column(Text)  # JSON [{"name", "sha256"}]
    counts: Mapped[str] = mapped_column(Text)  # JSON {kind: count}
    entity_count: Mapped[int] = mapped_column(Integer)
    declared_count: Mapped[int | None] = mapped_column(Integer)
    warnings: Mapped[str] = mapped_column(Text, default="[]")  # JSON [str]
    base_snapshot_id: Mapped[int | None] = mapped_column(Integer)  # a delta's base
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    audit_index: Mapped[int | None] = mapped_column(Integer)


class EntityRow(Base):
    __tablename__ = "lists_entities"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("lists_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    entity_key: Mapped[str] = mapped_column(String(160), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    primary_name: Mapped[str] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text)  # every name, case-folded, one per line
    digest: Mapped[str] = mapped_column(ForeignKey("lists_entity_data.digest"))


class EntityDataRow(Base):
    __tablename__ = "lists_entity_data"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of ``data``
    data: Mapped[str] = mapped_column(Text)  # canonical JSON of ListEntity.to_dict()


class AddressRow(Base):
    __tablename__ = "lists_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("lists_snapshots.id", ondelete="CASCADE"), index=True)
    entity_key: Mapped[str] = mapped_column(String(160))
    address: Mapped[str] = mapped_column(String(200), index=True)
    currency: Mapped[str] = mapped_column(String(16))
    chain: Mapped[str | None] = mapped_column(String(32))
    possibly_truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    malformed: Mapped[bool] = mapped_column(Boolean, default=False)


class FetchRow(Base):
    __tablename__ = "lists_fetches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[int] = mapped_column(Integer)  # HTTP status (200, 304, ...)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(Text)
    snapshot_id: Mapped[int | None] = mapped_column(Integer)
