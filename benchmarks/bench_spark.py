"""Batch jobs on Spark ``local[2]`` beside the local engine with ``--workers 2``, on the same demo
exchange screened against the genuine lists (issue 16).

``python -m benchmarks bench_spark``; sizes from ``BENCH_SPARK_CUSTOMERS`` (default ``20000,100000``).
For each size: seed the demo exchange (10 transactions per customer), export it flat (local engine) and
partitioned (Spark: customers by bucket, transactions by month), run both engines, check that their rows
are identical, and print customers/s, the time of each stage, and the size of the broadcast index.

``BENCH_SPARK_JOBS=screen,evaluate,reach BENCH_SPARK_DIR=DIR`` instead runs those jobs on an export
already in ``DIR`` (``DIR/flat``: customers, accounts, transactions, prices, with ``DIR/bench.db`` beside
it; ``DIR/lake``: customers by bucket and transactions by month, which Spark's ``screen`` reads), both
engines reading the same data; ``BENCH_SPARK_PREPARE=N`` first seeds and exports N customers there when
``DIR`` has none; ``BENCH_SPARK_TILE=10`` first tiles the flat export ten times with re-keyed ids
(``C0000001`` → ``C0000001~3``), for 10M customers from a seeded 1M (seeding 10M here takes hours); tiled,
Spark's ``screen`` reads the tiled flat export too.

``BENCH_SPARK_JDBC=N`` instead seeds N customers into a database of its own on PostgreSQL
(``BENCH_SPARK_PG``, default ``postgresql://postgres@127.0.0.1:5432/test``: the server; the database is
created and dropped), exports customers and transactions to Parquet, and times Spark reading both in the
layout the jobs read (customers with their nested lists) over JDBC and from the export, in one session.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from benchmarks.eval_screening import LISTS, SHARED
from vaspguard.batch import ScreenReport, evaluate, reach, read_reach, screen, stop_spark
from vaspguard.batch._inputs import Source, count_rows, find_input
from vaspguard.batch._jobs import read_found
from vaspguard.demo import FICTIONAL_ADDRESSES, FICTIONAL_PERSONS, LISTED_PERSONS, sample_list_paths, seed
from vaspguard.errors import InputError
from vaspguard.lists import import_paths
from vaspguard.registry import FIAT, export_dataset, export_file
from vaspguard.requests import DateRange, Scope, Target, TargetType
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


def _exchange(directory: Path, customers: int, *, every_kind: bool = False) -> tuple[Store, dict[str, float]]:
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
    if every_kind:
        export_file(store, "accounts", directory / "flat" / "accounts.parquet")
        export_file(store, "prices", directory / "flat" / "prices.parquet")
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
        _screen_both(store, directory / "flat", directory / "lake", directory)
        store.dispose()


THRESHOLD_DAY = date(2022, 5, 1)  # Art 5b(2)'s EUR 10,000 threshold in force: holdings are valued


def _threshold_prices(flat: Path) -> None:
    """Prices on ``THRESHOLD_DAY`` for every crypto-asset but one (the demo prices only its own year), as
    the differential test adds them: holdings are valued, some above EUR 10,000, one asset unpriced."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = flat / "prices.parquet"
    table = pq.read_table(path)
    if THRESHOLD_DAY in set(table["day"].to_pylist()):
        return
    latest = {r["asset"]: r["eur"] for r in sorted(table.to_pylist(), key=lambda r: r["day"])}
    crypto = sorted(a for a in latest if a not in FIAT)[1:]
    extra = [{"asset": a, "day": THRESHOLD_DAY, "eur": latest[a] * Decimal("0.7")} for a in crypto]
    pq.write_table(pa.concat_tables([table, pa.Table.from_pylist(extra, schema=table.schema)]), path)


