"""Lawful requests: assessment per request, dragnet reach counting and disclosure assembly on a big registry.

Each figure is printed beside a baseline run in the same process:

- assessment: ``LawfulRequests.file`` (validation, registry reach queries, protected-party and sanctions
  checks, two audit appends with fsync, the inserts) beside the pure rule evaluation ``assess()`` alone;
- dragnet reach: ``compute_reach`` for "every customer who sent to address X" (indexed) beside a full scan
  of the transactions table filtered in Python (what a system without the index would do);
- disclosure: ``disclose`` of that dragnet scope (records, pseudonyms, leaf hashes, Merkle root, signature,
  JSON + CSV files, audit append) beside a plain SELECT of the same transactions.

Scale: ``BENCH_TX`` transactions (default 1,000,000) over ``BENCH_TX // 20`` customers; ``BENCH_BACKENDS``
(default ``sqlite,postgresql``). PostgreSQL uses ``VASPGUARD_TEST_PG`` (a scratch database is created and
dropped).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select

from vaspguard.audit import AuditLog
from vaspguard.registry._tables import AccountRow, CustomerNameRow, CustomerRow, TransactionRow
from vaspguard.requests import LawfulRequests, Operator, OperatorRole, parse_agency, parse_request, public_hex
from vaspguard.requests._assess import AssessmentContext, assess
from vaspguard.requests._model import DateRange, Scope
from vaspguard.requests._policy import default_policy
from vaspguard.requests._reach import compute_reach
from vaspguard.store import Store, migrate, open_store

TX = int(os.environ.get("BENCH_TX", "1000000"))
CUSTOMERS = max(TX // 20, 100)
DRAGNET_SENDERS = min(2000, CUSTOMERS // 2)
HOT = "bc1qhotaddress0000000000000000000000000000"
START = datetime(2025, 1, 1, tzinfo=UTC)


@contextmanager
def _database(backend: str) -> Iterator[Store]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as d:
            store = open_store(f"sqlite:///{d}/bench.db")
            migrate(store)
            yield store
            store.dispose()
        return
    import psycopg

    base = os.environ.get("VASPGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"vg_bench_requests_{uuid.uuid4().hex[:8]}"
    root, _, _ = base.rpartition("/")
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    store = open_store(f"{root}/{name}")
    try:
        migrate(store)
        yield store
    finally:
        store.dispose()
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _populate(store: Store) -> None:
    """CUSTOMERS customers with one account each and TX transactions; DRAGNET_SENDERS of them sent to HOT."""
    now = datetime.now(UTC)
    with store.connect() as conn:
        for lo in range(0, CUSTOMERS, 20000):
            ids = range(lo, min(lo + 20000, CUSTOMERS))
            conn.execute(
                insert(CustomerRow),
                [
                    {
                        "id": f"C{i:07d}",
                        "type": "natural",
                        "kyc_status": "verified",
                        "residence": "DE",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(CustomerNameRow),
                [
                    {"customer_id": f"C{i:07d}", "name": f"Customer {i}", "script": "Latn", "kind": "primary"}
                    for i in ids
                ],
            )
            conn.execute(
                insert(AccountRow),
                [
                    {
                        "id": f"A{i:07d}",
                        "customer_id": f"C{i:07d}",
                        "product": "spot",
                        "opened_at": START,
                        "status": "open",
                    }
                    for i in ids
                ],
            )
    batch: list[dict[str, Any]] = []
    done = 0
    with store.connect() as conn:
        for n in range(TX):
            c = n % CUSTOMERS
            hot = n < DRAGNET_SENDERS
            batch.append(
                {
                    "id": f"T{n:09d}",
                    "customer_id": f"C{c:07d}",
                    "account_id": f"A{c:07d}",
                    "kind": "withdrawal",
                    "occurred_at": START + timedelta(minutes=n % 500000),
                    "asset": "BTC",
                    "amount": Decimal("0.001"),
                    "chain": "bitcoin",
                    "address": HOT if hot else f"bc1qx{n % 300000:035d}",
                    "tx_hash": f"{n:064x}",
                    "counter_asset": None,
                    "counter_amount": None,
                    "counterparty_customer_id": None,
                }
            )
            if len(batch) == 50000:
                conn.execute(insert(TransactionRow), batch)
                done += len(batch)
                batch = []
        if batch:
            conn.execute(insert(TransactionRow), batch)
    if store.backend.value == "postgresql":
        with store.engine.connect() as c:
            c.exec_driver_sql("ANALYZE")
            c.commit()


def _court_order(target: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc = {
        "received_at": "2026-06-01T09:00:00Z",
        "channel": "portal",
        "agency": "DE-COURT",
        "officer": "judge",
        "instrument": {
            "type": "court_order",
            "reference": "1 Gs 1/26",
            "issued_by": "Amtsgericht",
            "issued_at": "2026-05-30",
            "legal_basis": "StPO",
            "document_sha256": "ab" * 32,
        },
        "targets": [target],
        "data_categories": ["transaction_history"],
        "date_range": {"from": "2025-01-01", "to": "2025-12-31"},
    }
    doc.update(extra)
    return doc


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run(backend: str) -> None:
    with _database(backend) as store, tempfile.TemporaryDirectory() as tmp:
        os.environ["VASPGUARD_DATA_DIR"] = tmp
        t0 = time.perf_counter()
        _populate(store)
        print(
            f"[{backend}] registry: {CUSTOMERS:,} customers, {TX:,} transactions loaded in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        svc = LawfulRequests(store, audit=AuditLog(store, signer=Ed25519PrivateKey.generate()))
        keys = {n: Ed25519PrivateKey.generate() for n in ("intake", "legal1", "legal2", "privacy1", "sec-us")}
        roles = {
            "intake": "intake",
            "legal1": "legal",
            "legal2": "legal",
            "privacy1": "privacy",
            "sec-us": "security",
        }
        for n, k in keys.items():
            svc.add_operator(
                Operator(n, OperatorRole(roles[n]), "AMERICAS" if n == "sec-us" else "EU", public_hex(k)),
                actor="bench",
            )
        svc.add_agency(
            parse_agency(
                {
                    "id": "DE-COURT",
                    "name": "Amtsgericht",
                    "country": "DE",
                    "class": "court",
                    "verification_status": "verified",
                    "verified_on": "2026-05-01",
                }
            ),
            actor="bench",
        )

        # 1. assessment per request
        samples = []
        for i in range(100):
            doc = _court_order({"type": "account_id", "value": f"A{(i * 7919) % CUSTOMERS:07d}"})
            start = time.perf_counter()
            svc.file(parse_request(doc), intake="intake", key=keys["intake"])
            samples.append(time.perf_counter() - start)
        request = parse_request(_court_order({"type": "account_id", "value": "A0000001"}))
        scope = Scope(request.targets, request.data_categories, request.date_range)
        policy = default_policy()
        with store.connect() as conn:
            ctx = AssessmentContext(
                agency=svc.get_agency("DE-COURT"), reach=compute_reach(conn, scope.targets, scope.date_range)
            )
        pure = []
        for _ in range(2000):
            start = time.perf_counter()
            assess(request, scope, "LR-X", policy, ctx)
            pure.append(time.perf_counter() - start)
        print(
            f"[{backend}] assessment per request (file: reach + checks + 2 audit appends + insert): median "
            f"{_ms(statistics.median(samples))}, p95 {_ms(sorted(samples)[94])} | baseline pure rules "
            f"assess(): median {statistics.median(pure) * 1e6:.0f} us",
            flush=True,
        )

        # 2. dragnet reach counting
        target = {"type": "counterparty_address", "value": HOT, "chain": "bitcoin"}
        dr = DateRange(None, None)  # open-ended: everyone who ever sent to X
        tgt = parse_request(_court_order(target)).targets
        start = time.perf_counter()
        with store.connect() as conn:
            reach = compute_reach(conn, tgt, dr)
        indexed = time.perf_counter() - start
        start = time.perf_counter()
        naive: set[str] = set()
        with store.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=100000).execute(
                select(TransactionRow.customer_id, TransactionRow.address)
            )
            for cid, addr in result:
                if addr == HOT:
                    naive.add(cid)
        scan = time.perf_counter() - start
        assert len(naive) == len(reach.customers) == DRAGNET_SENDERS
        print(
            f"[{backend}] dragnet reach ('all who sent to X', {len(reach.customers):,} customers, "
            f"{reach.account_count:,} accounts): {_ms(indexed)} | "
            f"baseline full scan of {TX:,} rows: {_ms(scan)}",
            flush=True,
        )

        # 3. disclosure assembly of the dragnet scope (approved as if lawful, to measure the assembly)
        doc = _court_order(
            target,
            date_range={"from": "2025-01-01", "to": "2026-12-31"},
            data_categories=["transaction_history", "subscriber_info"],
        )
        rid = svc.file(parse_request(doc), intake="intake", key=keys["intake"]).request_id
        tier = svc.assessment(rid).tier.value
        for n in ("legal1", "privacy1", "sec-us"):
            svc.approve(rid, operator=n, key=keys[n])
        start = time.perf_counter()
        out = svc.disclose(rid, Path(tmp) / "pkg", actor="bench")
        assembly = time.perf_counter() - start
        start = time.perf_counter()
        ids = sorted(reach.customers)
        rows = 0
        with store.connect() as conn:
            for i in range(0, len(ids), 900):
                rows += len(
                    conn.execute(
                        select(TransactionRow).where(TransactionRow.customer_id.in_(ids[i : i + 900]))
                    ).all()
                )
        plain = time.perf_counter() - start
        records = sum(out["record_counts"].values())
        print(
            f"[{backend}] disclosure ({tier} tier, {out['customers']:,} customers, {records:,} records, "
            f"JSON+CSV, signed manifest): {assembly:.2f} s = {records / assembly:,.0f} records/s | "
            "baseline plain SELECT of "
            f"{rows:,} rows: {plain:.2f} s",
            flush=True,
        )


def main() -> None:
    print(
        f"lawful requests benchmark: {TX:,} transactions, {CUSTOMERS:,} customers, started "
        f"{date.today().isoformat()}",
        flush=True,
    )
    for backend in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(","):
        run(backend.strip())


if __name__ == "__main__":
    main()
