"""Where a batch job's registry comes from: the Parquet export (``registry export --format parquet``, one file
or a ``--partition-by`` directory) of customers and of transactions, side by side in one directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    import pyarrow as pa

    schema = input_schema()
    kind = schema.field("addresses").type
    return batches_with(
        path, CUSTOMER_COLUMNS, "addresses", lambda ids: pa.array([addresses.get(c) for c in ids], type=kind),
        batch_size=batch_size, schema=schema,
    )  # fmt: skip


def batches_with(
    path: Path,
    columns: tuple[str, ...],
    name: str,
    values: Callable[[list[str]], Any],
    *,
    batch_size: int,
    schema: Any = None,
) -> Iterator[Any]:
    """The customers' ``columns`` (the first is the id) in batches, with one more column ``name``:
    ``values(ids)``, an Arrow array with each customer's entry. ``schema``: cast to it."""
    import pyarrow as pa

    dataset = open_dataset(path)
    _columns(path, dataset, columns)
    for batch in dataset.to_batches(columns=list(columns), batch_size=batch_size):
        if not batch.num_rows:
            continue
        arrays = list(batch.columns)
        if schema is not None:
            arrays = [a.cast(schema.field(i).type) for i, a in enumerate(arrays)]
        extra = values(batch.column(0).to_pylist())
        yield pa.RecordBatch.from_arrays([*arrays, extra], names=[*columns, name])


def count_rows(path: Path) -> int:
    return int(open_dataset(path).count_rows())


class Balances:
    """Every customer's crypto balances (asset, amount) from all of the customer's accounts, held in Arrow:
    at 10M customers a dict of Python objects took 18 GB here, this takes a tenth of it. Fiat and zero
    amounts are left out, as ``valued`` and the Spark engine leave them out."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        from vaspguard.registry import FIAT

        dataset = open_dataset(path)
        _columns(path, dataset, ("customer_id", "balances"))
        parts = []
        for batch in dataset.to_batches(columns=["customer_id", "balances"]):
            lists = batch.column(1).cast(balances_type())
            flat = pc.list_flatten(lists)
            rows = pa.table({"customer_id": batch.column(0).take(pc.list_parent_indices(lists)), "b": flat})
            asset, amount = pc.struct_field(flat, "asset"), pc.struct_field(flat, "amount")
            keep = pc.and_(pc.invert(pc.is_in(asset, pa.array(sorted(FIAT)))), pc.not_equal(amount, 0))
            parts.append(rows.filter(pc.fill_null(keep, False)))
        rows = pa.concat_tables(parts) if parts else pa.table({"customer_id": pa.array([], pa.string())})
        rows = rows.take(pc.sort_indices(rows["customer_id"])) if rows.num_rows else rows
        ids = rows["customer_id"].combine_chunks()
        n = len(ids)
        starts = [0] if n else []
        if n > 1:
            changed = pc.not_equal(ids.slice(1), ids.slice(0, n - 1))
            starts += [int(i) + 1 for i in pc.indices_nonzero(changed).to_numpy()]
        self._lists = (
            pa.ListArray.from_arrays(pa.array([*starts, n], pa.int32()), rows["b"].combine_chunks())
            if n
            else pa.array([], balances_type())
        )
        self._at = {cid: i for i, cid in enumerate(ids.take(pa.array(starts, pa.int64())).to_pylist())}

    def __len__(self) -> int:
        return len(self._at)

    def __call__(self, ids: list[str]) -> Any:
        """The balances of ``ids``, in their order (None: no crypto held)."""
        import pyarrow as pa

        return self._lists.take(pa.array([self._at.get(c) for c in ids], pa.int64()))


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
