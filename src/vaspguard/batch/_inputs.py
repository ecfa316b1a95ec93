"""Where a batch job's registry comes from: the Parquet export (``registry export --format parquet``, one file
or a ``--partition-by`` directory) of customers and of transactions, side by side in one directory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from vaspguard.batch._jdbc import Table
from vaspguard.batch._score import CUSTOMER_COLUMNS, input_schema
from vaspguard.errors import InvalidFile
from vaspguard.registry import EXPORTED_AT


def find_input(directory: Path, kind: str) -> Path:
    """``kind`` (customers, accounts, transactions, prices) under ``directory``: a ``KIND.parquet`` file or a
    ``KIND`` directory (a ``--partition-by`` dataset)."""
    for candidate in (directory / kind, directory / f"{kind}.parquet"):
        if candidate.exists():
            return candidate
    raise InvalidFile(
        directory,
        f"no {kind} here: export them first "
        f"(vaspguard registry export --kind {kind} -o {directory / kind}.parquet)",
    )


# Where a job reads one kind of the registry: an exported file or dataset, or a table over JDBC (Spark).
Source = Path | Table


@dataclass(frozen=True, slots=True)
class Inputs:
    customers: Path
    transactions: Path

    @classmethod
    def at(cls, directory: Path) -> Inputs:
        """``customers`` and ``transactions`` under ``directory``: each a ``.parquet`` file or a directory."""
        return cls(find_input(directory, "customers"), find_input(directory, "transactions"))


def exported_at(*paths: Path) -> datetime | None:
    """When the registry export behind ``paths`` started (the earliest, from each file's
    ``vaspguard.exported_at`` metadata), or None if one of them does not say (written by another tool)."""
    times = []
    for path in paths:
        metadata = open_dataset(path).schema.metadata or {}
        value = metadata.get(EXPORTED_AT.encode())
        if value is None:
            return None
        times.append(datetime.fromisoformat(value.decode()))
    return min(times) if times else None


def open_dataset(path: Path) -> Any:
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

    dataset = open_dataset(path)
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
    schema = input_schema()
    return batches_with(
        path, CUSTOMER_COLUMNS, "addresses", addresses, schema.field("addresses").type,
        batch_size=batch_size, schema=schema,
    )  # fmt: skip


def batches_with(
    path: Path,
    columns: tuple[str, ...],
    name: str,
    values: dict[str, Any] | None,
    kind: Any,
    *,
    batch_size: int,
    schema: Any = None,
) -> Iterator[Any]:
    """The customers' ``columns`` (the first is the id) in batches, with one more column ``name`` of type
    ``kind``: each customer's entry in ``values`` (None: all empty). ``schema``: cast to it."""
    import pyarrow as pa

    dataset = open_dataset(path)
    _columns(path, dataset, columns)
    for batch in dataset.to_batches(columns=list(columns), batch_size=batch_size):
        if not batch.num_rows:
            continue
        ids = batch.column(0).to_pylist()
        arrays = list(batch.columns)
        if schema is not None:
            arrays = [a.cast(schema.field(i).type) for i, a in enumerate(arrays)]
        extra = [None] * len(ids) if values is None else [values.get(cid) for cid in ids]
        yield pa.RecordBatch.from_arrays([*arrays, pa.array(extra, type=kind)], names=[*columns, name])


def count_rows(path: Path) -> int:
    return int(open_dataset(path).count_rows())


def balances_by_customer(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every customer's balances (asset, amount), from all of the customer's accounts."""
    dataset = open_dataset(path)
    _columns(path, dataset, ("customer_id", "balances"))
    out: dict[str, list[dict[str, Any]]] = {}
    for batch in dataset.to_batches(columns=["customer_id", "balances"]):
        for cid, balances in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
            if balances:
                out.setdefault(cid, []).extend(balances)
    return out


def balances_type() -> Any:
    import pyarrow as pa

    return pa.list_(pa.struct([("asset", pa.string()), ("amount", pa.decimal128(38, 18))]))


def prices_on(path: Source, day: date) -> dict[str, Decimal]:
    """Each asset's latest EUR price on or before ``day`` (``Registry.prices_on`` for the store)."""
    import pyarrow.dataset as ds

    if isinstance(path, Table):
        return path.snapshot.prices_on(day)

    dataset = open_dataset(path)
    _columns(path, dataset, ("asset", "day", "eur"))
    latest: dict[str, tuple[date, Decimal]] = {}
    for batch in dataset.to_batches(columns=["asset", "day", "eur"], filter=ds.field("day") <= day):
        for asset, when, eur in zip(*(batch.column(i).to_pylist() for i in range(3)), strict=True):
            if asset not in latest or when > latest[asset][0]:
                latest[asset] = (when, eur)
    return {asset: eur for asset, (_, eur) in latest.items()}
