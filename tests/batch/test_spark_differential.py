"""Same answers (issue 16): ``batch screen`` on Spark (``local[2]``, reading the partitioned export) and on
the local engine (reading the flat files) over the same demo exchange of 20,000 customers, with planted
look-alikes of listed persons and deposits from and withdrawals to listed wallets, write the same rows, row
for row; and the Spark output loads as alerts like the local one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from batch_helpers import demo_exchange, export_inputs

from vaspguard.batch import import_alerts, screen
from vaspguard.batch._jobs import read_found
from vaspguard.demo import FICTIONAL_ADDRESSES
from vaspguard.screening import count_alerts
from vaspguard.store import Store

CUSTOMERS = 20_000

pytestmark = pytest.mark.slow


def test_spark_and_local_screen_the_same_rows(sqlite_store: Store, spark: Any, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, CUSTOMERS)
    flat = export_inputs(sqlite_store, tmp_path / "flat")
    lake = export_inputs(sqlite_store, tmp_path / "lake", partitioned=True)

    local = screen(sqlite_store, flat, tmp_path / "local", engine="local", workers=2)
    on_spark = screen(sqlite_store, lake, tmp_path / "spark", engine="spark", master="local[2]")

    assert local.customers == on_spark.customers == CUSTOMERS
    rows = read_found(tmp_path / "local" / "alerts")
    assert read_found(tmp_path / "spark" / "alerts") == rows
    # the planted cases are among them: names in several scripts, and listed wallets on both sides
    assert {r["kind"] for r in rows} == {"name", "address"}
    listed = {a.address for a in FICTIONAL_ADDRESSES}
    assert {r["matched_value"] for r in rows if r["kind"] == "address"} & listed
    assert len({r["customer_id"] for r in rows if r["kind"] == "name"}) >= 10

    report = import_alerts(sqlite_store, tmp_path / "spark")
    assert report.alerts_created == len(rows) == count_alerts(sqlite_store)["open"]
