"""Who a request would reach: its targets resolved against the registry, and their counterparties.

This is what makes DRAGNET a number rather than an opinion: "every customer who sent bitcoin to address X"
resolves to the customers the registry holds, over the request's date range. Queries use the registry's
indexes (transactions by address, tx hash, customer and time; contacts by value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Connection, func, or_, select

from vaspguard.errors import VaspguardError
from vaspguard.registry._tables import (
    AccountRow,
    ContactRow,
    CustomerNameRow,
    CustomerRow,
    TransactionRow,
)
from vaspguard.requests._model import DateRange, Target, TargetType
from vaspguard.requests._names import normalise_name
from vaspguard.screening import normalise_address as screening_normalise_address

_CHUNK = 900  # below SQLite's default bound-parameter limit


def normalise_address(address: str, chain: str | None = None) -> str:
    """Screening's address normaliser (hex and bech32 lower-cased, base58 kept); a value not of that chain's
    form is compared as given."""
    try:
        return screening_normalise_address(address, chain, strict=False)
    except VaspguardError:
        return address.strip()


def address_variants(address: str, chain: str | None) -> list[str]:
    return list(dict.fromkeys([address.strip(), normalise_address(address, chain), address.strip().lower()]))


def day_bounds(date_range: DateRange) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(date_range.start, time.min, UTC) if date_range.start else None
    end = datetime.combine(date_range.end + timedelta(days=1), time.min, UTC) if date_range.end else None
    return start, end


def _in_range(date_range: DateRange) -> list[ColumnElement[bool]]:
    start, end = day_bounds(date_range)
    out: list[ColumnElement[bool]] = []
    if start is not None:
        out.append(TransactionRow.occurred_at >= start)
    if end is not None:
        out.append(TransactionRow.occurred_at < end)
    return out


@dataclass
class Reach:
    """The customers and accounts a scope resolves to, per target and in total."""

    customers: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)  # account targets only: the scope is that account
    per_target: dict[str, int] = field(default_factory=dict)
    account_count: int = 0

    def summary(self) -> dict[str, int]:
        return {"customers": len(self.customers), "accounts": self.account_count, **self.per_target}


def target_label(t: Target) -> str:
    return f"{t.type}:{t.value}" + (f"@{t.chain}" if t.chain else "")


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _customers_by_name(conn: Connection, value: str) -> set[str]:
    """Customers with a name that reads as ``value`` does, word for word in any order, in any script: the
    name as written or its transliteration (screening's), so "Иван Щукин" reaches a customer stored as
    "Иван Щукин" and one stored as "Ivan Shchukin". An exact match, never a fuzzy one: a request's scope is
    what it names."""
    tokens = sorted(normalise_name(value).split())
    if not tokens:
        return set()
    # Candidates by one distinctive fragment, as written (any script, in its usual casings: SQLite lowers
    # ASCII only) and as transliterated; then the whole name compared as screening reads it.
    words = [w for w in re.split(r"[\W_]+", value) if w] or [value]
    written = max(words, key=len)
    latin = max(tokens, key=len)
    fragments = {written, written.lower(), written.upper(), written.capitalize()}
    column = CustomerNameRow.name
    rows = conn.execute(
        select(CustomerNameRow.customer_id, column).where(
            or_(
                *(column.contains(f, autoescape=True) for f in sorted(fragments)),
                func.lower(column).contains(latin, autoescape=True),
            )
        )
    )
    return {cid for cid, name in rows if sorted(normalise_name(name).split()) == tokens}


def resolve_target(conn: Connection, target: Target, date_range: DateRange) -> tuple[set[str], set[str]]:
    """(customer ids, account ids) one target resolves to."""
    t = TransactionRow
    if target.type is TargetType.CUSTOMER_ID:
        found = conn.execute(select(CustomerRow.id).where(CustomerRow.id == target.value)).scalars()
        return set(found), set()
    if target.type is TargetType.ACCOUNT_ID:
        row = conn.execute(select(AccountRow.customer_id).where(AccountRow.id == target.value)).first()
        return ({row[0]}, {target.value}) if row else (set(), set())
    if target.type in (TargetType.EMAIL, TargetType.PHONE):
        kind = "email" if target.type is TargetType.EMAIL else "phone"
        q = select(ContactRow.customer_id).where(
            ContactRow.kind == kind, func.lower(ContactRow.value) == target.value.lower()
        )
        return set(conn.execute(q).scalars()), set()
    if target.type is TargetType.NAME:
        return _customers_by_name(conn, target.value), set()
    if target.type is TargetType.TX_HASH:
        variants = address_variants(target.value, target.chain)
        q = select(t.customer_id).where(t.tx_hash.in_(variants)).distinct()
        return set(conn.execute(q).scalars()), set()
    # wallet_address / counterparty_address: every customer with a movement to or from it in the range
    variants = address_variants(target.value, target.chain)
    q = select(t.customer_id).where(t.address.in_(variants), *_in_range(date_range)).distinct()
    return set(conn.execute(q).scalars()), set()


def compute_reach(conn: Connection, targets: Sequence[Target], date_range: DateRange) -> Reach:
    """Resolve every target; a named account counts as itself, any other target reaches all of the
    customer's accounts."""
    reach = Reach()
    whole: set[str] = set()
    for target in targets:
        customers, accounts = resolve_target(conn, target, date_range)
        reach.per_target[target_label(target)] = len(customers)
        reach.customers |= customers
        reach.accounts |= accounts
        if target.type is not TargetType.ACCOUNT_ID:
            whole |= customers
    account_ids = set(reach.accounts)
    for chunk in _chunks(sorted(whole)):
        account_ids.update(
            conn.execute(select(AccountRow.id).where(AccountRow.customer_id.in_(chunk))).scalars()
        )
    reach.account_count = len(account_ids)
    return reach


def counterparty_addresses(conn: Connection, customers: Iterable[str], date_range: DateRange) -> set[str]:
    """On-chain addresses the customers moved funds to or from in the range."""
    out: set[str] = set()
    ids = sorted(customers)
    for chunk in _chunks(ids):
        q = select(TransactionRow.address).where(
            TransactionRow.customer_id.in_(chunk), TransactionRow.address.is_not(None), *_in_range(date_range)
        )
        out.update(a for a in conn.execute(q).scalars() if a)
    return out


def counterparty_customers(conn: Connection, customers: Iterable[str], date_range: DateRange) -> set[str]:
    """Other customers who were the counterparty of an internal transfer in the range (either direction)."""
    out: set[str] = set()
    ids = sorted(customers)
    t = TransactionRow
    for chunk in _chunks(ids):
        q = select(t.customer_id, t.counterparty_customer_id).where(
            or_(t.customer_id.in_(chunk), t.counterparty_customer_id.in_(chunk)),
            t.counterparty_customer_id.is_not(None),
            *_in_range(date_range),
        )
        for a, b in conn.execute(q):
            out.update(x for x in (a, b) if x)
    return out - set(ids)


def customer_names(conn: Connection, customers: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for chunk in _chunks(sorted(customers)):
        for cid, name in conn.execute(
            select(CustomerNameRow.customer_id, CustomerNameRow.name).where(
                CustomerNameRow.customer_id.in_(chunk)
            )
        ):
            out.setdefault(cid, []).append(name)
    return out


def date_span_days(date_range: DateRange) -> int | None:
    if date_range.start is None or date_range.end is None:
        return None
    return (date_range.end - date_range.start).days + 1


def today_utc() -> date:
    return datetime.now(UTC).date()
