"""How requests, scopes, agencies, parties and assessments are stored as JSON documents, and read back.

The scope document is what approvals sign (through ``scope_hash``): its form must never change without a
new signing domain.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from vaspguard._json import to_jsonable
from vaspguard.requests import _crypto
from vaspguard.requests._model import (
    Agency,
    AgencyClass,
    Assessment,
    CallbackNumber,
    CallbackVerification,
    Channel,
    DataCategory,
    DateRange,
    Emergency,
    Instrument,
    InstrumentType,
    LawfulRequest,
    NonDisclosure,
    Offence,
    PartyKind,
    ProtectedAddress,
    ProtectedParty,
    Reason,
    ReasonCode,
    Scope,
    Target,
    TargetType,
    Tier,
    VerificationStatus,
)


def dump(value: Any) -> str:
    return json.dumps(to_jsonable(value), sort_keys=True, ensure_ascii=False)


def scope_doc(scope: Scope) -> dict[str, Any]:
    s = scope.normalised()
    return {
        "targets": [{"type": t.type.value, "value": t.value, "chain": t.chain} for t in s.targets],
        "data_categories": [c.value for c in s.data_categories],
        "date_range": {
            "from": s.date_range.start.isoformat() if s.date_range.start else None,
            "to": s.date_range.end.isoformat() if s.date_range.end else None,
        },
    }


def scope_from_doc(doc: dict[str, Any]) -> Scope:
    dr = doc["date_range"]
    return Scope(
        tuple(Target(TargetType(t["type"]), t["value"], t.get("chain")) for t in doc["targets"]),
        tuple(DataCategory(c) for c in doc["data_categories"]),
        DateRange(
            date.fromisoformat(dr["from"]) if dr["from"] else None,
            date.fromisoformat(dr["to"]) if dr["to"] else None,
        ),
    )


def scope_hash(request_id: str, version: int, scope: Scope) -> str:
    """SHA-256 of the canonical scope: the exact thing approvals sign."""
    return _crypto.sha256_hex(
        _crypto.canonical({"request_id": request_id, "version": version, **scope_doc(scope)})
    )


def request_doc(r: LawfulRequest) -> dict[str, Any]:
    doc: dict[str, Any] = to_jsonable(r)
    return doc


def request_from_doc(doc: dict[str, Any]) -> LawfulRequest:
    inst = doc["instrument"]
    dr = doc["date_range"]
    cb = doc.get("callback")
    ndo = doc.get("non_disclosure")
    em = doc.get("emergency")
    off = doc.get("offence")
    return LawfulRequest(
        received_at=datetime.fromisoformat(doc["received_at"]),
        channel=Channel(doc["channel"]),
        agency_id=doc["agency_id"],
        agency_name=doc["agency_name"],
        agency_country=doc["agency_country"],
        officer=doc["officer"],
        instrument=Instrument(
            InstrumentType(inst["type"]),
            inst["reference"],
            inst["issued_by"],
            date.fromisoformat(inst["issued_at"]),
            inst["legal_basis"],
            inst["document_sha256"],
            inst.get("signature"),
        ),
        targets=tuple(Target(TargetType(t["type"]), t["value"], t.get("chain")) for t in doc["targets"]),
        data_categories=tuple(DataCategory(c) for c in doc["data_categories"]),
        date_range=DateRange(
            date.fromisoformat(dr["start"]) if dr["start"] else None,
            date.fromisoformat(dr["end"]) if dr["end"] else None,
        ),
        deadline=date.fromisoformat(doc["deadline"]) if doc.get("deadline") else None,
        non_disclosure=NonDisclosure(ndo["basis"], date.fromisoformat(ndo["until"]) if ndo["until"] else None)
        if ndo
        else None,
        emergency=Emergency(em["nature"], em["persons_at_risk"], em["why_normal_process_insufficient"])
        if em
        else None,
        offence=Offence(off["description"], off.get("statute")) if off else None,
        callback=CallbackVerification(cb["number"], cb["by"], datetime.fromisoformat(cb["at"]), cb["outcome"])
        if cb
        else None,
        follow_up_of=doc.get("follow_up_of"),
        sender_email=doc.get("sender_email"),
    )


def agency_from_doc(doc: dict[str, Any]) -> Agency:
    return Agency(
        id=doc["id"],
        name=doc["name"],
        country=doc["country"],
        agency_class=AgencyClass(doc["agency_class"]),
        parent_id=doc.get("parent_id"),
        linked_ids=tuple(doc.get("linked_ids", ())),
        domains=tuple(doc.get("domains", ())),
        callback_numbers=tuple(
            CallbackNumber(n["number"], n["source"]) for n in doc.get("callback_numbers", ())
        ),
        public_keys=tuple(doc.get("public_keys", ())),
        verification_status=VerificationStatus(doc["verification_status"]),
        verified_on=date.fromisoformat(doc["verified_on"]) if doc.get("verified_on") else None,
        aliases=tuple(doc.get("aliases", ())),
        notes=doc.get("notes"),
        encryption_recipients=tuple(doc.get("encryption_recipients", ())),
    )


def party_from_doc(doc: dict[str, Any]) -> ProtectedParty:
    return ProtectedParty(
        id=doc["id"],
        name=doc["name"],
        kind=PartyKind(doc["kind"]),
        country=doc.get("country"),
        aliases=tuple(doc.get("aliases", ())),
        identifiers=tuple(doc.get("identifiers", ())),
        addresses=tuple(
            ProtectedAddress(a["address"], a.get("chain"), a.get("label")) for a in doc.get("addresses", ())
        ),
        notes=doc.get("notes"),
    )


def assessment_from(doc: dict[str, Any]) -> Assessment:
    return Assessment(
        request_id=doc["request_id"],
        tier=Tier(doc["tier"]),
        reasons=tuple(
            Reason(ReasonCode(r["code"]), r["detail"], Tier(r.get("tier", "high"))) for r in doc["reasons"]
        ),
        required_approvals=tuple(doc["required_approvals"]),
        policy_version=doc["policy_version"],
        reach=dict(doc.get("reach", {})),
        checks=dict(doc.get("checks", {})),
    )


def approval_message(
    request_id: str, decision: str, scope_sha256: str, scope_version: int, operator: str
) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "decision": decision,
        "scope_sha256": scope_sha256,
        "scope_version": scope_version,
        "operator": operator,
    }