def _tiled(flat: Path, times: int) -> Path:
    """The flat export repeated ``times`` times with every customer, account and transaction id re-keyed."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    out = flat.parent / f"flat-x{times}"
    if out.exists():
        return out
    tmp = flat.parent / f"flat-x{times}.partial"
    tmp.mkdir()
    keyed = {"customers": ("id",), "accounts": ("id", "customer_id"),
             "transactions": ("id", "customer_id", "account_id", "counterparty_customer_id")}  # fmt: skip
    for kind, columns in keyed.items():
        source = pq.ParquetFile(flat / f"{kind}.parquet")
        with pq.ParquetWriter(tmp / f"{kind}.parquet", source.schema_arrow) as writer:
            for k in range(times):
                for batch in source.iter_batches(batch_size=200_000):
                    table = pa.Table.from_batches([batch])
                    for c in columns:
                        i = table.schema.get_field_index(c)
                        table = table.set_column(i, c, pc.binary_join_element_wise(table[c], f"~{k}", ""))
                    writer.write_table(table)
    (tmp / "prices.parquet").write_bytes((flat / "prices.parquet").read_bytes())
    tmp.rename(out)
    return out


def _scope(flat: Path) -> Scope:
    """A broad request: every listed wallet, two names, two customers, over the demo's year."""
    import pyarrow.parquet as pq

    first = pq.read_table(flat / "customers.parquet", columns=["id", "names"]).slice(0, 50).to_pylist()
    names = [c["names"][0]["name"] for c in first[10:12]]
    targets = [Target(TargetType.WALLET_ADDRESS, a.address) for a in FICTIONAL_ADDRESSES]
    targets += [Target(TargetType.NAME, n) for n in names]
    targets += [Target(TargetType.CUSTOMER_ID, c["id"]) for c in first[:2]]
    return Scope(tuple(targets), (), DateRange(date(2026, 1, 1), date(2026, 10, 31)))


def _job_line(label: str, rows: int, unit: str, seconds: float, stages: dict[str, float], extra: str) -> None:
    parts = ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in stages.items())
    rate = rows / seconds
    print(
        f"  {label}: {seconds:7.1f} s, {rate:8.0f} {unit}/s ({rate / 2:.0f} per core); {extra}; "
        f"stages: {parts}",
        flush=True,
    )


def _screen_both(store: Store, flat: Path, lake: Path, out: Path) -> None:
    """``screen`` on both engines: the local one reading ``flat``, Spark ``lake``."""
    for engine in _engines():
        if engine == "local":
            _print(screen(store, flat, out / "s-local", workers=2))
        else:
            _print(screen(store, lake, out / "s-spark", engine="spark", master="local[2]"))
            stop_spark()
    if all((out / f"s-{e}" / "manifest.json").exists() for e in ("local", "spark")):
        same = read_found(out / "s-local" / "alerts") == read_found(out / "s-spark" / "alerts")
        print(f"  rows identical: {same}", flush=True)


def _prepare(directory: Path, customers: int) -> None:
    """Seed and export ``customers`` into ``directory`` unless an export is there already."""
    if (directory / "flat").exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    store, times = _exchange(directory, customers, every_kind=True)
    store.dispose()
    print(f"{customers} customers: " + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()), flush=True)


def _prepared(directory: Path) -> None:
    """``BENCH_SPARK_JOBS`` on both engines over the export in ``directory``, tiled or not."""
    flat = directory / "flat"
    _threshold_prices(flat)
    tile = int(os.environ.get("BENCH_SPARK_TILE", "1"))
    if tile > 1:
        t = time.perf_counter()
        flat = _tiled(flat, tile)
        print(f"  tiled x{tile} in {time.perf_counter() - t:.1f} s", flush=True)
    store = open_store(f"sqlite:///{directory / 'bench.db'}")
    jobs = os.environ.get("BENCH_SPARK_JOBS", "evaluate,reach").split(",")
    kept = os.environ.get("BENCH_SPARK_OUT")
    with tempfile.TemporaryDirectory(prefix="bench-spark-", dir=directory) as tmp:
        out = Path(kept or tmp)
        out.mkdir(exist_ok=True)
        if "screen" in jobs:  # (tiled, Spark reads the tiled flat export: there is no tiled lake)
            _screen_both(store, flat, directory / "lake" if tile == 1 else flat, out)
        if "evaluate" in jobs:
            _evaluate_engines(store, flat, out)
        if "reach" in jobs:
            _reach_engines(flat, out)
    store.dispose()


def _engines() -> list[str]:
    """``BENCH_SPARK_ENGINES`` (default ``local,spark``): one process each when memory is short (10M), with
    ``BENCH_SPARK_OUT`` keeping the outputs, so the second process compares them."""
    return os.environ.get("BENCH_SPARK_ENGINES", "local,spark").split(",")


def _same_table(a: Path, b: Path) -> bool:
    """Two jobs' Parquet rows equal, compared in Arrow (10M rows as Python objects would not fit)."""
    import pyarrow.dataset as ds

    left, right = (ds.dataset(p, format="parquet").to_table().sort_by("customer_id") for p in (a, b))
    return bool(left.num_rows == right.num_rows and left.equals(right.cast(left.schema)))


