"""Lookups on an open connection, for capabilities that resolve people inside their own transaction
(lawful requests): customers by id, account, contact, name substrings, transaction hash and on-chain
address over a time range, and the counterparties of a set of customers.

Every query uses the registry's indexes; lists of ids are sent in chunks below SQLite's default
bound-parameter limit. Times are UTC; ``start`` is inclusive and ``end`` exclusive, None is open-ended.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, or_, select

from vaspguard.registry._tables import AccountRow, ContactRow, CustomerNameRow, CustomerRow, TransactionRow

CHUNK = 900  # below SQLite's default bound-parameter limit


def chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _between(start: datetime | None, end: datetime | None) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if start is not None:
        out.append(TransactionRow.occurred_at >= start)
    if end is not None:
        out.append(TransactionRow.occurred_at < end)
    return out


def existing_customers(conn: Connection, customer_id: str) -> set[str]:
    """``{customer_id}`` when the registry holds that customer, else empty."""
    return set(conn.execute(select(CustomerRow.id).where(CustomerRow.id == customer_id)).scalars())


def account_owner(conn: Connection, account_id: str) -> str | None:
    return conn.execute(select(AccountRow.customer_id).where(AccountRow.id == account_id)).scalar()


def customers_by_contact(conn: Connection, kind: str, value: str) -> set[str]:
    """Customers with an ``email`` or ``phone`` contact equal to ``value``, case-insensitively."""
    q = select(ContactRow.customer_id).where(
        ContactRow.kind == kind, func.lower(ContactRow.value) == value.lower()
    )
    return set(conn.execute(q).scalars())


def names_containing(
    conn: Connection, substrings: Iterable[str], *, lowered: Iterable[str] = (), patterns: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(customer id, name) of every stored name (any script) that contains one of ``substrings`` as
    written, whose lower-cased form contains one of ``lowered``, or whose lower-cased form is LIKE one of
    ``patterns``: a cheap filter before an exact comparison."""
    name = CustomerNameRow.name
    probes: list[ColumnElement[bool]] = [name.contains(s, autoescape=True) for s in substrings]
    probes += [func.lower(name).contains(s, autoescape=True) for s in lowered]
    probes += [func.lower(name).like(p) for p in patterns]
    if not probes:
        return []
    rows = conn.execute(select(CustomerNameRow.customer_id, name).where(or_(*probes)))
    return [(str(cid), str(n)) for cid, n in rows]


def customers_by_tx_hash(conn: Connection, hashes: Sequence[str]) -> set[str]:
    q = select(TransactionRow.customer_id).where(TransactionRow.tx_hash.in_(hashes)).distinct()
    return set(conn.execute(q).scalars())


def customers_by_address(
    conn: Connection, addresses: Sequence[str], start: datetime | None = None, end: datetime | None = None
) -> set[str]:
    """Customers with a movement to or from any of ``addresses`` (as stored) in [start, end)."""
    t = TransactionRow
    q = select(t.customer_id).where(t.address.in_(addresses), *_between(start, end)).distinct()
    return set(conn.execute(q).scalars())


def accounts_of(conn: Connection, customer_ids: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for chunk in chunks(sorted(customer_ids)):
        out.update(conn.execute(select(AccountRow.id).where(AccountRow.customer_id.in_(chunk))).scalars())
    return out


def counterparty_addresses(
    conn: Connection, customer_ids: Iterable[str], start: datetime | None = None, end: datetime | None = None
) -> set[str]:
    """On-chain addresses the customers moved funds to or from in [start, end)."""
    out: set[str] = set()
    t = TransactionRow
    for chunk in chunks(sorted(customer_ids)):
        q = select(t.address).where(t.customer_id.in_(chunk), t.address.is_not(None), *_between(start, end))
        out.update(a for a in conn.execute(q).scalars() if a)
    return out


def counterparty_customers(
    conn: Connection, customer_ids: Iterable[str], start: datetime | None = None, end: datetime | None = None
) -> set[str]:
    """Other customers who were the counterparty of an internal transfer in [start, end) (either way)."""
    out: set[str] = set()
    ids = sorted(customer_ids)
    t = TransactionRow
    for chunk in chunks(ids):
        q = select(t.customer_id, t.counterparty_customer_id).where(
            or_(t.customer_id.in_(chunk), t.counterparty_customer_id.in_(chunk)),
            t.counterparty_customer_id.is_not(None),
            *_between(start, end),
        )
        for a, b in conn.execute(q):
            out.update(x for x in (a, b) if x)
    return out - set(ids)


def names_of(conn: Connection, customer_ids: Iterable[str]) -> dict[str, list[str]]:
    """Every stored name (all scripts) of each customer."""
    out: dict[str, list[str]] = {}
    for chunk in chunks(sorted(customer_ids)):
        q = select(CustomerNameRow.customer_id, CustomerNameRow.name).where(
            CustomerNameRow.customer_id.in_(chunk)
        )
        for cid, name in conn.execute(q):
            out.setdefault(cid, []).append(name)
    return out
