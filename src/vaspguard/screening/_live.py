"""Screening of records as they arrive (the ingestion API), in the caller's transaction.

A new or changed customer is screened by name, a new deposit or withdrawal by its counterparty address,
with the rules of a screening run (``_alerts``): the same findings, the same sieve (a decided match stays
quiet while neither side changed; an open one is not raised twice), the same alert rows and
``alerts.raised`` events. What differs is the scope: only the findings' customers are read from the alert
table, and nothing is recorded as a run, so the next incremental run still screens these customers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from vaspguard.registry import Customer, Transaction, TransactionKind
from vaspguard.screening._address import AddressBook
from vaspguard.screening._alerts import (
    _AlertWriter,
    _Found,
    _insert_alerts,
    _screen_addresses,
    _screen_names,
)
from vaspguard.screening._index import ALERT_THRESHOLD, Screener

_ON_CHAIN = frozenset({TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL})


@dataclass(frozen=True, slots=True)
class Raised:
    """An alert raised by an arriving record: ids only (what the API answers and the event carries)."""

    alert_id: int
    customer_id: str
    kind: str  # name | address
    snapshot_id: int
    score: float
    transaction_id: str | None = None


def screen_arrivals(
    conn: Connection,
    screener: Screener,
    book: AddressBook,
    *,
    customers: Iterable[Customer] = (),
    transactions: Iterable[Transaction] = (),
    threshold: float = ALERT_THRESHOLD,
) -> list[Raised]:
    """Screen ``customers`` (names) and the deposits and withdrawals among ``transactions`` (addresses);
    store new alerts and their events in ``conn``'s transaction."""
    found: list[tuple[_Found, str | None]] = []
    if len(screener):
        for c in customers:
            found.extend((f, None) for f in _screen_names(c, screener, threshold))
    if len(book):
        for t in transactions:
            if t.kind in _ON_CHAIN and t.address:
                found.extend(
                    (f, t.id) for f in _screen_addresses(t.customer_id, [(t.address, t.chain)], book)
                )
    if not found:
        return []
    writer = _AlertWriter(conn, screener, None, {f.customer_id for f, _ in found})
    rows, sources = [], []
    for f, tx in found:
        row = writer.row(f)
        if row is not None:
            rows.append(row)
            sources.append(tx)
    if not rows:
        return []
    ids = _insert_alerts(conn, rows)
    return [
        Raised(i, r["customer_id"], r["kind"], r["snapshot_id"], r["score"], tx)
        for i, r, tx in zip(ids, rows, sources, strict=True)
    ]
