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

from sqlalchemy import Connection

from vaspguard.errors import VaspguardError
from vaspguard.registry import lookup
from vaspguard.requests._model import DateRange, Target, TargetType
from vaspguard.screening import normalise_address as screening_normalise_address
from vaspguard.screening import transliterate


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


@dataclass(frozen=True, slots=True)
class NameProbe:
    """How a name target is looked up: a cheap filter on stored names (one of ``fragments`` as written, or
    ``latin`` in the lower-cased name), then the exact comparison ``reads_as``."""

    tokens: tuple[str, ...]
    fragments: tuple[str, ...]
    latin: str

    def reads_as(self, name: str) -> bool:
        return tuple(sorted(transliterate(name).split())) == self.tokens


def name_probe(value: str) -> NameProbe | None:
    """The probe for a name target, or None if the name has no words."""
    tokens = tuple(sorted(transliterate(value).split()))
    if not tokens:
        return None
    # Candidates by one distinctive fragment, as written (any script, in its usual casings: SQLite lowers
    # ASCII only) and as transliterated; then the whole name compared as screening reads it.
    words = [w for w in re.split(r"[\W_]+", value) if w] or [value]
    written = max(words, key=len)
    fragments = {written, written.lower(), written.upper(), written.capitalize()}
    return NameProbe(tokens, tuple(sorted(fragments)), max(tokens, key=len))


def _customers_by_name(conn: Connection, value: str) -> set[str]:
    """Customers with a name that reads as ``value`` does, word for word in any order, in any script: the
    name as written or its transliteration (screening's), so "Иван Щукин" reaches a customer stored as
    "Иван Щукин" and one stored as "Ivan Shchukin". An exact match, never a fuzzy one: a request's scope is
    what it names."""
    probe = name_probe(value)
    if probe is None:
        return set()
    rows = lookup.names_containing(conn, probe.fragments, lowered=[probe.latin])
    return {cid for cid, name in rows if probe.reads_as(name)}


def resolve_target(conn: Connection, target: Target, date_range: DateRange) -> tuple[set[str], set[str]]:
    """(customer ids, account ids) one target resolves to."""
    if target.type is TargetType.CUSTOMER_ID:
        return lookup.existing_customers(conn, target.value), set()
    if target.type is TargetType.ACCOUNT_ID:
        owner = lookup.account_owner(conn, target.value)
        return ({owner}, {target.value}) if owner else (set(), set())
    if target.type in (TargetType.EMAIL, TargetType.PHONE):
        kind = "email" if target.type is TargetType.EMAIL else "phone"
        return lookup.customers_by_contact(conn, kind, target.value), set()
    if target.type is TargetType.NAME:
        return _customers_by_name(conn, target.value), set()
    variants = address_variants(target.value, target.chain)
    if target.type is TargetType.TX_HASH:
        return lookup.customers_by_tx_hash(conn, variants), set()
    # wallet_address / counterparty_address: every customer with a movement to or from it in the range
    return lookup.customers_by_address(conn, variants, *day_bounds(date_range)), set()


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
    account_ids = set(reach.accounts) | lookup.accounts_of(conn, whole)
    reach.account_count = len(account_ids)
    return reach


def counterparty_addresses(conn: Connection, customers: Iterable[str], date_range: DateRange) -> set[str]:
    """On-chain addresses the customers moved funds to or from in the range."""
    return lookup.counterparty_addresses(conn, customers, *day_bounds(date_range))


def counterparty_customers(conn: Connection, customers: Iterable[str], date_range: DateRange) -> set[str]:
    """Other customers who were the counterparty of an internal transfer in the range (either direction)."""
    return lookup.counterparty_customers(conn, customers, *day_bounds(date_range))


def customer_names(conn: Connection, customers: Iterable[str]) -> dict[str, list[str]]:
    return lookup.names_of(conn, customers)


def date_span_days(date_range: DateRange) -> int | None:
    if date_range.start is None or date_range.end is None:
        return None
    return (date_range.end - date_range.start).days + 1


def today_utc() -> date:
    return datetime.now(UTC).date()
