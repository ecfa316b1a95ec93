"""``batch import-states`` at scale: wall time and peak memory of storing a batch evaluation, beside ``policy
evaluate`` (the same evaluation computed and recorded on the store) on a copy of the same registry, in the
same process run.

``python -m benchmarks bench_import_states``; sizes from ``BENCH_IMPORT_CUSTOMERS`` (default
``50000,200000``); ``BENCH_IMPORT_PG=postgresql://postgres@127.0.0.1:5432/test`` runs it on PostgreSQL
(databases of its own on that server, dropped after) instead of SQLite. For each size: seed the demo
exchange, add prices on the day Art 5b(2)'s EUR 10,000 threshold was in force (so holdings are valued, as in
bench_spark), export it, run the local ``batch evaluate`` on that day, then, each in a forked process of its
own so its peak resident memory is its own: the first import (every restricted customer changes: one notice
each), the same job imported again (nothing changes), and ``policy evaluate`` on a copy of the database made
before either. Printed: seconds, customers/s and the peak memory each added over the process it started
from. Memory that grows with the customers is what stops a 200M-customer import; flat memory is what the
streaming import is for.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.bench_spark import THRESHOLD_DAY
from vaspguard.batch import evaluate, import_states
from vaspguard.demo import DEFAULT_AS_OF, seed
from vaspguard.policy import Engine, builtin_packs
from vaspguard.policy import evaluate as evaluate_store
from vaspguard.registry import FIAT, Price, Registry, export_file
from vaspguard.store import Store, migrate, open_store


def _threshold_prices(store: Store) -> None:
    """Prices on ``THRESHOLD_DAY`` in the store (so in the export too) for the demo's crypto-assets but one,
    as tests/batch adds them."""
    registry = Registry(store)
    prices = registry.prices_on(DEFAULT_AS_OF)
    crypto = sorted(a for a in prices if a not in FIAT)
    registry.add_prices([Price(a, THRESHOLD_DAY, prices[a] * Decimal("0.7")) for a in crypto[1:]])


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _child(work: Callable[[], int], out: Any) -> None:
    start = _rss_mb()
    t = time.perf_counter()
    changed = work()
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # kB on Linux
    out.send((seconds, peak - start, changed))


def _measured(work: Callable[[], int]) -> tuple[float, float, int]:
    """(seconds, MB of peak memory added, changes) of ``work`` in a forked process."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(work, send))
    p.start()
    result: tuple[float, float, int] = receive.recv()
    p.join()
    return result


@contextmanager
def _databases(directory: Path) -> Iterator[tuple[str, Callable[[], str]]]:
    """(the database's URL, a function making a copy of it and returning the copy's URL), on SQLite in
    ``directory`` or, with ``BENCH_IMPORT_PG`` (a server URL), in databases of their own dropped after."""
    server = os.environ.get("BENCH_IMPORT_PG")
    if not server:
        db = directory / "bench.db"

        def sqlite_copy() -> str:
            shutil.copy(db, directory / "copy.db")
            return f"sqlite:///{directory / 'copy.db'}"

        yield f"sqlite:///{db}", sqlite_copy
        return
    import psycopg

    base, _, _ = server.rpartition("/")
    name = f"vg_bench_import_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def pg_copy() -> str:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}_copy" TEMPLATE "{name}"')
        return f"{base}/{name}_copy"

    try:
        yield f"{base}/{name}", pg_copy
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            for dropped in (name, f"{name}_copy"):
                admin.execute(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)')


def _one_size(customers: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp, _databases(Path(tmp)) as (url, copy):
        directory = Path(tmp)
        os.environ["VASPGUARD_DATA_DIR"] = str(directory / "data")  # a new audit log per size
        store = open_store(url)
        migrate(store)
        t = time.perf_counter()
        seed(store, customers=customers, seed=1)
        seeded = time.perf_counter() - t
        _threshold_prices(store)
        flat = directory / "flat"
        flat.mkdir()
        for kind in ("customers", "accounts", "prices"):
            export_file(store, kind, flat / f"{kind}.parquet")
        store.dispose()
        copy_url = copy()
        store = open_store(url)
        t = time.perf_counter()
        job = evaluate(store, flat, directory / "states", at=THRESHOLD_DAY, workers=2)
        print(
            f"{customers} customers on {store.backend.value}: seed {seeded:.1f} s, batch evaluate "
            f"{time.perf_counter() - t:.1f} s; {job.states}",
            flush=True,
        )
        store.dispose()

        def first() -> int:
            changed: int = import_states(open_store(url), directory / "states").changed
            return changed

        def on_store() -> int:
            changed: int = evaluate_store(
                open_store(copy_url), Engine(builtin_packs()), THRESHOLD_DAY
            ).changed
            return changed

        runs = (
            ("import-states, first        ", first),
            ("import-states, again        ", first),
            ("baseline: policy evaluate   ", on_store),
        )
        for label, work in runs:
            seconds, added, changed = _measured(work)
            print(
                f"  {label}: {seconds:7.1f} s, {customers / seconds:8,.0f} customers/s, "
                f"{changed:7,} notices, peak memory +{max(added, 0):,.0f} MB",
                flush=True,
            )


def main() -> None:
    for size in (int(s) for s in os.environ.get("BENCH_IMPORT_CUSTOMERS", "50000,200000").split(",")):
        _one_size(size)


if __name__ == "__main__":
    main()
