"""Snapshots: importing parsed lists atomically, activating them, and reading them back.

An import is all-or-nothing. Every file is read and checked first, without touching the database; only
when all of them parse are their snapshots written, in one transaction. A file that fails therefore
leaves every active snapshot as it was.

Activation: the newest import of a source becomes its active snapshot, unless it is

- identical (same content SHA-256) to the active one: nothing is stored again, the active one is reported;
- older by publisher date than the active one: it is stored but not activated (a stale mirror or a
  replayed download must never roll a list back silently).

With an audit log, a snapshot is written inactive and without an audit index (the write-ahead intent), the
import is appended to the log (``lists.import``), and only then are the index written and the snapshot
activated: no list becomes active without its audit record. The whole import holds a lock across the
three transactions (``Store.exclusive``), which a killed process releases. The next audited import starts
with ``recover_imports``: a snapshot left inactive without an index is completed if the log holds its entry
(killed after the append) and otherwise removed, the removal logged (``lists.orphan_removed``), so a rerun of
an interrupted import stores its snapshot once. An append that fails with an error undoes the import's
snapshots at once. (Snapshots imported without an audit log and left inactive count as unsettled too: a
database is imported with the log, as the CLI does, or without.)
"""

from __future__ import annotations

import hashlib
import json
import logging
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from vaspguard._json import canonical_text
from vaspguard.errors import InvalidFile, InvalidRequest, NotFound
from vaspguard.events import EventType, emit
from vaspguard.lists._model import ListEntity, ParsedList, SnapshotInfo, Source
from vaspguard.lists._read import read_path
from vaspguard.lists._tables import AddressRow, EntityDataRow, EntityRow, SnapshotRow
from vaspguard.store import Store, utcnow

_BATCH = 1000
_IMPORT_LOCK = 3004  # held across a whole import (Store.exclusive); 3003 is each transaction's
_log = logging.getLogger(__name__)


def fold(text: str) -> str:
    """Case- and accent-folded text for substring search."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _info(row: SnapshotRow | Any, note: str | None = None) -> SnapshotInfo:
    files = json.loads(row.files)
    return SnapshotInfo(
        id=row.id,
        source=Source(row.source),
        published_at=_aware(row.published_at),
        sha256=row.sha256,
        counts=json.loads(row.counts),
        imported_at=_aware(row.imported_at) or utcnow(),
        files=tuple(f["name"] for f in files),
        active=bool(row.active),
        format=row.format,
        declared_count=row.declared_count,
        entity_count=row.entity_count,
        note=note,
    )


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What ``import_paths`` did with one parsed file."""

    info: SnapshotInfo
    stored: bool  # False: identical to the active snapshot, nothing written
    activated: bool


def entity_data() -> Select[Any]:
    """``SELECT data`` of entities (joined to their stored content), to be narrowed by the caller."""
    return (
        select(EntityDataRow.data)
        .select_from(EntityRow)
        .join(EntityDataRow, EntityDataRow.digest == EntityRow.digest)
    )


# -- writing --------------------------------------------------------------------------------------------


def _active_row(conn: Connection, source: Source) -> Any:
    return conn.execute(
        select(SnapshotRow).where(SnapshotRow.source == source.value, SnapshotRow.active.is_(True))
    ).one_or_none()


def _load_entities(conn: Connection, snapshot_id: int) -> dict[str, ListEntity]:
    rows = conn.execute(entity_data().where(EntityRow.snapshot_id == snapshot_id))
    entities = (ListEntity.from_dict(json.loads(data)) for (data,) in rows)
    return {e.key: e for e in entities}


def _apply_delta(conn: Connection, parsed: ParsedList) -> tuple[ParsedList, int | None]:
    """A delta applied to the active snapshot of its source: the full entity set it yields."""
    base = _active_row(conn, parsed.source)
    current = _load_entities(conn, base.id) if base is not None else {}
    missing = [sid for sid in parsed.removed if current.pop(f"{parsed.source.value}:{sid}", None) is None]
    for e in parsed.entities:
        current[e.key] = e
    warnings = list(parsed.warnings)
    if base is None:
        warnings.append(
            "a delta with no active snapshot to apply it to: its entities alone form the snapshot"
        )
    if missing:
        warnings.append(
            f"{len(missing)} deleted entities were not in the base snapshot: {', '.join(missing[:5])}"
        )
    applied = replace(parsed, entities=list(current.values()), warnings=tuple(warnings))
    return applied, (base.id if base is not None else None)


