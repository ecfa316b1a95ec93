"""Reading requests back: what central legal must look at now, and the transparency report.

Plain functions over database rows (``RequestRow`` and friends); ``LawfulRequests`` is the facade that opens
the connection and passes the rows in. Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from vaspguard.requests._model import ReasonCode, RequestState, Tier
from vaspguard.requests._tables import AgencyRow, NoticeRow, RequestRow

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


def transparency_report(conn: Connection, start: date, end: date) -> dict[str, Any]:
    """Transparency figures for requests received from ``start`` to ``end`` (inclusive), exact numbers
    (RDR P11a): by country, agency class and instrument; outcomes including narrowed and refused on
    human-rights grounds; accounts affected; emergency and non-disclosure rates; reason counts."""
    lo = datetime.combine(start, datetime.min.time(), UTC)
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
    rows = conn.execute(
        select(RequestRow).where(RequestRow.received_at >= lo, RequestRow.received_at < hi)
    ).all()
    classes = dict(conn.execute(select(AgencyRow.id, AgencyRow.agency_class)).all())
    tally = _Tally(classes, _affected(conn, [r.id for r in rows]))
    for r in rows:
        tally.add(r)
    return {"period": {"from": start, "to": end}, "requests": len(rows), **tally.figures()}


def _affected(conn: Connection, ids: Sequence[str]) -> dict[str, set[str]]:
    """The customers notified (affected) per request."""
    affected: dict[str, set[str]] = {}
    for chunk in (ids[i : i + 900] for i in range(0, len(ids), 900)):
        for rid, cid in conn.execute(
            select(NoticeRow.request_id, NoticeRow.customer_id).where(NoticeRow.request_id.in_(chunk))
        ):
            affected.setdefault(rid, set()).add(cid)
    return affected


def outcome(r: Any, codes: set[str]) -> str:
    """How a request ended, as the transparency report counts it."""
    if r.state == RequestState.DISCLOSED.value:
        return "disclosed"
    if r.state == RequestState.PRESERVED.value:
        return "preserved"
    if r.state == RequestState.REJECTED.value:
        return "rejected_human_rights" if codes & HUMAN_RIGHTS else "rejected"
    if r.tier == Tier.BLOCKED.value:
        return "blocked_pending_rejection"
    return "pending"


class _Tally:
    """The report's counters, one request at a time."""

    def __init__(self, classes: dict[str, str], affected: dict[str, set[str]]) -> None:
        self.classes = classes
        self.affected = affected
        self.by: dict[str, dict[str, dict[str, int]]] = {"country": {}, "agency_class": {}, "instrument": {}}
        self.outcomes: dict[str, int] = {}
        self.reasons: dict[str, int] = {}
        self.customers: set[str] = set()
        self.policy_versions: set[str] = set()
        self.narrowed = self.emergency = self.emergency_disclosed = self.ndo = self.ndo_without_end = 0

    def add(self, r: Any) -> None:
        codes = {x["code"] for x in json.loads(r.assessment)["reasons"]}
        for code in codes:
            self.reasons[code] = self.reasons.get(code, 0) + 1
        result = outcome(r, codes)
        self.outcomes[result] = self.outcomes.get(result, 0) + 1
        n = len(self.affected.get(r.id, ()))
        self.customers |= self.affected.get(r.id, set())
        keys = {
            "country": r.agency_country or "unknown",
            "agency_class": self.classes.get(r.agency_id, "unregistered") if r.agency_id else "unregistered",
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
        if json.loads(r.doc).get("non_disclosure"):
            self.ndo += 1
            self.ndo_without_end += ReasonCode.NDO_WITHOUT_END.value in codes
        self.policy_versions.add(r.policy_version)

    def figures(self) -> dict[str, Any]:
        return {
            "outcomes": dict(sorted(self.outcomes.items())),
            "narrowed": self.narrowed,
            "customers_affected": len(self.customers),
            "by_country": dict(sorted(self.by["country"].items())),
            "by_agency_class": dict(sorted(self.by["agency_class"].items())),
            "by_instrument": dict(sorted(self.by["instrument"].items())),
            "emergency": {"received": self.emergency, "disclosed": self.emergency_disclosed},
            "non_disclosure_orders": {"received": self.ndo, "without_end_or_too_long": self.ndo_without_end},
            "reasons": dict(sorted(self.reasons.items())),
            "policy_versions": sorted(self.policy_versions),
        }
