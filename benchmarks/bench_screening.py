"""Screening speed on all the genuine lists, beside a brute-force baseline run in the same process.

``python -m benchmarks bench_screening``. Prints: index build time; one-query latency p50/p99 (screener
vs rapidfuzz brute-force token-set Jaro-Winkler over every listed name); batch throughput (one process
and two worker processes); wallet screening of 1M addresses (vs a plain lower-cased set lookup).
``BENCH_SCREENING_QUALITY=1`` also runs the quality evaluation (``eval_screening``).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import statistics
import string
import time
from collections.abc import Sequence

from benchmarks.eval_screening import (
    PERTURBATIONS,
    Baseline,
    Case,
    _display,
    load_entities,
    negatives,
    perturb,
)
from vaspguard.lists import EntityKind, ListEntity
from vaspguard.screening import AddressBook, Screener
from vaspguard.screening._address import eip55_checksum

_WORKER: Screener | None = None


def _screen_chunk(names: Sequence[str]) -> int:
    assert _WORKER is not None
    return sum(1 for n in names if any(m.alert for m in _WORKER.screen_name(n, top=3)))


def queries(entities: Sequence[ListEntity], n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    people = [e for e in entities if e.kind in (EntityKind.PERSON, EntityKind.ORGANISATION)]
    out: list[str] = []
    while len(out) < n // 2:
        e = rng.choice(people)
        q = perturb(_display(e), rng.choice(PERTURBATIONS), rng)
        if q:
            out.append(q)
    out += [name for _, name in negatives(rng, per_culture=n)][: n - len(out)]
    rng.shuffle(out)
    return out


def random_addresses(n: int, rng: random.Random) -> list[str]:
    b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    b32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    out = []
    for i in range(n):
        k = i % 4
        if k == 0:
            out.append("0x" + "".join(rng.choices(string.hexdigits[:16], k=40)))
        elif k == 1:
            out.append("bc1q" + "".join(rng.choices(b32, k=38)))
        elif k == 2:
            out.append("1" + "".join(rng.choices(b58, k=33)))
        else:
            out.append("T" + "".join(rng.choices(b58, k=33)))
    return out


def main() -> None:
    t0 = time.perf_counter()
    entities = load_entities()
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    screener = Screener.from_entities(entities)
    t_build = time.perf_counter() - t0
    print(
        f"lists: {len(entities)} entities, {screener.name_count} names; read {t_load:.1f} s; "
        f"index build {t_build:.2f} s (target <= 10 s)"
    )
    qs = queries(entities, 2000)
    lat = _one_query(screener, qs)
    _baseline(entities, qs)
    _batch(screener, queries(entities, 6000, seed=9))
    _wallets(entities)
    if os.environ.get("BENCH_SCREENING_QUALITY") == "1":
        from benchmarks.eval_screening import evaluate

        evaluate()
    print(f"(median of latencies {statistics.median(lat) * 1e3:.2f} ms)")


def _one_query(screener: Screener, qs: list[str]) -> list[float]:
    for q in qs[:50]:  # warm-up: imports, ICU transliterators
        screener.screen_name(q)
    lat = []
    cpu = []
    for q in qs:
        t, c = time.perf_counter(), time.process_time()
        screener.screen_name(q, top=5)
        lat.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    lat.sort()
    p50, p99 = lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3
    cpu.sort()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"one query ({len(qs)} queries): p50 {p50:.2f} ms, p99 {p99:.2f} ms wall clock (targets 1/5 ms); "
        f"CPU time p50 {cpu[len(cpu) // 2] * 1e3:.2f} ms, p99 {cpu[int(len(cpu) * 0.99)] * 1e3:.2f} ms"
    )
    return lat


def _baseline(entities: list[ListEntity], qs: list[str]) -> None:
    base = Baseline(entities)
    sample = [Case("q", q, None, "tune") for q in qs[:200]]
    t = time.perf_counter()
    base.run(sample)
    per = (time.perf_counter() - t) / len(sample) * 1e3
    print(f"baseline brute-force token-set Jaro-Winkler over {len(base.names)} names: {per:.2f} ms per query")


def _batch(screener: Screener, batch: list[str]) -> None:
    t, c = time.perf_counter(), time.process_time()
    for q in batch:
        screener.screen_name(q, top=3)
    one = len(batch) / (time.perf_counter() - t)
    per_core = len(batch) / (time.process_time() - c)  # what one core does when it is not shared
    global _WORKER
    _WORKER = screener  # shared with the workers by fork, as `screen batch --workers N` does
    workers = 2
    chunks = [batch[i : i + 100] for i in range(0, len(batch), 100)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        t = time.perf_counter()
        list(pool.imap(_screen_chunk, chunks))
        two = len(batch) / (time.perf_counter() - t)
    load = os.getloadavg()[0]
    print(
        f"batch ({len(batch)} names): {one:.0f} names/s in one process, "
        f"{two:.0f} names/s in {workers} worker processes sharing one index by fork (target 2,000); "
        f"{per_core:.0f} names/s per core of CPU time; load average {load:.1f} on {os.cpu_count()} cores"
    )


def _wallets(entities: list[ListEntity]) -> None:
    rng = random.Random(3)
    book = AddressBook.from_entities(entities)
    listed = [h.address for hits in book._hits.values() for h in hits]
    addresses = random_addresses(1_000_000 - 3 * len(listed), rng)
    variants = []
    for a in listed:
        if a.startswith("0x"):
            variants += [a, a.lower(), eip55_checksum(a)]
        elif a.lower().startswith("bc1"):
            variants += [a, a.upper(), a]
        else:
            variants += [a, a, a]
    addresses += variants
    rng.shuffle(addresses)
    t = time.perf_counter()
    found = book.screen_many(addresses)
    t_book = time.perf_counter() - t
    naive = {a.lower() for a in listed}
    t = time.perf_counter()
    naive_hits = sum(1 for a in addresses if a.lower() in naive)
    t_naive = time.perf_counter() - t
    print(
        f"wallets: {len(addresses):,} addresses against {len(book)} listed: {t_book:.2f} s, "
        f"{len(found)} hits (expected {len(variants)}); baseline case-insensitive set {t_naive:.2f} s, "
        f"{naive_hits} hits (target <= 5 s)"
    )


if __name__ == "__main__":
    main()
