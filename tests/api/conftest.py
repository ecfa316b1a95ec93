"""API tests: every app here may build the decision engine, which logs its policy version to the audit
log, whose signing key lives under VASPGUARD_DATA_DIR. Point it at the test's own directory, never the cwd."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaspguard.store import Store


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def seeded_store(sqlite_store: Store) -> Store:
    """The SQLite store with the offline demo (20 customers, sample lists, requests, alerts, audit log): every
    route has something to find. Seeding takes under a second."""
    from vaspguard.demo import seed_demo

    seed_demo(sqlite_store, customers=20, seed=1)
    return sqlite_store
