"""What every CLI command shares: the database option, JSON output, progress bars, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from vaspguard._json import to_jsonable
from vaspguard.settings import Settings
from vaspguard.store import Store, migrate, open_store

T = TypeVar("T")


class _State:
    def __init__(self) -> None:
        self.db_url: str | None = None
        self.stores: list[Store] = []  # opened by this invocation; ``run`` disposes them (closes connections)


state = _State()


def db_url() -> str:
    return state.db_url or Settings().db


def open_db(*, migrate_first: bool = True) -> Store:
    """The store named by ``--db`` / ``VASPGUARD_DB`` (default: ``vaspguard.db`` here), migrated to head."""
    store = open_store(db_url())
    state.stores.append(store)
    if migrate_first:
        migrate(store)
    return store


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def progress(*, disable: bool = False) -> Progress:
    """A progress bar on stderr (so ``--json`` on stdout stays clean); hidden when stderr is no terminal
    unless VASPGUARD_PROGRESS=1."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=disable,
        transient=False,
    )


def track(items: Iterable[T], *, total: int | None, description: str, disable: bool = False) -> Iterator[T]:
    with progress(disable=disable) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
