"""Where a batch job's registry comes from: the Parquet export (``registry export --format parquet``, one file
or a ``--partition-by`` directory) of customers and of transactions, side by side in one directory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaspguard.batch._score import CUSTOMER_COLUMNS, input_schema
from vaspguard.errors import InvalidFile


@dataclass(frozen=True, slots=True)
class Inputs:
    customers: Path
    transactions: Path

    @classmethod
    def at(cls, directory: Path) -> Inputs:
        """``customers`` and ``transactions`` under ``directory``: each a ``.parquet`` file or a directory."""
        found = []
        for kind in ("customers", "transactions"):
            for candidate in (directory / kind, directory / f"{kind}.parquet"):
                if candidate.exists():
                    found.append(candidate)
                    break
            else:
                raise InvalidFile(
                    directory,
                    f"no {kind} here: export them first "
                    f"(vaspguard registry export --kind {kind} -o {directory / kind}.parquet)",
                )
        return cls(found[0], found[1])


def _dataset(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        return ds.dataset(path, format="parquet", partitioning="hive")
    except (pa.ArrowException, OSError) as exc:
        raise InvalidFile(path, f"not a readable Parquet dataset: {exc}") from None


def _columns(path: Path, dataset: Any, wanted: tuple[str, ...]) -> None:
    missing = [c for c in wanted if c not in dataset.schema.names]
    if missing:
        raise InvalidFile(path, f"column {missing[0]!r} missing (is this a registry export?)")


def addresses_by_customer(path: Path) -> dict[str, list[dict[str, str | None]]]:
    """Every distinct (address, chain) each customer moved funds to or from, as the scorer reads them."""
    import pyarrow.dataset as ds

    dataset = _dataset(path)
    _columns(path, dataset, ("customer_id", "address", "chain"))
    seen: dict[str, set[tuple[str, str | None]]] = {}
    for batch in dataset.to_batches(
        columns=["customer_id", "address", "chain"], filter=ds.field("address").is_valid()
    ):
        for cid, address, chain in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
            if address:
                seen.setdefault(cid, set()).add((address, chain))
    return {
        cid: [{"address": a, "chain": c} for a, c in sorted(pairs, key=lambda p: (p[0], p[1] or ""))]
        for cid, pairs in seen.items()
    }


def customer_batches(
    path: Path, addresses: dict[str, list[dict[str, str | None]]], *, batch_size: int
) -> Iterator[Any]:
    """The customers in batches of ``input_schema``, each with its addresses."""
    import pyarrow as pa

    dataset = _dataset(path)
    _columns(path, dataset, CUSTOMER_COLUMNS)
    schema = input_schema()
    for batch in dataset.to_batches(columns=list(CUSTOMER_COLUMNS), batch_size=batch_size):
        if not batch.num_rows:
            continue
        ids = batch.column(0).to_pylist()
        arrays = [batch.column(i).cast(schema.field(i).type) for i in range(len(CUSTOMER_COLUMNS))]
        arrays.append(pa.array([addresses.get(cid) for cid in ids], type=schema.field("addresses").type))
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def count_rows(path: Path) -> int:
    return int(_dataset(path).count_rows())
