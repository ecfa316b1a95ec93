"""Demo tests keep keys (audit log, demo operators) in the test's own directory, never in the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(data))
    return data
