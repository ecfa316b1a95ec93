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

``BENCH_DB_URL=URL[,URL]`` instead runs against already seeded registries (``vaspguard demo seed``): it writes
a dragnet address (one withdrawal each from ``BENCH_HOT_SENDERS`` random accounts, default 2,000; or use
``BENCH_HOT_ADDRESS``), operators, an agency, requests and audit entries into them, deletes nothing, times
``BENCH_REQUESTS`` assessments (default 50), three dragnet reaches (an address over open-ended dates, a
counterparty name, many addresses), prints the query plans of the reach and disclosure queries, and assembles
two approved disclosures (one account's six months; all senders to the address over the whole span), each
beside its baseline. ``BENCH_SKIP_SCAN=1`` skips the full-scan baseline.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Select, distinct, func, insert, select

from vaspguard.audit import AuditLog
from vaspguard.registry._tables import AccountRow, CustomerNameRow, CustomerRow, TransactionRow
from vaspguard.requests import LawfulRequests, Operator, OperatorRole, parse_agency, parse_request, public_hex
from vaspguard.requests._assess import AssessmentContext, assess
from vaspguard.requests._model import DateRange, RequestState, Scope, Tier
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
        with store.engine.connect() as admin:
            admin.exec_driver_sql("ANALYZE")
            admin.commit()


def _service(
    store: Store, suffix: str
) -> tuple[LawfulRequests, dict[str, Ed25519PrivateKey], dict[str, str], str]:
    """The service with five operators and a verified domestic court; names carry ``suffix`` so that runs
    against an existing database do not collide with what is already registered there."""
    svc = LawfulRequests(store, audit=AuditLog(store, signer=Ed25519PrivateKey.generate()))
    keys = {n: Ed25519PrivateKey.generate() for n in ("intake", "legal1", "legal2", "privacy1", "sec-us")}
    roles = {
        "intake": "intake",
        "legal1": "legal",
        "legal2": "legal",
        "privacy1": "privacy",
        "sec-us": "security",
    }
    names = {n: n + suffix for n in keys}
    for n, k in keys.items():
        svc.add_operator(
            Operator(names[n], OperatorRole(roles[n]), "AMERICAS" if n == "sec-us" else "EU", public_hex(k)),
            actor="bench",
        )
    agency = "DE-COURT" + suffix.upper()
    svc.add_agency(
        parse_agency(
            {
                "id": agency,
                "name": "Amtsgericht",
                "country": "DE",
                "class": "court",
                "verification_status": "verified",
                "verified_on": "2026-05-01",
            }
        ),
        actor="bench",
    )
    return svc, keys, names, agency


def _court_order(target: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
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
    # Each order is its own document: the same document from the same court is refused as a re-filing.
    what = json.dumps([doc["targets"], doc["data_categories"], doc.get("date_range")], sort_keys=True)
    doc["instrument"] = {**doc["instrument"], "document_sha256": hashlib.sha256(what.encode()).hexdigest()}
    return doc


def _senders_by_full_scan(store: Store, address: str) -> set[str]:
    """The baseline for dragnet reach: every transaction streamed and filtered in Python, no index."""
    naive: set[str] = set()
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=100000).execute(
            select(TransactionRow.customer_id, TransactionRow.address)
        )
        for cid, addr in result:
            if addr == address:
                naive.add(cid)
    return naive


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
        svc, keys, names, agency = _service(store, "")

        _assessment(backend, store, svc, keys, names, agency)
        target, reach = _dragnet_reach(backend, store)
        _disclosure(backend, store, svc, keys, names, target, reach, Path(tmp))


def _assessment(
    backend: str,
    store: Store,
    svc: LawfulRequests,
    keys: dict[str, Ed25519PrivateKey],
    names: dict[str, str],
    agency: str,
) -> None:
    """1. assessment per request"""
    samples = []
    for i in range(100):
        doc = _court_order({"type": "account_id", "value": f"A{(i * 7919) % CUSTOMERS:07d}"})
        start = time.perf_counter()
        svc.file(parse_request(doc), intake=names["intake"], key=keys["intake"])
        samples.append(time.perf_counter() - start)
    request = parse_request(_court_order({"type": "account_id", "value": "A0000001"}))
    scope = Scope(request.targets, request.data_categories, request.date_range)
    policy = default_policy()
    with store.connect() as conn:
        ctx = AssessmentContext(
            agency=svc.get_agency(agency), reach=compute_reach(conn, scope.targets, scope.date_range)
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


def _dragnet_reach(backend: str, store: Store) -> tuple[dict[str, Any], Any]:
    """2. dragnet reach counting"""
    target = {"type": "counterparty_address", "value": HOT, "chain": "bitcoin"}
    dr = DateRange(None, None)  # open-ended: everyone who ever sent to X
    tgt = parse_request(_court_order(target)).targets
    start = time.perf_counter()
    with store.connect() as conn:
        reach = compute_reach(conn, tgt, dr)
    indexed = time.perf_counter() - start
    start = time.perf_counter()
    naive = _senders_by_full_scan(store, HOT)
    scan = time.perf_counter() - start
    assert len(naive) == len(reach.customers) == DRAGNET_SENDERS
    print(
        f"[{backend}] dragnet reach ('all who sent to X', {len(reach.customers):,} customers, "
        f"{reach.account_count:,} accounts): {_ms(indexed)} | "
        f"baseline full scan of {TX:,} rows: {_ms(scan)}",
        flush=True,
    )

    return target, reach


def _disclosure(
    backend: str,
    store: Store,
    svc: LawfulRequests,
    keys: dict[str, Ed25519PrivateKey],
    names: dict[str, str],
    target: dict[str, Any],
    reach: Any,
    tmp: Path,
) -> None:
    """3. disclosure assembly of the dragnet scope (approved as if lawful, to measure the assembly)"""
    doc = _court_order(
        target,
        date_range={"from": "2025-01-01", "to": "2026-12-31"},
        data_categories=["transaction_history", "subscriber_info"],
    )
    rid = svc.file(parse_request(doc), intake=names["intake"], key=keys["intake"]).request_id
    tier = svc.assessment(rid).tier.value
    for n in ("legal1", "privacy1", "sec-us"):
        svc.approve(rid, operator=names[n], key=keys[n])
    start = time.perf_counter()
    out = svc.disclose(rid, tmp / "pkg", actor="bench")
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


# --- against an existing seeded database (BENCH_DB_URL) ---


def _explain(conn: Connection, stmt: Select[Any]) -> str:
    """The backend's plan for ``stmt`` (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL), one line."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if conn.dialect.name == "sqlite":
        positional = tuple(
            v.isoformat(" ") if isinstance(v, datetime) else v
            for v in (params[k] for k in compiled.positiontup or ())
        )
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), positional).all()
        return "; ".join(str(r[-1]) for r in rows)
    rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), params).all()
    return "; ".join(str(r[0]).strip() for r in rows if "->" in str(r[0]) or r is rows[0])


def _hot_address(conn: Connection, accounts: list[str], suffix: str) -> tuple[str, int, str]:
    """The dragnet's address: env BENCH_HOT_ADDRESS if given, else one written into the scratch database: one
    withdrawal each from BENCH_HOT_SENDERS (default 2,000) random accounts to a fresh bitcoin address (the
    seeded demo has no address shared by two customers)."""
    given = os.environ.get("BENCH_HOT_ADDRESS")
    if given:
        n = conn.execute(
            select(func.count(distinct(TransactionRow.customer_id))).where(TransactionRow.address == given)
        ).scalar_one()
        return given, int(n), "given"
    k = int(os.environ.get("BENCH_HOT_SENDERS", "2000"))
    hot = "bc1qreq2" + uuid.uuid4().hex[:30]
    rng = random.Random(11)
    senders = rng.sample(accounts, k)
    conn.execute(
        insert(TransactionRow),
        [
            {
                "id": f"T{suffix}-{i}",
                "customer_id": acc.split("-")[0],
                "account_id": acc,
                "kind": "withdrawal",
                "occurred_at": datetime(2026, 2, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(200000)),
                "asset": "BTC",
                "amount": Decimal("0.001"),
                "chain": "bitcoin",
                "address": hot,
                "tx_hash": uuid.uuid4().hex * 2,
                "counter_asset": None,
                "counter_amount": None,
                "counterparty_customer_id": None,
            }
            for i, acc in enumerate(senders)
        ],
    )
    customers = len({acc.split("-")[0] for acc in senders})
    return hot, customers, f"written: {k:,} withdrawals from random accounts"


@dataclass(frozen=True)
class _Seeded:
    """What the parts of ``run_existing`` share: the seeded store, the service with its operators and court,
    the sampled accounts and the dragnet's hot address."""

    backend: str
    store: Store
    svc: LawfulRequests
    keys: dict[str, Ed25519PrivateKey]
    names: dict[str, str]
    agency: str
    sample: list[str]
    hot: str
    hot_senders: int
    tx_count: int
    first: datetime
    last: datetime
    tmp: Path

    @property
    def court(self) -> dict[str, Any]:
        return {"agency": self.agency, "received_at": "2026-11-20T09:00:00Z"}


COURT_INSTRUMENT = {
    "type": "court_order",
    "reference": "1 Gs 1/26",
    "issued_by": "Amtsgericht",
    "issued_at": "2026-11-18",
    "legal_basis": "StPO",
    "document_sha256": "ab" * 32,
}
SIX_MONTHS = {"from": "2026-01-01", "to": "2026-06-30"}


def run_existing(url: str) -> None:
    """Assessment, dragnet reach and disclosure against an already seeded registry (e.g. ``vaspguard demo seed
    --customers 1000000``). Writes requests, operators, an agency and audit entries into it (names suffixed
    with a fresh id); deletes nothing."""
    store = open_store(url)
    migrate(store)
    backend = store.backend.value
    n_requests = int(os.environ.get("BENCH_REQUESTS", "50"))
    suffix = "-bench-" + uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory(prefix="req2_") as tmp:
        os.environ["VASPGUARD_DATA_DIR"] = tmp
        with store.connect() as conn:
            tx_count = conn.execute(select(func.count()).select_from(TransactionRow)).scalar_one()
            first, last = conn.execute(
                select(func.min(TransactionRow.occurred_at), func.max(TransactionRow.occurred_at))
            ).one()
            account_ids = list(conn.execute(select(AccountRow.id)).scalars())
            hot, hot_senders, how = _hot_address(conn, account_ids, suffix)
        rng = random.Random(7)
        sample = rng.sample(account_ids, n_requests + 1)
        del account_ids
        print(
            f"[{backend} existing] {tx_count:,} transactions {first} .. {last}; hot address {hot} "
            f"({hot_senders:,} distinct customers, {how}); load average "
            f"{os.getloadavg()[0]:.1f}",
            flush=True,
        )
        svc, keys, names, agency = _service(store, suffix)
        x = _Seeded(
            backend,
            store,
            svc,
            keys,
            names,
            agency,
            sample,
            hot,
            hot_senders,
            tx_count,
            first,
            last,
            Path(tmp),
        )
        _existing_assessment(x, n_requests)
        _existing_reach(x)
        _existing_plans_and_scan(x)
        _existing_disclosure(x)
    store.dispose()


def _existing_assessment(x: _Seeded, n_requests: int) -> None:
    """1. assessment per request: one named account each, six months"""
    backend, store, svc, keys, names, agency = x.backend, x.store, x.svc, x.keys, x.names, x.agency
    sample, court, court_instrument, six_months = x.sample, x.court, COURT_INSTRUMENT, SIX_MONTHS
    samples = []
    for acc in sample[:n_requests]:
        doc = _court_order(
            {"type": "account_id", "value": acc},
            instrument=court_instrument,
            date_range=six_months,
            **court,
        )
        start = time.perf_counter()
        svc.file(parse_request(doc), intake=names["intake"], key=keys["intake"])
        samples.append(time.perf_counter() - start)
    samples.sort()
    request = parse_request(
        _court_order({"type": "account_id", "value": sample[0]}, instrument=court_instrument, **court)
    )
    scope = Scope(request.targets, request.data_categories, request.date_range)
    with store.connect() as conn:
        ctx = AssessmentContext(
            agency=svc.get_agency(agency), reach=compute_reach(conn, scope.targets, scope.date_range)
        )
    pure = []
    for _ in range(2000):
        start = time.perf_counter()
        assess(request, scope, "LR-X", default_policy(), ctx)
        pure.append(time.perf_counter() - start)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(
        f"[{backend} existing] assessment per request ({n_requests} court orders for one account's six "
        f"months; file: reach + checks + 2 audit appends + insert): median "
        f"{_ms(statistics.median(samples))}, "
        f"p95 {_ms(p95)} | baseline pure rules assess(): median {statistics.median(pure) * 1e6:.0f} us; "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def _existing_reach(x: _Seeded) -> None:
    """2. dragnet reach: an address over an open-ended range, a counterparty name, many identifiers"""
    backend, store, sample, hot, court = x.backend, x.store, x.sample, x.hot, x.court
    open_ended = DateRange(None, None)
    with store.connect() as conn:
        name = conn.execute(
            select(CustomerNameRow.name).where(CustomerNameRow.customer_id == sample[0].split("-")[0])
        ).scalar()
        addresses = list(
            conn.execute(
                select(TransactionRow.address, TransactionRow.chain)
                .where(TransactionRow.customer_id == sample[1].split("-")[0])
                .where(TransactionRow.address.is_not(None))
                .distinct()
                .limit(50)
            ).all()
        )
    dragnets: list[tuple[str, list[dict[str, Any]]]] = [
        (
            "all who ever sent to the hot address",
            [{"type": "counterparty_address", "value": hot, "chain": "bitcoin"}],
        ),
        (f"counterparty name {name!r}", [{"type": "name", "value": name or "x"}]),
        (
            f"{len(addresses)} wallet addresses, open-ended",
            [{"type": "wallet_address", "value": a, "chain": c} for a, c in addresses],
        ),
    ]
    for label, targets in dragnets:
        tgt = parse_request(_court_order(targets[0], targets=targets, **court)).targets
        start = time.perf_counter()
        with store.connect() as conn:
            reach = compute_reach(conn, tgt, open_ended)
        print(
            f"[{backend} existing] dragnet reach, {label}: {len(reach.customers):,} customers, "
            f"{reach.account_count:,} accounts in {_ms(time.perf_counter() - start)}",
            flush=True,
        )


def _existing_plans_and_scan(x: _Seeded) -> None:
    """The backend's plan for each reach query, and the baseline: a full scan filtered in Python"""
    backend, store, hot, tx_count, hot_senders = x.backend, x.store, x.hot, x.tx_count, x.hot_senders
    with store.connect() as conn:
        plans = {
            "address": select(TransactionRow.customer_id).where(TransactionRow.address.in_([hot])).distinct(),
            "accounts of customers": select(AccountRow.id).where(AccountRow.customer_id.in_(["C0000001"])),
            "customer's transactions in range": select(TransactionRow).where(
                TransactionRow.customer_id.in_(["C0000001"]),
                TransactionRow.occurred_at >= datetime(2026, 1, 1, tzinfo=UTC),
                TransactionRow.occurred_at < datetime(2026, 7, 1, tzinfo=UTC),
            ),
            "name": select(CustomerNameRow.customer_id).where(
                func.lower(CustomerNameRow.name).contains("tekhnoprom", autoescape=True)
            ),
        }
        for what, stmt in plans.items():
            print(f"[{backend} existing] plan, {what}: {_explain(conn, stmt)}", flush=True)
    if os.environ.get("BENCH_SKIP_SCAN") != "1":
        start = time.perf_counter()
        naive = _senders_by_full_scan(store, hot)
        scan = time.perf_counter() - start
        assert len(naive) == hot_senders, (len(naive), hot_senders)
        print(
            f"[{backend} existing] baseline: full scan of {tx_count:,} rows filtered in Python for the "
            f"hot address: {scan:.1f} s ({len(naive):,} customers)",
            flush=True,
        )


def _existing_disclosure(x: _Seeded) -> None:
    """3. disclosure assembly of an approved scope: one account's six months (the busiest of the sampled
    accounts in that range, counted through the index), then the hot-address scope"""
    backend, store, svc, keys, names = x.backend, x.store, x.svc, x.keys, x.names
    sample, hot, court, court_instrument, six_months = x.sample, x.hot, x.court, COURT_INSTRUMENT, SIX_MONTHS
    whole_span = {"from": x.first.date().isoformat(), "to": x.last.date().isoformat()}
    tmp = x.tmp
    # accounts in that range, counted through the index), then the hot-address scope
    with store.connect() as conn:
        busiest = max(
            sample,
            key=lambda acc: conn.execute(
                select(func.count()).where(
                    TransactionRow.customer_id == acc.split("-")[0],
                    TransactionRow.account_id == acc,
                    TransactionRow.occurred_at >= datetime(2026, 1, 1, tzinfo=UTC),
                    TransactionRow.occurred_at < datetime(2026, 7, 1, tzinfo=UTC),
                )
            ).scalar_one(),
        )
    cases = [
        (
            f"one account ({busiest}), six months",
            _court_order(
                {"type": "account_id", "value": busiest},
                instrument=court_instrument,
                date_range=six_months,
                data_categories=["transaction_history", "subscriber_info"],
                **court,
            ),
        ),
        (
            "all senders to the hot address, whole span",
            _court_order(
                {"type": "counterparty_address", "value": hot, "chain": "bitcoin"},
                instrument=court_instrument,
                date_range=whole_span,
                data_categories=["transaction_history", "subscriber_info"],
                **court,
            ),
        ),
    ]
    for i, (label, doc) in enumerate(cases):
        filed = svc.file(parse_request(doc), intake=names["intake"], key=keys["intake"])
        rid = filed.request_id
        if filed.tier is Tier.BLOCKED:  # e.g. the scope reaches a protected party of this database
            codes = ", ".join(sorted(filed.codes()))
            print(f"[{backend} existing] disclosure, {label}: not measured, the request is blocked ({codes})")
            continue
        for n in ("legal1", "privacy1", "sec-us"):
            if svc.approve(rid, operator=names[n], key=keys[n]).state is RequestState.APPROVED:
                break
        start = time.perf_counter()
        out = svc.disclose(rid, tmp / f"pkg{i}", actor="bench")
        assembly = time.perf_counter() - start
        parsed = parse_request(doc)
        with store.connect() as conn:
            reach = compute_reach(conn, parsed.targets, parsed.date_range)
            lo, hi = _bounds(parsed.date_range)
            start = time.perf_counter()
            ids = sorted(reach.customers)
            rows = 0
            for j in range(0, len(ids), 900):
                q = select(TransactionRow).where(
                    TransactionRow.customer_id.in_(ids[j : j + 900]),
                    TransactionRow.occurred_at >= lo,
                    TransactionRow.occurred_at < hi,
                )
                if reach.accounts:
                    q = q.where(TransactionRow.account_id.in_(sorted(reach.accounts)))
                rows += len(conn.execute(q).all())
            plain = time.perf_counter() - start
        records = sum(out["record_counts"].values())
        print(
            f"[{backend} existing] disclosure, {label} ({filed.tier.value} tier, {out['customers']:,} "
            f"customers, {records:,} records {out['record_counts']}): {assembly:.2f} s = "
            f"{records / assembly:,.0f} records/s | baseline plain SELECT of {rows:,} transaction rows: "
            f"{plain:.3f} s; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )


def _bounds(dr: DateRange) -> tuple[datetime, datetime]:
    lo = datetime.combine(dr.start or date(1970, 1, 1), datetime.min.time(), UTC)
    hi = datetime.combine((dr.end or date(2100, 1, 1)) + timedelta(days=1), datetime.min.time(), UTC)
    return lo, hi


def main() -> None:
    if os.environ.get("BENCH_DB_URL"):
        print(f"lawful requests benchmark against existing databases, started {date.today().isoformat()}")
        for url in os.environ["BENCH_DB_URL"].split(","):
            run_existing(url.strip())
        return
    print(
        f"lawful requests benchmark: {TX:,} transactions, {CUSTOMERS:,} customers, started "
        f"{date.today().isoformat()}",
        flush=True,
    )
    for backend in os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(","):
        run(backend.strip())


if __name__ == "__main__":
    main()