def _write(conn: Connection, parsed: ParsedList, *, base_id: int | None) -> int:
    counts = Counter(e.kind.value for e in parsed.entities)
    files = [{"name": Path(f).name, "sha256": h} for f, h in zip(parsed.files, parsed.hashes, strict=True)]
    snapshot_id: int = conn.execute(
        insert(SnapshotRow)
        .values(
            source=parsed.source.value,
            format=parsed.format,
            published_at=_aware(parsed.published_at),
            sha256=parsed.sha256,
            files=canonical_text(files),
            counts=canonical_text(dict(sorted(counts.items()))),
            entity_count=len(parsed.entities),
            declared_count=parsed.declared_count,
            warnings=canonical_text(list(parsed.warnings)),
            base_snapshot_id=base_id,
            imported_at=utcnow(),
            active=False,
        )
        .returning(SnapshotRow.id)
    ).scalar_one()
    seen: set[str] = set()
    entity_rows: list[dict[str, Any]] = []
    address_rows: list[dict[str, Any]] = []
    contents: dict[str, str] = {}
    for e in parsed.entities:
        if e.key in seen:
            raise InvalidFile(parsed.files[0] if parsed.files else "?", f"entity {e.source_id} appears twice")
        seen.add(e.key)
        data = canonical_text(e.to_dict())
        digest = hashlib.sha256(data.encode()).hexdigest()
        contents[digest] = data
        entity_rows.append(
            {
                "snapshot_id": snapshot_id,
                "entity_key": e.key,
                "kind": e.kind.value,
                "primary_name": e.primary_name,
                "search_text": "\n".join(dict.fromkeys(fold(n.name) for n in e.names)),
                "digest": digest,
            }
        )
        address_rows.extend(
            {
                "snapshot_id": snapshot_id,
                "entity_key": e.key,
                "address": c.address,
                "currency": c.currency,
                "chain": c.chain,
                "possibly_truncated": c.possibly_truncated,
                "malformed": c.malformed,
            }
            for c in e.crypto_addresses
        )
    _store_contents(conn, contents)
    for start in range(0, len(entity_rows), _BATCH):
        conn.execute(insert(EntityRow), entity_rows[start : start + _BATCH])
    if address_rows:
        conn.execute(insert(AddressRow), address_rows)
    return snapshot_id


def _store_contents(conn: Connection, contents: dict[str, str]) -> None:
    """Store entity JSON not stored yet (content-addressed: an unchanged entity is never written again).
    A digest already present holds the same data, so "insert unless present" loses nothing, also when
    two imports store the same content at once."""
    rows = [{"digest": d, "data": data} for d, data in contents.items()]
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(EntityDataRow).on_conflict_do_nothing(index_elements=["digest"])
    for start in range(0, len(rows), _BATCH):
        conn.execute(statement, rows[start : start + _BATCH])


def _activate(conn: Connection, snapshot_id: int, source: Source) -> None:
    conn.execute(
        update(SnapshotRow)
        .where(SnapshotRow.source == source.value, SnapshotRow.active.is_(True))
        .values(active=False)
    )
    conn.execute(update(SnapshotRow).where(SnapshotRow.id == snapshot_id).values(active=True))
    row = conn.execute(
        select(SnapshotRow.sha256, SnapshotRow.entity_count).where(SnapshotRow.id == snapshot_id)
    ).one()
    emit(
        conn,
        EventType.LIST_ACTIVATED,
        (f"list:{source.value}", f"list-snapshot:{snapshot_id}"),
        {
            "snapshot_id": snapshot_id,
            "source": source.value,
            "sha256": row.sha256,
            "entity_count": row.entity_count,
        },
    )


