"""Fixtures for lawful requests.

- ``data_dir`` (autouse): ``VASPGUARD_DATA_DIR`` in the test's tmp dir, so the audit log key and the
  exchange's disclosure key are fresh per test and never touch the working tree.
- ``exchange``: a small registry on the ``store`` fixture (both backends) with the people of the scenarios
  (``lr_helpers.build_exchange``): five customers who sent bitcoin to an opposition foundation's donation
  address, a German customer with two accounts and months of activity, a counterparty, an emergency subject.
- ``ops``: operators registered through the CLI, each with a key file; ``registries`` adds the agencies and
  the protected foundation; ``write(name, obj)`` writes a JSON file.
Dates are relative to today, so the scenarios stay true whenever the suite runs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lr_helpers import AGENCIES, FOUNDATION_PARTY, OPERATORS, Ops, build_exchange

from vaspguard.store import Store


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var"
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(path))
    return path


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, Any], Path]:
    def _write(name: str, obj: Any) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(obj, ensure_ascii=False, indent=2))
        return path

    return _write


@pytest.fixture
def exchange(store: Store) -> Store:
    build_exchange(store)
    return store


@pytest.fixture
def ops(exchange: Store, cli: Any, tmp_path: Path) -> Ops:
    keys: dict[str, Path] = {}
    for name, role, region in OPERATORS:
        key = tmp_path / "keys" / f"{name}.pem"
        code, _out, err = cli("operators", "keygen", "--out", key)
        assert code == 0, err
        code, _out, err = cli(
            "--db",
            exchange.url,
            "operators",
            "add",
            "--name",
            name,
            "--role",
            role,
            "--region",
            region,
            "--public-key",
            f"{key}.pub",
            "--as",
            "admin",
        )
        assert code == 0, err
        keys[name] = key
    return Ops(keys)


@pytest.fixture
def registries(ops: Ops, exchange: Store, cli: Any, write: Callable[[str, Any], Path]) -> Ops:
    for agency in AGENCIES:
        code, _out, err = cli(
            "--db", exchange.url, "authorities", "add", "--file", write(f"{agency['id']}.json", agency)
        )
        assert code == 0, err
    code, _out, err = cli(
        "--db", exchange.url, "protected", "add", "--file", write("fbk.json", FOUNDATION_PARTY)
    )
    assert code == 0, err
    return ops
