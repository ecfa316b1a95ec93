"""The offline demo: one call that leaves every capability something to show, with no network and no files
from outside the package.

``seed_demo`` runs, in order, each step through the owning capability's public API (so each is logged as
that capability logs it, with actor ``demo``):

1. ``vaspguard.lists.import_paths``: the fictional sample lists shipped in ``demo/lists/`` become the
   active snapshots (OFAC SDN, UN, EU), logged to the audit log like any list import;
2. ``seed``: the synthetic exchange, with look-alike customers for the fictional listed persons (besides
   the publicly listed ones the registry demo always plants), withdrawals to listed and to the foundation's
   wallets, and deposits from listed wallets;
3. ``vaspguard.requests.LawfulRequests``: the fictional foundation as a protected party with its donation
   wallets, demo authorities and operators (operator keys derived from the seed: demo only, never real);
4. ``vaspguard.screening.screen_customers``: names and transaction addresses against the active lists, so
   alerts exist.

Everything is deterministic for a seed, except the audit log's signatures and timestamps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.demo._names import LISTED_PERSONS
from vaspguard.demo._samples import (
    FICTIONAL_ADDRESSES,
    FICTIONAL_PERSONS,
    FOUNDATION_ADDRESSES,
    FOUNDATION_NAME,
    sample_list_paths,
)
from vaspguard.demo._seed import DEFAULT_AS_OF, SeedReport
from vaspguard.demo._seed import seed as seed_registry
from vaspguard.store import Store

ACTOR = "demo"
FOUNDATION_ID = "free-voices-foundation"

# (id, name, country, class, verified): fictional authority records to file demo requests against.
AUTHORITIES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("demo-de-police", "Demo State Criminal Police Office (fictional)", "DE", "police", True),
    (
        "demo-nl-fiu",
        "Demo Financial Intelligence Unit (fictional)",
        "NL",
        "financial_intelligence_unit",
        True,
    ),
    ("demo-ru-security", "Demo Federal Security Directorate (fictional)", "RU", "security_service", False),
)
# (name, role, region): enough for every quorum of the default policy, with an operator in another region.
OPERATORS: tuple[tuple[str, str, str], ...] = (
    ("demo-intake", "intake", "EU"),
    ("demo-legal", "legal", "EU"),
    ("demo-privacy", "privacy", "EU"),
    ("demo-security", "security", "EU"),
    ("demo-legal-us", "legal", "US"),
)
DEMO_OPERATORS: tuple[str, ...] = tuple(name for name, _, _ in OPERATORS)


@dataclass(frozen=True)
class DemoReport:
    """What ``seed_demo`` did: the registry seed's report plus what each capability got."""

    seed: SeedReport
    snapshots: list[dict[str, Any]] = field(default_factory=list)  # source, id, entities
    protected_parties: list[str] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)
    operators: list[str] = field(default_factory=list)
    operator_keys: dict[str, str] = field(default_factory=dict)  # operator -> PEM file written
    alerts: int = 0
    listed_address_transactions: dict[str, str] = field(default_factory=dict)  # tx id -> listed address


def operator_key(seed: int, name: str) -> Ed25519PrivateKey:
    """The demo operator's signing key, derived from the seed so a demo is reproducible. Demo only: anyone
    who knows the seed knows the key."""
    return Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"vaspguard demo operator key {seed} {name}".encode()).digest()
    )


