"""Where the screener's entities come from: the active list snapshots in the store, or list files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from vaspguard.errors import StoreError
from vaspguard.lists import ListEntity
from vaspguard.store import Store


def active_list(store: Store) -> tuple[list[ListEntity], dict[str, int]]:
    """The entities of the store's active snapshots, and {source: snapshot id}."""
    from vaspguard.lists import active_entities, active_snapshots

    entities = list(active_entities(store))
    snapshots = {s.source.value: s.id for s in active_snapshots(store)}
    if not entities:
        raise StoreError("no active list snapshot in the store: import lists first (vaspguard lists import)")
    return entities, snapshots


def read_lists(paths: Iterable[Path]) -> list[ListEntity]:
    """The entities of list files read directly (no store), later files last."""
    from vaspguard.lists import read_path

    entities: list[ListEntity] = []
    for path in paths:
        entities.extend(read_path(path).entities)
    return entities
