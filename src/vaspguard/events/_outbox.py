"""The outbox: events written in the transaction of the change they report, and read back in order.

``emit(conn, type, subjects, data)`` takes the caller's connection, so the event commits or rolls back with
the change: no event for a change that did not happen, no change without its event.

Ids follow commit order, so a reader that has seen id N never later finds a smaller one appear (the
dispatcher's cursor and ``GET /v1/events?after=ID`` rely on it). SQLite has one writer, so this holds by
itself. On PostgreSQL an id is taken at insert and a transaction that commits later could hold a smaller
one; ``emit`` therefore first takes a transaction-level advisory lock (``OUTBOX_LOCK``), held until commit,
so emitting transactions take their ids and commit one after another.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from vaspguard._json import canonical_text, to_jsonable
from vaspguard.errors import InvalidRequest
from vaspguard.events._model import SCHEMAS, EventType, OutboxEvent
from vaspguard.events._tables import OutboxRow
from vaspguard.store import Store, utcnow

_BATCH = 2000
OUTBOX_LOCK = 15_001  # pg_advisory_xact_lock key: emitting transactions commit in id order


def _row(
    type_: EventType | str, subjects: Sequence[str], data: Mapping[str, Any], dedupe: str | None
) -> dict[str, Any]:
    try:
        kind = EventType(type_)
    except ValueError:
        raise InvalidRequest("type", f"unknown event type {type_!r}") from None
    version, allowed = SCHEMAS[kind]
    extra = sorted(set(data) - allowed)
    if extra:
        raise InvalidRequest(
            "data", f"{kind.value} events carry only {', '.join(sorted(allowed))}; not {', '.join(extra)}"
        )
    if not subjects or not all(isinstance(s, str) and s for s in subjects):
        raise InvalidRequest("subjects", f"{kind.value}: an event names at least one subject (kind:id)")
    return {
        "type": kind.value,
        "version": version,
        "subject": subjects[0][:200],
        "subjects": json.dumps(list(subjects)),
        "data": canonical_text(to_jsonable(dict(data))),
        "created_at": utcnow(),
        "dedupe": dedupe,
    }


def emit(
    conn: Connection,
    type_: EventType | str,
    subjects: Sequence[str],
    data: Mapping[str, Any],
    *,
    dedupe: str | None = None,
) -> None:
    """Write one event in ``conn``'s transaction. With ``dedupe``, an event already written under the same
    key is kept and this one dropped (a scheduled check raising the same fact twice)."""
    emit_many(conn, [(type_, subjects, data, dedupe)])


def emit_many(
    conn: Connection,
    events: Iterable[tuple[EventType | str, Sequence[str], Mapping[str, Any], str | None]],
) -> None:
    """``emit`` for many events, in order, in bulk."""
    rows = [_row(t, s, d, k) for t, s, d, k in events]
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({OUTBOX_LOCK})")
    plain = [r for r in rows if r["dedupe"] is None]
    if len(plain) == len(rows):
        for start in range(0, len(rows), _BATCH):
            conn.execute(insert(OutboxRow), rows[start : start + _BATCH])
        return
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(OutboxRow).on_conflict_do_nothing(index_elements=["dedupe"])
    for row in rows:  # one by one: the order of ids must follow the order given
        conn.execute(statement, row)


def to_event(row: Any) -> OutboxEvent:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return OutboxEvent(
        seq=row.id,
        type=EventType(row.type),
        version=row.version,
        subjects=tuple(json.loads(row.subjects)),
        data=json.loads(row.data),
        created_at=created,
    )


def parse_event_id(value: str | int) -> int:
    """``evt_42`` or ``42`` -> 42; anything else is one clear error."""
    text = str(value).strip()
    digits = text.removeprefix("evt_")
    if not digits.isdigit() or len(digits) > 18:
        raise InvalidRequest("after", f"expected an event id (evt_42 or 42), got {text[:40]!r}")
    return int(digits)


def events_after(store: Store, after: int = 0, *, limit: int = 1000) -> list[OutboxEvent]:
    """Events with a sequence number above ``after``, oldest first (a consumer's replay)."""
    if not 1 <= limit <= 10000:
        raise InvalidRequest("limit", f"between 1 and 10000, got {limit}")
    with store.connect() as conn:
        rows = conn.execute(
            select(OutboxRow).where(OutboxRow.id > after).order_by(OutboxRow.id).limit(limit)
        ).all()
    return [to_event(r) for r in rows]


def last_event_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(OutboxRow.id), 0))).scalar_one())
