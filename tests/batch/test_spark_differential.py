"""Same answers (issue 16): ``batch screen``, ``batch evaluate`` and ``batch reach`` on Spark (``local[2]``,
reading the partitioned export) and on the local engine (reading the flat files) over the same demo exchange
of 20,000 customers, with planted look-alikes of listed persons, deposits from and withdrawals to listed
wallets and Art 5b cases, write the same rows, row for row; Spark's alerts and states load into the store
as the local ones do."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from batch_helpers import THRESHOLD_DAY, demo_exchange, export_inputs, prices_for_the_threshold
from reach_scope import broad_scope

from vaspguard.batch import evaluate, import_alerts, import_states, reach, read_reach, read_rows, screen
from vaspguard.batch._jobs import read_found
from vaspguard.demo import FICTIONAL_ADDRESSES
from vaspguard.policy import Engine, builtin_packs, notices
from vaspguard.policy import evaluate as evaluate_store
from vaspguard.requests import compute_reach
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


def test_spark_and_local_evaluate_and_reach_the_same_rows(
    sqlite_store: Store, second_store: Store, spark: Any, tmp_path: Path
) -> None:
    """``evaluate`` (Art 5b cases, holdings valued on the threshold day, one asset unpriced; then the day
    the threshold went, with the diff) and ``reach`` (every kind of target) give the same rows on Spark and
    locally; the Spark states imported lead to the notices of ``policy evaluate`` on the store."""
    for s in (sqlite_store, second_store):
        demo_exchange(s, CUSTOMERS)
        prices_for_the_threshold(s)
    kinds = ("customers", "accounts", "transactions", "prices")
    flat = export_inputs(sqlite_store, tmp_path / "flat", kinds=kinds)
    lake = export_inputs(sqlite_store, tmp_path / "lake", partitioned=True, kinds=kinds)
    engine = Engine(builtin_packs())
    previous: dict[str, Path | None] = {"local": None, "spark": None}
    for day in (THRESHOLD_DAY, date(2022, 10, 7)):
        runs = {}
        for name, inputs in (("local", flat), ("spark", lake)):
            out = tmp_path / f"{name}-{day}"
            runs[name] = evaluate(sqlite_store, inputs, out, at=day, engine=name, workers=2,
                                  previous=previous[name])  # fmt: skip
            previous[name] = out
        assert runs["local"].states == runs["spark"].states and runs["spark"].customers == CUSTOMERS
        states = read_rows(previous["local"] / "states")
        assert read_rows(previous["spark"] / "states") == states
        assert {"withdraw-only", "unrestricted"} <= {r["state"] for r in states}
        if day == THRESHOLD_DAY:
            assert any(r["unpriced"] for r in states) and any(r["holdings_eur"] for r in states)
        else:
            diff = read_rows(previous["local"] / "diff")
            assert diff and read_rows(previous["spark"] / "diff") == diff
        imported = import_states(sqlite_store, previous["spark"], keep_changes=True)
        expected = evaluate_store(second_store, engine, day)
        assert imported.changes == expected.changes and imported.counts == expected.counts
        assert _notices(sqlite_store) == _notices(second_store)

    scope = broad_scope(flat)
    local = reach(flat, tmp_path / "reach-local", scope=scope)
    on_spark = reach(lake, tmp_path / "reach-spark", scope=scope, engine="spark")
    assert read_reach(tmp_path / "reach-spark") == read_reach(tmp_path / "reach-local")
    assert (on_spark.summary(), on_spark.transactions) == (local.summary(), local.transactions)
    with sqlite_store.connect() as conn:
        assert local.summary() == compute_reach(conn, scope.targets, scope.date_range).summary()


def _notices(store: Store) -> list[tuple[Any, ...]]:
    return sorted(
        (n["customer_id"], n["new_state"], json.dumps(
            {k: v for k, v in n.items() if k not in ("notice_id", "evaluation_id")}, sort_keys=True))
        for n in notices(store, limit=1_000_000)
    )  # fmt: skip
