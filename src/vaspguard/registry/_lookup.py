"""Lookups on an open connection, for capabilities that resolve people inside their own transaction
(lawful requests): customers by id, account, contact, name substrings, transaction hash and on-chain
address over a time range, and the counterparties of a set of customers. Then the bulk readers: the facts
the sanctions rules read, for every customer at once (``sanctions_facts``), and each kind of record held
on a set of customers (``held``, ``balances_of``) for a disclosure.

Every query uses the registry's indexes; lists of ids are sent in chunks below SQLite's default
bound-parameter limit. Times are UTC; ``start`` is inclusive and ``end`` exclusive, None is open-ended.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, or_, select

from vaspguard.registry._tables import (
    AccountRow,
    BalanceRow,
    ContactRow,
    CustomerNameRow,
    CustomerRow,
    LoginRow,
    NationalityRow,
    OwnerRow,
    PermitApplicationRow,
    ResidencePermitRow,
    TransactionRow,
    VisaRow,
)

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
    return existing(conn, [customer_id])


def existing(conn: Connection, customer_ids: Sequence[str]) -> set[str]:
    """Those of ``customer_ids`` the registry holds."""
    out: set[str] = set()
    for chunk in chunks(customer_ids):
        out.update(conn.execute(select(CustomerRow.id).where(CustomerRow.id.in_(chunk))).scalars())
    return out


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


def grouped(conn: Connection, query: Any) -> dict[str, list[Row[Any]]]:
    """The rows of ``query`` grouped by their first column (a customer id), in one fetch."""
    out: dict[str, list[Row[Any]]] = defaultdict(list)
    for row in conn.execute(query).all():  # one fetchall: far cheaper than a fetch per row
        out[row[0]].append(row)
    return out


@dataclass(frozen=True, slots=True)
class SanctionsFacts:
    """The registry rows the sanctions rules read, by customer id. Each row starts with the customer id.

    ``customers``: (id, type, residence, established), ordered by id; ``nationalities``: (.., country);
    ``permits``: residence permits valid on the day, (.., country, kind, valid_from, valid_until);
    ``applications``: permit applications not refused, (.., country); ``owners``: (.., type,
    nationalities, residence, established, share, control).
    """

    customers: list[Row[Any]]
    nationalities: dict[str, list[Row[Any]]]
    permits: dict[str, list[Row[Any]]]
    applications: dict[str, list[Row[Any]]]
    owners: dict[str, list[Row[Any]]]


def sanctions_facts(conn: Connection, at: date, ids: Sequence[str] | None = None) -> SanctionsFacts:
    """Every customer's (or ``ids``') sanctions-relevant rows on ``at``, one query per table."""

    def scoped(q: Any, column: Any) -> Any:
        return q if ids is None else q.where(column.in_(ids))

    p, o = ResidencePermitRow, OwnerRow
    valid = (p.valid_from <= at, (p.valid_until.is_(None)) | (p.valid_until >= at))
    owner_columns = (o.customer_id, o.type, o.nationalities, o.residence, o.established, o.share, o.control)
    c = CustomerRow
    return SanctionsFacts(
        customers=list(
            conn.execute(scoped(select(c.id, c.type, c.residence, c.established).order_by(c.id), c.id)).all()
        ),
        nationalities=grouped(
            conn,
            scoped(select(NationalityRow.customer_id, NationalityRow.country), NationalityRow.customer_id),
        ),
        permits=grouped(
            conn,
            scoped(
                select(p.customer_id, p.country, p.kind, p.valid_from, p.valid_until).where(*valid),
                p.customer_id,
            ),
        ),
        applications=grouped(
            conn,
            scoped(
                select(PermitApplicationRow.customer_id, PermitApplicationRow.country).where(
                    PermitApplicationRow.status != "refused"
                ),
                PermitApplicationRow.customer_id,
            ),
        ),
        owners=grouped(conn, scoped(select(*owner_columns), o.customer_id)),
    )


class Held(enum.StrEnum):
    """The kinds of record the registry holds on a customer."""

    CUSTOMERS = "customers"
    NAMES = "names"
    NATIONALITIES = "nationalities"
    CONTACTS = "contacts"
    RESIDENCE_PERMITS = "residence_permits"
    VISAS = "visas"
    OWNERS = "owners"
    ACCOUNTS = "accounts"
    TRANSACTIONS = "transactions"
    LOGINS = "logins"


# each kind's table and order; the timed kinds are filtered on ``occurred_at``
_HELD: dict[Held, tuple[Any, tuple[Any, ...]]] = {
    Held.CUSTOMERS: (CustomerRow, (CustomerRow.id,)),
    Held.NAMES: (CustomerNameRow, (CustomerNameRow.id,)),
    Held.NATIONALITIES: (NationalityRow, (NationalityRow.country,)),
    Held.CONTACTS: (ContactRow, (ContactRow.id,)),
    Held.RESIDENCE_PERMITS: (ResidencePermitRow, (ResidencePermitRow.id,)),
    Held.VISAS: (VisaRow, (VisaRow.id,)),
    Held.OWNERS: (OwnerRow, (OwnerRow.id,)),
    Held.ACCOUNTS: (AccountRow, (AccountRow.id,)),
    Held.TRANSACTIONS: (TransactionRow, (TransactionRow.occurred_at, TransactionRow.id)),
    Held.LOGINS: (LoginRow, (LoginRow.occurred_at, LoginRow.id)),
}


def held(
    conn: Connection,
    kind: Held,
    customer_ids: Sequence[str],
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Row[Any]]:
    """Whole rows of one kind for up to ``CHUNK`` customers, in the kind's order (transactions and logins
    by time, only those in [start, end)). Rows carry the table's columns as attributes."""
    if len(customer_ids) > CHUNK:
        raise ValueError(f"at most {CHUNK} customer ids at a time, got {len(customer_ids)}")
    table, order = _HELD[kind]
    column = table.id if kind is Held.CUSTOMERS else table.customer_id
    q = select(table).where(column.in_(customer_ids))
    if kind in (Held.TRANSACTIONS, Held.LOGINS):
        if start is not None:
            q = q.where(table.occurred_at >= start)
        if end is not None:
            q = q.where(table.occurred_at < end)
    return list(conn.execute(q.order_by(*order)).all())


def balances_of(conn: Connection, account_ids: Sequence[str]) -> dict[str, dict[str, Decimal]]:
    """Each account's balance per asset, as stored now."""
    out: dict[str, dict[str, Decimal]] = {}
    for chunk in chunks(account_ids):
        q = select(BalanceRow).where(BalanceRow.account_id.in_(chunk)).order_by(BalanceRow.asset)
        for b in conn.execute(q):
            out.setdefault(b.account_id, {})[b.asset] = b.amount
    return out
