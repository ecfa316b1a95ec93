"""Desk: time to serve each page of the desk, signed in, in-process (TestClient), at one or more sizes.

Each page is requested ``VASPGUARD_BENCH_REPEAT`` times (default 20) after one warm-up request; the median
and the worst are printed in milliseconds, beside the baseline of ``GET /healthz`` (the framework's floor in
the same process), with the target (issue 13): every page under 300 ms on the 2,000-customer demo and under
1 s on 1M customers.

Scale: ``VASPGUARD_BENCH_CUSTOMERS`` (default ``2000``; a comma-separated list runs each, e.g.
``2000,1000000``). Each size is seeded once by ``vaspguard demo seed --customers N --seed 1`` (the demo
screens every customer, so the alert queue is real) into a cached SQLite file,
``$VASPGUARD_BENCH_CACHE/N/bench.db`` (default ``/tmp/vaspguard-bench-desk``), then migrated to the current
schema and evaluated once (so Restrictions has states and notices); later runs reuse it (seeding 1M takes
about half an hour on this machine). The desk's search index is built before the timings, and that first
build is timed and printed on its own (a deployment builds it once, in the background, at the first search).
The runs write desk users, sessions and audit entries into the cached file; delete the folder to start over.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

REPEAT = int(os.environ.get("VASPGUARD_BENCH_REPEAT", "20"))
CACHE = Path(os.environ.get("VASPGUARD_BENCH_CACHE", "/tmp/vaspguard-bench-desk"))


def _seeded(customers: int) -> tuple[str, Path]:
    """The cached database for ``customers`` (seeded and evaluated once) and its data directory."""
    from vaspguard import policy
    from vaspguard.cli import run
    from vaspguard.store import migrate, open_store, utcnow

    root = CACHE / str(customers)
    root.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{root / 'bench.db'}"
    os.environ["VASPGUARD_DATA_DIR"] = str(root / "var")
    if not (root / "seeded").exists():
        started = time.perf_counter()
        (root / "bench.db").unlink(missing_ok=True)
        code = run(["--db", url, "demo", "seed", "--customers", str(customers), "--seed", "1", "--no-token"])
        if code != 0:
            raise SystemExit(f"demo seed failed ({code})")
        (root / "seeded").write_text(f"{time.perf_counter() - started:.0f} s\n")
        print(f"seeded {customers} customers in {time.perf_counter() - started:.1f} s", flush=True)
    store = open_store(url)
    migrate(store)
    if not (root / "evaluated").exists():
        started = time.perf_counter()
        service = policy.PolicyService(store, log_decisions=False)
        service.register_version()
        policy.evaluate(store, service.engine, utcnow().date())
        (root / "evaluated").write_text(f"{time.perf_counter() - started:.0f} s\n")
        print(f"evaluated {customers} customers in {time.perf_counter() - started:.1f} s", flush=True)
    store.dispose()
    return url, root / "var"


def _time(client: TestClient, path: str) -> tuple[float, float]:
    client.get(path)
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
    return statistics.median(samples), max(samples)


def _deep_queue_page(client: TestClient, pages: int = 5) -> str:
    """The queue ``pages`` pages deep (any status), by following its own "Next page" links."""
    import html
    import re

    path = "/alerts?status="
    for _ in range(pages):
        found = re.search(r'class="next" href="([^"]+)"', client.get(path).text)
        if found is None:
            break
        path = html.unescape(found.group(1))
    return path


def _pages(store: Any) -> list[str]:
    from vaspguard import screening
    from vaspguard.registry import lookup

    alert = screening.alert_page(store, screening.AlertFilter(kind="name"), limit=1)[0]
    wallet = screening.alert_page(store, screening.AlertFilter(kind="address"), limit=1)
    with store.connect() as conn:
        names = lookup.names_of(conn, [alert.customer_id])[alert.customer_id]
    latin = next((n for n in names if n.isascii()), names[0]).split()[-1]
    other = next((n for n in names if not n.isascii()), latin).split()[-1]
    pages = [
        "/healthz",
        "/",
        "/alerts",
        "/alerts?status=&band=high&kind=name",
        "DEEP",
        f"/alerts/{alert.id}",
        f"/customers/{alert.customer_id}",
        "/restrictions",
        "/restrictions?state=withdraw-only",
        "/lists",
        "/audit",
        "/audit/entries/1",
        f"/search?q={latin}",
        f"/search?q={other}",
        f"/search?q={alert.customer_id[:-2]}",
        "/users",
        "/account",
    ]
    if wallet:
        pages.insert(-4, f"/search?q={wallet[0].screened_value}")
    pages += ["/requests", "/legal/notices", "/legal/authorities", "/legal/operators", "/legal/policy"]
    return [*pages, "/transparency"]


def bench(customers: int) -> None:
    from vaspguard.api import create_app
    from vaspguard.desk import _search, invite
    from vaspguard.desk._sessions import create
    from vaspguard.store import open_store

    url, _ = _seeded(customers)
    store = open_store(url)
    started = time.perf_counter()
    _search.refresh(store, sync_limit=10**9)  # the first build (or the catch-up), at once, for the figure
    print(f"search index caught up in {time.perf_counter() - started:.1f} s", flush=True)
    time.sleep(_search.OVERLAP.total_seconds())  # past the catch-up overlap: searches find nothing new
    _search.refresh(store, sync_limit=10**9)
    user, _ = invite(store, name=f"bench-{time.time_ns()}", roles=["admin", "analyst"], region="EU")
    value, _ = create(store, user.id)
    pages = _pages(store)
    target = 300.0 if customers <= 2000 else 1000.0
    load = os.getloadavg()[0]
    with TestClient(create_app(store), base_url="http://localhost:8000") as client:
        client.cookies.set("vg_desk", value)
        pages = [_deep_queue_page(client) if p == "DEEP" else p for p in pages]
        print(f"\n{customers:,} customers; target {target:.0f} ms; load average {load:.1f}")
        print(f"{'page':60} {'median ms':>10} {'worst ms':>10}  within")
        for path in pages:
            median, worst = _time(client, path)
            label = f"{path} (baseline)" if path == "/healthz" else path
            ok = "yes" if worst < target else ("median" if median < target else "NO")
            print(f"{label[:60]:60} {median:10.1f} {worst:10.1f}  {ok}", flush=True)
    store.dispose()


def main() -> None:
    for size in os.environ.get("VASPGUARD_BENCH_CUSTOMERS", "2000").split(","):
        bench(int(size))


if __name__ == "__main__":
    main()