def _lock(conn: Connection, store: Store) -> None:
    """Serialise imports: one writer decides what is active at a time."""
    if store.backend.value == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(3003)")


def import_parsed(
    store: Store,
    lists: Sequence[ParsedList],
    *,
    audit: Any | None = None,
    actor: str = "system",
    actor_role: str = "",
    context: dict[str, Any] | None = None,
) -> list[ImportOutcome]:
    """Store already-read lists as snapshots (see the module docstring for atomicity and activation).
    ``context`` is added to each audit record (e.g. the URLs a fetch downloaded from)."""
    with store.exclusive(_IMPORT_LOCK):
        if audit is not None:
            recover_imports(store, audit, actor=actor, actor_role=actor_role)
        outcomes, to_activate = _store_lists(store, lists, activate=audit is None)
        if audit is None:
            return outcomes
        try:
            _audit_and_activate(
                store, audit, outcomes, to_activate, actor=actor, actor_role=actor_role, context=context or {}
            )
        except BaseException:
            _settle_unlogged(store, audit, [o.info.id for o in outcomes if o.stored])
            raise
    return [replace(o, info=get_snapshot(store, o.info.id, note=o.info.note)) for o in outcomes]


def _store_lists(
    store: Store, lists: Sequence[ParsedList], *, activate: bool
) -> tuple[list[ImportOutcome], list[tuple[int, Source]]]:
    """Write the snapshots in one transaction; activate them now (``activate``) or return which to
    activate once the import is in the audit log."""
    outcomes: list[ImportOutcome] = []
    to_activate: list[tuple[int, Source]] = []
    with store.connect() as conn:
        _lock(conn, store)
        for parsed in lists:
            active = _active_row(conn, parsed.source)
            if active is not None and active.sha256 == parsed.sha256 and not parsed.is_delta:
                outcomes.append(
                    ImportOutcome(_info(active, f"identical to active snapshot {active.id}"), False, True)
                )
                continue
            base_id = None
            if parsed.is_delta:
                parsed, base_id = _apply_delta(conn, parsed)
            snapshot_id = _write(conn, parsed, base_id=base_id)
            new_pub, old_pub = _aware(parsed.published_at), _aware(active.published_at) if active else None
            stale = active is not None and new_pub is not None and old_pub is not None and new_pub < old_pub
            note = None
            if stale:
                when = f"{old_pub:%Y-%m-%d}" if old_pub else "?"
                note = f"published before active snapshot {active.id} ({when}): stored, not activated"
            elif activate:
                _activate(conn, snapshot_id, parsed.source)
            else:
                to_activate.append((snapshot_id, parsed.source))
            row = conn.execute(select(SnapshotRow).where(SnapshotRow.id == snapshot_id)).one()
            outcomes.append(ImportOutcome(_info(row, note), True, not stale))
    return outcomes, to_activate


def _audit_and_activate(
    store: Store,
    audit: Any,
    outcomes: list[ImportOutcome],
    to_activate: list[tuple[int, Source]],
    *,
    actor: str,
    actor_role: str,
    context: dict[str, Any],
) -> None:
    from vaspguard.audit import Event

    events = [
        Event(
            type="lists.import",
            actor=actor,
            actor_role=actor_role,
            subjects=(f"list-snapshot:{o.info.id}", f"list:{o.info.source.value}"),
            payload={
                "snapshot_id": o.info.id,
                "source": o.info.source.value,
                "format": o.info.format,
                "sha256": o.info.sha256,
                "files": list(o.info.files),
                "published_at": o.info.published_at.isoformat() if o.info.published_at else None,
                "entity_count": o.info.entity_count,
                "declared_count": o.info.declared_count,
                "counts": o.info.counts,
                "activated": o.activated,
                **context,
            },
        )
        for o in outcomes
        if o.stored
    ]
    receipts = audit.append_many(events)
    stored = [o for o in outcomes if o.stored]
    with store.connect() as conn:
        _lock(conn, store)
        for outcome, receipt in zip(stored, receipts, strict=True):
            conn.execute(
                update(SnapshotRow).where(SnapshotRow.id == outcome.info.id).values(audit_index=receipt.index)
            )
        for snapshot_id, source in to_activate:
            _activate(conn, snapshot_id, source)


