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


class PerCustomer:
    """A list per customer held in Arrow (at 10M customers, dicts of Python objects ran to tens of GB here),
    built from ``rows`` sorted by ``customer_id``: ``self(ids)`` is the ``column`` lists of ``ids``, in
    their order (None: the customer has none)."""

    def __init__(self, rows: Any, column: str, empty: Any) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        ids = rows["customer_id"].combine_chunks() if rows.num_rows else pa.array([], pa.string())
        n = len(ids)
        starts = [0] if n else []
        if n > 1:
            changed = pc.not_equal(ids.slice(1), ids.slice(0, n - 1))
            starts += [int(i) + 1 for i in pc.indices_nonzero(changed).to_numpy()]
        self._lists = (
            pa.ListArray.from_arrays(pa.array([*starts, n], pa.int32()), rows[column].combine_chunks())
            if n
            else empty
        )
        self._at = {cid: i for i, cid in enumerate(ids.take(pa.array(starts, pa.int64())).to_pylist())}

    def __len__(self) -> int:
        return len(self._at)

    def __call__(self, ids: list[str]) -> Any:
        import pyarrow as pa

        return self._lists.take(pa.array([self._at.get(c) for c in ids], pa.int64()))


class Addresses(PerCustomer):
    """Every distinct (address, chain) each customer moved funds to or from, as the scorer reads them
    (by address, then chain), from the transactions at ``path``."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.dataset as ds

        dataset = open_dataset(path)
        _columns(path, dataset, ("customer_id", "address", "chain"))
        kind = input_schema().field("addresses").type
        parts = []
        for batch in dataset.to_batches(
            columns=["customer_id", "address", "chain"], filter=ds.field("address").is_valid()
        ):
            table = pa.Table.from_batches([batch]).filter(pc.not_equal(batch.column(1), ""))
            parts.append(table.group_by(["customer_id", "address", "chain"], use_threads=False).aggregate([]))
        rows = pa.concat_tables(parts) if parts else pa.table({"customer_id": pa.array([], pa.string())})
        if rows.num_rows:
            rows = rows.group_by(["customer_id", "address", "chain"], use_threads=False).aggregate([])
            rows = rows.append_column("chain_", pc.fill_null(rows["chain"], ""))
            rows = rows.sort_by(
                [("customer_id", "ascending"), ("address", "ascending"), ("chain_", "ascending")]
            )
            pairs = pa.StructArray.from_arrays(
                [rows["address"].combine_chunks(), rows["chain"].combine_chunks()], names=["address", "chain"]
            )
            rows = pa.table({"customer_id": rows["customer_id"], "pairs": pairs})
        super().__init__(rows, "pairs", pa.array([], kind))


def customer_batches(path: Path, addresses: Callable[[list[str]], Any], *, batch_size: int) -> Iterator[Any]:
    """The customers in batches of ``input_schema``, each with its ``addresses`` (an ``Addresses``)."""
    return batches_with(
        path, CUSTOMER_COLUMNS, "addresses", addresses, batch_size=batch_size, schema=input_schema()
    )


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


class Balances(PerCustomer):
    """Every customer's crypto balances (asset, amount) from all of the customer's accounts (18 GB at 10M
    customers as a dict of Python objects, a tenth of it in Arrow). Fiat and zero amounts are left out, as
    ``valued`` and the Spark engine leave them out."""

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
        super().__init__(rows, "b", pa.array([], balances_type()))


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
