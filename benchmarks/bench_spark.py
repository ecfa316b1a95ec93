"""Batch screening on Spark ``local[2]`` beside the local engine with ``--workers 2``, on the same demo
exchange screened against the genuine lists (issue 16).

``python -m benchmarks bench_spark``; sizes from ``BENCH_SPARK_CUSTOMERS`` (default ``20000,100000``).
For each size: seed the demo exchange (10 transactions per customer), export it flat (local engine) and
partitioned (Spark: customers by bucket, transactions by month), run both engines, check that their rows
are identical, and print customers/s, the time of each stage, and the size of the broadcast index.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from benchmarks.eval_screening import LISTS, SHARED
from vaspguard.batch import ScreenReport, screen, stop_spark
from vaspguard.batch._jobs import read_found
from vaspguard.demo import FICTIONAL_ADDRESSES, FICTIONAL_PERSONS, LISTED_PERSONS, sample_list_paths, seed
from vaspguard.errors import InputError
from vaspguard.lists import import_paths
from vaspguard.registry import export_dataset, export_file
from vaspguard.store import Store, migrate, open_store


def _lists(store: Store) -> None:
    """The demo's sample lists (its planted cases), then every genuine list that imports: a source's last
    list is its active snapshot, so the index is the size a real one is."""
    import_paths(store, sample_list_paths())
    for rel in LISTS:
        try:
            import_paths(store, [SHARED / rel])
        except InputError as exc:
            print(f"  (list skipped: {exc})")


def _exchange(directory: Path, customers: int) -> tuple[Store, dict[str, float]]:
    store = open_store(f"sqlite:///{directory / 'bench.db'}")
    migrate(store)
    _lists(store)
    listed = [a.address for a in FICTIONAL_ADDRESSES]
    times: dict[str, float] = {}
    t = time.perf_counter()
    seed(
        store,
        customers=customers,
        seed=1,
        addresses_of_interest=listed,
        listed_persons=LISTED_PERSONS + FICTIONAL_PERSONS,
        deposits_from=listed[::2],
    )
    times["seed"] = time.perf_counter() - t
    t = time.perf_counter()
    (directory / "flat").mkdir()
    export_file(store, "customers", directory / "flat" / "customers.parquet")
    export_file(store, "transactions", directory / "flat" / "transactions.parquet")
    times["export flat"] = time.perf_counter() - t
    t = time.perf_counter()
    export_dataset(store, "customers", directory / "lake" / "customers", partition_by=["bucket"])
    export_dataset(store, "transactions", directory / "lake" / "transactions", partition_by=["month"])
    times["export partitioned"] = time.perf_counter() - t
    return store, times


def _print(r: ScreenReport) -> None:
    label = "local --workers 2" if r.engine == "local" else "spark local[2]   "
    stages = ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in r.stages.items())
    print(
        f"  {label}: {r.seconds:7.1f} s, {r.customers / r.seconds:7.0f} customers/s "
        f"({r.customers / r.seconds / 2:.0f} per core); {r.alerts} alerts; index "
        f"{r.index_bytes / 1e6:.1f} MB ({r.entities} entities); stages: {stages}",
        flush=True,
    )


def _one_size(customers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        directory = Path(tmp)
        os.environ.setdefault("VASPGUARD_DATA_DIR", str(directory / "data"))
        store, times = _exchange(directory, customers)
        prep = ", ".join(f"{k} {v:.1f} s" for k, v in times.items())
        print(f"{customers} customers: {prep}", flush=True)
        local = screen(store, directory / "flat", directory / "out-local", workers=2)
        _print(local)
        spark = screen(store, directory / "lake", directory / "out-spark", engine="spark", master="local[2]")
        stop_spark()
        _print(spark)
        same = read_found(directory / "out-local" / "alerts") == read_found(
            directory / "out-spark" / "alerts"
        )
        print(f"  rows identical: {same}", flush=True)
        store.dispose()


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SPARK_CUSTOMERS", "20000,100000").split(",")]
    for n in sizes:
        _one_size(n)


if __name__ == "__main__":
    main()
