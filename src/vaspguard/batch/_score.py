"""The one scoring step both engines run: an Arrow batch of customers (with their addresses) in, an Arrow
batch of matches out. Nothing here knows which engine called it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vaspguard.registry import Customer, Name, NameKind, PersonType
from vaspguard.screening import FOUND_FIELDS, AddressBook, Screener, found_for

# The customer columns a screening job reads (the rest of the registry export is not needed).
CUSTOMER_COLUMNS = ("id", "type", "names", "nationalities", "birth_date", "gender")


def found_schema() -> Any:
    """The Arrow schema of the alerts a screening job writes (``FOUND_FIELDS``)."""
    import pyarrow as pa

    types = {"snapshot_id": pa.int64(), "score": pa.float64()}
    return pa.schema([(f, types.get(f, pa.string())) for f in FOUND_FIELDS])


def input_schema() -> Any:
    """The Arrow schema of what the scorer reads: customers joined with their (address, chain) pairs."""
    import pyarrow as pa

    s = pa.string()
    return pa.schema(
        [
            ("id", s),
            ("type", s),
            ("names", pa.list_(pa.struct([("name", s), ("script", s), ("kind", s)]))),
            ("nationalities", pa.list_(s)),
            ("birth_date", s),
            ("gender", s),
            ("addresses", pa.list_(pa.struct([("address", s), ("chain", s)]))),
        ]
    )


@dataclass(frozen=True, slots=True)
class Index:
    """What is built once on the driver and shipped to every executor: the name index (which also resolves
    entities and snapshots) and the address book."""

    screener: Screener
    book: AddressBook


def customer_of(r: Mapping[str, Any]) -> Customer:
    """The fields of a registry customer record that screening reads, as a ``Customer``."""
    return Customer(
        r["id"],
        PersonType(r["type"]),
        tuple(Name(n["name"], n["script"], NameKind(n["kind"])) for n in r["names"] or ()),
        tuple(r["nationalities"] or ()),
        birth_date=r["birth_date"],
        gender=r["gender"],
    )


def score_batch(index: Index, batch: Any) -> Any:
    """Every match of the customers in ``batch`` (``input_schema``), as a batch of ``found_schema``."""
    import pyarrow as pa

    rows: list[dict[str, Any]] = []
    for r in batch.to_pylist():
        pairs = [(a["address"], a["chain"]) for a in r.get("addresses") or () if a["address"]]
        rows.extend(found_for(customer_of(r), pairs, index.screener, index.book))
    return pa.RecordBatch.from_pylist(rows, schema=found_schema())


def score_batches(index: Index, batches: Iterator[Any]) -> Iterator[Any]:
    for batch in batches:
        yield score_batch(index, batch)
