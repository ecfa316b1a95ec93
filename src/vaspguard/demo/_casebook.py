"""The demo's lawful-request casebook: what a legal desk holds after a year of requests, so a first user of
``make run`` sees every part of it (the request list, the legal attention list, notices, the gag ledger,
preservations, emergencies and the transparency report).

A year of settled requests, more each quarter (court orders and productions disclosed and their notices
sent, overreaching subpoenas and political dragnets rejected, an emergency followed by its court order), and
the open cases a legal team finds on a Monday:

- ``court_order``: a court order disclosed with its quorum (legal, then privacy), its notices due now;
- ``blocked``: the 2021 scenario, an informal request made in person by a body under a security service for
  the donors to a protected foundation's donation wallet: blocked, waiting to be rejected;
- ``narrowed``: a court order asking for five categories, narrowed by legal to one, then disclosed;
- ``pending``: a court order approved by privacy and waiting for legal (``demo-legal``, whom the desk's
  demo legal user acts as, can approve it with a passkey);
- ``emergency``: a danger to life confirmed by calling back, disclosed, its legal process due within the
  policy's days;
- ``preservation``: data preserved for a prosecutor, with its expiry;
- ``gag``: a court order with a non-disclosure order that ends in some weeks, its notices held until then.

Every step goes through ``LawfulRequests`` (logged to the audit log before it takes effect), signed with the
demo operators' keys from the demo's data directory. Dates are counted back from ``today`` so deadlines are
live whenever the demo is seeded; customers are drawn with ``seed``.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.demo._lawful import APPROVERS, CALLBACK, INTAKE, LEGAL, add_extra_authorities
from vaspguard.demo._offline import ACTOR, DEMO_OPERATORS
from vaspguard.demo._samples import FOUNDATION_ADDRESSES
from vaspguard.store import Store

# The body that made the 2021-style request: fictional, its parent the demo's security directorate, so the
# assessment sees a security service behind it (REQUESTER_SECURITY_SERVICE through its parent).
FINMON = {
    "id": "demo-ru-finmon",
    "name": "Demo Financial Monitoring Committee (fictional)",
    "country": "RU",
    "class": "financial_intelligence_unit",
    "parent": "demo-ru-security",
    "verification_status": "unverified",
    "notes": "fictional demo authority, reporting to the demo security directorate",
}
# Authorities ``seed_demo`` registers, which the casebook files against.
NEEDED_AGENCIES = ("demo-de-police", "demo-nl-fiu", "demo-ru-security")
# The settled year: (days before today, kind), oldest first; more requests each quarter.
HISTORY: tuple[tuple[int, str], ...] = (
    (360, "court_order"),
    (330, "dragnet"),
    (300, "production"),
    (265, "court_order"),
    (250, "subpoena"),
    (230, "mlat"),
    (205, "court_order"),
    (190, "emergency"),
    (175, "production"),
    (160, "dragnet"),
    (140, "court_order"),
    (120, "subpoena"),
    (105, "production"),
    (95, "court_order"),
    (85, "mlat"),
    (70, "court_order"),
    (62, "production"),
    (50, "court_order"),
)
# The open cases: (days before today, case).
OPEN_CASES: tuple[tuple[int, str], ...] = (
    (35, "gag"),
    (27, "narrowed"),
    (20, "court_order"),
    (10, "preservation"),
    (6, "blocked"),
    (2, "pending"),
    (1, "emergency"),
)


def seed_casebook(
    store: Store,
    *,
    keys: Mapping[str, Ed25519PrivateKey],
    packages: Path,
    today: date,
    seed: int = 1,
    audit: Any | None = None,
) -> dict[str, list[str]]:
    """File the casebook (see the module doc) and take each request to where its case stands; disclosure
    packages go under ``packages``. ``keys`` are the demo operators' signing keys by name. Returns the
    request ids of each case: ``history`` (the settled year, follow-ups included) and each open case."""
    from vaspguard.errors import InvalidRequest
    from vaspguard.requests import LawfulRequests

    lawful = LawfulRequests(store, audit=audit)
    _check_ready(lawful, store, keys)
    if packages.is_dir() and any(packages.iterdir()):  # a disclosure refuses to write over another
        raise InvalidRequest("packages", f"{packages} holds packages of an earlier demo: remove it first")
    _add_authorities(lawful, today)
    book = _Book(lawful, keys, packages, today, random.Random(seed), _customers(store))
    filed: dict[str, list[str]] = {"history": []}
    # In the order received, so request ids follow the days.
    cases = [(days, kind, True) for days, kind in HISTORY] + [
        (days, kind, False) for days, kind in OPEN_CASES
    ]
    for days, kind, settled in sorted(cases, key=lambda c: -c[0]):
        day = today - timedelta(days=days)
        if settled:
            filed["history"] += SETTLED[kind](book, day)
        else:
            filed[kind] = [OPEN[kind](book, day)]
    return filed


def _add_authorities(lawful: Any, today: date) -> None:
    """The authorities beside ``seed_demo``'s (verified within the year; one with a callback number) and the
    body behind the 2021-style request."""
    from vaspguard.requests import parse_agency

    add_extra_authorities(lawful, verified_on=today - timedelta(days=300))
    lawful.add_agency(parse_agency(FINMON, origin="demo"), actor=ACTOR)


def _check_ready(lawful: Any, store: Store, keys: Mapping[str, Ed25519PrivateKey]) -> None:
    """Refuse before anything is written unless the demo exchange, its authorities and its operators (with
    these keys) are there."""
    from vaspguard.errors import InvalidRequest, NotFound
    from vaspguard.registry import Registry
    from vaspguard.requests import public_hex

    if not Registry(store).count_customers():
        raise InvalidRequest("registry", "no demo exchange to file requests about: run vaspguard demo seed")
    registered = {a.id for a in lawful.list_agencies()}
    for agency in NEEDED_AGENCIES:
        if agency not in registered:
            raise InvalidRequest("authorities", f"demo authority {agency!r} missing: run vaspguard demo seed")
    for name in DEMO_OPERATORS:
        if name not in keys:
            raise InvalidRequest("keys", f"no key for demo operator {name!r}")
        try:
            op = lawful.get_operator(name)
        except NotFound:
            raise InvalidRequest(
                "operators", f"demo operator {name!r} missing: run vaspguard demo seed"
            ) from None
        if op.public_key != public_hex(keys[name]):
            raise InvalidRequest("keys", f"the key given for {name!r} is not the registered demo operator's")


def _customers(store: Store) -> list[str]:
    """Natural persons among the first customers: the people requests are about."""
    from vaspguard.registry import Registry

    people = [c.id for c in Registry(store).list_customers(limit=300) if c.type.value == "natural"]
    return people or [c.id for c in Registry(store).list_customers(limit=300)]


class _Book:
    """Filing requests and deciding them as the demo operators."""

    def __init__(
        self,
        lawful: Any,
        keys: Mapping[str, Ed25519PrivateKey],
        packages: Path,
        today: date,
        rng: random.Random,
        customers: list[str],
    ) -> None:
        self.lawful, self.keys, self.packages, self.today = lawful, keys, packages, today
        self.rng, self.customers, self.n = rng, customers, 0

    def doc(
        self, day: date, agency: str, instrument: str, categories: Sequence[str], **extra: Any
    ) -> dict[str, Any]:
        self.n += 1
        received = datetime.combine(day, time(8 + self.n % 9, (17 * self.n) % 60), UTC)
        reference = f"DEMO-{day:%Y}-{self.n:04d}"
        doc: dict[str, Any] = {
            "received_at": received.isoformat(),
            "channel": "portal",
            "agency": agency,
            "officer": f"Investigator {self.n} (fictional)",
            "instrument": {
                "type": instrument,
                "reference": reference,
                "issued_by": "Demo Court (fictional)",
                "issued_at": (day - timedelta(days=2)).isoformat(),
                "legal_basis": "demo legal basis (fictional)",
                "document_sha256": hashlib.sha256(f"demo casebook {reference}".encode()).hexdigest(),
            },
            "targets": [{"type": "customer_id", "value": c} for c in self.rng.sample(self.customers, 1)],
            "data_categories": list(categories),
            "date_range": {"from": (day - timedelta(days=180)).isoformat(), "to": day.isoformat()},
            "offence": {"description": "fraud (fictional case)", "statute": "DEMO-1"},
        }
        return doc | extra

    def file(self, doc: dict[str, Any]) -> str:
        from vaspguard.requests import parse_request

        filed = self.lawful.file(parse_request(doc), intake=INTAKE, key=self.keys[INTAKE])
        return str(filed.request_id)

    def approve(self, rid: str, approvers: Sequence[str] = APPROVERS) -> bool:
        """Approvals in this order until the quorum is met (whether it was)."""
        for name in approvers:
            if self.lawful.approve(rid, operator=name, key=self.keys[name]).quorum.met:
                return True
        return False

    def disclose(self, rid: str, *, send_notices: bool) -> None:
        self.lawful.disclose(rid, self.packages / rid, actor=LEGAL)
        if send_notices:
            for n in self.lawful.notices(due_only=True):
                if n["request_id"] == rid:
                    self.lawful.send_notice(n["id"], actor=LEGAL)

    def reject(self, rid: str, reason: str) -> None:
        self.lawful.reject(rid, operator=LEGAL, key=self.keys[LEGAL], reason=reason)


# -- the settled year ------------------------------------------------------------------------------------


def _court_order(b: _Book, day: date) -> list[str]:
    agency = b.rng.choice(["demo-de-police", "demo-fr-parquet", "demo-at-tax"])
    rid = b.file(b.doc(day, agency, "court_order", ["subscriber_info", "transaction_history"]))
    if b.approve(rid):
        b.disclose(rid, send_notices=True)
    return [rid]


def _production(b: _Book, day: date) -> list[str]:
    rid = b.file(b.doc(day, "demo-nl-fiu", "production_order", ["subscriber_info"]))
    if b.approve(rid):
        b.disclose(rid, send_notices=True)
    return [rid]


def _subpoena(b: _Book, day: date) -> list[str]:
    rid = b.file(b.doc(day, "demo-us-court", "subpoena", ["kyc_documents", "ip_logs"]))
    b.reject(rid, "a subpoena reaches neither KYC documents nor IP logs: come back with a court order")
    return [rid]


def _mlat(b: _Book, day: date) -> list[str]:
    rid = b.file(b.doc(day, "demo-gb-intel", "mlat_request", ["subscriber_info"]))
    if b.approve(rid):
        b.disclose(rid, send_notices=True)
    return [rid]


def _dragnet(b: _Book, day: date) -> list[str]:
    rid = b.file(_donors(b, day, "demo-ru-security", "email"))
    b.reject(rid, "the donors of a protected foundation: a dragnet on political grounds")
    return [rid]


def _emergency_followed_up(b: _Book, day: date) -> list[str]:
    rid = _emergency(b, day)
    follow_up = b.doc(
        day + timedelta(days=3), CALLBACK[0], "court_order", ["subscriber_info"], follow_up_of=rid
    )
    follow_up["targets"] = b.lawful.show(rid)["request"]["targets"]
    ratified = b.file(follow_up)
    if b.approve(ratified):
        b.disclose(ratified, send_notices=True)
    return [rid, ratified]


SETTLED = {
    "court_order": _court_order,
    "production": _production,
    "subpoena": _subpoena,
    "mlat": _mlat,
    "dragnet": _dragnet,
    "emergency": _emergency_followed_up,
}


# -- the open cases ----------------------------------------------------------------------------------------


def _donors(b: _Book, day: date, agency: str, channel: str) -> dict[str, Any]:
    """A request for everyone who paid the protected foundation's donation wallet."""
    chain, address = FOUNDATION_ADDRESSES[b.n % len(FOUNDATION_ADDRESSES)]
    return b.doc(
        day,
        agency,
        "informal_request",
        ["subscriber_info", "transaction_history", "ip_logs"],
        channel=channel,
        targets=[{"type": "counterparty_address", "value": address, "chain": chain}],
        offence={"description": "donations to an undesirable organisation (the opposition foundation)"},
    )


