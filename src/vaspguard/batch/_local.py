"""The local engine: this process, or ``workers`` forked processes, over the same Arrow batches Spark would
see. What the step needs (the screening index, the policy) is built once and inherited by the forked workers
(copy on write), never pickled."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vaspguard.batch._inputs import Addresses, Inputs, customer_batches
from vaspguard.batch._parts import FOUND_ORDER, STATES_ORDER
from vaspguard.batch._score import Index, found_schema, score_batch

BATCH_SIZE = 1000

Step = Callable[[Any, Any], Any]  # (what the step needs, an Arrow batch) -> an Arrow batch

_forked: tuple[Step, Any] | None = None  # the step and what it needs, in a forked worker


def _in_worker(batch: Any) -> Any:
    assert _forked is not None
    step, needs = _forked
    return step(needs, batch)


def mapped(step: Step, needs: Any, batches: Iterator[Any], workers: int) -> Iterator[Any]:
    """``step(needs, batch)`` for every batch, in order: here, or in ``workers`` forked processes."""
    global _forked
    if workers <= 1:
        for batch in batches:
            yield step(needs, batch)
        return
    _forked = (step, needs)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_in_worker, batches, chunksize=1)
    finally:
        _forked = None


def counted(batches: Iterator[Any], count: list[int]) -> Iterator[Any]:
    """The batches, adding their rows to ``count[0]`` as they pass."""
    for batch in batches:
        count[0] += batch.num_rows
        yield batch


def write_sorted(table: Any, output: Path, keys: tuple[str, ...]) -> None:
    import pyarrow.parquet as pq

    output.mkdir(parents=True)
    pq.write_table(table.sort_by([(k, "ascending") for k in keys]), output / "part-00000.parquet")


def run_local(index: Index, inputs: Inputs, output: Path, *, workers: int, stages: dict[str, float]) -> int:
    """Screen every customer of ``inputs``; write the matches to ``output`` (one Parquet file, sorted).
    Returns the number of customers screened."""
    import time

    import pyarrow as pa

    t = time.perf_counter()
    addresses = Addresses(inputs.transactions)
    stages["addresses_s"] = time.perf_counter() - t
    t = time.perf_counter()
    customers = [0]
    batches = counted(customer_batches(inputs.customers, addresses, batch_size=BATCH_SIZE), customers)
    found = pa.Table.from_batches(list(mapped(score_batch, index, batches, workers)), schema=found_schema())
    stages["score_s"] = time.perf_counter() - t
    t = time.perf_counter()
    write_sorted(found, output, FOUND_ORDER)
    stages["write_s"] = time.perf_counter() - t
    return customers[0]


def _no_balances(ids: list[str]) -> Any:
    import pyarrow as pa

    from vaspguard.batch._inputs import balances_type

    return pa.nulls(len(ids), balances_type())


def run_local_states(
    policy: Any,
    customers: Path,
    accounts: Path | None,
    output: Path,
    *,
    workers: int,
    stages: dict[str, float],
) -> int:
    """Every customer's state (``policy``: a ``Policy``), written to ``output`` (one Parquet file, in
    customer order); ``accounts`` None: holdings are not needed on the date. Returns the customers."""
    import time

    import pyarrow as pa

    from vaspguard.batch._inputs import Balances, batches_with
    from vaspguard.batch._states import EVALUATE_COLUMNS, evaluate_batch, states_schema

    t = time.perf_counter()
    balances = None if accounts is None else Balances(accounts)
    stages["balances_s"] = time.perf_counter() - t
    t = time.perf_counter()
    count = [0]
    batches = counted(
        batches_with(
            customers,
            EVALUATE_COLUMNS,
            "balances",
            _no_balances if balances is None else balances,
            batch_size=BATCH_SIZE,
        ),
        count,
    )
    states = pa.Table.from_batches(
        list(mapped(evaluate_batch, policy, batches, workers)), schema=states_schema()
    )
    stages["evaluate_s"] = time.perf_counter() - t
    t = time.perf_counter()
    write_sorted(states, output, STATES_ORDER)
    stages["write_s"] = time.perf_counter() - t
    return count[0]


def local_diff(previous: Path, current: Path, output: Path) -> None:
    """The customers whose state or rule differs between two ``states/`` (a customer in only one of them
    has no state on the other side), written to ``output`` in customer order."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    def side(path: Path, prefix: str) -> Any:
        table = ds.dataset(path, format="parquet").to_table(columns=["customer_id", "state", "rule_id"])
        return table.rename_columns(["customer_id", f"{prefix}_state", f"{prefix}_rule_id"])

    joined = side(previous, "old").join(side(current, "new"), keys="customer_id", join_type="full outer")
    differs = pc.or_(
        pc.invert(pc.fill_null(pc.equal(joined["old_state"], joined["new_state"]), False)),
        pc.invert(pc.equal(pc.fill_null(joined["old_rule_id"], ""), pc.fill_null(joined["new_rule_id"], ""))),
    )
    diff = joined.filter(differs).select(DIFF_COLUMNS)
    write_sorted(diff, output, STATES_ORDER)


DIFF_COLUMNS = ["customer_id", "old_state", "new_state", "old_rule_id", "new_rule_id"]
