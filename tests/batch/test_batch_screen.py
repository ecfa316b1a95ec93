"""``batch screen`` (local engine) and ``batch import-alerts``: the alerts a batch job leads to are the ones
``screen_customers`` stores today, a second import adds nothing, a decided false positive stays quiet, and
each safeguard refuses what it protects against (stale lists, unfinished output, a used directory)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from batch_helpers import demo_exchange, export_inputs

from vaspguard.batch import import_alerts, screen
from vaspguard.batch._jobs import read_found
from vaspguard.errors import InvalidFile, Refused
from vaspguard.lists import import_paths
from vaspguard.screening import AddressBook, Screener, decide, list_alerts, screen_customers
from vaspguard.store import Store, utcnow

CUSTOMERS = 1500


def _alerts(store: Store) -> list[tuple]:
    return sorted(
        (a.customer_id, a.entity_key, a.snapshot_id, a.kind, a.score, a.screened_value, a.matched_value,
         json.dumps(a.breakdown, sort_keys=True), a.status)
        for a in list_alerts(store, limit=100_000)
    )  # fmt: skip


def test_batch_alerts_are_the_alerts_of_screen_customers(
    store: Store, second_store: Store, tmp_path: Path
) -> None:
    for s in (store, second_store):
        demo_exchange(s, CUSTOMERS)
    report = screen(store, export_inputs(store, tmp_path / "in"), tmp_path / "out")
    assert report.customers == CUSTOMERS and report.alerts > 0 and report.index_bytes > 0
    loaded = import_alerts(store, tmp_path / "out")
    screener = Screener.from_store(second_store)
    today = screen_customers(second_store, screener, AddressBook.from_entities(screener.entities))
    assert loaded.alerts_created == today.alerts_created == report.alerts
    assert _alerts(store) == _alerts(second_store)
    kinds = {a[3] for a in _alerts(store)}
    assert kinds == {"name", "address"}  # planted look-alikes and listed wallets both found

    # A second import of the same output adds nothing: every match already has its open alert.
    again = import_alerts(store, tmp_path / "out")
    assert (again.alerts_created, again.already_open) == (0, report.alerts)


def test_a_false_positive_stays_quiet_while_nothing_changed(sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 300)
    inputs = export_inputs(sqlite_store, tmp_path / "in")
    screen(sqlite_store, inputs, tmp_path / "run1")
    import_alerts(sqlite_store, tmp_path / "run1")
    first = list_alerts(sqlite_store, limit=1000)
    decide(sqlite_store, first[0].id, "false_positive", reason="different person", actor="ana")
    screen(sqlite_store, inputs, tmp_path / "run2")
    report = import_alerts(sqlite_store, tmp_path / "run2")
    assert (report.alerts_created, report.suppressed, report.already_open) == (0, 1, len(first) - 1)
    assert len(list_alerts(sqlite_store, limit=1000)) == len(first)


def test_workers_do_not_change_the_answer(sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 400)
    inputs = export_inputs(sqlite_store, tmp_path / "in")
    one = screen(sqlite_store, inputs, tmp_path / "one")
    two = screen(sqlite_store, inputs, tmp_path / "two", workers=2)
    assert one.alerts == two.alerts > 0
    assert read_found(tmp_path / "one" / "alerts") == read_found(tmp_path / "two" / "alerts")


def test_import_refuses_output_of_other_lists_or_unfinished_jobs(
    sqlite_store: Store, shared_data: Path, tmp_path: Path
) -> None:
    demo_exchange(sqlite_store, 100)
    inputs = export_inputs(sqlite_store, tmp_path / "in")
    screen(sqlite_store, inputs, tmp_path / "out")
    # a used output directory is refused before anything is read or written
    with pytest.raises(Refused, match="not empty"):
        screen(sqlite_store, inputs, tmp_path / "out")
    # no manifest: the job did not finish
    (tmp_path / "out" / "manifest.json").rename(tmp_path / "manifest.json")
    with pytest.raises(InvalidFile, match=r"no manifest\.json"):
        import_alerts(sqlite_store, tmp_path / "out")
    (tmp_path / "manifest.json").rename(tmp_path / "out" / "manifest.json")
    # the lists changed after the job ran: its alerts would name snapshots no longer active
    import_paths(sqlite_store, [shared_data / "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"])
    with pytest.raises(Refused, match="run the job again"):
        import_alerts(sqlite_store, tmp_path / "out")
    assert list_alerts(sqlite_store) == []


def test_missing_inputs_name_the_export_to_run(sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 10)
    (tmp_path / "in").mkdir()
    with pytest.raises(InvalidFile, match="no customers here: export them first"):
        screen(sqlite_store, tmp_path / "in", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_batch_screen_import_and_usage_errors(cli, sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 200)
    inputs = export_inputs(sqlite_store, tmp_path / "in", partitioned=True)
    code, out, err = cli(
        "--db", sqlite_store.url, "batch", "screen", inputs, "-o", tmp_path / "out", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["engine"] == "local" and report["customers"] == 200
    code, out, err = cli("--db", sqlite_store.url, "batch", "import-alerts", tmp_path / "out")
    assert code == 0, err
    assert out.startswith("run ") and f"{report['alerts']} new alerts" in out
    code, _, err = cli(
        "--db", sqlite_store.url, "batch", "screen", inputs, "-o", tmp_path / "x", "--engine", "gpu"
    )
    assert code == 2 and err.count("\n") == 1 and "'gpu' is not local or spark" in err


def test_the_spark_engine_without_pyspark_names_the_extra(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_exchange(sqlite_store, 10)
    inputs = export_inputs(sqlite_store, tmp_path / "in")
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(Refused, match=r"pip install 'vaspguard\[spark\]'"):
        screen(sqlite_store, inputs, tmp_path / "out", engine="spark")


def test_the_run_of_imported_alerts_starts_when_the_registry_was_exported(
    sqlite_store: Store, tmp_path: Path
) -> None:
    """The next incremental run screens what changed since the export, not since the job: a customer
    changed between the export and the job is not skipped."""
    from datetime import datetime

    from vaspguard.screening import last_run

    demo_exchange(sqlite_store, 50)
    exported = utcnow()
    inputs = export_inputs(sqlite_store, tmp_path / "in")
    report = screen(sqlite_store, inputs, tmp_path / "out")
    assert report.registry_as_of is not None
    taken = datetime.fromisoformat(report.registry_as_of)
    assert exported <= taken < datetime.fromisoformat(report.started_at)
    import_alerts(sqlite_store, tmp_path / "out")
    last = last_run(sqlite_store)
    assert last is not None and last[0].replace(tzinfo=None) == taken.replace(tzinfo=None)


def test_addresses_are_each_customers_distinct_pairs_by_address_then_chain(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vaspguard.batch._inputs import Addresses

    rows = [  # (customer, address, chain), across two row groups
        ("C2", "bc1q-b", "bitcoin"), ("C1", "0xaa", "ethereum"), ("C2", "bc1q-a", None),
        ("C2", "bc1q-b", "bitcoin"), ("C3", None, "bitcoin"), ("C3", "", "tron"), ("C2", "bc1q-a", "bitcoin"),
        ("C1", "0xaa", "ethereum"), ("C4", "T9", "tron"),
    ]  # fmt: skip
    table = pa.table({k: [r[i] for r in rows] for i, k in enumerate(("customer_id", "address", "chain"))})
    pq.write_table(table, tmp_path / "transactions.parquet", row_group_size=4)
    addresses = Addresses(tmp_path / "transactions.parquet")
    got = addresses(["C2", "C9", "C1", "C3", "C4"]).to_pylist()
    pairs = [None if g is None else [(p["address"], p["chain"]) for p in g] for g in got]
    assert pairs == [
        [("bc1q-a", None), ("bc1q-a", "bitcoin"), ("bc1q-b", "bitcoin")],  # each once, by address then chain
        None,  # unknown
        [("0xaa", "ethereum")],
        None,  # no address, or an empty one
        [("T9", "tron")],
    ]
    assert len(addresses) == 3
