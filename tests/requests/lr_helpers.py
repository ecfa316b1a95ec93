"""Shared values and builders for the lawful-request tests (imported by conftest and the tests)."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.audit import AuditLog
from vaspguard.registry import (
    Account,
    Contact,
    Customer,
    Login,
    Name,
    PersonType,
    Product,
    Registry,
    Transaction,
    TransactionKind,
)
from vaspguard.requests import (
    LawfulRequests,
    Operator,
    OperatorRole,
    parse_agency,
    parse_party,
    parse_request,
    public_hex,
)
from vaspguard.store import Store

TODAY = datetime.now(UTC).date()
FOUNDATION = "bc1qfbkfoundation7x0y2z4q6w8e0r2t4y6u8i0o2p4"
FOUNDATION_DONORS = ["R1", "R2", "R3", "R4", "R5"]


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), UTC)


def iso(day: date) -> str:
    return day.isoformat()


def build_exchange(store: Store) -> None:
    reg = Registry(store)
    customers = [
        Customer(cid, PersonType.NATURAL, (Name(f"Donor {cid}"),), ("RU",), "RU") for cid in FOUNDATION_DONORS
    ]
    customers += [
        Customer(
            "D1",
            PersonType.NATURAL,
            (Name("Jonas Becker"),),
            ("DE",),
            "DE",
            birth_date="1984-03-02",
            contacts=(Contact("email", "jonas@example.de"), Contact("phone", "+4930123456")),
        ),
        Customer("D2", PersonType.NATURAL, (Name("Mara Vogel"),), ("DE",), "DE"),
        Customer(
            "D3",
            PersonType.NATURAL,
            (Name("Lena Hartmann"),),
            ("DE",),
            "DE",
            contacts=(Contact("email", "lena@example.de"),),
        ),
        Customer("J1", PersonType.NATURAL, (Name("Ivan Petrov"),), ("RU",), "DE"),
    ]
    reg.add_customers(customers)
    opened = at(TODAY - timedelta(days=900))
    accounts = [Account(f"A-{c.id}", c.id, Product.SPOT, opened) for c in customers]
    accounts.append(Account("A-D1-F", "D1", Product.FUNDING, opened))
    reg.add_accounts(accounts)
    txs: list[Transaction] = []
    for i, cid in enumerate(FOUNDATION_DONORS):
        txs.append(
            Transaction(
                f"T-{cid}-don",
                cid,
                TransactionKind.WITHDRAWAL,
                at(TODAY - timedelta(days=40 + i)),
                "BTC",
                Decimal("0.01"),
                f"A-{cid}",
                "bitcoin",
                FOUNDATION,
                f"{i:064x}",
            )
        )
    # D1: six months of activity on the spot account, more before and after, and on the funding account.
    for n in range(12):
        day = TODAY - timedelta(days=20 + n * 20)  # 20..240 days ago
        txs.append(
            Transaction(f"T-D1-{n}", "D1", TransactionKind.DEPOSIT, at(day), "EUR", Decimal("100.5"), "A-D1")
        )
        txs.append(
            Transaction(
                f"T-D1F-{n}",
                "D1",
                TransactionKind.DEPOSIT,
                at(day),
                "BTC",
                Decimal("0.1"),
                "A-D1-F",
                "bitcoin",
                "bc1qd1own",
                f"{100 + n:064x}",
            )
        )
    txs.append(
        Transaction(
            "T-D1-D2",
            "D1",
            TransactionKind.INTERNAL_TRANSFER,
            at(TODAY - timedelta(days=50)),
            "EUR",
            Decimal("25"),
            "A-D1",
            counterparty_customer_id="D2",
        )
    )
    reg.add_transactions(txs)
    reg.add_logins(
        [
            Login("D3", at(TODAY - timedelta(days=2)), "203.0.113.7", "DE"),
            Login("D3", at(TODAY - timedelta(days=30)), "203.0.113.8", "DE"),
            Login("D1", at(TODAY - timedelta(days=2)), "198.51.100.1", "DE"),
        ]
    )


@dataclass
class Ops:
    keys: dict[str, Path]

    def key(self, name: str) -> Path:
        return self.keys[name]


OPERATORS = [
    ("intake1", "intake", "EU"),
    ("lead-cis", "regional_lead", "CIS"),
    ("lead-eu", "regional_lead", "EU"),
    ("legal1", "legal", "EU"),
    ("legal2", "legal", "EU"),
    ("privacy1", "privacy", "EU"),
    ("security-us", "security", "AMERICAS"),
    ("exec-apac", "executive", "APAC"),
]


AGENCIES: list[dict[str, Any]] = [
    {
        "id": "RU-FSB",
        "name": "Federal Security Service of the Russian Federation",
        "country": "RU",
        "class": "security_service",
        "verification_status": "verified",
        "verified_on": iso(TODAY - timedelta(days=30)),
    },
    {
        "id": "RU-ROSFIN",
        "name": "Federal Financial Monitoring Service (Rosfinmonitoring)",
        "country": "RU",
        "class": "financial_intelligence_unit",
        "linked": ["RU-FSB"],
        "domains": ["fedsfm.ru"],
        "verification_status": "verified",
        "verified_on": iso(TODAY - timedelta(days=30)),
    },
    {
        "id": "DE-AG-BERLIN",
        "name": "Amtsgericht Tiergarten",
        "country": "DE",
        "class": "court",
        "domains": ["berlin.de"],
        "callback_numbers": [{"number": "+49309014", "source": "court directory berlin.de, 2026-01-05"}],
        "verification_status": "verified",
        "verified_on": iso(TODAY - timedelta(days=60)),
    },
    {
        "id": "DE-LKA-BERLIN",
        "name": "Landeskriminalamt Berlin",
        "country": "DE",
        "class": "police",
        "domains": ["polizei.berlin.de"],
        "callback_numbers": [{"number": "+4930466400", "source": "police directory berlin.de, 2026-01-05"}],
        "verification_status": "verified",
        "verified_on": iso(TODAY - timedelta(days=60)),
    },
]

FOUNDATION_PARTY = {
    "id": "FBK",
    "name": "Anti-Corruption Foundation",
    "kind": "foundation",
    "country": "RU",
    "aliases": ["Fond Borby s Korruptsiey", "FBK"],
    "addresses": [{"address": FOUNDATION, "chain": "bitcoin", "label": "donation address"}],
}


_documents = itertools.count(1)


def next_document_sha256() -> str:
    """A fresh instrument document's SHA-256: each request a test files is its own document (the same one
    filed twice by the same sender is refused as a re-filing)."""
    return hashlib.sha256(f"instrument document {next(_documents)}".encode()).hexdigest()


def fresh(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` as another instrument (a new document SHA-256): the same request text filed again."""
    return {**doc, "instrument": {**doc["instrument"], "document_sha256": next_document_sha256()}}