def _emergency(b: _Book, day: date) -> str:
    """A danger to life confirmed by calling the agency back on its independently sourced number, and
    disclosed at once."""
    at = datetime.combine(day, time(22, 40), UTC).isoformat()
    doc = b.doc(
        day,
        CALLBACK[0],
        "emergency_disclosure_request",
        ["subscriber_info"],
        emergency={
            "nature": "danger_to_life",
            "persons_at_risk": "a person threatened online (fictional)",
            "why_normal_process_insufficient": "the threat is for tonight (fictional)",
        },
        callback={"number": CALLBACK[1], "by": INTAKE, "at": at, "outcome": "confirmed"},
    )
    rid = b.file(doc)
    if b.approve(rid):
        b.disclose(rid, send_notices=False)
    return rid


def _open_court_order(b: _Book, day: date) -> str:
    rid = b.file(
        b.doc(day, "demo-de-police", "court_order", ["subscriber_info", "transaction_history", "ip_logs"])
    )
    b.approve(rid)
    b.disclose(rid, send_notices=False)
    return rid


def _open_blocked(b: _Book, day: date) -> str:
    return b.file(_donors(b, day, str(FINMON["id"]), "in_person"))


def _open_narrowed(b: _Book, day: date) -> str:
    from vaspguard.requests import DataCategory

    wide = ["subscriber_info", "kyc_documents", "transaction_history", "ip_logs", "device_info"]
    rid = b.file(b.doc(day, "demo-fr-parquet", "court_order", wide))
    b.approve(rid, ["demo-legal"])  # voided by the narrowing below
    b.lawful.narrow(rid, operator=LEGAL, key=b.keys[LEGAL], categories=[DataCategory.TRANSACTION_HISTORY])
    b.approve(rid)
    b.disclose(rid, send_notices=True)
    return rid