# -- interrupted imports ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recovered:
    """What ``recover_imports`` did with one snapshot left without its audit index."""

    snapshot_id: int
    source: str
    sha256: str
    audit_index: int | None  # None: the log does not know it, so it was removed; else completed from it


def _unsettled() -> Select[Any]:
    """Snapshots written by an audited import that did not finish: inactive, without an audit index."""
    return select(SnapshotRow).where(SnapshotRow.audit_index.is_(None), SnapshotRow.active.is_(False))


def _logged_imports(audit: Any, snapshot_ids: list[int]) -> dict[int, Any]:
    """The ``lists.import`` entry of each snapshot the log holds one for."""
    found = {i: audit.events("lists.import", subject=f"list-snapshot:{i}") for i in snapshot_ids}
    return {i: entries[0] for i, entries in found.items() if entries}


def _settle(store: Store, logged: dict[int, Any], snapshot_ids: list[int]) -> list[Recovered]:
    """In one transaction: a snapshot with its entry in ``logged`` gets the entry's index and is activated
    as the entry says (unless a later import is active by now); one without is removed, entities and all."""
    done = []
    with store.connect() as conn:
        _lock(conn, store)
        for row in conn.execute(_unsettled().where(SnapshotRow.id.in_(snapshot_ids))).all():
            entry = logged.get(row.id)
            if entry is None:
                conn.execute(delete(SnapshotRow).where(SnapshotRow.id == row.id))  # entities cascade
                done.append(Recovered(row.id, row.source, row.sha256, None))
                continue
            conn.execute(update(SnapshotRow).where(SnapshotRow.id == row.id).values(audit_index=entry.index))
            active = _active_row(conn, Source(row.source))
            if (entry.payload or {}).get("activated") and (active is None or active.id < row.id):
                _activate(conn, row.id, Source(row.source))
            done.append(Recovered(row.id, row.source, row.sha256, entry.index))
    return done


def recover_imports(
    store: Store, audit: Any, *, actor: str = "system", actor_role: str = ""
) -> list[Recovered]:
    """Settle every snapshot whose audited import was killed between writing the snapshot and writing its
    audit entry (or that an older version left so).

    One the log records (killed after the entry) is completed (``_settle``). One the log does not know is
    removed with its entities: the removal is logged first (``lists.orphan_removed``; a kill after that
    only means it is removed and logged again next time) and warned. Called under the import lock, so an
    import still in progress is never taken for an orphan.
    """
    with store.connect() as conn:
        ids = list(
            conn.execute(_unsettled().with_only_columns(SnapshotRow.id).order_by(SnapshotRow.id)).scalars()
        )
    if not ids:
        return []
    logged = _logged_imports(audit, ids)
    orphans = [i for i in ids if i not in logged]
    if orphans:
        with store.connect() as conn:
            rows = conn.execute(_unsettled().where(SnapshotRow.id.in_(orphans))).all()
        _log_removal(audit, rows, actor=actor, actor_role=actor_role)
    done = _settle(store, logged, ids)
    for r in done:
        what = (
            "not in the audit log: removed"
            if r.audit_index is None
            else f"audit entry {r.audit_index}: completed"
        )
        _log.warning(
            "lists: snapshot %s (%s, sha256 %s) had no audit index; %s",
            r.snapshot_id,
            r.source,
            r.sha256[:16],
            what,
        )
    return done


def _log_removal(audit: Any, rows: Sequence[Any], *, actor: str, actor_role: str) -> None:
    from vaspguard.audit import Event

    audit.append_many(
        [
            Event(
                type="lists.orphan_removed",
                actor=actor,
                actor_role=actor_role,
                subjects=(f"list-snapshot:{r.id}", f"list:{r.source}"),
                payload={
                    "snapshot_id": r.id,
                    "source": r.source,
                    "sha256": r.sha256,
                    "entity_count": r.entity_count,
                    "reason": "stored by an import that never reached the audit log (interrupted)",
                },
            )
            for r in rows
        ]
    )


