"""Screening computed elsewhere (a batch engine: in-process or on Spark), then stored with today's semantics.

``found_for`` is what ``screen_customers`` does for one customer, as plain rows a batch job can write to
Parquet: the customer's names (all scripts) against the name index, and the customer's deposit and
withdrawal addresses against the address book, with both fingerprints and the entity's snapshot.

``import_alerts`` stores such rows as one run, with the rules of ``_alerts`` (each has a test in
tests/batch): one alert per (customer, entity, snapshot, kind); a false positive or a true match stays quiet
while both fingerprints are unchanged; an open alert is not duplicated. Rows whose snapshot is not one of
the store's active snapshots are refused as a whole (the lists changed after the job ran): nothing is
written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update

from vaspguard._json import to_jsonable
from vaspguard.errors import Refused
from vaspguard.registry import Customer, PersonType
from vaspguard.screening._address import AddressBook
from vaspguard.screening._alerts import (
    RunReport,
    _insert_alerts,
    _sha,
    _Sieve,
    customer_fingerprint,
    entity_fingerprint,
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


def _row(
    screener: Screener,
    cid: str,
    key: str,
    kind: str,
    score: float,
    values: tuple[str, str],
    fp: str,
    why: Any,
) -> dict[str, Any] | None:
    entity = screener.entity(key)
    if entity is None:
        return None
    return {
        "customer_id": cid,
        "kind": kind,
        "entity_key": key,
        "snapshot_id": screener.snapshot_of(key),
        "score": score,
        "screened_value": values[0],
        "matched_value": values[1],
        "customer_fingerprint": fp,
        "entity_fingerprint": entity_fingerprint(entity),
        "breakdown": json.dumps(why, sort_keys=True, ensure_ascii=False),
    }


def found_for(
    customer: Customer,
    addresses: Iterable[tuple[str, str | None]],
    screener: Screener,
    book: AddressBook | None,
) -> list[dict[str, Any]]:
    """Every match of one customer at or above the threshold: the best name per entity, then every listing
    of each (address, chain) the customer moved funds to or from. ``screener`` also resolves address hits
    to their entity and snapshot."""
    out: list[dict[str, Any]] = []
    if len(screener):
        fp = customer_fingerprint(customer)
        kind = "person" if customer.type is PersonType.NATURAL else "organisation"
        best: dict[str, tuple[float, str, str, Any]] = {}
        for n in customer.names:
            for m in screener.screen_name(
                n.name,
                dob=customer.birth_date,
                nationalities=customer.nationalities,
                gender=customer.gender,
                kind=kind,
                top=5,
                min_score=ALERT_THRESHOLD,
            ):
                prev = best.get(m.entity_key)
                if prev is None or m.score > prev[0]:
                    best[m.entity_key] = (m.score, n.name, m.matched_name, m.breakdown)
        for key, (score, screened, matched, why) in best.items():
            row = _row(screener, customer.id, key, "name", score, (screened, matched), fp, to_jsonable(why))
            if row is not None:
                out.append(row)
    if book is None or not len(book):
        return out
    for address, chain in sorted(set(addresses), key=lambda p: (p[0], p[1] or "")):
        for hit in book.lookup(address, chain, strict=False):
            why = {"currency": hit.currency, "chain": hit.chain, "normalised": hit.normalised}
            afp = _sha({"customer": customer.id, "address": hit.normalised})
            row = _row(
                screener, customer.id, hit.entity_key, "address", 1.0, (address, hit.address), afp, why
            )
            if row is not None:
                out.append(row)
    return out


def _check_snapshots(found: list[dict[str, Any]], active: dict[str, int]) -> None:
    live = set(active.values())
    for f in found:
        if int(f["snapshot_id"]) not in live:
            raise Refused(
                f"alert row for customer {f['customer_id']} and {f['entity_key']} is from list snapshot "
                f"{f['snapshot_id']}, which is no longer active (active: {sorted(live)}): run the job again"
            )


def import_alerts(
    store: Store,
    found: Iterable[dict[str, Any]],
    *,
    active: dict[str, int],
    customers_screened: int,
    entities_screened: int,
    started_at: datetime | None = None,
) -> RunReport:
    """Store found rows (``FOUND_FIELDS``) as one full run against the ``active`` snapshots
    ({source: snapshot id}); new alerts only, as ``screen_customers`` would have stored them."""
    rows_in = sorted(found, key=lambda f: (f["customer_id"], f["kind"], f["entity_key"]))
    _check_snapshots(rows_in, active)
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
        sieve = _Sieve(conn)
    new = [
        {
            **f,
            "snapshot_id": int(f["snapshot_id"]),
            "status": "open",
            "run_id": run_id,
            "created_at": utcnow(),
        }
        for f in rows_in
        if sieve.admit(
            f["customer_id"],
            f["entity_key"],
            f["kind"],
            int(f["snapshot_id"]),
            f["customer_fingerprint"],
            f["entity_fingerprint"],
        )
    ]
    with store.connect() as conn:
        for start in range(0, len(new), 500):
            _insert_alerts(conn, new[start : start + 500])
        conn.execute(
            update(ScreeningRunRow)
            .where(ScreeningRunRow.id == run_id)
            .values(finished_at=utcnow(), customers_screened=customers_screened, alerts_created=len(new))
        )
    return RunReport(
        run_id, "full", customers_screened, entities_screened, len(new), sieve.suppressed, sieve.already
    )
