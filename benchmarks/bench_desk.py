"""Desk: time to serve each page of the desk on the demo exchange, signed in, in-process (TestClient).

Each page is requested ``VASPGUARD_BENCH_REPEAT`` times (default 20) after one warm-up request; the median
and the worst are printed in milliseconds, beside the baseline of ``GET /healthz`` (the framework's floor in
the same process). The target (issue 13): every page under 300 ms on the 2,000-customer demo and under 1 s
on 1M customers.

Scale: ``VASPGUARD_BENCH_CUSTOMERS`` (default 2000) customers seeded by ``vaspguard demo seed`` into a
scratch SQLite file (the demo screens them, so the alert queue is real), then evaluated once, so the
Restrictions page has states to show.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

REPEAT = int(os.environ.get("VASPGUARD_BENCH_REPEAT", "20"))


def _seed(root: Path, customers: int) -> str:
    from vaspguard.cli import run

    url = f"sqlite:///{root / 'bench.db'}"
    code = run(["--db", url, "demo", "seed", "--customers", str(customers), "--seed", "1", "--no-token"])
    if code != 0:
        raise SystemExit(f"demo seed failed ({code})")
    return url


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


def main() -> None:
    from vaspguard import policy, screening
    from vaspguard.api import create_app
    from vaspguard.desk import invite
    from vaspguard.desk._sessions import create
    from vaspguard.store import open_store, utcnow

    customers = int(os.environ.get("VASPGUARD_BENCH_CUSTOMERS", "2000"))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["VASPGUARD_DATA_DIR"] = str(root / "var")
        started = time.perf_counter()
        store = open_store(_seed(root, customers))
        service = policy.PolicyService(store, log_decisions=False)
        policy.evaluate(store, service.engine, utcnow().date())
        print(f"seeded and evaluated {customers} customers in {time.perf_counter() - started:.1f} s")
        user, _ = invite(store, name="bench", roles=["admin", "analyst"], region="EU")
        value, _ = create(store, user.id)
        alert = screening.alert_page(store, screening.AlertFilter(kind="name"), limit=1)[0]
        pages = [
            "/healthz",
            "/",
            "/alerts",
            "/alerts?status=&band=high&kind=name",
            f"/alerts/{alert.id}",
            f"/customers/{alert.customer_id}",
            "/restrictions",
            "/lists",
            "/audit",
            "/audit/entries/1",
            "/search?q=Volkovskiy",
            "/users",
        ]
        pages += ["/legal/notices", "/legal/authorities", "/legal/operators", "/legal/policy"]
        with TestClient(create_app(store), base_url="http://localhost:8000") as client:
            client.cookies.set("vg_desk", value)
            print(f"{'page':45} {'median ms':>10} {'worst ms':>10}")
            for path in pages:
                median, worst = _time(client, path)
                label = f"{path} (baseline)" if path == "/healthz" else path
                print(f"{label:45} {median:10.1f} {worst:10.1f}")
        store.dispose()


if __name__ == "__main__":
    main()