def court_order(**overrides: Any) -> dict[str, Any]:
    """A domestic court order for one account's transactions over six months, with a non-disclosure order."""
    doc: dict[str, Any] = {
        "received_at": at(TODAY - timedelta(days=5)).isoformat(),
        "channel": "portal",
        "agency": "DE-AG-BERLIN",
        "officer": "Richterin am Amtsgericht K. Roth",
        "instrument": {
            "type": "court_order",
            "reference": "351 Gs 1234/26",
            "issued_by": "Amtsgericht Tiergarten",
            "issued_at": iso(TODAY - timedelta(days=7)),
            "legal_basis": "§§ 94, 95, 100a StPO",
            "document_sha256": next_document_sha256(),
        },
        "targets": [{"type": "account_id", "value": "A-D1"}],
        "data_categories": ["transaction_history"],
        "date_range": {"from": iso(TODAY - timedelta(days=200)), "to": iso(TODAY - timedelta(days=18))},
        "non_disclosure": {
            "basis": "§ 95a StPO order of the court",
            "until": iso(TODAY + timedelta(days=120)),
        },
        "offence": {"description": "fraud (Betrug) by phishing", "statute": "DE:StGB 263"},
    }
    doc.update(overrides)
    return doc


class Desk:
    """The service with operators registered and their keys at hand."""

    def __init__(self, store: Store) -> None:
        build_exchange(store)
        self.svc = LawfulRequests(store, audit=AuditLog.open(store))  # key in the test's data dir
        self.keys: dict[str, Ed25519PrivateKey] = {}
        for name, role, region in OPERATORS:
            key = Ed25519PrivateKey.generate()
            self.keys[name] = key
            self.svc.add_operator(Operator(name, OperatorRole(role), region, public_hex(key)), actor="admin")
        for agency in AGENCIES:
            self.svc.add_agency(parse_agency(agency), actor="admin")
        self.svc.add_party(parse_party(FOUNDATION_PARTY), actor="admin")

    def file(self, doc: dict[str, Any], intake: str = "intake1") -> str:
        return self.svc.file(parse_request(doc), intake=intake, key=self.keys[intake]).request_id

    def approve(self, rid: str, name: str) -> Any:
        return self.svc.approve(rid, operator=name, key=self.keys[name])
