"""Batch tests. Which helpers to use (``batch_helpers``, the fixtures below):

- ``demo_exchange(store, customers)``: the fictional sample lists as the active snapshots and the demo
  exchange seeded over them (planted look-alikes of listed persons, deposits from and withdrawals to listed
  wallets), as ``vaspguard demo seed`` lays it out.
- ``export_inputs(store, directory, partitioned=...)``: the registry export a job reads: flat Parquet files,
  or Hive-partitioned datasets (customers by bucket, transactions by month) as a lake would hold them.
- ``spark``: one Spark session (``local[2]``) per test process: starting one costs seconds.

Every test keeps its keys (audit log) in its own directory (``VASPGUARD_DATA_DIR``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(data))
    return data


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from vaspguard.batch._spark import session

    spark = session("local[2]", partitions=8)
    yield spark
    spark.stop()
