"""Reading requests back: what central legal must look at now, and the transparency report.

Plain functions over database rows (``RequestRow`` and friends); ``LawfulRequests`` is the facade that opens
the connection and passes the rows in. Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Connection, select

from vaspguard.errors import InvalidRequest
from vaspguard.requests._model import AgencyClass, InstrumentType, ReasonCode, RequestState, Tier
from vaspguard.requests._policy import default_policy
from vaspguard.requests._tables import AgencyRow, NoticeRow, PolicyVersionRow, RequestRow

HUMAN_RIGHTS = frozenset({ReasonCode.PROTECTED_TARGET.value, ReasonCode.POLITICAL_OFFENCE.value})


# -- attention -------------------------------------------------------------------------------------------


def attention(
    row: Any,
    *,
    today: date,
    events: Sequence[Any],
    notices_due: int,
    follow_ups: Sequence[Any],
    follow_up_days: Callable[[str], int],
) -> list[str]:
    """What central legal must look at now for one request. ``follow_up_days(policy_version)`` is how long
    an emergency disclosure may wait for its legal process under the policy it was assessed with."""
    state = RequestState(row.state)
    codes = sorted({ReasonCode(r["code"]) for r in json.loads(row.assessment)["reasons"]})
    items = _awaiting_decision(state, Tier(row.tier), codes)
    refused = [e for e in events if e.kind.endswith(".refused")]
    if refused:
        who = sorted({e.actor for e in refused})
        items.append(f"REFUSED_ATTEMPTS: {len(refused)} refused attempt(s) by {', '.join(who)}")
    if (
        row.deadline
        and state in (RequestState.ASSESSED, RequestState.APPROVED)
        and row.deadline <= today + timedelta(days=3)
    ):
        items.append(f"DEADLINE: {row.deadline}")
    if row.emergency and row.disclosed_at is not None:
        items += _emergency_follow_up(row, today, follow_ups, follow_up_days(row.policy_version))
    if notices_due:
        items.append(f"NOTICES_DUE: {notices_due}")
    if state is RequestState.PRESERVED and row.preserve_until:
        items += _preservation(row.preserve_until, today)
    if ReasonCode.NDO_WITHOUT_END in codes and state is not RequestState.REJECTED:
        items.append("NDO_WITHOUT_END: challenge or seek an end date")
    return items


def _awaiting_decision(state: RequestState, tier: Tier, codes: Sequence[ReasonCode]) -> list[str]:
    if state is not RequestState.ASSESSED:
        return []
    if tier is Tier.BLOCKED:
        return [
            "BLOCKED: reject, or ask the requester to come back through lawful process ("
            + ", ".join(codes)
            + ")"
        ]
    if tier is Tier.HIGH:
        return ["HIGH: awaiting decision (" + ", ".join(codes) + ")"]
    return []


def _emergency_follow_up(row: Any, today: date, follow_ups: Sequence[Any], days: int) -> list[str]:
    limit = row.disclosed_at.date() + timedelta(days=days)
    ratified = [f for f in follow_ups if f.received_at.date() <= limit]
    if ratified:
        return []
    if today > limit:
        return [f"EMERGENCY_FOLLOW_UP_OVERDUE: no legal process by {limit}"]
    return [f"EMERGENCY_FOLLOW_UP_PENDING: legal process due by {limit}"]


def _preservation(until: date, today: date) -> list[str]:
    if until < today:
        return [f"PRESERVATION_EXPIRED: {until}"]
    if until <= today + timedelta(days=14):
        return [f"PRESERVATION_EXPIRING: {until}"]
    return []


# -- transparency report ---------------------------------------------------------------------------------

# Where a request stands, as the report counts it, in the order the report shows them.
OUTCOMES = (
    "disclosed",
    "preserved",
    "rejected",
    "rejected_human_rights",
    "blocked_pending_rejection",
    "pending",
)
# Agency classes whose counts some laws allow only in bands (e.g. US national security letters).
NATIONAL_SECURITY = frozenset({AgencyClass.SECURITY_SERVICE.value, AgencyClass.INTELLIGENCE.value})
MAX_YEARS = 20

# How each figure is counted: printed on every rendering of the report and given in its JSON.
COUNTING: dict[str, str] = {
    "requests": "Every request received in the period (by the day it was received, UTC), whatever became of "
    "it; preservation requests included. A legal process that follows an emergency disclosure is a request "
    "of its own.",
    "preservation_requests": "Requests to preserve data, counted apart: nothing is disclosed on a "
    "preservation (production needs its own legal process). requests_excluding_preservation is requests "
    "less these.",
    "outcomes": "Each request once, by where it stands when the report is made: disclosed (a signed package "
    "left); preserved (a preservation, held or lapsed); rejected; rejected_human_rights (rejected, and its "
    "assessment named a protected target or a political offence); blocked_pending_rejection (blocked by a "
    "safeguard and not yet formally rejected); pending (awaiting approval, or approved and not yet "
    "disclosed).",
    "narrowed": "Requests whose scope the exchange narrowed at least once (fewer targets, data categories "
    "or days than were asked for).",
    "customers_specified": "Customers the request's scope resolves to in the registry, after any narrowing, "
    "summed over requests (a customer in two requests counts twice).",
    "accounts_affected": "Customer accounts whose data left in a disclosure, counted once per request (a "
    "customer in two disclosures counts twice); the same count is given in each breakdown.",
    "customers_affected": "Distinct customers whose data left in any disclosure on the period's requests.",
    "by_country": "The requesting authority's country (ISO 3166-1 alpha-2); received, disclosed and accounts "
    "affected.",
    "by_agency_class": "The requesting authority's class in the exchange's registry of authorities "
    "(unregistered: a requester not in that registry).",
    "by_instrument": "The legal process the request came with (court order, subpoena, MLAT request, ...).",
    "by_quarter": "Requests received in each calendar quarter of the period, by outcome.",
    "emergency": "Requests filed as emergencies (a risk to life or limb), and of them those disclosed.",
    "non_disclosure_orders": "Requests that came with an order not to tell the customer; of them those with "
    "no end date or one longer than the exchange's policy accepts.",
    "reasons": "For each reason code, the requests whose current assessment names it (once per request).",
    "policy_versions": "The assessment policy versions the period's requests were assessed under.",
    "policy_versions_in_force": "The assessment policy versions in force at some time in the period (the "
    "packaged default until a version is installed).",
    "national_security": "Exact numbers everywhere (as Ranking Digital Rights asks), unless the report is "
    "made with bands: then requests from security services and intelligence agencies are taken out of every "
    "other figure and given only as ranges (0-249 for bands of 250), as some laws require.",
}


class _Code(msgspec.Struct):
    code: str


class _Assessed(msgspec.Struct):
    """What the report reads of a stored assessment (msgspec skips the rest without building it)."""

    reasons: list[_Code]
    reach: dict[str, Any] = {}


class _Filed(msgspec.Struct):
    """What the report reads of a request as filed."""

    non_disclosure: dict[str, Any] | None = None


# Typed decoders read only these fields: over 100,000 requests, parsing the whole documents was most of the
# report's time (docs/benchmarks.md, transparency report).
_ASSESSED = msgspec.json.Decoder(_Assessed)
_FILED = msgspec.json.Decoder(_Filed)


# The columns the report reads (not the whole row: the scope and timestamps it never looks at cost time).
_COUNTED = (
    RequestRow.id,
    RequestRow.received_at,
    RequestRow.agency_id,
    RequestRow.agency_country,
    RequestRow.instrument_type,
    RequestRow.state,
    RequestRow.tier,
    RequestRow.scope_version,
    RequestRow.emergency,
    RequestRow.policy_version,
    RequestRow.assessment,
    RequestRow.doc,
)


def check_period(start: date, end: date, *, fields: tuple[str, str] = ("from", "to")) -> None:
    """Refuse a period that ends before it starts, reaches past 9999-12-30 or spans over ``MAX_YEARS``."""
    if start > end:
        raise InvalidRequest(fields[0], f"{start} is after {fields[1]} {end}")
    if end >= date.max:
        raise InvalidRequest(fields[1], f"{end} is too far in the future")
    if (end - start).days > MAX_YEARS * 366:
        raise InvalidRequest(
            fields[1], f"a report covers at most {MAX_YEARS} years; {start}..{end} is longer"
        )


def band_range(n: int, band: int) -> str:
    """``n`` as its band of ``band``: 0-249, 250-499, ... for bands of 250."""
    low = n // band * band
    return f"{low}-{low + band - 1}"


def _quarters(start: date, end: date) -> list[str]:
    out, year, q = [], start.year, (start.month - 1) // 3
    while (year, q) <= (end.year, (end.month - 1) // 3):
        out.append(f"{year}-Q{q + 1}")
        year, q = (year + 1, 0) if q == 3 else (year, q + 1)
    return out


def transparency_report(
    conn: Connection, start: date, end: date, *, band: int | None = None
) -> dict[str, Any]:
    """Transparency figures (RDR P11a) for requests received from ``start`` to ``end`` (inclusive), exact
    numbers; with ``band``, national-security requests apart and in ranges only. ``COUNTING`` says how each
    figure is counted. This is the one place the figures are computed: every rendering reads this."""
    check_period(start, end)
    if band is not None and band < 1:
        raise InvalidRequest("band", f"a band is a whole number of 1 or more, not {band}")
    lo = datetime.combine(start, datetime.min.time(), UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
    rows = conn.execute(
        select(*_COUNTED).where(RequestRow.received_at >= lo, RequestRow.received_at < hi)
    ).all()
    classes = dict(conn.execute(select(AgencyRow.id, AgencyRow.agency_class)).all())
    apart = [r for r in rows if band is not None and _agency_class(r, classes) in NATIONAL_SECURITY]
    counted = [r for r in rows if band is None or _agency_class(r, classes) not in NATIONAL_SECURITY]
    tally = _Tally(classes, _affected(conn, [r.id for r in counted]), _quarters(start, end))
    for r in counted:
        tally.add(r)
    preservations = sum(r.instrument_type == InstrumentType.PRESERVATION_REQUEST.value for r in counted)
    return {
        "period": {"from": start, "to": end},
        "requests": len(counted),
        "preservation_requests": preservations,
        "requests_excluding_preservation": len(counted) - preservations,
        **tally.figures(),
        "policy_versions_in_force": _policies_in_force(conn, lo, hi),
        "national_security": None if band is None else _national_security(apart, band),
        "counting": COUNTING,
    }


def _agency_class(r: Any, classes: dict[str, str]) -> str:
    return classes.get(r.agency_id, "unregistered") if r.agency_id else "unregistered"


def _national_security(rows: Sequence[Any], band: int) -> dict[str, Any]:
    specified = sum(_specified(_ASSESSED.decode(r.assessment)) for r in rows)
    return {
        "band": band,
        "agency_classes": sorted(NATIONAL_SECURITY),
        "requests": band_range(len(rows), band),
        "customers_specified": band_range(specified, band),
    }


def _specified(assessed: _Assessed) -> int:
    return int(assessed.reach.get("customers", 0))


def _policies_in_force(conn: Connection, lo: datetime, hi: datetime) -> list[dict[str, Any]]:
    """Policy versions in force at some instant in [lo, hi): each from its installation to the next one; the
    packaged default before the first."""
    installed = conn.execute(
        select(PolicyVersionRow.version, PolicyVersionRow.installed_at).order_by(PolicyVersionRow.id)
    ).all()
    spans: list[tuple[str, datetime | None, datetime | None]] = []
    first = _aware(installed[0].installed_at) if installed else None
    spans.append((default_policy().version, None, first))
    for i, row in enumerate(installed):
        until = _aware(installed[i + 1].installed_at) if i + 1 < len(installed) else None
        spans.append((row.version, _aware(row.installed_at), until))
    return [
        {"version": v, "installed_at": since}
        for v, since, until in spans
        if (since is None or since < hi)
        and (until is None or until > lo)
        and (since is None or until is None or since < until)  # replaced the instant it was installed: never
    ]


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _affected(conn: Connection, ids: Sequence[str]) -> dict[str, set[str]]:
    """The customers notified (affected) per request."""
    affected: dict[str, set[str]] = {}
    for chunk in (ids[i : i + 900] for i in range(0, len(ids), 900)):
        for rid, cid in conn.execute(
            select(NoticeRow.request_id, NoticeRow.customer_id).where(NoticeRow.request_id.in_(chunk))
        ):
            affected.setdefault(rid, set()).add(cid)
    return affected


_ENDED = {
    RequestState.DISCLOSED.value: "disclosed",
    RequestState.PRESERVED.value: "preserved",
    RequestState.EXPIRED.value: "preserved",  # a preservation that ran out was still a preservation
}
_REJECTED, _BLOCKED = RequestState.REJECTED.value, Tier.BLOCKED.value


def outcome(r: Any, codes: set[str]) -> str:
    """How a request ended, as the transparency report counts it (one of ``OUTCOMES``)."""
    ended = _ENDED.get(r.state)
    if ended is not None:
        return ended
    if r.state == _REJECTED:
        return "rejected_human_rights" if codes & HUMAN_RIGHTS else "rejected"
    return "blocked_pending_rejection" if r.tier == _BLOCKED else "pending"


class _Tally:
    """The report's counters, one request at a time."""

    def __init__(self, classes: dict[str, str], affected: dict[str, set[str]], quarters: list[str]) -> None:
        self.classes = classes
        self.affected = affected
        self.by: dict[str, dict[str, dict[str, int]]] = {"country": {}, "agency_class": {}, "instrument": {}}
        self.quarters = {q: dict.fromkeys(("received", *OUTCOMES), 0) for q in quarters}
        self.outcomes: dict[str, int] = {}
        self.reasons: dict[str, int] = {}
        self.customers: set[str] = set()
        self.policy_versions: set[str] = set()
        self.narrowed = self.emergency = self.emergency_disclosed = self.ndo = self.ndo_without_end = 0
        self.specified = self.accounts = 0

    def add(self, r: Any) -> None:
        assessed = _ASSESSED.decode(r.assessment)
        codes = {x.code for x in assessed.reasons}
        for code in codes:
            self.reasons[code] = self.reasons.get(code, 0) + 1
        result = outcome(r, codes)
        self.outcomes[result] = self.outcomes.get(result, 0) + 1
        received = r.received_at.astimezone(UTC) if r.received_at.tzinfo else r.received_at
        in_quarter = self.quarters[f"{received.year}-Q{(received.month - 1) // 3 + 1}"]
        in_quarter["received"] += 1
        in_quarter[result] += 1
        n = len(self.affected.get(r.id, ()))
        self.accounts += n
        self.specified += _specified(assessed)
        self.customers |= self.affected.get(r.id, set())
        keys = {
            "country": r.agency_country or "unknown",
            "agency_class": _agency_class(r, self.classes),
            "instrument": r.instrument_type,
        }
        for dim, key in keys.items():
            b = self.by[dim].setdefault(key, {"received": 0, "disclosed": 0, "accounts_affected": 0})
            b["received"] += 1
            b["disclosed"] += result == "disclosed"
            b["accounts_affected"] += n
        self.narrowed += r.scope_version > 1
        self.emergency += bool(r.emergency)
        self.emergency_disclosed += bool(r.emergency) and result == "disclosed"
        if _FILED.decode(r.doc).non_disclosure:
            self.ndo += 1
            self.ndo_without_end += ReasonCode.NDO_WITHOUT_END.value in codes
        self.policy_versions.add(r.policy_version)

    def figures(self) -> dict[str, Any]:
        return {
            "outcomes": dict(sorted(self.outcomes.items())),
            "narrowed": self.narrowed,
            "customers_specified": self.specified,
            "accounts_affected": self.accounts,
            "customers_affected": len(self.customers),
            "by_country": dict(sorted(self.by["country"].items())),
            "by_agency_class": dict(sorted(self.by["agency_class"].items())),
            "by_instrument": dict(sorted(self.by["instrument"].items())),
            "by_quarter": self.quarters,
            "emergency": {"received": self.emergency, "disclosed": self.emergency_disclosed},
            "non_disclosure_orders": {"received": self.ndo, "without_end_or_too_long": self.ndo_without_end},
            "reasons": dict(sorted(self.reasons.items())),
            "policy_versions": sorted(self.policy_versions),
        }
