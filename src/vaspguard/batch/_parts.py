"""A job's Parquet part files read back in one pass, in key order, without holding them in memory.

Both engines write every part sorted by the job's key: the local engine one sorted file, Spark each partition
sorted before it is written (``sortWithinPartitions``: no shuffle). ``merged`` merges the parts (one batch per
part in memory at a time) and checks the order as it goes, so an import can stream a job of any size. A part
out of order, a key twice or another number of rows than the manifest counts ends the read with one line
naming the file; the import that reads it runs in one transaction, so nothing is stored.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vaspguard.errors import InvalidFile

# The order each job's parts are written in, and read back in.
FOUND_ORDER = ("customer_id", "kind", "entity_key")  # screen: alerts
STATES_ORDER = ("customer_id",)  # evaluate: states and diff

BATCH_ROWS = 8192  # rows per Parquet read: one such batch per part file is in memory at a time

UNSORTED = "not sorted by {keys}, or a row is in it twice (written by an older vaspguard?): run the job again"


def part_files(directory: Path, *, empty: bool = False) -> list[Path]:
    """A job's Parquet part files, as a dataset reader sees them (not Spark's ``_SUCCESS`` or ``.crc``);
    none is an error unless ``empty``."""
    parts = sorted(
        p
        for p in directory.rglob("*.parquet")
        if not any(x.startswith(("_", ".")) for x in p.relative_to(directory).parts)
    )
    if not parts and not empty:
        raise InvalidFile(directory, "no Parquet part files: not the output of a finished batch job")
    return parts


def _rows_of(
    part: Path, keys: tuple[str, ...], where: Callable[[Any], Any] | None
) -> Iterator[dict[str, Any]]:
    """A part's rows (those ``where`` keeps, if given), checked to be in ``keys`` order: the first key over
    all rows in Arrow, the whole key over the rows kept."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    unsorted = UNSORTED.format(keys=", ".join(keys))
    first: Any = None
    last: tuple[Any, ...] | None = None
    try:
        for batch in pq.ParquetFile(part).iter_batches(batch_size=BATCH_ROWS):
            column = batch.column(keys[0])
            if not len(column):
                continue
            step = pc.less if len(keys) == 1 else pc.less_equal
            ordered = pc.all(step(column[:-1], column[1:])).as_py() is not False
            if column.null_count or not ordered or (first is not None and not step(first, column[0]).as_py()):
                raise InvalidFile(part, unsorted)
            first = column[-1]
            for r in (batch if where is None else batch.filter(where(batch))).to_pylist():
                key = tuple(r[k] for k in keys)
                if last is not None and key <= last:
                    raise InvalidFile(part, unsorted)
                last = key
                yield r
    except (pa.ArrowException, OSError, KeyError, ValueError) as exc:
        raise InvalidFile(part, f"not a readable part of this job: {exc}") from None


def merged(
    directory: Path,
    keys: tuple[str, ...],
    *,
    rows: int | None = None,
    where: Callable[[Any], Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """The rows of the parts in ``directory`` in ``keys`` order, each key once; ``rows``: how many the parts
    must hold (the manifest's count); ``where(batch)``: an Arrow mask of the rows wanted."""
    import pyarrow.parquet as pq

    parts = part_files(directory, empty=rows == 0)  # a job that found nothing may write no part at all
    if rows is not None:
        found = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
        if found != rows:
            raise InvalidFile(
                directory, f"{found} rows, but the job's manifest counts {rows}: run the job again"
            )
    last: tuple[Any, ...] | None = None
    for r in heapq.merge(*(_rows_of(p, keys, where) for p in parts), key=lambda r: tuple(r[k] for k in keys)):
        key = tuple(r[k] for k in keys)
        if last is not None and key <= last:
            raise InvalidFile(directory, f"{', '.join(map(str, key))} is in two parts: run the job again")
        last = key
        yield r
