"""What every CLI command shares: the database option, JSON output, progress bars, one-line errors."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from vaspguard._json import to_jsonable

if TYPE_CHECKING:
    from rich.progress import Progress

    from vaspguard.store import Store

# Start-up matters (a scripted check runs dozens of commands): this module, and every command module at
# import, bring in typer alone. The database layer, rich and each capability load inside the commands.


class _State:
    def __init__(self) -> None:
        self.db_url: str | None = None
        self.stores: list[Store] = []  # opened by this invocation; ``run`` disposes them (closes connections)


state = _State()


def db_url() -> str:
    from vaspguard.settings import Settings

    return state.db_url or Settings().db


def open_db(*, migrate_first: bool = True) -> Store:
    """The store named by ``--db`` / ``VASPGUARD_DB`` (default: ``vaspguard.db`` here), migrated to head."""
    from vaspguard.store import migrate, open_store

    store = open_store(db_url())
    state.stores.append(store)
    if migrate_first:
        migrate(store)
    return store


def check_key_files() -> None:
    """Refuse to start (one line, exit 2) where a ``VASPGUARD_*_KEY_FILE`` setting names a file that cannot
    serve (missing, not a file, readable by other users): a long-running process (``serve``, ``worker``)
    should stop at its start, not at its first checkpoint or disclosure."""
    from vaspguard.audit import AuditSettings
    from vaspguard.settings import Settings, check_key_file

    settings = Settings()
    named = {
        "VASPGUARD_AUDIT_KEY_FILE": AuditSettings().key_file,
        "VASPGUARD_DISCLOSURE_KEY_FILE": settings.disclosure_key_file,
        "VASPGUARD_PSEUDONYM_KEY_FILE": settings.pseudonym_key_file,
    }
    for setting, path in named.items():
        if path is not None:
            check_key_file(path, setting)


def acting_as(value: str | None) -> str:
    """Who a CLI action is recorded as: the option given, else ``VASPGUARD_ACTOR``, else the system user."""
    from vaspguard.settings import Settings

    return value or Settings().default_actor()


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def progress(*, hide: bool = False) -> Progress:
    """A progress bar on stderr (so ``--json`` on stdout stays clean). It is drawn when stderr is a terminal,
    or always with ``VASPGUARD_PROGRESS=1``; ``hide`` keeps it off whatever the terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from vaspguard.settings import Settings

    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=hide or not (sys.stderr.isatty() or Settings().progress),
        transient=False,
    )
