"""The SQLite database and its WAL files hold personal data: created owner-only (0600)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from vaspguard.store import migrate, open_store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A permissive umask (022, the usual default), so only vaspguard's own care can make the files 0600."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_new_database_and_wal_files_are_0600(tmp_path: Path) -> None:
    db = tmp_path / "vaspguard.db"
    store = open_store(f"sqlite:///{db}")
    try:
        migrate(store)
        with store.engine.connect() as conn:  # hold a connection: the -wal and -shm exist while it is open
            conn.execute(text("CREATE TABLE probe (x INTEGER)"))
            conn.commit()
            files = [db, tmp_path / "vaspguard.db-wal", tmp_path / "vaspguard.db-shm"]
            assert all(f.exists() for f in files)
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        store.dispose()


@pytest.mark.usefixtures("open_umask")
def test_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    wal = tmp_path / "old.db-wal"
    db.touch(mode=0o644)
    wal.touch(mode=0o644)
    assert _mode(db) == 0o644
    store = open_store(f"sqlite:///{db}")
    store.dispose()
    assert (_mode(db), _mode(wal)) == (0o600, 0o600)


def test_in_memory_database_touches_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite://")
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    store.dispose()
    assert list(tmp_path.iterdir()) == []
