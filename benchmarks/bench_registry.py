"""Registry: seeding the demo exchange and importing registry files, in rows per second, on both backends.

Figures, each beside its baseline in the same process:

- seed: ``demo seed`` of N customers (10 transactions, 4 logins each) through the bulk path (SQLite
  executemany in big transactions, PostgreSQL COPY), against the naive ORM path (``session.add`` row by row,
  one commit) on a sample of the same generated customers;
- import: ``registry import`` of the seeded registry's files (customers, accounts and transactions as Parquet
  on both backends; customers also as CSV and JSON Lines on SQLite), against reading the Parquet file with
  pyarrow alone (no validation, no database).

Scale from the environment: ``VASPGUARD_BENCH_CUSTOMERS`` (default 100000), ``VASPGUARD_BENCH_PG_CUSTOMERS``
(default: the same), ``VASPGUARD_BENCH_BACKENDS`` (default ``sqlite,postgresql``). PostgreSQL is the server
of ``VASPGUARD_TEST_PG``; a scratch database is created there and dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import psycopg

from vaspguard.demo import DEFAULT_AS_OF, seed
from vaspguard.demo._seed import _Generator
from vaspguard.registry import RecordKind, Registry, export_file, import_file
from vaspguard.registry._tables import (
    ContactRow,
    CustomerNameRow,
    CustomerRow,
    NationalityRow,
    ResidencePermitRow,
)
from vaspguard.store import Store, migrate, open_store

PG_URL = os.environ.get("VASPGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
TX_PER_CUSTOMER = 10
BASELINE_SAMPLE = 2000


@contextmanager
def scratch(backend: str, workdir: Path) -> Iterator[Store]:
    """A fresh migrated database on ``backend``, removed afterwards."""
    if backend == "sqlite":
        store = open_store(f"sqlite:///{workdir / f'{uuid.uuid4().hex}.db'}")
        migrate(store)
        yield store
        store.dispose()
        return
    name = f"vg_bench_{uuid.uuid4().hex[:10]}"
    base = PG_URL.rpartition("/")[0]
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    store = open_store(f"{base}/{name}")
    try:
        migrate(store)
        yield store
    finally:
        store.dispose()
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def rows_in(store: Store) -> int:
    stats = Registry(store).stats()
    return sum(
        v for k, v in stats.items() if isinstance(v, int) and not k.startswith(("customers_", "priced"))
    )


def naive_orm_baseline(store: Store, n: int) -> float:
    """The same generated customers, inserted one ORM object at a time (customer, names, nationalities,
    contacts, permits; no accounts or transactions): customers per second."""
    gen = _Generator(99, n, DEFAULT_AS_OF, 0, 0, [])
    customers = [gen.customer(i, gen.rng(i), []) for i in range(n)]
    start = time.perf_counter()
    with store.session() as session:
        for c in customers:
            session.add(
                CustomerRow(
                    id=c.id,
                    type=c.type.value,
                    birth_date=c.birth_date,
                    gender=c.gender,
                    residence=c.residence,
                    established=c.established,
                    kyc_status=c.kyc_status.value,
                    created_at=c.created_at,
                    updated_at=c.updated_at,
                )
            )
            session.flush()
            for nm in c.names:
                session.add(
                    CustomerNameRow(customer_id=c.id, name=nm.name, script=nm.script, kind=nm.kind.value)
                )
            for country in c.nationalities:
                session.add(NationalityRow(customer_id=c.id, country=country))
            for ct in c.contacts:
                session.add(ContactRow(customer_id=c.id, kind=ct.kind, value=ct.value))
            for p in c.residence_permits:
                session.add(
                    ResidencePermitRow(
                        customer_id=c.id,
                        country=p.country,
                        kind=p.kind.value,
                        valid_from=p.valid_from,
                        valid_until=p.valid_until,
                    )
                )
            session.flush()
    return n / (time.perf_counter() - start)


def bench_backend(backend: str, n: int, workdir: Path, exports: dict[str, Path] | None) -> dict[str, Path]:
    print(f"-- {backend}: seed {n} customers x {TX_PER_CUSTOMER} transactions", flush=True)
    with scratch(backend, workdir) as store:
        report, seconds = timed(
            lambda: seed(store, customers=n, seed=1, transactions_per_customer=TX_PER_CUSTOMER)
        )
        total = rows_in(store)
        print(
            f"seed   {backend:10} {report.customers} customers, {report.transactions} transactions, "
            f"{total} rows in {seconds:.1f} s: {report.customers / seconds:,.0f} customers/s, "
            f"{report.transactions / seconds:,.0f} transactions/s, {total / seconds:,.0f} rows/s",
            flush=True,
        )
        if exports is None:
            exports = {}
            for kind in (RecordKind.CUSTOMERS, RecordKind.ACCOUNTS, RecordKind.TRANSACTIONS):
                for fmt in ("parquet", "csv", "jsonl") if kind is RecordKind.CUSTOMERS else ("parquet",):
                    path = workdir / f"{kind}.{fmt}"
                    count, secs = timed(partial(export_file, store, kind, path))
                    exports[f"{kind}.{fmt}"] = path
                    print(
                        f"export {backend:10} {kind}.{fmt}: {count} rows in {secs:.1f} s: "
                        f"{count / secs:,.0f} rows/s"
                    )
    with scratch(backend, workdir) as store:
        rate = naive_orm_baseline(store, BASELINE_SAMPLE)
        print(
            f"baseline {backend:8} naive ORM, row by row, {BASELINE_SAMPLE} customers: "
            f"{rate:,.0f} customers/s"
        )
    formats = ("parquet", "csv", "jsonl") if backend == "sqlite" else ("parquet",)
    for fmt in formats:
        with scratch(backend, workdir) as store:
            # CSV, JSON Lines: customers (nested, the costly kind); Parquet: customers and what refers to them
            kinds = (RecordKind.CUSTOMERS, RecordKind.ACCOUNTS, RecordKind.TRANSACTIONS)
            for kind in kinds if fmt == "parquet" else kinds[:1]:
                path = exports[f"{kind}.{fmt}"]
                result, secs = timed(partial(import_file, store, path))
                print(
                    f"import {backend:10} {kind}.{fmt}: {result.imported} rows in {secs:.1f} s: "
                    f"{result.imported / secs:,.0f} rows/s",
                    flush=True,
                )
    return exports


def _read_rows(pq: Any, path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


def pyarrow_baseline(exports: dict[str, Path]) -> None:
    import pyarrow.parquet as pq

    for kind in (RecordKind.CUSTOMERS, RecordKind.TRANSACTIONS):
        path = exports[f"{kind}.parquet"]
        rows, secs = timed(partial(_read_rows, pq, path))
        print(f"baseline pyarrow read alone (to Python rows), {kind}.parquet: {len(rows) / secs:,.0f} rows/s")


def main() -> None:
    n = int(os.environ.get("VASPGUARD_BENCH_CUSTOMERS", "100000"))
    n_pg = int(os.environ.get("VASPGUARD_BENCH_PG_CUSTOMERS", str(n)))
    backends = os.environ.get("VASPGUARD_BENCH_BACKENDS", "sqlite,postgresql").split(",")
    with tempfile.TemporaryDirectory(prefix="vg_bench_") as tmp:
        exports: dict[str, Path] | None = None
        scale = 0
        for backend in backends:
            count = n if backend == "sqlite" else n_pg
            workdir = Path(tmp) / backend
            workdir.mkdir()
            exports = bench_backend(backend, count, workdir, exports if count == scale else None)
            if count != scale:
                pyarrow_baseline(exports)
            scale = count


if __name__ == "__main__":
    main()
