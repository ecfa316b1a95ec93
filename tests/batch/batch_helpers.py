"""Building blocks of the batch tests (see conftest.py for which to use)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from vaspguard.demo import (
    DEFAULT_AS_OF,
    FICTIONAL_ADDRESSES,
    FICTIONAL_PERSONS,
    LISTED_PERSONS,
    sample_list_paths,
    seed,
)
from vaspguard.lists import import_paths
from vaspguard.registry import FIAT, Price, Registry, export_dataset, export_file
from vaspguard.store import Store


def demo_exchange(store: Store, customers: int) -> None:
    import_paths(store, sample_list_paths())
    listed = [a.address for a in FICTIONAL_ADDRESSES]
    seed(
        store,
        customers=customers,
        seed=1,
        addresses_of_interest=listed,
        listed_persons=LISTED_PERSONS + FICTIONAL_PERSONS,
        deposits_from=listed[::2],
    )


# How a lake would partition each kind of the registry export.
LAKE = {"customers": "bucket", "accounts": "bucket", "transactions": "month", "prices": "month"}


def export_inputs(
    store: Store,
    directory: Path,
    *,
    partitioned: bool = False,
    kinds: tuple[str, ...] = ("customers", "transactions"),
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        if partitioned:
            export_dataset(store, kind, directory / kind, partition_by=[LAKE[kind]])
        else:
            export_file(store, kind, directory / f"{kind}.parquet")
    return directory


THRESHOLD_DAY = date(2022, 5, 1)  # EU Reg 833/2014 Art 5b(2): the EUR 10,000 threshold is in force


def prices_for_the_threshold(store: Store) -> None:
    """EUR prices on ``THRESHOLD_DAY`` for the demo's crypto-assets but one (the demo prices only its own
    year): holdings are valued, some above EUR 10,000, and one asset stays unpriced."""
    registry = Registry(store)
    prices = registry.prices_on(DEFAULT_AS_OF)
    crypto = sorted(a for a in prices if a not in FIAT)
    registry.add_prices([Price(a, THRESHOLD_DAY, prices[a] * Decimal("0.7")) for a in crypto[1:]])