def _settle_unlogged(store: Store, audit: Any, snapshot_ids: list[int]) -> None:
    """After a failed audit append, settle this import's snapshots at once: one the log does not hold is
    rolled back (nothing was recorded, so there is nothing to log). If even that fails, the next import's
    ``recover_imports`` settles them."""
    try:
        _settle(store, _logged_imports(audit, snapshot_ids), snapshot_ids)
    except Exception as exc:
        _log.warning("lists: could not settle snapshots %s now (%s); the next import will", snapshot_ids, exc)


def list_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read among ``paths``: an OFAC companion (``add.csv``, ``alt.csv``, ``sdn_comments.csv``,
    ``cons_*``) named beside its primary file is read as part of that set, not on its own."""
    from vaspguard.lists._ofac_csv import COMPANION_NAMES

    given = [Path(p) for p in paths]
    if not given:
        raise InvalidRequest("paths", "no list file given")
    primaries = {p.parent.resolve() for p in given if p.name.lower() in ("sdn.csv", "cons_prim.csv")}
    return [p for p in given if not (p.name.lower() in COMPANION_NAMES and p.parent.resolve() in primaries)]


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    fmt: str | None = None,
    audit: Any | None = None,
    actor: str = "system",
    actor_role: str = "",
) -> list[SnapshotInfo]:
    """Read every file (see ``list_files``), then import them all in one transaction: nothing is written if
    any file fails."""
    parsed = [read_path(p, fmt) for p in list_files(paths)]
    return [o.info for o in import_parsed(store, parsed, audit=audit, actor=actor, actor_role=actor_role)]


# -- reading --------------------------------------------------------------------------------------------


def get_snapshot(store: Store, snapshot_id: int, *, note: str | None = None) -> SnapshotInfo:
    with store.connect() as conn:
        row = conn.execute(select(SnapshotRow).where(SnapshotRow.id == snapshot_id)).one_or_none()
    if row is None:
        raise NotFound("list snapshot", str(snapshot_id))
    return _info(row, note)


def snapshot_files(store: Store, snapshot_id: int) -> list[dict[str, str]]:
    """The files of a snapshot with the SHA-256 of each, as imported."""
    with store.connect() as conn:
        raw = conn.execute(
            select(SnapshotRow.files).where(SnapshotRow.id == snapshot_id)
        ).scalar_one_or_none()
    if raw is None:
        raise NotFound("list snapshot", str(snapshot_id))
    result: list[dict[str, str]] = json.loads(raw)
    return result


def snapshot_warnings(store: Store, snapshot_id: int) -> list[str]:
    with store.connect() as conn:
        raw = conn.execute(
            select(SnapshotRow.warnings).where(SnapshotRow.id == snapshot_id)
        ).scalar_one_or_none()
    if raw is None:
        raise NotFound("list snapshot", str(snapshot_id))
    result: list[str] = json.loads(raw)
    return result


def list_snapshots(store: Store, *, source: Source | str | None = None) -> list[SnapshotInfo]:
    """Every snapshot, newest first (optionally of one source)."""
    query = select(SnapshotRow).order_by(SnapshotRow.id.desc())
    if source is not None:
        query = query.where(SnapshotRow.source == Source(source).value)
    with store.connect() as conn:
        return [_info(r) for r in conn.execute(query)]


def active_snapshots(store: Store) -> list[SnapshotInfo]:
    """The active snapshot of each source, by source name."""
    query = select(SnapshotRow).where(SnapshotRow.active.is_(True)).order_by(SnapshotRow.source)
    with store.connect() as conn:
        return [_info(r) for r in conn.execute(query)]


def snapshot_entities(store: Store, snapshot_id: int) -> Iterator[ListEntity]:
    """The entities of one snapshot, in key order."""
    get_snapshot(store, snapshot_id)
    with store.connect() as conn:
        rows = conn.execute(
            entity_data().where(EntityRow.snapshot_id == snapshot_id).order_by(EntityRow.entity_key)
        ).all()
    for (data,) in rows:
        yield ListEntity.from_dict(json.loads(data))


def active_entities(store: Store, *, source: Source | str | None = None) -> Iterator[ListEntity]:
    """The entities of every active snapshot (what screening screens against)."""
    query = (
        entity_data()
        .join(SnapshotRow, SnapshotRow.id == EntityRow.snapshot_id)
        .where(SnapshotRow.active.is_(True))
        .order_by(EntityRow.entity_key)
    )
    if source is not None:
        query = query.where(SnapshotRow.source == Source(source).value)
    with store.connect() as conn:
        rows = conn.execute(query).all()
    for (data,) in rows:
        yield ListEntity.from_dict(json.loads(data))


def get_entity(store: Store, key: str, *, snapshot_id: int | None = None) -> ListEntity:
    """One entity by key (``ofac_sdn:306``) from the active snapshot, or from ``snapshot_id``."""
    query = entity_data().join(SnapshotRow, SnapshotRow.id == EntityRow.snapshot_id)
    query = query.where(EntityRow.entity_key == key)
    query = query.where(
        SnapshotRow.id == snapshot_id if snapshot_id is not None else SnapshotRow.active.is_(True)
    )
    with store.connect() as conn:
        data = conn.execute(query).scalar_one_or_none()
    if data is None:
        raise NotFound("list entity", key)
    return ListEntity.from_dict(json.loads(data))


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    store: Store, text: str, *, limit: int = 20, source: Source | str | None = None
) -> list[ListEntity]:
    """Active entities with a name containing every word of ``text`` (case- and accent-insensitive).

    This is inspection (find an entry by name or part of it), not screening: fuzzy, cross-script matching
    is the screening capability's job.
    """
    words = fold(text).split()
    if not words:
        raise InvalidRequest("text", "give a name or part of one to search for")
    query = (
        entity_data()
        .join(SnapshotRow, SnapshotRow.id == EntityRow.snapshot_id)
        .where(SnapshotRow.active.is_(True))
        .where(and_(*(EntityRow.search_text.like(_like(w), escape="\\") for w in words)))
        .order_by(func.length(EntityRow.primary_name), EntityRow.entity_key)
        .limit(limit)
    )
    if source is not None:
        query = query.where(SnapshotRow.source == Source(source).value)
    with store.connect() as conn:
        return [ListEntity.from_dict(json.loads(d)) for (d,) in conn.execute(query)]


@dataclass(frozen=True, slots=True)
class ListedAddress:
    """A digital currency address in an active snapshot, with the entity that holds it."""

    address: str
    currency: str
    chain: str | None
    entity_key: str
    entity_name: str
    snapshot_id: int
    possibly_truncated: bool
    malformed: bool


def listed_addresses(
    store: Store, *, chain: str | None = None, currency: str | None = None, include_fragments: bool = False
) -> list[ListedAddress]:
    """Digital currency addresses of the active snapshots. Possible fragments (cut in a legacy file) are
    left out unless ``include_fragments``: a fragment must never be screened as if it were an address."""
    query = (
        select(
            AddressRow.address,
            AddressRow.currency,
            AddressRow.chain,
            AddressRow.entity_key,
            EntityRow.primary_name,
            AddressRow.snapshot_id,
            AddressRow.possibly_truncated,
            AddressRow.malformed,
        )
        .join(SnapshotRow, SnapshotRow.id == AddressRow.snapshot_id)
        .join(
            EntityRow,
            and_(
                EntityRow.snapshot_id == AddressRow.snapshot_id, EntityRow.entity_key == AddressRow.entity_key
            ),
        )
        .where(SnapshotRow.active.is_(True))
        .order_by(AddressRow.chain, AddressRow.address, AddressRow.entity_key)
    )
    if chain is not None:
        query = query.where(AddressRow.chain == chain)
    if currency is not None:
        query = query.where(AddressRow.currency == currency.upper())
    if not include_fragments:
        query = query.where(AddressRow.possibly_truncated.is_(False))
    with store.connect() as conn:
        rows = conn.execute(query).all()
    return [ListedAddress(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7])) for r in rows]
