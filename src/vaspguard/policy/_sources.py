"""Facts that do not come in the request: the registry, recorded exemption evidence, screening results.

``RegistrySource`` gives a customer's facts on a date in the inline request shape (so one parser validates
both), with holdings valued in EUR at that date's prices and the latest login's country on or before it.
Listed customers and listed addresses come from screening (``listed_customer_ids``, ``AddressBook``); both
are cached for ``refresh_seconds`` (a listing is picked up within that
time) and the cache is per source. ``StaticSource`` is the same seam over in-memory values, for tests and
for callers that hold their own facts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from vaspguard.errors import NotFound
from vaspguard.registry import Customer, Registry
from vaspguard.screening import (
    AddressBook,
    listed_customer_ids,
    normalise_address,  # strict by default: a typed EIP-55 checksum must hold
)
from vaspguard.store import Store


def customer_request_shape(c: Customer) -> dict[str, Any]:
    """A registry ``Customer`` in the inline request shape."""
    return {
        "id": c.id,
        "type": c.type.value,
        "nationalities": list(c.nationalities),
        "residence": c.residence,
        "established": c.established,
        "residence_permits": [
            {
                "country": p.country,
                "kind": p.kind.value,
                "valid_from": p.valid_from,
                "valid_until": p.valid_until,
            }
            for p in c.residence_permits
        ],
        "visas": [{"country": v.country, "kind": v.kind} for v in c.visas],
        "permit_applications": [{"country": a.country, "status": a.status} for a in c.permit_applications],
        "owners": [
            {
                "type": o.type.value,
                "nationalities": list(o.nationalities),
                "residence": o.residence,
                "established": o.established,
                "share": o.share,
                "control": o.control,
            }
            for o in c.owners
        ],
    }


def evidence_shape(rows: Iterable[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Exemption-evidence rows as (residence_permits, authorisations) in the request shape."""
    permits, auths = [], []
    for e in rows:
        if e.kind == "residence_permit":
            permits.append(
                {
                    "country": e.country,
                    "kind": e.permit_kind,
                    "valid_from": e.valid_from,
                    "valid_until": e.valid_until,
                }
            )
        else:
            auths.append({"legal_basis": e.legal_basis, "scope": e.scope or ""})
    return permits, auths


class RegistrySource:
    """Facts from the registry and screening on ``store`` (see the module docstring)."""

    def __init__(self, store: Store, *, refresh_seconds: float = 10.0) -> None:
        self.store = store
        self.registry = Registry(store)
        self.refresh_seconds = refresh_seconds
        self._listed: tuple[float, frozenset[str]] | None = None
        self._book: tuple[float, AddressBook] | None = None

    def listed_ids(self) -> frozenset[str]:
        now = time.monotonic()
        if self._listed is None or now - self._listed[0] > self.refresh_seconds:
            self._listed = (now, frozenset(listed_customer_ids(self.store)))
        return self._listed[1]

    def customer(self, customer_id: str, at: date) -> dict[str, Any]:
        from vaspguard.policy._tables import PolicyEvidenceRow

        c = self.registry.get_customer(customer_id)
        facts = customer_request_shape(c)
        with self.store.connect() as conn:
            rows = conn.execute(
                select(PolicyEvidenceRow).where(PolicyEvidenceRow.customer_id == customer_id)
            ).all()
        permits, auths = evidence_shape(rows)
        facts["residence_permits"] += permits
        facts["authorisations"] = auths
        if customer_id in self.listed_ids():
            facts["listed"] = ["screening: confirmed match"]
        holdings = self.registry.crypto_holdings(at, [customer_id])
        facts["holdings_eur"] = holdings.eur.get(customer_id, Decimal(0))
        facts["unpriced"] = sorted(holdings.unpriced.get(customer_id, set()))
        facts["login_country"] = self.registry.login_country(customer_id, at)
        return facts

    def address_listed(self, chain: str | None, address: str) -> bool:
        now = time.monotonic()
        if self._book is None or now - self._book[0] > self.refresh_seconds:
            self._book = (now, AddressBook.from_store(self.store))
        return bool(self._book[1].lookup(address, chain))


class StaticSource:
    """Facts held in memory: ``customers`` by id (request shape, with ``holdings_eur``) and listed
    addresses as (chain or None, address) pairs; a pair with chain None matches on any chain."""

    def __init__(
        self,
        customers: Mapping[str, Mapping[str, Any]] | None = None,
        listed_addresses: Iterable[tuple[str | None, str]] = (),
    ) -> None:
        self.customers = dict(customers or {})
        # Listed addresses are read as published (strict=False); a requested address strictly.
        self.addresses = {
            (chain.lower() if chain else None, normalise_address(a, chain, strict=False))
            for chain, a in listed_addresses
        }

    def customer(self, customer_id: str, at: date) -> dict[str, Any]:
        try:
            return dict(self.customers[customer_id])
        except KeyError:
            raise NotFound("customer", customer_id) from None

    def address_listed(self, chain: str | None, address: str) -> bool:
        a = normalise_address(address, chain)
        return (None, a) in self.addresses or (chain.lower() if chain else None, a) in self.addresses
