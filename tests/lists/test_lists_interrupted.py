"""An import is never left as a snapshot without its audit entry (issue 11, finding 8), on both backends.

Faults are injected between the two writes: an append that raises (rolled back at once), a ``kill -9`` in a
child process before the append (the next import removes the orphan and logs that) and after it (the next
import completes the import from its entry). A rerun stores the list once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select, update

from vaspguard.audit import AuditLog
from vaspguard.lists import import_paths, list_snapshots
from vaspguard.lists._tables import EntityRow, SnapshotRow
from vaspguard.store import Store

UN = "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml"
UN_2024 = "lists/un_consolidated_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sample_unsc.xml"
KEY = bytes(range(32))  # the child and the test sign the same log

# The child imports with the audit log and is killed (SIGKILL) just before its append, or just after it.
CHILD = """
import os, signal, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from vaspguard.audit import AuditLog
from vaspguard.lists import import_paths
from vaspguard.store import open_store

url, path, when = sys.argv[1:4]
store = open_store(url)
log = AuditLog(store, signer=Ed25519PrivateKey.from_private_bytes(bytes(range(32))))
append = log.append_many

def dying(events):
    if when == "after":
        append(events)
    os.kill(os.getpid(), signal.SIGKILL)

log.append_many = dying
import_paths(store, [path], audit=log, actor="alice", actor_role="compliance")
"""


def _log(store: Store) -> AuditLog:
    return AuditLog(store, signer=Ed25519PrivateKey.from_private_bytes(KEY))


def _rows(store: Store) -> list[tuple[int, bool, int | None]]:
    with store.connect() as conn:
        result = conn.execute(
            select(SnapshotRow.id, SnapshotRow.active, SnapshotRow.audit_index).order_by(SnapshotRow.id)
        )
        return [(r[0], bool(r[1]), r[2]) for r in result]


def _killed_import(store: Store, path: Path, when: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, store.url, str(path), when], capture_output=True, text=True, check=False
    )
    assert child.returncode == -9, child.stderr


def test_append_that_fails_leaves_no_snapshot(
    store: Store, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _log(store)

    def failing(events: list[Any]) -> list[Any]:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(log, "append_many", failing)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        import_paths(store, [shared_data / UN], audit=log)
    assert list_snapshots(store) == []
    with store.connect() as conn:
        assert conn.execute(select(EntityRow.entity_key).limit(1)).first() is None
    assert log.events() == []


def test_kill_before_the_audit_entry_orphan_removed_and_logged(store: Store, shared_data: Path) -> None:
    _killed_import(store, shared_data / UN, "before")
    ((orphan, active, index),) = _rows(store)
    assert (active, index) == (False, None)  # the write-ahead state the kill left
    log = _log(store)
    assert log.events() == []

    (info,) = import_paths(store, [shared_data / UN], audit=log, actor="bob")
    (removed,) = log.events("lists.orphan_removed")
    assert removed.subjects == (f"list-snapshot:{orphan}", "list:un_sc")
    assert removed.payload is not None and removed.payload["entity_count"] == 1003
    (imported,) = log.events("lists.import")
    assert imported.index > removed.index
    # The rerun stored the list once: the orphan is gone, entities and all. (SQLite may give the new
    # snapshot the orphan's id again; the log tells the two apart by order.)
    assert _rows(store) == [(info.id, True, imported.index)]
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(EntityRow)).scalar_one() == 1003


def test_kill_after_the_audit_entry_import_completed_not_duplicated(store: Store, shared_data: Path) -> None:
    _killed_import(store, shared_data / UN, "after")
    ((snapshot, active, index),) = _rows(store)
    assert (active, index) == (False, None)
    log = _log(store)
    (logged,) = log.events("lists.import")
    assert logged.subjects[0] == f"list-snapshot:{snapshot}"

    (info,) = import_paths(store, [shared_data / UN], audit=log)
    # Completed from its entry, then the rerun found it identical to the active snapshot.
    assert info.id == snapshot
    assert info.note == f"identical to active snapshot {snapshot}"
    assert _rows(store) == [(snapshot, True, logged.index)]
    assert [e.type for e in log.events()] == ["lists.import"]


def test_completion_never_displaces_a_later_active_import(store: Store, shared_data: Path) -> None:
    """A logged import completed late is activated as logged only if nothing newer took its place."""
    log = _log(store)
    (old,) = import_paths(store, [shared_data / UN_2024], audit=log)
    (new,) = import_paths(store, [shared_data / UN], audit=log)
    # ``old`` as a kill just before its index write would have left it, with ``new`` active since.
    with store.connect() as conn:
        conn.execute(update(SnapshotRow).where(SnapshotRow.id == old.id).values(audit_index=None))
    import_paths(store, [shared_data / UN], audit=log)  # identical to the active one: stores nothing
    first, second = log.events("lists.import")
    assert first.payload is not None and first.payload["activated"] is True
    assert _rows(store) == [(old.id, False, first.index), (new.id, True, second.index)]


def test_unlogged_inactive_snapshot_from_an_older_version_removed(store: Store, shared_data: Path) -> None:
    # An older version wrote snapshots before logging them; one never logged is found and removed.
    (old,) = import_paths(store, [shared_data / UN])
    with store.connect() as conn:
        conn.execute(update(SnapshotRow).where(SnapshotRow.id == old.id).values(active=False))
    log = _log(store)
    (info,) = import_paths(store, [shared_data / UN], audit=log)
    assert [e.type for e in log.events()] == ["lists.orphan_removed", "lists.import"]
    assert [s.id for s in list_snapshots(store)] == [info.id]
