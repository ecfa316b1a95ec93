"""Audit log benchmark: durable appends (batch 1 and 100, SQLite and PostgreSQL), checkpoint signing, offline
verification of a 1M-entry bundle, and proof sizes at 10^8 entries, each beside a baseline.

Baselines: pymerkle's ``SqliteTree`` for appends (a Merkle log in SQLite without frontier, checkpoints or
payload tables), the bare Ed25519 signature for checkpoint signing, and a naive recompute (leaf hashes and
the recursive MTH, no decoding, no signature checks) for the bundle.

``VASPGUARD_BENCH_AUDIT_ENTRIES`` scales the bundle (default 1,000,000); ``VASPGUARD_TEST_PG`` names the
PostgreSQL server (the PostgreSQL part is skipped, and says so, when none answers).
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pymerkle
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.audit import AuditLog, Checkpoint, Event, SignedCheckpoint, SigningKey, verify_bundle
from vaspguard.audit._bundle import BUNDLE_FORMAT
from vaspguard.audit._event import commitment, encode_entry, new_salt
from vaspguard.audit._merkle import Frontier, consistency_proof, inclusion_path, leaf_hash, mth
from vaspguard.store import migrate, open_store

PG_URL = os.environ.get("VASPGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _event(i: int) -> Event:
    return Event(
        type="requests.approve",
        actor=f"officer-{i % 50}",
        actor_role="legal",
        actor_region="EU",
        subjects=(f"request:R{i}",),
        policy_version="sha256:" + "ab" * 32,
        payload={"note": "lawful basis checked", "seq": i},
    )


def _appends(log: AuditLog, batch: int, total: int) -> tuple[float, float]:
    """Entries per second (wall clock, and per second of this process's CPU), each batch committed durably
    with one checkpoint signed and a receipt with inclusion proof returned for every entry."""
    events = [[_event(b * batch + i) for i in range(batch)] for b in range(total // batch)]
    start, cpu = time.perf_counter(), time.process_time()
    for chunk in events:
        log.append_many(chunk)
    return total / (time.perf_counter() - start), total / (time.process_time() - cpu)


def _raw_sqlite(path: Path, batch: int, total: int) -> float:
    """The disk's bound: bare sqlite3 inserts of 300-byte rows, WAL, synchronous=FULL, a commit per batch."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, entry BLOB)")
    start = time.perf_counter()
    for b in range(total // batch):
        con.execute("BEGIN IMMEDIATE")
        con.executemany("INSERT INTO t VALUES (?, ?)", [(b * batch + i, b"x" * 300) for i in range(batch)])
        con.execute("COMMIT")
    con.close()
    return total / (time.perf_counter() - start)


def _pymerkle_appends(path: Path, batch: int, total: int) -> float:
    entries = [f"entry {i}".encode() * 8 for i in range(total)]
    with pymerkle.SqliteTree(str(path)) as tree:
        start = time.perf_counter()
        for b in range(total // batch):
            chunk = entries[b * batch : (b + 1) * batch]
            if batch == 1:
                tree.append_entry(chunk[0])
            else:
                tree.append_entries(chunk)
        return total / (time.perf_counter() - start)


def bench_sqlite(tmp: Path) -> None:
    for batch, total in ((1, 300), (100, 20_000)):
        store = open_store(f"sqlite:///{tmp / f'b{batch}.db'}")
        migrate(store)
        rate, cpu = _appends(AuditLog(store, signer=Ed25519PrivateKey.generate()), batch, total)
        store.dispose()
        base = _pymerkle_appends(tmp / f"pm{batch}.db", batch, total)
        raw = _raw_sqlite(tmp / f"raw{batch}.db", batch, total)
        print(
            f"sqlite appends, batch {batch:>3}: {rate:>9,.0f} entries/s, {cpu:,.0f}/CPU-s  "
            f"(baselines: pymerkle SqliteTree {base:,.0f}/s; bare sqlite3 inserts, same fsyncs, "
            f"{raw:,.0f}/s; {total:,} entries, synchronous=FULL)"
        )


def bench_postgresql() -> None:
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"postgresql appends: skipped, no server at {PG_URL} ({str(exc).splitlines()[0]})")
        return
    name = f"vg_bench_audit_{os.getpid()}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        store = open_store(PG_URL.rpartition("/")[0] + "/" + name)
        migrate(store)
        log = AuditLog(store, signer=Ed25519PrivateKey.generate())
        for batch, total in ((1, 300), (100, 10_000)):
            rate, cpu = _appends(log, batch, total)
            # Baseline: the same rows as plain INSERTs into an ordinary table, one commit per batch.
            with store.engine.connect() as conn:
                conn.exec_driver_sql(
                    "CREATE TABLE IF NOT EXISTS plain_log (id BIGINT PRIMARY KEY, entry BYTEA)"
                )
                conn.commit()
                start = time.perf_counter()
                for b in range(total // batch):
                    rows = [
                        {"id": 10**9 * batch + b * batch + i, "entry": f"entry {i}".encode() * 30}
                        for i in range(batch)
                    ]
                    conn.exec_driver_sql("INSERT INTO plain_log VALUES (%(id)s, %(entry)s)", rows)
                    conn.commit()
                base = total / (time.perf_counter() - start)
            print(
                f"postgresql appends, batch {batch:>3}: {rate:>9,.0f} entries/s, {cpu:,.0f}/CPU-s  "
                f"(baseline plain INSERT + commit: {base:,.0f}/s; {total:,} entries)"
            )
        store.dispose()
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def bench_signing() -> None:
    key = SigningKey.generate("bench.example/audit")
    n = 5_000
    frontier = Frontier()
    frontier.append(leaf_hash(b"x"))
    start = time.perf_counter()
    notes = [SignedCheckpoint.sign(Checkpoint(key.name, i + 1, frontier.root()), key) for i in range(n)]
    sign_rate = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for note in notes:
        note.verify(key.verifier)
    verify_rate = n / (time.perf_counter() - start)
    start = time.perf_counter()
    for i in range(n):
        key.private.sign(b"%d" % i)
    raw = n / (time.perf_counter() - start)
    print(
        f"checkpoint signing: {sign_rate:,.0f}/s, parse+verify: {verify_rate:,.0f}/s  "
        f"(baseline bare Ed25519 sign: {raw:,.0f}/s)"
    )


def _write_bundle(directory: Path, n: int, key: SigningKey) -> None:
    """A bundle of ``n`` entries as ``audit export`` writes it, with a checkpoint every 10,000 entries."""
    directory.mkdir()
    frontier = Frontier()
    ts = datetime.now(UTC)
    with (
        open(directory / "entries.jsonl", "wb") as entries,
        open(directory / "checkpoints.jsonl", "w") as cps,
    ):
        for i in range(n):
            event = _event(i)
            entry = encode_entry(event, idx=i, ts=ts, commitment_hex=commitment(new_salt(), b"{}"))
            entries.write(entry + b"\n")
            frontier.append(leaf_hash(entry))
            if frontier.size % 10_000 == 0 or frontier.size == n:
                note = SignedCheckpoint.sign(Checkpoint(key.name, frontier.size, frontier.root()), key).note
                cps.write(json.dumps({"size": frontier.size, "note": note}) + "\n")
    (directory / "manifest.json").write_text(json.dumps({"format": BUNDLE_FORMAT}) + "\n")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the verifier's worker processes)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def bench_bundle(tmp: Path) -> None:
    n = int(os.environ.get("VASPGUARD_BENCH_AUDIT_ENTRIES", "1000000"))
    key = SigningKey.generate("bench.example/audit")
    bundle = tmp / "bundle"
    start = time.perf_counter()
    _write_bundle(bundle, n, key)
    written = time.perf_counter() - start
    start, cpu = time.perf_counter(), _cpu()
    report = verify_bundle(bundle, key.verifier)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    assert report.code == 0, report.findings
    start, cpu1 = time.perf_counter(), _cpu()
    single = verify_bundle(bundle, key.verifier, workers=1)
    elapsed1, cpu1 = time.perf_counter() - start, _cpu() - cpu1
    assert single.code == 0 and single.newest_root == report.newest_root
    start = time.perf_counter()
    with open(bundle / "entries.jsonl", "rb") as fh:
        root = mth([leaf_hash(line[:-1]) for line in fh])
    naive = time.perf_counter() - start
    assert root.hex() == report.newest_root
    size_mb = (bundle / "entries.jsonl").stat().st_size / 1e6
    print(
        f"verify bundle of {n:,} entries ({size_mb:,.0f} MB, {report.checkpoints} checkpoints): "
        f"{elapsed:.1f} s, {cpu:.1f} CPU-s in all processes; one process: {elapsed1:.1f} s, {cpu1:.1f} CPU-s "
        f"(baseline naive recompute, hashes only: {naive:.1f} s; bundle written in {written:.0f} s)"
    )


def bench_proof_sizes() -> None:
    n = 10**8

    def fake(start: int, end: int) -> bytes:
        return b"\x00" * 32

    sizes = {len(inclusion_path(m, n, fake)) for m in (0, 1, n // 3, n - 2, n - 1)}
    cons = {len(consistency_proof(m, n, fake)) for m in (1, 12_345_678, n // 2, n - 1)}
    print(
        f"proof sizes at 10^8 entries: inclusion {min(sizes)}..{max(sizes)} hashes "
        f"({32 * max(sizes)} bytes), consistency {min(cons)}..{max(cons)} hashes ({32 * max(cons)} bytes)  "
        f"(baseline: a hash chain needs up to {n - 1:,} hashes)"
    )


def main() -> None:
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2-core VM)")
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        bench_sqlite(tmp)
        bench_postgresql()
        bench_signing()
        bench_proof_sizes()
        bench_bundle(tmp)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
