"""The transparency report over many requests: ``LawfulRequests.report`` (what ``requests report --json``
gives) and its renderings, beside a baseline run in the same process.

Setup: the offline demo exchange (``BENCH_CUSTOMERS`` customers, default 300) and a year of varied requests
filed and decided through ``LawfulRequests`` (``vaspguard.demo.seed_requests``, ``BENCH_FILED``, default 200:
every outcome, narrowing, emergencies, disclosures with notices). Filing costs about 0.2 s a request (audit
appends with fsync, reach queries, signatures), so to reach ``BENCH_REQUESTS`` (default 10,000 and 100,000)
those filed rows are copied with new ids, spread over the same year, together with their notices: the rows
the report reads are real ones, only repeated.

Figures, for each size:
- report: ``LawfulRequests.report`` over the year (one SELECT of the period's requests, the agency classes and
  the notices; JSON parsing of each assessment and request; the tallies);
- renderings: the desk page's body (tables and SVG charts), the CSV and the JSON of that report;
- baseline: the same period's request rows fetched with a plain SELECT and nothing else (the I/O any report
  has to do).
SQLite only (a file in a temporary directory).
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from vaspguard.demo import seed_demo, seed_requests
from vaspguard.registry import Registry
from vaspguard.requests import LawfulRequests, report_body, report_csv, report_json
from vaspguard.requests._tables import NoticeRow, RequestRow
from vaspguard.store import Store, migrate, open_store

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "300"))
FILED = int(os.environ.get("BENCH_FILED", "200"))
SIZES = [int(n) for n in os.environ.get("BENCH_REQUESTS", "10000,100000").split(",")]
START, END = date(2026, 1, 5), date(2026, 11, 30)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def _replicate(store: Store, total: int) -> None:
    """Copy the filed requests (and their notices) until there are ``total``, received over the same year."""
    with store.connect() as conn:
        have = conn.execute(select(func.count()).select_from(RequestRow)).scalar_one()
        filed = [r._asdict() for r in conn.execute(select(RequestRow).where(~RequestRow.id.like("LR-X%")))]
        notices: dict[str, list[dict[str, Any]]] = {}
        for n in conn.execute(select(NoticeRow)):
            notices.setdefault(n.request_id, []).append(
                {k: v for k, v in n._asdict().items() if k not in ("id", "request_id")}
            )
        span = (END - START).days
        rows, copied = [], []
        for i in range(have, total):
            row = dict(filed[i % len(filed)])
            original = row["id"]
            row["id"] = f"LR-X{i:09d}"
            row["received_at"] = datetime.combine(START, datetime.min.time(), UTC) + timedelta(
                days=span * i // total, minutes=i % 600
            )
            row["follow_up_of"] = None
            rows.append(row)
            copied += [{**n, "request_id": row["id"]} for n in notices.get(original, [])]
        for chunk in range(0, len(rows), 2000):
            conn.execute(insert(RequestRow), rows[chunk : chunk + 2000])
        for chunk in range(0, len(copied), 2000):
            conn.execute(insert(NoticeRow), copied[chunk : chunk + 2000])


def _best(fn: Any, runs: int = 3) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _measure(store: Store, size: int) -> None:
    lawful = LawfulRequests(store)
    lo = datetime.combine(YEAR[0], datetime.min.time(), UTC)
    hi = datetime.combine(YEAR[1] + timedelta(days=1), datetime.min.time(), UTC)

    def baseline() -> int:
        with store.connect() as conn:
            return len(
                conn.execute(
                    select(RequestRow).where(RequestRow.received_at >= lo, RequestRow.received_at < hi)
                ).all()
            )

    base_s, fetched = _best(baseline)
    report_s, report = _best(lambda: lawful.report(*YEAR))
    body_s, _ = _best(lambda: report_body(report))
    csv_s, _ = _best(lambda: report_csv(report))
    json_s, _ = _best(lambda: report_json(report))
    assert report["requests"] == fetched == size, (report["requests"], fetched, size)
    print(
        f"  {size:>7,} requests: report {report_s * 1000:8.1f} ms  (baseline plain SELECT of the rows "
        f"{base_s * 1000:7.1f} ms, x{report_s / base_s:.1f});  page body {body_s * 1000:6.1f} ms, "
        f"CSV {csv_s * 1000:5.1f} ms, JSON {json_s * 1000:5.1f} ms",
        flush=True,
    )


def main() -> None:
    print(
        f"transparency report benchmark (SQLite), started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", flush=True
    )
    with tempfile.TemporaryDirectory() as d:
        os.environ["VASPGUARD_DATA_DIR"] = str(Path(d) / "var")
        store = open_store(f"sqlite:///{d}/bench.db")
        migrate(store)
        seed_demo(store, customers=CUSTOMERS, seed=1, workers=1)
        t = time.perf_counter()
        ids = [c.id for c in Registry(store).iter_customers()]
        seed_requests(
            store, count=FILED, seed=1, start=START, end=END, packages=Path(d) / "pk", customers=ids
        )
        print(
            f"  filed {FILED} requests through LawfulRequests in {time.perf_counter() - t:.1f} s", flush=True
        )
        for size in sorted(SIZES):
            _replicate(store, size)
            _measure(store, size)
        store.dispose()


if __name__ == "__main__":
    main()