def _open_pending(b: _Book, day: date) -> str:
    """A foreign intelligence office's MLAT request (high tier): privacy and a legal counsel of another
    region have approved, legal (``demo-legal``) has not."""
    rid = b.file(b.doc(day, "demo-gb-intel", "mlat_request", ["subscriber_info", "transaction_history"]))
    b.approve(rid, ["demo-privacy", "demo-legal-us"])
    return rid


def _open_emergency(b: _Book, day: date) -> str:
    return _emergency(b, day)


def _open_preservation(b: _Book, day: date) -> str:
    rid = b.file(b.doc(day, "demo-fr-parquet", "preservation_request", ["transaction_history"]))
    b.approve(rid)
    return rid


def _open_gag(b: _Book, day: date) -> str:
    ndo = {
        "basis": "order not to notify the customer (fictional)",
        "until": (b.today + timedelta(days=40)).isoformat(),
    }
    rid = b.file(b.doc(day, "demo-at-tax", "court_order", ["transaction_history"], non_disclosure=ndo))
    b.approve(rid)
    b.disclose(rid, send_notices=False)
    return rid


OPEN = {
    "court_order": _open_court_order,
    "blocked": _open_blocked,
    "narrowed": _open_narrowed,
    "pending": _open_pending,
    "emergency": _open_emergency,
    "preservation": _open_preservation,
    "gag": _open_gag,
}
