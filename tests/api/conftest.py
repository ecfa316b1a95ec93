"""API tests: every app here may build the decision engine, which logs its policy version to the audit
log, whose signing key lives under VASPGUARD_DATA_DIR. Point it at the test's own directory, never the cwd."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "data"))
