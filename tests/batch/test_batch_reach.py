"""``batch reach`` (local engine): the customers and accounts a scope reaches in the registry export are the
ones ``requests.compute_reach`` finds on the store, target by target; the transactions are those of the
accounts in scope in the date range; and bad scopes are refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from batch_helpers import demo_exchange, export_inputs
from reach_scope import broad_scope

from vaspguard.batch import reach, read_reach, read_scope
from vaspguard.errors import InvalidFile, Refused
from vaspguard.requests import compute_reach, day_bounds
from vaspguard.store import Store

KINDS = ("customers", "accounts", "transactions")


def test_batch_reach_is_the_reach_on_the_store(store: Store, tmp_path: Path) -> None:
    demo_exchange(store, 1500)
    flat = export_inputs(store, tmp_path / "in", kinds=KINDS)
    scope = broad_scope(flat)
    report = reach(flat, tmp_path / "out", scope=scope)
    with store.connect() as conn:
        expected = compute_reach(conn, scope.targets, scope.date_range)
    assert report.summary() == expected.summary()
    customers, accounts = read_reach(tmp_path / "out")
    assert {c["customer_id"] for c in customers} == expected.customers
    assert all(n > 0 for label, n in report.per_target.items() if "NOT-THERE" not in label)
    # the transactions: every one in the range on an account in scope, counted from the export directly
    start, end = day_bounds(scope.date_range)
    in_scope = {a["account_id"] for a in accounts}
    tx = pq.read_table(flat / "transactions.parquet", columns=["account_id", "occurred_at"]).to_pylist()
    assert report.transactions == sum(
        1 for t in tx if t["account_id"] in in_scope and start <= t["occurred_at"] < end
    )


def test_reach_refuses_bad_scopes_and_directories(sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 50)
    flat = export_inputs(sqlite_store, tmp_path / "in", kinds=("customers", "accounts"))
    (tmp_path / "scope.json").write_text('{"targets": [{"type": "customer_id", "value": "C0000001"}]}')
    scope = read_scope(tmp_path / "scope.json")
    with pytest.raises(InvalidFile, match="no transactions here"):
        reach(flat, tmp_path / "out", scope=scope)
    for bad, why in (
        ("{", "not a readable JSON scope"),
        ('{"targets": []}', "expected"),
        ('{"targets": [{"type": "postcode", "value": "1010"}]}', "not a scope"),
        ('{"targets": [{"type": "name", "value": "A"}], "date_range": {"from": "2026-02-30", "to": null}}',
         "not a scope"),
    ):  # fmt: skip
        (tmp_path / "bad.json").write_text(bad)
        with pytest.raises(InvalidFile, match=why):
            read_scope(tmp_path / "bad.json")
    export_inputs(sqlite_store, flat, kinds=("transactions",))
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(Refused, match="not empty"):
        reach(flat, tmp_path / "used", scope=scope)
    with pytest.raises(InvalidFile, match="not the output of a finished batch job"):
        read_reach(tmp_path / "used")
    (tmp_path / "empty").mkdir()  # an empty directory is as good as a new one
    assert reach(flat, tmp_path / "empty", scope=scope).customers == 1
    assert read_reach(tmp_path / "empty")[0][0]["customer_id"] == "C0000001"


def test_cli_batch_reach(cli, sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 200)
    flat = export_inputs(sqlite_store, tmp_path / "in", kinds=KINDS)
    (tmp_path / "scope.json").write_text(
        json.dumps({"targets": [{"type": "customer_id", "value": "C0000002"}],
                    "date_range": {"from": "2026-01-01", "to": "2026-10-31"}})
    )  # fmt: skip
    db = ("--db", sqlite_store.url, "batch", "reach", flat)
    code, out, err = cli(*db, "--scope", tmp_path / "scope.json", "-o", tmp_path / "o", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["customers"] == 1 and report["accounts"] >= 1 and report["transactions"] > 0
    code, _, err = cli(*db, "-o", tmp_path / "x")
    assert code == 2 and err.count("\n") == 1 and "--request ID or --scope FILE" in err
    code, _, err = cli(*db, "--request", "R-NONE", "-o", tmp_path / "x")
    assert code != 0 and err.count("\n") == 1 and "R-NONE" in err
    assert not (tmp_path / "x").exists()