def seed_demo(
    store: Store,
    *,
    customers: int,
    seed: int,
    lists: bool = True,
    audit: Any | None = None,
    keys_dir: Path | None = None,
    transactions_per_customer: int = 10,
    logins_per_customer: int = 4,
    addresses_of_interest: list[str] | None = None,
    as_of: date = DEFAULT_AS_OF,
    on_progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> DemoReport:
    """Seed the demo exchange; with ``lists`` also the sample lists, protected party, authorities, operators
    and a screening run (see the module doc). ``audit`` defaults to ``AuditLog.open(store)``; ``keys_dir``
    receives the demo operators' private keys (PEM) when given."""
    listed_wallets = [a.address for a in FICTIONAL_ADDRESSES]
    foundation_wallets = [addr for _, addr in FOUNDATION_ADDRESSES]
    extra = [a for a in addresses_of_interest or () if a not in listed_wallets + foundation_wallets]

    def registry() -> SeedReport:
        return seed_registry(
            store,
            customers=customers,
            seed=seed,
            transactions_per_customer=transactions_per_customer,
            logins_per_customer=logins_per_customer,
            addresses_of_interest=(listed_wallets + foundation_wallets + extra) if lists else extra,
            as_of=as_of,
            on_progress=on_progress,
            workers=workers,
            listed_persons=LISTED_PERSONS + FICTIONAL_PERSONS if lists else LISTED_PERSONS,
            # Every other listed wallet also pays a customer: exposure on both sides of the exchange.
            deposits_from=listed_wallets[::2] if lists else (),
        )

    if not lists:
        return DemoReport(seed=registry())
    from vaspguard.audit import AuditLog
    from vaspguard.lists import import_paths

    log = audit if audit is not None else AuditLog.open(store)
    infos = import_paths(store, sample_list_paths(), audit=log, actor=ACTOR, actor_role="compliance")
    report = registry()
    requests = _requests_setup(store, log, seed, keys_dir)
    alerts = _screen(store)
    listed = set(listed_wallets)
    hits = {
        tid: addr
        for tid, addr in {**report.planted_withdrawals, **report.planted_deposits}.items()
        if addr in listed
    }
    return DemoReport(
        seed=report,
        snapshots=[{"source": i.source.value, "id": i.id, "entities": i.entity_count} for i in infos],
        protected_parties=requests[0],
        authorities=requests[1],
        operators=requests[2],
        operator_keys=requests[3],
        alerts=alerts,
        listed_address_transactions=dict(sorted(hits.items())),
    )


def _requests_setup(
    store: Store, log: Any, seed: int, keys_dir: Path | None
) -> tuple[list[str], list[str], list[str], dict[str, str]]:
    """The protected foundation, demo authorities and operators, through ``LawfulRequests``."""
    from vaspguard.requests import (
        Agency,
        AgencyClass,
        LawfulRequests,
        Operator,
        OperatorRole,
        PartyKind,
        VerificationStatus,
        parse_party,
        public_hex,
        write_private_key,
    )

    lawful = LawfulRequests(store, audit=log)
    # Through the same validating reader as ``vaspguard protected add FILE``.
    party = parse_party(
        {
            "id": FOUNDATION_ID,
            "name": FOUNDATION_NAME,
            "kind": PartyKind.FOUNDATION.value,
            "country": "LT",
            "aliases": ["Фонд «Свободные голоса»", "Free Voices Foundation"],
            "addresses": [{"address": a, "chain": c, "label": "donations"} for c, a in FOUNDATION_ADDRESSES],
            "notes": "FICTIONAL opposition foundation of the vaspguard demo; its donors must never be swept "
            "up in a dragnet request.",
        },
        origin="demo",
    )
    lawful.add_party(party, actor=ACTOR)
    for agency_id, name, country, klass, verified in AUTHORITIES:
        lawful.add_agency(
            Agency(
                id=agency_id,
                name=name,
                country=country,
                agency_class=AgencyClass(klass),
                verification_status=VerificationStatus.VERIFIED
                if verified
                else VerificationStatus.UNVERIFIED,
                verified_on=DEFAULT_AS_OF if verified else None,
                notes="fictional demo authority",
            ),
            actor=ACTOR,
        )
    keys: dict[str, str] = {}
    for name, role, region in OPERATORS:
        key = operator_key(seed, name)
        lawful.add_operator(Operator(name, OperatorRole(role), region, public_hex(key)), actor=ACTOR)
        if keys_dir is not None:
            path = keys_dir / f"{name}.pem"
            path.unlink(missing_ok=True)  # a key of an earlier demo (another seed) would not match
            write_private_key(key, path)
            keys[name] = str(path)
    return [FOUNDATION_ID], [a[0] for a in AUTHORITIES], [o[0] for o in OPERATORS], keys


def _screen(store: Store) -> int:
    """A full screening run of the registry against the active (sample) lists; the alerts it created."""
    from vaspguard.screening import AddressBook, Screener, screen_customers

    run = screen_customers(store, Screener.from_store(store), AddressBook.from_store(store))
    return run.alerts_created
