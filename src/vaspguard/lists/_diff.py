"""Diffs between two snapshots: entities added, removed, and changed field by field.

Entities are matched by key (source and source id). Unchanged entities are recognised by the digest of
their canonical JSON and never decoded, so a diff of two full OFAC lists only decodes what changed. A
field change lists the items added and removed (a new alias, a new address, a dropped programme); a
single-valued field (gender, listing date) shows before and after. Removing an entity is a delisting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from vaspguard.errors import InvalidRequest
from vaspguard.lists._model import SnapshotInfo
from vaspguard.lists._snapshots import get_snapshot
from vaspguard.lists._tables import EntityDataRow, EntityRow
from vaspguard.store import Store

_SCALARS = ("kind", "reference", "gender", "listed_on", "remarks")


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EntityChange:
    key: str
    name: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class EntityRef:
    key: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class ListDiff:
    old: SnapshotInfo
    new: SnapshotInfo
    added: tuple[EntityRef, ...]
    removed: tuple[EntityRef, ...]
    changed: tuple[EntityChange, ...]

    @property
    def changed_keys(self) -> set[str]:
        """Every entity key a rescreen must look at: added, removed and changed."""
        return {r.key for r in self.added} | {r.key for r in self.removed} | {c.key for c in self.changed}


def render(field: str, item: Any) -> str:
    """One item of a list field as a person reads it."""
    if not isinstance(item, dict):
        return str(item)
    if field == "names":
        return f"{item['kind']}: {item['name']}"
    if field == "birth_dates":
        return (item.get("text") or f"{item['start']}..{item['end']}") + (
            " (circa)" if item.get("circa") else ""
        )
    if field == "addresses":
        return str(item["text"])
    if field == "documents":
        country = f" ({item['country']})" if item.get("country") else ""
        flag = " [known false]" if item.get("known_false") else ""
        return f"{item['type']} {item['number']}{country}{flag}"
    if field == "crypto_addresses":
        flags = " [possibly truncated]" if item.get("possibly_truncated") else ""
        return f"{item['currency']} {item['address']}{flags}"
    if field == "links":
        return f"{item['relation']} {item.get('target_name') or item['target_source_id']}"
    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Field-level differences between two entity dicts (``ListEntity.to_dict()``)."""
    out: list[FieldChange] = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a == b or name in ("source", "source_id"):
            continue
        if name in _SCALARS or not isinstance(a or b, list | dict):
            out.append(
                FieldChange(
                    name, tuple([str(b)] if b is not None else []), tuple([str(a)] if a is not None else [])
                )
            )
        elif isinstance(a or b, dict):
            a_items = {f"{k}={v}" for k, v in (a or {}).items()}
            b_items = {f"{k}={v}" for k, v in (b or {}).items()}
            out.append(FieldChange(name, tuple(sorted(b_items - a_items)), tuple(sorted(a_items - b_items))))
        else:
            a_r = [render(name, x) for x in a or []]
            b_r = [render(name, x) for x in b or []]
            added = tuple(x for x in b_r if x not in a_r)
            removed = tuple(x for x in a_r if x not in b_r)
            if added or removed:
                out.append(FieldChange(name, added, removed))
            else:
                out.append(FieldChange(name, ("(order changed)",), ()))
    return tuple(out)


def diff_snapshots(store: Store, old_id: int, new_id: int) -> ListDiff:
    """What changed from snapshot ``old_id`` to ``new_id`` (both of the same source)."""
    old, new = get_snapshot(store, old_id), get_snapshot(store, new_id)
    if old.source is not new.source:
        raise InvalidRequest(
            "snapshots",
            f"snapshot {old_id} is {old.source.value}, {new_id} is {new.source.value}: not comparable",
        )
    with store.connect() as conn:

        def digests(sid: int) -> dict[str, tuple[str, str, str]]:
            rows = conn.execute(
                select(EntityRow.entity_key, EntityRow.digest, EntityRow.primary_name, EntityRow.kind).where(
                    EntityRow.snapshot_id == sid
                )
            )
            return {k: (d, n, kind) for k, d, n, kind in rows}

        before, after = digests(old_id), digests(new_id)
        changed_keys = sorted(k for k in before.keys() & after.keys() if before[k][0] != after[k][0])

        def load(sid: int) -> dict[str, dict[str, Any]]:
            result: dict[str, dict[str, Any]] = {}
            for start in range(0, len(changed_keys), 500):
                chunk = changed_keys[start : start + 500]
                rows = conn.execute(
                    select(EntityRow.entity_key, EntityDataRow.data)
                    .join(EntityDataRow, EntityDataRow.digest == EntityRow.digest)
                    .where(EntityRow.snapshot_id == sid, EntityRow.entity_key.in_(chunk))
                )
                result.update({k: json.loads(d) for k, d in rows})
            return result

        old_data, new_data = load(old_id), load(new_id)
    changed = tuple(
        EntityChange(k, after[k][1], field_changes(old_data[k], new_data[k])) for k in changed_keys
    )
    return ListDiff(
        old=old,
        new=new,
        added=tuple(EntityRef(k, after[k][1], after[k][2]) for k in sorted(after.keys() - before.keys())),
        removed=tuple(EntityRef(k, before[k][1], before[k][2]) for k in sorted(before.keys() - after.keys())),
        changed=changed,
    )
