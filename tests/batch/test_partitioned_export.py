"""``registry export --partition-by``: a Hive-partitioned Parquet dataset that reads back as the flat export,
and the refusals that keep it from writing into the wrong place."""

from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from batch_helpers import demo_exchange

from vaspguard.errors import InvalidFile, InvalidRequest
from vaspguard.registry import Customer, Name, PersonType, Registry, export_dataset, export_file
from vaspguard.store import Store


def _read(path: Path, drop: tuple[str, ...] = ()) -> list[dict]:
    table = ds.dataset(path, format="parquet", partitioning="hive").to_table()
    rows = table.drop_columns([c for c in drop if c in table.column_names]).to_pylist()
    return sorted(rows, key=lambda r: r["id"])


def test_partitioned_transactions_read_back_as_the_flat_export(sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 60)
    export_file(sqlite_store, "transactions", tmp_path / "flat.parquet")
    n = export_dataset(sqlite_store, "transactions", tmp_path / "tx", partition_by=["month", "bucket"])
    flat = sorted(pq.read_table(tmp_path / "flat.parquet").to_pylist(), key=lambda r: r["id"])
    assert n == len(flat) > 100
    back = _read(tmp_path / "tx", drop=("month", "bucket"))
    assert [{k: r[k] for k in back[0]} for r in flat] == back
    months = sorted(p.name for p in (tmp_path / "tx").iterdir())
    assert months and all(m.startswith("month=20") and len(m) == len("month=2025-01") for m in months)
    buckets = {p.name for p in (tmp_path / "tx").glob("month=*/bucket=*")}
    assert buckets <= {f"bucket={i:02d}" for i in range(16)} and len(buckets) > 1
    # every row sits in the month it occurred in
    for row in _read(tmp_path / "tx"):
        assert row["month"] == f"{row['occurred_at']:%Y-%m}"


def test_a_missing_partition_value_reads_back_as_missing(sqlite_store: Store, tmp_path: Path) -> None:
    Registry(sqlite_store).add_customers(
        [
            Customer("C1", PersonType.NATURAL, (Name("Greta Lindqvist"),), ("SE",), residence="SE"),
            Customer("C2", PersonType.NATURAL, (Name("Oskar Berg"),), ("SE",)),
        ]
    )
    assert export_dataset(sqlite_store, "customers", tmp_path / "c", partition_by=["residence"]) == 2
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "residence=SE",
        "residence=__HIVE_DEFAULT_PARTITION__",
    ]
    assert [(r["id"], r["residence"]) for r in _read(tmp_path / "c")] == [("C1", "SE"), ("C2", None)]


def test_partitioning_refuses_unknown_keys_and_used_directories(sqlite_store: Store, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest, match="'bucket' cannot partition prices"):
        export_dataset(sqlite_store, "prices", tmp_path / "p", partition_by=["bucket"])
    with pytest.raises(InvalidRequest, match="'names' cannot partition customers"):
        export_dataset(sqlite_store, "customers", tmp_path / "p", partition_by=["names"])
    with pytest.raises(InvalidRequest, match="once each"):
        export_dataset(sqlite_store, "logins", tmp_path / "p", partition_by=["month", "month"])
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("not ours")
    with pytest.raises(InvalidFile, match="not empty"):
        export_dataset(sqlite_store, "logins", used, partition_by=["month"])
    assert [p.name for p in used.iterdir()] == ["keep.txt"]
    assert not (tmp_path / "p").exists()


def test_cli_partitioned_export_and_its_usage_errors(cli, sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 20)
    out = tmp_path / "logins"
    code, stdout, err = cli(
        "--db",
        sqlite_store.url,
        "registry",
        "export",
        "--kind",
        "logins",
        "--partition-by",
        "month",
        "-o",
        out,
    )
    assert code == 0, err
    assert stdout.startswith(f"{out}: exported ") and any(out.glob("month=*/part-*.parquet"))
    code, _, err = cli(
        "--db", sqlite_store.url, "registry", "export", "--kind", "logins", "--format", "csv",
        "--partition-by", "month", "-o", tmp_path / "x",
    )  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "--partition-by writes Parquet, not csv" in err
    code, _, err = cli(
        "--db", sqlite_store.url, "registry", "export", "--kind", "logins", "--partition-by", "ip", "-o", out
    )
    assert code == 2 and err.count("\n") == 1 and "not empty" in err
