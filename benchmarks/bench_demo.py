"""The offline demo (``make run``'s ``demo seed --customers 2000 --seed 1``): the whole demo, timed beside
its baseline, the registry seed alone (``--no-lists``), on SQLite in a temporary directory.

The difference is what the offline demo adds: importing the sample lists, registering the protected
foundation, authorities and operators (each step logged to the audit log), and screening every customer.
``BENCH_DEMO_CUSTOMERS`` changes the size (default 2000, what ``make run`` seeds).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.audit import AuditLog
from vaspguard.demo import seed_demo
from vaspguard.store import migrate, open_store


def _run(directory: Path, name: str, customers: int, lists: bool) -> tuple[float, int]:
    store = open_store(f"sqlite:///{directory / name}.db")
    migrate(store)
    audit = AuditLog(store, signer=Ed25519PrivateKey.generate())
    start = time.perf_counter()
    report = seed_demo(store, customers=customers, seed=1, lists=lists, audit=audit)
    elapsed = time.perf_counter() - start
    store.engine.dispose()
    return elapsed, report.alerts


def main() -> None:
    customers = int(os.environ.get("BENCH_DEMO_CUSTOMERS", "2000"))
    with tempfile.TemporaryDirectory(prefix="vaspguard-bench-demo-") as tmp:
        base, _ = _run(Path(tmp), "registry", customers, lists=False)
        full, alerts = _run(Path(tmp), "demo", customers, lists=True)
    print(f"demo seed, {customers} customers, SQLite")
    print(f"  {'baseline: registry only (--no-lists)':<44}{base:7.2f} s {customers / base:8.0f} customers/s")
    print(
        f"  {'offline demo: lists, requests, screening':<44}{full:7.2f} s {customers / full:8.0f} customers/s"
    )
    print(f"  added by the offline demo: {full - base:.2f} s ({alerts} alerts)")


if __name__ == "__main__":
    main()
