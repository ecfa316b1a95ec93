"""Building blocks of the batch tests (see conftest.py for which to use)."""

from __future__ import annotations

from pathlib import Path

from vaspguard.demo import FICTIONAL_ADDRESSES, FICTIONAL_PERSONS, LISTED_PERSONS, sample_list_paths, seed
from vaspguard.lists import import_paths
from vaspguard.registry import export_dataset, export_file
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


def export_inputs(store: Store, directory: Path, *, partitioned: bool = False) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if partitioned:
        export_dataset(store, "customers", directory / "customers", partition_by=["bucket"])
        export_dataset(store, "transactions", directory / "transactions", partition_by=["month"])
    else:
        export_file(store, "customers", directory / "customers.parquet")
        export_file(store, "transactions", directory / "transactions.parquet")
    return directory
