"""The ingestion API on PostgreSQL: transactions per second in batches, with address screening on, and the
latency of one customer upsert (name screening and restriction re-evaluation included), each beside a
baseline in the same process.

- Transactions: ``POST /v1/transactions`` in batches of ``VASPGUARD_BENCH_INGEST_BATCH`` (5,000) through the
  whole app in process (token check, body limits, parsing as exact decimals, the importer's checks, COPY,
  address screening against the active OFAC SDN list, one alert and its event for every 200th transfer, the
  audit entry). Baseline: ``registry import`` of the same number of rows from a JSON Lines file (the same
  parsers and importer; no screening, no events, no audit).
- Customer upsert: ``PUT /v1/customers/{id}`` of new customers, one at a time, p50 and p99. Baseline: the
  same customers inserted one at a time with ``Registry.add_customers`` (a raw insert of the rows).

``VASPGUARD_BENCH_INGEST`` sets the number of transactions (default 50,000) and ``VASPGUARD_TEST_PG`` the
server; the list is the full OFAC SDN file of 2024-05-03 in ../shared/data (295 wallet addresses).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from vaspguard.registry import Customer, Name, PersonType, Registry, import_file
from vaspguard.store import Store, migrate, open_store

N = int(os.environ.get("VASPGUARD_BENCH_INGEST", "50000"))
BATCH = int(os.environ.get("VASPGUARD_BENCH_INGEST_BATCH", "5000"))
UPSERTS = 300
CUSTOMERS = 2000
PG_URL = os.environ.get("VASPGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
SHARED = Path(os.environ.get("VASPGUARD_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SDN = SHARED / "data/lists/ofac_sdn_csv/jackdwyer_gitscrape_2024-05-03/sdn.csv"
CLEAN = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


@contextmanager
def _database() -> Iterator[Store]:
    admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    name = f"vg_bench_ingest_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_URL.rpartition("/")
    store = open_store(f"{base}/{name}")
    try:
        migrate(store)
        yield store
    finally:
        store.dispose()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _transactions(prefix: str, listed: list[str]) -> list[dict[str, Any]]:
    """``N`` deposits and withdrawals of ``CUSTOMERS`` customers; every 200th to a listed wallet."""
    return [
        {
            "id": f"{prefix}{i}",
            "customer_id": f"C{i % CUSTOMERS}",
            "kind": "deposit" if i % 2 else "withdrawal",
            "occurred_at": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
            "asset": "BTC",
            "amount": f"0.{1 + i % 9999:04d}",
            "chain": "bitcoin",
            "address": listed[i % len(listed)] if i % 200 == 0 else CLEAN,
        }
        for i in range(N)
    ]


def _ingest_rate(client: Any, records: list[dict[str, Any]]) -> tuple[float, int]:
    # the bodies are encoded first, as the baseline's file is written first: the client's work is not timed
    bodies = [json.dumps({"items": records[i : i + BATCH]}).encode() for i in range(0, len(records), BATCH)]
    alerts = 0
    start = time.perf_counter()
    for body in bodies:
        answer = client.post("/v1/transactions", content=body, headers={"Content-Type": "application/json"})
        if answer.status_code != 200:
            raise SystemExit(f"ingest failed: {answer.status_code} {answer.text[:300]}")
        alerts += len(answer.json()["alerts"])
    return len(records) / (time.perf_counter() - start), alerts


def _import_rate(store: Store, records: list[dict[str, Any]], folder: Path) -> float:
    path = folder / "transactions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    start = time.perf_counter()
    report = import_file(store, path)
    assert report.imported == len(records)
    return len(records) / (time.perf_counter() - start)


def _upserts(client: Any) -> list[float]:
    times = []
    for i in range(UPSERTS):
        record = {
            "id": f"U{i}",
            "type": "natural",
            "names": f"Karin Lindqvist {i}",
            "nationalities": ["RU"] if i % 3 == 0 else ["SE"],
            "residence": "RU" if i % 3 == 0 else "SE",
            "kyc_status": "verified",
        }
        start = time.perf_counter()
        answer = client.put(f"/v1/customers/U{i}", json=record)
        times.append(time.perf_counter() - start)
        if answer.status_code != 200:
            raise SystemExit(f"upsert failed: {answer.status_code} {answer.text[:300]}")
    return times


def _raw_inserts(store: Store) -> list[float]:
    reg = Registry(store)
    times = []
    for i in range(UPSERTS):
        customer = Customer(f"R{i}", PersonType.NATURAL, (Name(f"Karin Lindqvist {i}"),), ("SE",), "SE")
        start = time.perf_counter()
        reg.add_customers([customer])
        times.append(time.perf_counter() - start)
    return times


def _p(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100)[q - 1] * 1000


def main() -> None:
    from fastapi.testclient import TestClient

    from vaspguard.api import Role, create_app, create_token
    from vaspguard.lists import import_paths
    from vaspguard.screening import Screener

    try:
        psycopg.connect(PG_URL, connect_timeout=3).close()
    except psycopg.OperationalError:
        print("PostgreSQL: skipped (no server answers)")
        return
    with tempfile.TemporaryDirectory() as tmp, _database() as store:
        os.environ.setdefault("VASPGUARD_DATA_DIR", str(Path(tmp) / "data"))
        import_paths(store, [SDN])
        listed = sorted({a.address for e in Screener.from_store(store).entities for a in e.crypto_addresses})
        listed = [a for a in listed if a.startswith(("bc1", "1", "3"))] or listed
        Registry(store).add_customers(
            [
                Customer(f"C{i}", PersonType.NATURAL, (Name(f"Customer {i}"),), ("SE",))
                for i in range(CUSTOMERS)
            ]
        )
        client = TestClient(create_app(store))
        client.headers["Authorization"] = f"Bearer {create_token(store, name='bench', role=Role.SERVICE)}"
        client.put(
            "/v1/customers/W0",
            json={"id": "W0", "type": "natural", "names": "Warm Up", "kyc_status": "verified"},
        )
        print(
            f"PostgreSQL, {N:,} transactions of {CUSTOMERS:,} customers in batches of {BATCH:,}; "
            f"{len(listed)} listed wallets, every 200th transfer to one"
        )
        rate, alerts = _ingest_rate(client, _transactions("T", listed))
        baseline = _import_rate(store, _transactions("F", listed), Path(tmp))
        print(
            f"ingest: {rate:,.0f} transactions/s ({alerts} alerts); "
            f"baseline registry import {baseline:,.0f}/s"
        )
        cpu = time.process_time()
        upsert = _upserts(client)
        cpu = (time.process_time() - cpu) / UPSERTS * 1000
        raw = _raw_inserts(store)
        print(
            f"customer upsert: p50 {_p(upsert, 50):.1f} ms, p99 {_p(upsert, 99):.1f} ms ({UPSERTS} PUTs; "
            f"{cpu:.1f} ms of this process's CPU each); "
            f"baseline raw insert p50 {_p(raw, 50):.1f} ms, p99 {_p(raw, 99):.1f} ms"
        )


if __name__ == "__main__":
    main()
