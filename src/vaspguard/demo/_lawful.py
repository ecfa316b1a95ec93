"""A period of lawful requests for the demo exchange: realistic, varied requests filed, approved, narrowed,
rejected, preserved and disclosed through ``LawfulRequests``, as the operators of the offline demo would.

For the transparency report (its page, its tests and its benchmark) there must be something to count: every
outcome, several countries and agency classes, every common instrument, emergencies and non-disclosure
orders, narrowed scopes and disclosures that reach customers. Deterministic for a seed (request by request;
the audit log's signatures and times aside). Needs ``seed_demo`` to have run with the same seed (its
authorities, protected foundation and operators, whose keys derive from the seed).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from vaspguard.demo._offline import ACTOR, operator_key
from vaspguard.demo._samples import FOUNDATION_ADDRESSES
from vaspguard.store import Store

# More fictional authorities, beside the demo's three: another class or country each.
EXTRA_AUTHORITIES: tuple[tuple[str, str, str, str], ...] = (
    ("demo-fr-parquet", "Demo Public Prosecutor's Office (fictional)", "FR", "prosecutor"),
    ("demo-us-court", "Demo District Court (fictional)", "US", "court"),
    ("demo-gb-intel", "Demo Signals Intelligence Office (fictional)", "GB", "intelligence"),
    ("demo-at-tax", "Demo Tax Investigation Office (fictional)", "AT", "tax"),
    ("demo-nl-police", "Demo National Police (fictional)", "NL", "police"),
)
# The one extra authority with a callback number sourced independently of any request: its emergencies can be
# confirmed by calling back, so they can be disclosed.
CALLBACK = ("demo-nl-police", "+31 70 000 0000")
INTAKE, LEGAL = "demo-intake", "demo-legal"
# Who approves, in this order, until the request's quorum is met (one of them is in another region).
APPROVERS = ("demo-legal", "demo-privacy", "demo-security", "demo-legal-us")


def add_extra_authorities(lawful: Any, *, verified_on: date) -> None:
    """Register ``EXTRA_AUTHORITIES`` (verified on ``verified_on``; one with the callback number)."""
    from vaspguard.requests import parse_agency

    for agency_id, name, country, klass in EXTRA_AUTHORITIES:
        numbers = [{"number": CALLBACK[1], "source": "demo directory (fictional)"}]
        agency = {
            "id": agency_id,
            "name": name,
            "country": country,
            "class": klass,
            "callback_numbers": numbers if agency_id == CALLBACK[0] else [],
            "verification_status": "verified",
            "verified_on": verified_on.isoformat(),
            "notes": "fictional demo authority",
        }
        lawful.add_agency(parse_agency(agency, origin="demo"), actor=ACTOR)


def seed_requests(
    store: Store,
    *,
    count: int,
    seed: int,
    start: date,
    end: date,
    packages: Path,
    customers: list[str],
    audit: Any | None = None,
) -> Counter[str]:
    """File ``count`` requests received from ``start`` to ``end`` and take each to its scenario's end
    (disclosure packages go under ``packages``); ``customers`` are the registry's customer ids to target.
    Returns how many requests each scenario filed."""
    from vaspguard.requests import LawfulRequests

    lawful = LawfulRequests(store, audit=audit)
    add_extra_authorities(lawful, verified_on=start)
    rng = random.Random(seed)
    filed: Counter[str] = Counter()
    span = max((end - start).days, 0)
    for i in range(count):
        day = start + timedelta(days=span * i // max(count - 1, 1))
        received = datetime.combine(day, time(9 + i % 8, (7 * i) % 60), UTC)
        name, scenario = SCENARIOS[rng.randrange(len(SCENARIOS))]
        scenario(_Filing(lawful, rng, seed, i, received, customers, packages))
        filed[name] += 1
    return filed


class _Filing:
    """One request being filed and taken through its scenario."""

    def __init__(
        self,
        lawful: Any,
        rng: random.Random,
        seed: int,
        n: int,
        received: datetime,
        customers: list[str],
        packages: Path,
    ) -> None:
        self.lawful, self.rng, self.seed, self.n = lawful, rng, seed, n
        self.received, self.customers, self.packages = received, customers, packages
        self.rid = ""

    def key(self, name: str) -> Any:
        return operator_key(self.seed, name)

    def doc(self, agency: str | dict[str, str], instrument: str, **extra: Any) -> dict[str, Any]:
        day = self.received.date()
        picked = self.rng.sample(self.customers, self.rng.randint(1, 3))
        doc: dict[str, Any] = {
            "received_at": self.received.isoformat(),
            "channel": "portal",
            "agency": agency,
            "officer": f"Investigator No. {self.n} (fictional)",
            "instrument": {
                "type": instrument,
                "reference": f"DEMO-{self.seed}-{self.n:05d}",
                "issued_by": "Demo Court (fictional)",
                "issued_at": (day - timedelta(days=2)).isoformat(),
                "legal_basis": "demo legal basis (fictional)",
                "document_sha256": hashlib.sha256(
                    f"demo instrument {self.seed} {self.n}".encode()
                ).hexdigest(),
            },
            "targets": [{"type": "customer_id", "value": c} for c in picked],
            "data_categories": ["transaction_history"],
            "date_range": {"from": (day - timedelta(days=300)).isoformat(), "to": day.isoformat()},
            "offence": {"description": "fraud (fictional case)", "statute": "DEMO-1"},
        }
        doc.update(extra)
        return doc

    def file(self, doc: dict[str, Any]) -> str:
        from vaspguard.requests import parse_request

        filed = self.lawful.file(parse_request(doc), intake=INTAKE, key=self.key(INTAKE))
        self.rid = str(filed.request_id)
        return self.rid

    def approve(self) -> bool:
        """Approvals until the quorum is met (whether it was). A blocked request (a target who turned out to
        be a protected party's donor, say) is left blocked: nothing can be approved."""
        from vaspguard.requests import Tier

        if self.lawful.assessment(self.rid).tier is Tier.BLOCKED:
            return False
        for name in APPROVERS:
            if self.lawful.approve(self.rid, operator=name, key=self.key(name)).quorum.met:
                return True
        return False

    def disclose(self) -> None:
        self.lawful.disclose(self.rid, self.packages / self.rid, actor=LEGAL)

    def reject(self, reason: str) -> None:
        self.lawful.reject(self.rid, operator=LEGAL, key=self.key(LEGAL), reason=reason)


def _court_order_disclosed(f: _Filing) -> None:
    agency = f.rng.choice(["demo-de-police", "demo-fr-parquet", "demo-at-tax"])
    ndo, draw = None, f.rng.random()
    if draw < 0.4:  # most orders not to tell the customer run 90 days; some give no end (NDO_WITHOUT_END)
        until = None if draw < 0.1 else (f.received.date() + timedelta(days=90)).isoformat()
        ndo = {"basis": "court order (fictional)", "until": until}
    f.file(f.doc(agency, "court_order", non_disclosure=ndo))
    if f.approve():
        f.disclose()


def _fiu_production(f: _Filing) -> None:
    f.file(f.doc("demo-nl-fiu", "production_order", data_categories=["subscriber_info"]))
    if f.approve() and f.rng.random() < 0.7:
        f.disclose()  # else approved and not yet disclosed: pending


def _subpoena_overreach(f: _Filing) -> None:
    f.file(f.doc("demo-us-court", "subpoena", data_categories=["kyc_documents", "ip_logs"]))
    f.reject("a subpoena does not reach KYC documents or IP logs")


def _narrowed(f: _Filing) -> None:
    from vaspguard.requests import DataCategory

    f.file(f.doc("demo-de-police", "court_order", data_categories=["transaction_history", "ip_logs"]))
    f.lawful.narrow(f.rid, operator=LEGAL, key=f.key(LEGAL), categories=[DataCategory.TRANSACTION_HISTORY])
    if f.approve():
        f.disclose()


def _dragnet_on_donors(f: _Filing) -> None:
    chain, address = FOUNDATION_ADDRESSES[f.n % len(FOUNDATION_ADDRESSES)]
    f.file(
        f.doc(
            "demo-ru-security",
            "informal_request",
            channel="in_person",
            targets=[{"type": "counterparty_address", "value": address, "chain": chain}],
            data_categories=["subscriber_info", "transaction_history"],
            offence={"description": "financing of an undesirable organisation (opposition)"},
        )
    )
    if f.rng.random() < 0.6:
        f.reject("donors of a protected foundation: a dragnet on political grounds")


def _preservation(f: _Filing) -> None:
    f.file(
        f.doc(
            f.rng.choice(["demo-de-police", "demo-fr-parquet"]),
            "preservation_request",
            data_categories=["transaction_history"],
        )
    )
    f.approve()


def _unregistered(f: _Filing) -> None:
    f.file(f.doc({"name": "Demo Municipal Police (fictional, unregistered)", "country": "BE"}, "court_order"))


def _emergency(f: _Filing) -> None:
    f.file(
        f.doc(
            "demo-de-police",
            "emergency_disclosure_request",
            data_categories=["subscriber_info"],
            emergency={
                "nature": "danger_to_life",
                "persons_at_risk": "a missing person (fictional)",
                "why_normal_process_insufficient": "hours matter (fictional)",
            },
        )
    )


def _emergency_confirmed(f: _Filing) -> None:
    """A threat to life, confirmed by calling the agency back on its independently sourced number."""
    f.file(
        f.doc(
            CALLBACK[0],
            "emergency_disclosure_request",
            data_categories=["subscriber_info"],
            emergency={
                "nature": "danger_to_life",
                "persons_at_risk": "a person threatened online (fictional)",
                "why_normal_process_insufficient": "the threat is for tonight (fictional)",
            },
            callback={
                "number": CALLBACK[1],
                "by": INTAKE,
                "at": f.received.isoformat(),
                "outcome": "confirmed",
            },
        )
    )
    if f.approve():
        f.disclose()


def _intelligence(f: _Filing) -> None:
    f.file(f.doc("demo-gb-intel", "mlat_request", data_categories=["subscriber_info"]))
    if f.approve():
        f.disclose()


SCENARIOS: tuple[tuple[str, Callable[[_Filing], None]], ...] = (
    ("court_order_disclosed", _court_order_disclosed),
    ("court_order_disclosed", _court_order_disclosed),
    ("fiu_production", _fiu_production),
    ("subpoena_overreach", _subpoena_overreach),
    ("narrowed", _narrowed),
    ("dragnet_on_donors", _dragnet_on_donors),
    ("preservation", _preservation),
    ("unregistered", _unregistered),
    ("emergency", _emergency),
    ("emergency_confirmed", _emergency_confirmed),
    ("intelligence", _intelligence),
)
