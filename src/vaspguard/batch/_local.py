"""The local engine: this process, or ``workers`` forked processes, over the same Arrow batches Spark would
see. The index is built once and inherited by the forked workers (copy on write), never pickled."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vaspguard.batch._inputs import Inputs, addresses_by_customer, customer_batches
from vaspguard.batch._score import Index, found_schema, score_batch

BATCH_SIZE = 1000

_forked: Index | None = None  # the index, in a forked worker


def _score_in_worker(batch: Any) -> Any:
    assert _forked is not None
    return score_batch(_forked, batch)


def _scored(index: Index, batches: Iterator[Any], workers: int) -> Iterator[Any]:
    global _forked
    if workers <= 1:
        for batch in batches:
            yield score_batch(index, batch)
        return
    _forked = index
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_score_in_worker, batches, chunksize=1)
    finally:
        _forked = None


def run_local(index: Index, inputs: Inputs, output: Path, *, workers: int, stages: dict[str, float]) -> int:
    """Screen every customer of ``inputs``; write the matches to ``output`` (one Parquet file, sorted).
    Returns the number of customers screened."""
    import time

    import pyarrow as pa
    import pyarrow.parquet as pq

    t = time.perf_counter()
    addresses = addresses_by_customer(inputs.transactions)
    stages["addresses_s"] = time.perf_counter() - t
    t = time.perf_counter()
    customers = 0

    def counted() -> Iterator[Any]:
        nonlocal customers
        for batch in customer_batches(inputs.customers, addresses, batch_size=BATCH_SIZE):
            customers += batch.num_rows
            yield batch

    found = pa.Table.from_batches(list(_scored(index, counted(), workers)), schema=found_schema())
    stages["score_s"] = time.perf_counter() - t
    t = time.perf_counter()
    output.mkdir(parents=True)
    found = found.sort_by([("customer_id", "ascending"), ("kind", "ascending"), ("entity_key", "ascending")])
    pq.write_table(found, output / "part-00000.parquet")
    stages["write_s"] = time.perf_counter() - t
    return customers
