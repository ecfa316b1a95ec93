"""Screening computed elsewhere (a batch engine: in-process or on Spark), then stored with today's semantics.

``found_for`` is what ``screen_customers`` does for one customer, as plain rows a batch job can write to
Parquet: the customer's names (all scripts) against the name index, and the customer's deposit and
withdrawal addresses against the address book, with both fingerprints and the entity's snapshot.

``import_alerts`` stores such rows as one run, with the rules of ``_alerts`` (each has a test in
tests/batch): one alert per (customer, entity, snapshot, kind); a false positive or a true match stays quiet
while both fingerprints are unchanged; an open alert is not duplicated. Rows whose snapshot is not one of
the store's active snapshots are refused as a whole (the lists changed after the job ran): nothing is
written. The rows are stored in one transaction, a step at a time, so a job of any size imports in bounded
memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update

from vaspguard._iter import batched
from vaspguard.errors import Refused
from vaspguard.registry import Customer
from vaspguard.screening._address import AddressBook
from vaspguard.screening._alerts import (
    RunReport,
    _alert_fields,
    _insert_alerts,
    _screen_addresses,
    _screen_names,
    _Sieve,
)
from vaspguard.screening._index import ALERT_THRESHOLD, Screener
from vaspguard.screening._tables import ScreeningRunRow
from vaspguard.store import Store, utcnow

__all__ = ["FOUND_FIELDS", "found_for", "import_alerts"]

# The columns of a found row, in the order batch jobs write them.
FOUND_FIELDS = (
    "customer_id",
    "kind",
    "entity_key",
    "snapshot_id",
    "score",
    "screened_value",
    "matched_value",
    "customer_fingerprint",
    "entity_fingerprint",
    "breakdown",
)


def found_for(
    customer: Customer,
    addresses: Iterable[tuple[str, str | None]],
    screener: Screener,
    book: AddressBook | None,
) -> list[dict[str, Any]]:
    """Every match of one customer at or above the threshold, as ``screen_customers`` finds them: the best
    name per entity, then every listing of each (address, chain) the customer moved funds to or from.
    ``screener`` also resolves address hits to their entity and snapshot."""
    found = list(_screen_names(customer, screener, ALERT_THRESHOLD)) if len(screener) else []
    if book is not None and len(book):
        found += _screen_addresses(customer.id, set(addresses), book)
    return [row for row in (_alert_fields(screener, f) for f in found) if row is not None]


def _check_snapshots(found: list[dict[str, Any]], live: set[int]) -> None:
    for f in found:
        if int(f["snapshot_id"]) not in live:
            raise Refused(
                f"alert row for customer {f['customer_id']} and {f['entity_key']} is from list snapshot "
                f"{f['snapshot_id']}, which is no longer active (active: {sorted(live)}): run the job again"
            )


_STEP = 5000  # found rows per step: what one step holds in memory, and the size of its ``IN`` lists


def import_alerts(
    store: Store,
    found: Iterable[dict[str, Any]],
    *,
    active: dict[str, int],
    customers_screened: int,
    entities_screened: int,
    started_at: datetime | None = None,
) -> RunReport:
    """Store found rows (``FOUND_FIELDS``; a batch job gives them in customer order) as one full run against
    the ``active`` snapshots ({source: snapshot id}); new alerts only, as ``screen_customers`` would have
    stored them. One transaction, streamed ``_STEP`` rows at a time: each step sieves its rows against what is
    stored of its own customers (earlier steps' alerts included), so memory does not grow with the job. A row
    from a snapshot no longer active refuses the whole import: nothing is stored."""
    live = set(active.values())
    created = suppressed = already = 0
    with store.connect() as conn:
        run_id = int(
            conn.execute(
                insert(ScreeningRunRow)
                .values(
                    kind="full",
                    started_at=started_at or utcnow(),
                    snapshots=json.dumps(active, sort_keys=True),
                    threshold=ALERT_THRESHOLD,
                    customers_screened=0,
                    alerts_created=0,
                )
                .returning(ScreeningRunRow.id)
            ).scalar_one()
        )
        for step in batched(found, _STEP):
            _check_snapshots(step, live)
            sieve = _Sieve(conn, {f["customer_id"] for f in step})
            new = [
                {
                    **f,
                    "snapshot_id": int(f["snapshot_id"]),
                    "status": "open",
                    "run_id": run_id,
                    "created_at": utcnow(),
                }
                for f in step
                if sieve.admit(
                    f["customer_id"],
                    f["entity_key"],
                    f["kind"],
                    int(f["snapshot_id"]),
                    f["customer_fingerprint"],
                    f["entity_fingerprint"],
                )
            ]
            for start in range(0, len(new), 500):
                _insert_alerts(conn, new[start : start + 500])
            created, suppressed, already = (
                created + len(new),
                suppressed + sieve.suppressed,
                already + sieve.already,
            )
        conn.execute(
            update(ScreeningRunRow)
            .where(ScreeningRunRow.id == run_id)
            .values(finished_at=utcnow(), customers_screened=customers_screened, alerts_created=created)
        )
    return RunReport(run_id, "full", customers_screened, entities_screened, created, suppressed, already)
