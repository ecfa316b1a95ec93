"""Protected parties reached by a request: targets, reached customers and their counterparties.

A request may name a protected party (an opposition foundation, a journalist) directly, by address, name or
identifier; or reach one indirectly: a reached customer may be protected, and so may a counterparty of the
targets (a foundation's donors reached through its address). Each finding is one line for the assessment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from vaspguard.requests._model import ProtectedParty, Scope, TargetType
from vaspguard.requests._reach import (
    counterparty_addresses,
    counterparty_customers,
    customer_names,
    normalise_address,
    target_label,
)
from vaspguard.requests._tables import ProtectedAddressRow

# Names of reached customers (and of their counterparty customers) are checked only up to this many people.
NAME_CHECK_LIMIT = 500


@dataclass
class _Parties:
    """The protected parties, indexed for the three ways a request can reach them."""

    by_id: dict[str, ProtectedParty]
    by_address: dict[str, str]
    by_identifier: dict[str, str]
    scorer: Callable[[str, str], float]
    min_score: float

    def describe(self, pid: str) -> str:
        p = self.by_id[pid]
        return f"{p.name} ({p.kind.value.replace('_', ' ')}, {p.id})"

    def name_hit(self, name: str) -> str | None:
        for p in self.by_id.values():
            for candidate in (p.name, *p.aliases):
                if self.scorer(name, candidate) >= self.min_score:
                    return p.id
        return None

    def address_hit(self, address: str, chain: str | None = None) -> str | None:
        return self.by_address.get(normalise_address(address, chain)) or self.by_address.get(address)

    def first_name_hit(self, names: Iterable[str]) -> tuple[str, str] | None:
        for n in names:
            if pid := self.name_hit(n):
                return n, pid
        return None


def protected_matches(
    conn: Connection,
    parties: list[ProtectedParty],
    scope: Scope,
    customers: set[str],
    *,
    min_score: float,
    scorer: Callable[[str, str], float],
) -> list[str]:
    """Every way the request reaches a protected party, each once, in the order found."""
    if not parties:
        return []
    index = _Parties(
        by_id={p.id: p for p in parties},
        by_address=dict(
            conn.execute(select(ProtectedAddressRow.address, ProtectedAddressRow.party_id)).all()
        ),
        by_identifier={i.casefold(): p.id for p in parties for i in p.identifiers},
        scorer=scorer,
        min_score=min_score,
    )
    out = _target_matches(index, scope)
    if customers:
        out += _reached_matches(conn, index, customers)
        out += _counterparty_matches(conn, index, scope, customers)
    return list(dict.fromkeys(out))


def _target_matches(index: _Parties, scope: Scope) -> list[str]:
    out: list[str] = []
    for t in scope.targets:
        label = target_label(t)
        if t.type in (TargetType.WALLET_ADDRESS, TargetType.COUNTERPARTY_ADDRESS):
            if pid := index.address_hit(t.value, t.chain):
                out.append(f"target {label} is the address of {index.describe(pid)}")
        elif t.type is TargetType.NAME and (pid := index.name_hit(t.value)):
            out.append(f"target {label} names {index.describe(pid)}")
        if (pid := index.by_identifier.get(t.value.casefold())) is not None:
            out.append(f"target {label} is an identifier of {index.describe(pid)}")
    return out


def _reached_matches(conn: Connection, index: _Parties, customers: set[str]) -> list[str]:
    """The people reached may themselves be protected (a journalist's account). Names are checked for a
    bounded number."""
    if len(customers) > NAME_CHECK_LIMIT:
        return []
    out: list[str] = []
    for cid, names in customer_names(conn, customers).items():
        if hit := index.first_name_hit(names):
            out.append(f"reached customer {cid} ({hit[0]}) matches {index.describe(hit[1])}")
    for cid in sorted(customers):
        if cid.casefold() in index.by_identifier:
            pid = index.by_identifier[cid.casefold()]
            out.append(f"reached customer {cid} is an identifier of {index.describe(pid)}")
    return out


def _counterparty_matches(conn: Connection, index: _Parties, scope: Scope, customers: set[str]) -> list[str]:
    """The counterparties of the targets, by address and (for a bounded number) by the customer's name."""
    out: list[str] = []
    seen: set[str] = set()
    for address in counterparty_addresses(conn, customers, scope.date_range):
        pid = index.by_address.get(address) or index.by_address.get(normalise_address(address))
        if pid and address not in seen and not any(t.value == address for t in scope.targets):
            seen.add(address)
            out.append(f"counterparty address {address} of the targets belongs to {index.describe(pid)}")
    others = counterparty_customers(conn, customers, scope.date_range)
    if others and len(others) <= NAME_CHECK_LIMIT:
        for cid, names in customer_names(conn, others).items():
            if hit := index.first_name_hit(names):
                out.append(f"counterparty customer {cid} matches {index.describe(hit[1])}")
    return out