def _evaluate_engines(store: Store, flat: Path, out: Path) -> None:
    labels = {"local": "evaluate local --workers 2", "spark": "evaluate spark local[2]   "}
    for engine in _engines():
        r = evaluate(store, flat, out / f"e-{engine}", at=THRESHOLD_DAY, engine=engine, workers=2)
        stop_spark()
        _job_line(labels[engine], r.customers, "customers", r.seconds, r.stages,
                  f"{r.states}; policy broadcast {r.policy_bytes / 1e3:.0f} kB")  # fmt: skip
    if all((out / f"e-{e}" / "manifest.json").exists() for e in labels):
        same = _same_table(out / "e-local" / "states", out / "e-spark" / "states")
        print(f"  states identical: {same}", flush=True)


def _reach_engines(flat: Path, out: Path) -> None:
    labels = {"local": "reach local               ", "spark": "reach spark local[2]      "}
    scope = _scope(flat)
    n = count_rows(find_input(flat, "transactions"))
    for engine in _engines():
        rr = reach(flat, out / f"r-{engine}", scope=scope, engine=engine)
        stop_spark()
        _job_line(labels[engine], n, "transactions", rr.seconds, rr.stages,
                  f"{rr.customers} customers, {rr.accounts} accounts, {rr.transactions} transactions "
                  "reached")  # fmt: skip
    if all((out / f"r-{e}" / "manifest.json").exists() for e in labels):
        same = read_reach(out / "r-local") == read_reach(out / "r-spark")
        print(f"  reach identical: {same}", flush=True)


def _spark_read(spark: object, source: Source, columns: tuple[str, ...] | None) -> float:
    """Seconds to read ``source`` whole on Spark (the ``noop`` sink: read, assemble, discard)."""
    from vaspguard.batch._spark import _read

    t = time.perf_counter()
    frame = _read(spark, source, columns)
    frame.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - t


def _jdbc(customers: int) -> None:
    """Spark reading customers and transactions over JDBC beside reading their Parquet export."""
    import psycopg

    from vaspguard.batch import jdbc_source
    from vaspguard.batch._jdbc import Table, opened
    from vaspguard.batch._score import CUSTOMER_COLUMNS
    from vaspguard.batch._spark import session

    server = os.environ.get("BENCH_SPARK_PG", "postgresql://postgres@127.0.0.1:5432/test")
    base, _, _ = server.rpartition("/")
    name = f"vg_bench_jdbc_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="bench-jdbc-") as tmp:
            directory = Path(tmp)
            os.environ.setdefault("VASPGUARD_DATA_DIR", str(directory / "data"))
            store = open_store(f"{base}/{name}")
            migrate(store)
            t = time.perf_counter()
            seed(
                store,
                customers=customers,
                seed=1,
                addresses_of_interest=[a.address for a in FICTIONAL_ADDRESSES],
            )
            print(
                f"{customers} customers seeded into PostgreSQL in {time.perf_counter() - t:.1f} s", flush=True
            )
            for kind in ("customers", "transactions"):
                export_file(store, kind, directory / f"{kind}.parquet")
            host = base.split("@")[-1]
            user = base.split("//")[1].split("@")[0]
            source = jdbc_source(f"jdbc:postgresql://{host}/{name}?user={user}")
            with opened(source) as snapshot:
                spark = session("local[2]", partitions=8, jars=source.jars)
                # Untimed first: the JVM's warm-up (class loading, the JIT) would go to whichever ran first.
                _spark_read(spark, directory / "transactions.parquet", None)
                _spark_read(spark, Table(snapshot, "transactions"), None)
                for kind, columns in (("customers", CUSTOMER_COLUMNS), ("transactions", None)):
                    rows = count_rows(directory / f"{kind}.parquet")
                    sources: tuple[tuple[str, Source], ...] = (
                        ("parquet", directory / f"{kind}.parquet"),
                        ("jdbc   ", Table(snapshot, kind)),
                    )
                    for label, where in sources:
                        seconds = _spark_read(spark, where, columns)
                        print(
                            f"  {kind:12} {label}: {rows} rows in {seconds:6.1f} s, "
                            f"{rows / seconds:8.0f} rows/s",
                            flush=True,
                        )
            stop_spark()
            store.dispose()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    if os.environ.get("BENCH_SPARK_JDBC"):
        _jdbc(int(os.environ["BENCH_SPARK_JDBC"]))
        return
    prepared = os.environ.get("BENCH_SPARK_DIR")
    if prepared:
        os.environ.setdefault("VASPGUARD_DATA_DIR", str(Path(prepared) / "data"))
        if os.environ.get("BENCH_SPARK_PREPARE"):
            _prepare(Path(prepared), int(os.environ["BENCH_SPARK_PREPARE"]))
        _prepared(Path(prepared))
        return
    sizes = [int(s) for s in os.environ.get("BENCH_SPARK_CUSTOMERS", "20000,100000").split(",")]
    for n in sizes:
        _one_size(n)


if __name__ == "__main__":
    main()
