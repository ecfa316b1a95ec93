"""``LawfulRequests``: the registries, intake, assessment, approvals, narrowing, disclosure and notices.

Invariants, each enforced here and tested with a refusing case:

- Log before act: every action (and every refused attempt) is appended to the audit log first; the database
  change follows only if the append succeeded.
- An approval is an Ed25519 signature by a registered operator over the exact scope (targets, categories,
  dates) and its version; it counts only while that scope is current. Narrowing voids earlier approvals.
- The intake operator never approves; nobody approves twice; a regional lead never counts for a request from
  their own region; a blocked request cannot be approved, narrowed into approval or disclosed.
- Disclosure re-checks the quorum from the signatures and from the audit receipts of the approvals, and
  refuses unless both prove it.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, delete, func, insert, select, update

from vaspguard._json import to_jsonable
from vaspguard.audit import AuditLog, Event, Receipt
from vaspguard.errors import AlreadyExists, InvalidRequest, NotFound, QuorumRefused
from vaspguard.requests import _crypto, _reports
from vaspguard.requests._assess import AssessmentContext, assess
from vaspguard.requests._disclose import assemble, write_package
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
    Operator,
    OperatorRole,
    PartyKind,
    ProtectedAddress,
    ProtectedParty,
    Reason,
    ReasonCode,
    RequestState,
    Scope,
    Target,
    TargetType,
    Tier,
    VerificationStatus,
)
from vaspguard.requests._names import NAME_MATCHER, SanctionsHit, SanctionsScreen
from vaspguard.requests._policy import (
    Policy,
    QuorumSlot,
    default_policy,
    floor_violations,
    parse_policy,
    weakenings,
)
from vaspguard.requests._protected import protected_matches
from vaspguard.requests._reach import compute_reach, normalise_address, target_label
from vaspguard.requests._tables import (
    AgencyRow,
    ApprovalRow,
    DisclosureRow,
    EventRow,
    NoticeRow,
    OperatorRow,
    PolicyVersionRow,
    ProtectedAddressRow,
    ProtectedPartyRow,
    RequestRow,
)
from vaspguard.screening import score_names
from vaspguard.settings import Settings
from vaspguard.store import Store, utcnow

log = logging.getLogger("vaspguard.requests")

APPROVER_ROLES = frozenset(
    {
        OperatorRole.LEGAL,
        OperatorRole.PRIVACY,
        OperatorRole.SECURITY,
        OperatorRole.REGIONAL_LEAD,
        OperatorRole.EXECUTIVE,
    }
)
DECIDER_ROLES = frozenset(
    {OperatorRole.LEGAL, OperatorRole.PRIVACY, OperatorRole.SECURITY, OperatorRole.EXECUTIVE}
)


# -- serialisation of values into the registries' JSON documents ------------------------------------------


def _dump(value: Any) -> str:
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


@dataclass(frozen=True, slots=True)
class AgencyAdded:
    new: bool
    sanctions_hits: tuple[SanctionsHit, ...]
    sanctions_screening: str


@dataclass(frozen=True, slots=True)
class QuorumStatus:
    met: bool
    counted: tuple[str, ...]  # operators counted, in slot order
    missing: tuple[str, ...]  # slots not yet filled
    ignored: tuple[str, ...]  # approvals that do not count, with why


@dataclass(frozen=True, slots=True)
class ApprovalOutcome:
    request_id: str
    operator: str
    audit_index: int
    quorum: QuorumStatus
    state: RequestState


def _match_slots(
    slots: Sequence[QuorumSlot], candidates: Sequence[tuple[str, OperatorRole, str]], region: str
) -> list[str] | None:
    """Assign distinct approvers to every slot (backtracking; a handful of slots and approvers)."""

    def fits(slot: QuorumSlot, cand: tuple[str, OperatorRole, str]) -> bool:
        return cand[1] in slot.roles and (not slot.other_region or cand[2] != region)

    def search(i: int, used: frozenset[str]) -> list[str] | None:
        if i == len(slots):
            return []
        for cand in candidates:
            if cand[0] not in used and fits(slots[i], cand):
                rest = search(i + 1, used | {cand[0]})
                if rest is not None:
                    return [cand[0], *rest]
        return None

    return search(0, frozenset())


def _partial_match(
    slots: Sequence[QuorumSlot], candidates: Sequence[tuple[str, OperatorRole, str]], region: str
) -> tuple[list[str], list[str]]:
    """The largest assignment found greedily by trying subsets of slots; for showing what is missing."""
    best: tuple[list[str], list[str]] = ([], [s.describe() for s in slots])
    n = len(slots)
    for mask in range(1 << n, 0, -1):
        chosen = [slots[i] for i in range(n) if mask & (1 << i)]
        if len(chosen) <= len(best[0]):
            continue
        got = _match_slots(chosen, candidates, region)
        if got is not None:
            missing = [slots[i].describe() for i in range(n) if not mask & (1 << i)]
            best = (got, missing)
    return best


class LawfulRequests:
    """Lawful government data requests on a ``Store``, logged to the audit log."""

    def __init__(
        self,
        store: Store,
        *,
        audit: Any | None = None,
        exchange_key: Ed25519PrivateKey | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self._audit = audit
        self._exchange_key = exchange_key
        self.clock = clock
        self.sanctions = SanctionsScreen(store)

    # -- the audit log (log before act) ---------------------------------------------------------------------

    @property
    def audit(self) -> Any:
        if self._audit is None:
            self._audit = AuditLog.open(self.store)
        return self._audit

    def _log(
        self,
        type_: str,
        *,
        actor: str,
        role: str = "",
        region: str = "",
        subjects: Sequence[str] = (),
        policy_version: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Any:
        return self.audit.append(
            Event(
                type=type_,
                actor=actor,
                actor_role=role,
                actor_region=region,
                subjects=tuple(dict.fromkeys(subjects)),
                policy_version=policy_version,
                payload=to_jsonable(payload or {}),
            )
        )

    def _log_act(
        self,
        type_: str,
        request_id: str,
        operator: str,
        op: Operator,
        *,
        policy_version: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> Any:
        """Log an operator's act on a request: the operator with their role and region, the request as
        the subject."""
        return self._log(
            type_,
            actor=operator,
            role=op.role.value,
            region=op.region,
            subjects=(f"request:{request_id}",),
            policy_version=policy_version,
            payload=payload,
        )

    def _record_signature(
        self,
        conn: Connection,
        request_id: str,
        operator: str,
        op: Operator,
        row: Any,
        decision: str,
        signature: str,
        receipt: Receipt,
    ) -> None:
        """Store an operator's signed approval or rejection of the request's current scope."""
        conn.execute(
            insert(ApprovalRow).values(
                request_id=request_id,
                operator=operator,
                role=op.role.value,
                region=op.region,
                decision=decision,
                scope_sha256=row.scope_sha256,
                scope_version=row.scope_version,
                signature=signature,
                signed_at=self.clock(),
                void=False,
                receipt=json.dumps(receipt.to_json()),
            )
        )

    def _event(
        self, conn: Connection, request_id: str, kind: str, actor: str, detail: dict[str, Any], receipt: Any
    ) -> None:
        conn.execute(
            insert(EventRow).values(
                request_id=request_id,
                at=self.clock(),
                kind=kind,
                actor=actor,
                detail=_dump(detail),
                audit_index=receipt.index if receipt is not None else None,
            )
        )

    def _refuse(
        self, request_id: str, kind: str, actor: str, reason: str, *, role: str = "", region: str = ""
    ) -> QuorumRefused:
        """Log and record a refused attempt, and return the error to raise."""
        receipt = self._log(
            f"requests.{kind}.refused",
            actor=actor,
            role=role,
            region=region,
            subjects=(f"request:{request_id}",),
            payload={"reason": reason},
        )
        with self.store.connect() as conn:
            self._event(conn, request_id, f"{kind}.refused", actor, {"reason": reason}, receipt)
        return QuorumRefused(request_id, reason)

    # -- policy ------------------------------------------------------------------------------------------

    def policy(self) -> Policy:
        """The policy in force: the newest installed version, else the packaged default."""
        with self.store.connect() as conn:
            text = conn.execute(
                select(PolicyVersionRow.text).order_by(PolicyVersionRow.id.desc()).limit(1)
            ).scalar_one_or_none()
        return parse_policy(text, origin="installed policy") if text else default_policy()

    def policy_at(self, version: str) -> Policy:
        default = default_policy()
        if version == default.version:
            return default
        with self.store.connect() as conn:
            text = conn.execute(
                select(PolicyVersionRow.text).where(PolicyVersionRow.version == version).limit(1)
            ).scalar_one_or_none()
        if text is None:
            raise NotFound("policy version", version)
        return parse_policy(text, origin=version)

    def install_policy(
        self,
        text: str,
        *,
        operator: str,
        key: Ed25519PrivateKey,
        accept_weakening: bool = False,
        reason: str | None = None,
        origin: str = "policy",
    ) -> tuple[Policy, list[str]]:
        """Install a new policy version. Floors are refused always; weakenings unless accepted with a reason,
        and then they are logged and listed in ``policy_history``."""
        op = self._operator_with_key(operator, key)
        if op.role not in (OperatorRole.LEGAL, OperatorRole.EXECUTIVE):
            raise InvalidRequest(
                "--as", f"{operator} is {op.role}; only legal or executive operators install policy"
            )
        new = parse_policy(text, origin=origin)
        old = self.policy()
        floors = floor_violations(new)
        if floors:
            self._log(
                "requests.policy.refused",
                actor=operator,
                role=op.role,
                region=op.region,
                policy_version=new.version,
                payload={"floors": floors},
            )
            raise QuorumRefused("(policy)", "below the floor no policy may go under: " + "; ".join(floors))
        weaker = weakenings(old, new)
        if weaker and not (accept_weakening and reason):
            self._log(
                "requests.policy.refused",
                actor=operator,
                role=op.role,
                region=op.region,
                policy_version=new.version,
                payload={"weakenings": weaker},
            )
            raise QuorumRefused(
                "(policy)",
                f"the new policy weakens {len(weaker)} safeguard(s): "
                + "; ".join(weaker)
                + " (accept explicitly with a reason)",
            )
        signature = _crypto.sign(
            key, _crypto.APPROVAL_DOMAIN, {"policy_version": new.version, "operator": operator}
        )
        self._log(
            "requests.policy.install",
            actor=operator,
            role=op.role,
            region=op.region,
            policy_version=new.version,
            payload={"previous": old.version, "weakenings": weaker, "reason": reason, "signature": signature},
        )
        with self.store.connect() as conn:
            conn.execute(
                insert(PolicyVersionRow).values(
                    version=new.version,
                    text=text,
                    installed_at=self.clock(),
                    installed_by=operator,
                    weakenings=_dump(weaker),
                    reason=reason,
                )
            )
        return new, weaker

    def policy_history(self) -> list[dict[str, Any]]:
        with self.store.connect() as conn:
            rows = conn.execute(select(PolicyVersionRow).order_by(PolicyVersionRow.id)).all()
        default = default_policy()
        out: list[dict[str, Any]] = [
            {"version": default.version, "installed_by": "(packaged default)", "weakenings": []}
        ]
        out += [
            {
                "version": r.version,
                "installed_at": r.installed_at,
                "installed_by": r.installed_by,
                "weakenings": json.loads(r.weakenings),
                "reason": r.reason,
            }
            for r in rows
        ]
        return out

    # -- authorities -------------------------------------------------------------------------------------

    def add_agency(self, agency: Agency, *, actor: str) -> AgencyAdded:
        """Add or update an agency, screening its names against the sanctions lists (the hits are logged and
        returned; every assessment screens again against the lists then in force). Parent and linked bodies
        must exist."""
        with self.store.connect() as conn:
            for other, field in [(agency.parent_id, "parent"), *((x, "linked") for x in agency.linked_ids)]:
                if (
                    other
                    and other != agency.id
                    and conn.execute(select(AgencyRow.id).where(AgencyRow.id == other)).first() is None
                ):
                    raise InvalidRequest(field, f"agency {other!r} is not registered; add it first")
            exists = conn.execute(select(AgencyRow.id).where(AgencyRow.id == agency.id)).first() is not None
        hits, check = self.sanctions.hits(
            [agency.name, *agency.aliases],
            min_score=self.policy().section("requester")["sanctions_min_score"],
        )
        receipt = self._log(
            "requests.authority.update" if exists else "requests.authority.add",
            actor=actor,
            subjects=(f"agency:{agency.id}",),
            payload={
                "agency": to_jsonable(agency),
                "sanctions_hits": to_jsonable(hits),
                "sanctions_screening": check,
            },
        )
        values = {
            "name": agency.name,
            "country": agency.country,
            "agency_class": agency.agency_class.value,
            "parent_id": agency.parent_id,
            "verification_status": agency.verification_status.value,
            "verified_on": agency.verified_on,
            "doc": _dump(agency),
            "updated_at": self.clock(),
        }
        with self.store.connect() as conn:
            if exists:
                conn.execute(update(AgencyRow).where(AgencyRow.id == agency.id).values(**values))
            else:
                conn.execute(insert(AgencyRow).values(id=agency.id, created_at=self.clock(), **values))
        log.info("agency %s logged at audit index %s", agency.id, receipt.index)
        return AgencyAdded(new=not exists, sanctions_hits=tuple(hits), sanctions_screening=check)

    def get_agency(self, agency_id: str) -> Agency:
        with self.store.connect() as conn:
            doc = conn.execute(select(AgencyRow.doc).where(AgencyRow.id == agency_id)).scalar_one_or_none()
        if doc is None:
            raise NotFound("agency", agency_id)
        return agency_from_doc(json.loads(doc))

    def list_agencies(self, conn: Connection | None = None) -> list[Agency]:
        if conn is None:
            with self.store.connect() as own:
                return self.list_agencies(own)
        docs = conn.execute(select(AgencyRow.doc).order_by(AgencyRow.id)).scalars().all()
        return [agency_from_doc(json.loads(d)) for d in docs]

    def related_agencies(self, agency: Agency, conn: Connection | None = None) -> list[tuple[Agency, str]]:
        """Parent and linked bodies, transitively (links count both ways), with how each is related."""
        everyone = {a.id: a for a in self.list_agencies(conn)}
        out: list[tuple[Agency, str]] = []
        seen = {agency.id}
        frontier: list[tuple[Agency, str]] = [(agency, "")]
        while frontier:
            current, path = frontier.pop(0)
            neighbours: list[tuple[str, str]] = []
            if current.parent_id:
                neighbours.append((current.parent_id, "a subordinate of"))
            neighbours += [(x, "linked to") for x in current.linked_ids]
            neighbours += [(a.id, "linked to") for a in everyone.values() if current.id in a.linked_ids]
            for other_id, how in neighbours:
                other = everyone.get(other_id)
                if other is None or other_id in seen:
                    continue
                seen.add(other_id)
                label = f"{path} {how}".strip() if not path else f"{path}, which is {how}"
                out.append((other, label if path else how))
                frontier.append((other, label if path else how))
        return out

    # -- protected parties -------------------------------------------------------------------------------

    def add_party(self, party: ProtectedParty, *, actor: str) -> bool:
        with self.store.connect() as conn:
            exists = (
                conn.execute(select(ProtectedPartyRow.id).where(ProtectedPartyRow.id == party.id)).first()
                is not None
            )
        self._log(
            "requests.protected.update" if exists else "requests.protected.add",
            actor=actor,
            subjects=(f"protected:{party.id}",),
            payload={
                "kind": party.kind.value,
                "addresses": len(party.addresses),
                "names": 1 + len(party.aliases),
            },
        )
        with self.store.connect() as conn:
            if exists:
                conn.execute(delete(ProtectedAddressRow).where(ProtectedAddressRow.party_id == party.id))
                conn.execute(
                    update(ProtectedPartyRow)
                    .where(ProtectedPartyRow.id == party.id)
                    .values(name=party.name, kind=party.kind.value, country=party.country, doc=_dump(party))
                )
            else:
                conn.execute(
                    insert(ProtectedPartyRow).values(
                        id=party.id,
                        name=party.name,
                        kind=party.kind.value,
                        country=party.country,
                        doc=_dump(party),
                        created_at=self.clock(),
                    )
                )
            if party.addresses:
                conn.execute(
                    insert(ProtectedAddressRow),
                    [
                        {
                            "party_id": party.id,
                            "address": normalise_address(a.address, a.chain),
                            "chain": a.chain,
                        }
                        for a in party.addresses
                    ],
                )
        return not exists

    def list_parties(self, conn: Connection | None = None) -> list[ProtectedParty]:
        if conn is None:
            with self.store.connect() as own:
                return self.list_parties(own)
        docs = conn.execute(select(ProtectedPartyRow.doc).order_by(ProtectedPartyRow.id)).scalars().all()
        return [party_from_doc(json.loads(d)) for d in docs]

    def deactivate_operator(self, name: str, *, actor: str, reason: str, compromised: bool = False) -> None:
        """Take an operator's key out of service. Approvals already signed stay on record and keep verifying;
        the operator can sign nothing new. ``compromised``: the key may have signed what its holder did not,
        so their approvals of requests not yet disclosed stop counting (voided, and refused at disclosure by
        the audit log's record of the compromise even if the database is edited back)."""
        self.get_operator(name)
        if not reason.strip():
            raise InvalidRequest("--reason", "say why the operator is deactivated")
        self._log(
            "requests.operator.deactivate",
            actor=actor,
            subjects=(f"operator:{name}",),
            payload={"reason": reason, "compromised": compromised},
        )
        with self.store.connect() as conn:
            conn.execute(update(OperatorRow).where(OperatorRow.name == name).values(active=False))
            if compromised:
                _void_approvals_of(conn, name, now=self.clock())

    def compromised_operators(self) -> set[str]:
        """Operators whose key the audit log records as compromised."""
        return {
            e.entry.subjects[0].removeprefix("operator:")
            for e in self.audit.events("requests.operator.deactivate")
            if e.payload is not None and e.payload.get("compromised")
        }

    # -- operators ---------------------------------------------------------------------------------------

    def add_operator(self, operator: Operator, *, actor: str) -> None:
        with self.store.connect() as conn:
            if conn.execute(select(OperatorRow.name).where(OperatorRow.name == operator.name)).first():
                raise InvalidRequest("--name", f"operator {operator.name!r} already exists")
            if conn.execute(
                select(OperatorRow.name).where(OperatorRow.public_key == operator.public_key)
            ).first():
                raise InvalidRequest("--public-key", "this key already belongs to another operator")
        self._log(
            "requests.operator.add",
            actor=actor,
            subjects=(f"operator:{operator.name}",),
            payload={
                "role": operator.role.value,
                "region": operator.region,
                "public_key": operator.public_key,
            },
        )
        with self.store.connect() as conn:
            conn.execute(
                insert(OperatorRow).values(
                    name=operator.name,
                    role=operator.role.value,
                    region=operator.region,
                    public_key=operator.public_key,
                    active=True,
                    created_at=self.clock(),
                )
            )

    def get_operator(self, name: str) -> Operator:
        with self.store.connect() as conn:
            row = conn.execute(select(OperatorRow).where(OperatorRow.name == name)).first()
        if row is None:
            raise NotFound("operator", name)
        return Operator(row.name, OperatorRole(row.role), row.region, row.public_key, row.active)

    def list_operators(self) -> list[Operator]:
        with self.store.connect() as conn:
            rows = conn.execute(select(OperatorRow).order_by(OperatorRow.name)).all()
        return [Operator(r.name, OperatorRole(r.role), r.region, r.public_key, r.active) for r in rows]

    def _operator_with_key(self, name: str, key: Ed25519PrivateKey) -> Operator:
        op = self.get_operator(name)
        if not op.active:
            raise InvalidRequest("--as", f"operator {name!r} is not active")
        if _crypto.public_hex(key) != op.public_key:
            raise InvalidRequest("--key", f"this key is not the registered key of operator {name!r}")
        return op

    # -- intake and assessment ---------------------------------------------------------------------------

    def _context(
        self, conn: Connection, request: LawfulRequest, scope: Scope, policy: Policy
    ) -> AssessmentContext:
        agency: Agency | None = None
        if request.agency_id:
            doc = conn.execute(
                select(AgencyRow.doc).where(AgencyRow.id == request.agency_id)
            ).scalar_one_or_none()
            agency = agency_from_doc(json.loads(doc)) if doc else None
        related = self.related_agencies(agency, conn) if agency else []
        names = [agency.name, *agency.aliases] if agency else [request.agency_name]
        names += [a.name for a, _ in related]
        hits, check = self.sanctions.hits(names, min_score=policy.section("requester")["sanctions_min_score"])
        reach = compute_reach(conn, scope.targets, scope.date_range)
        return AssessmentContext(
            agency=agency,
            related=related,
            sanctions=hits,
            sanctions_check=check,
            reach=reach,
            protected=self._protected_matches(conn, scope, reach.customers, policy, score_names),
            name_matcher=NAME_MATCHER,
            today=request.received_at.date(),
        )

    def _protected_matches(
        self,
        conn: Connection,
        scope: Scope,
        customers: set[str],
        policy: Policy,
        scorer: Callable[[str, str], float],
    ) -> list[str]:
        return protected_matches(
            conn,
            self.list_parties(conn),
            scope,
            customers,
            min_score=float(policy.section("protected")["min_name_score"]),
            scorer=scorer,
        )

    def _new_id(self, conn: Connection, received: datetime) -> str:
        prefix = f"LR-{received:%Y}-"
        n = conn.execute(select(func.count()).where(RequestRow.id.startswith(prefix))).scalar_one()
        while True:
            n += 1
            candidate = f"{prefix}{n:06d}"
            if conn.execute(select(RequestRow.id).where(RequestRow.id == candidate)).first() is None:
                return candidate

    def file(
        self, request: LawfulRequest, *, intake: str, key: Ed25519PrivateKey | None = None, region: str = ""
    ) -> Assessment:
        """Record and assess a request. ``intake`` is the operator who filed it, proven by their ``key`` (they
        sign the request as filed), or an API caller ``api:NAME`` identified by its token."""
        intake_signature = None
        if key is not None:
            op = self._operator_with_key(intake, key)
            region = op.region
            intake_signature = _crypto.sign(key, _crypto.APPROVAL_DOMAIN, {"intake": request_doc(request)})
        elif not intake.startswith("api:"):
            raise InvalidRequest("--key", f"filing as operator {intake!r} needs their key")
        policy = self.policy()
        scope = Scope(request.targets, request.data_categories, request.date_range).normalised()
        with self.store.connect() as conn:
            _check_follow_up(conn, request)
            request = _with_registered_agency(conn, request)
            _refuse_refiling(conn, request)
            request_id = self._new_id(conn, request.received_at)
            ctx = self._context(conn, request, scope, policy)
        result = assess(request, scope, request_id, policy, ctx)
        digest = scope_hash(request_id, 1, scope)
        subjects = (f"request:{request_id}", *([f"agency:{request.agency_id}"] if request.agency_id else []))
        receipts = self.audit.append_many(
            [
                _event(
                    "requests.intake",
                    intake,
                    "intake",
                    region,
                    subjects,
                    None,
                    _intake_payload(request, digest, intake_signature),
                ),
                _event(
                    "requests.assess", intake, "intake", region, subjects, policy.version, result.to_dict()
                ),
            ]
        )
        preserve = request.instrument.type is InstrumentType.PRESERVATION_REQUEST
        with self.store.connect() as conn:
            conn.execute(
                insert(RequestRow).values(
                    id=request_id,
                    received_at=request.received_at,
                    agency_id=request.agency_id,
                    agency_country=request.agency_country or (ctx.agency.country if ctx.agency else ""),
                    channel=request.channel.value,
                    instrument_type=request.instrument.type.value,
                    state=RequestState.ASSESSED.value,
                    tier=result.tier.value,
                    doc=_dump(request_doc(request)),
                    scope=_dump(scope_doc(scope)),
                    scope_sha256=digest,
                    scope_version=1,
                    assessment=_dump(result.to_dict()),
                    policy_version=policy.version,
                    intake_operator=intake,
                    deadline=request.deadline,
                    ndo_until=request.non_disclosure.until if request.non_disclosure else None,
                    emergency=request.instrument.type is InstrumentType.EMERGENCY_DISCLOSURE_REQUEST
                    or request.emergency is not None,
                    follow_up_of=request.follow_up_of,
                    preserve_until=None,
                    preserve_extensions=0,
                    created_at=self.clock(),
                    updated_at=self.clock(),
                )
            )
            self._event(
                conn,
                request_id,
                "intake",
                intake,
                {"channel": request.channel.value, "preservation": preserve},
                receipts[0],
            )
            self._event(
                conn,
                request_id,
                "assess",
                intake,
                {"tier": result.tier.value, "codes": sorted(result.codes())},
                receipts[1],
            )
        return result

    # -- reading -----------------------------------------------------------------------------------------

    def _row(self, conn: Connection, request_id: str) -> Any:
        row = conn.execute(select(RequestRow).where(RequestRow.id == request_id)).first()
        if row is None:
            raise NotFound("request", request_id)
        return row

    def assessment(self, request_id: str) -> Assessment:
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        return _assessment_from(json.loads(row.assessment))

    def region_of_request(self, row: Any) -> str:
        return self.policy_at(row.policy_version).region_of(row.agency_country)

    def quorum_status(self, request_id: str) -> QuorumStatus:
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
            approvals = conn.execute(
                select(ApprovalRow).where(ApprovalRow.request_id == request_id).order_by(ApprovalRow.id)
            ).all()
        return self._quorum(row, approvals)

    def _quorum(self, row: Any, approvals: Sequence[Any]) -> QuorumStatus:
        policy = self.policy_at(row.policy_version)
        tier = Tier(row.tier)
        region = policy.region_of(row.agency_country)
        slots = policy.quorum(tier)
        if tier is Tier.BLOCKED:
            return QuorumStatus(False, (), ("none: the request is blocked",), ())
        candidates: list[tuple[str, OperatorRole, str]] = []
        ignored: list[str] = []
        seen: set[str] = set()
        operators = {o.name: o for o in self.list_operators()}
        for a in approvals:
            if a.decision != "approve":
                continue
            why = _why_not_counted(row, a, operators.get(a.operator), seen, region)
            if why:
                ignored.append(f"{a.operator}: {why}")
                continue
            seen.add(a.operator)
            candidates.append((a.operator, OperatorRole(a.role), a.region))
        match = _match_slots(slots, candidates, region)
        if match is not None:
            return QuorumStatus(True, tuple(match), (), tuple(ignored))
        got, missing = _partial_match(slots, candidates, region)
        return QuorumStatus(False, tuple(got), tuple(missing), tuple(ignored))

    # -- approvals ---------------------------------------------------------------------------------------

    def _not_as_logged(self, row: Any) -> str | None:
        """Why the stored assessment cannot be trusted, or None: the tier and assessment a request is approved
        or disclosed under must be the ones the audit log holds (its latest assessment or narrowing), not a
        database row edited since (issue 11: a blocked request rewritten to "low")."""
        logged = None
        for event in self.audit.events("requests", subject=f"request:{row.id}"):
            if event.type == "requests.assess":
                logged = event.payload
            elif event.type == "requests.narrow":
                logged = (event.payload or {}).get("assessment")
        if logged is None:
            return "the audit log holds no readable assessment of this request"
        if logged != json.loads(row.assessment) or logged.get("tier") != row.tier:
            return (
                f"the stored assessment (tier {row.tier}) is not the logged one (tier {logged.get('tier')})"
            )
        return None

    def approve(self, request_id: str, *, operator: str, key: Ed25519PrivateKey) -> ApprovalOutcome:
        op = self._operator_with_key(operator, key)
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
            earlier = conn.execute(
                select(ApprovalRow.id).where(
                    ApprovalRow.request_id == request_id,
                    ApprovalRow.operator == operator,
                    ApprovalRow.decision == "approve",
                    ApprovalRow.void.is_(False),
                )
            ).first()
        tampered = self._not_as_logged(row)
        if tampered:
            raise self._refuse(
                request_id, "approve", operator, tampered, role=op.role.value, region=op.region
            )
        assessment = _assessment_from(json.loads(row.assessment))
        region = self.region_of_request(row)
        reason = None
        if Tier(row.tier) is Tier.BLOCKED:
            reason = (
                "the request is blocked ("
                + ", ".join(sorted(assessment.codes()))
                + "): nothing can be approved; reject it or ask for lawful process"
            )
        elif row.state != RequestState.ASSESSED.value:
            reason = f"the request is {row.state}, not awaiting approval"
        elif ReasonCode.INSTRUMENT_INSUFFICIENT in assessment.codes():
            reason = "the instrument does not cover every requested category: narrow the scope first"
        elif row.intake_operator in (operator, f"api:{operator}"):
            reason = "the intake operator cannot approve the request they filed"
        elif op.role is OperatorRole.INTAKE:
            reason = "intake operators cannot approve"
        elif earlier is not None:
            reason = f"{operator} has already approved this request"
        elif op.role is OperatorRole.REGIONAL_LEAD and op.region == region:
            reason = (
                f"{operator} is the regional lead of {region}, the requester's own region, and never counts"
            )
        if reason:
            raise self._refuse(request_id, "approve", operator, reason, role=op.role.value, region=op.region)
        message = _approval_message(request_id, "approve", row.scope_sha256, row.scope_version, operator)
        signature = _crypto.sign(key, _crypto.APPROVAL_DOMAIN, message)
        receipt = self._log_act(
            "requests.approve",
            request_id,
            operator,
            op,
            policy_version=row.policy_version,
            payload={**message, "signature": signature, "public_key": op.public_key},
        )
        with self.store.connect() as conn:
            self._record_signature(conn, request_id, operator, op, row, "approve", signature, receipt)
            self._event(
                conn,
                request_id,
                "approve",
                operator,
                {"role": op.role.value, "region": op.region, "scope_sha256": row.scope_sha256},
                receipt,
            )
        status = self.quorum_status(request_id)
        state = RequestState.ASSESSED
        if status.met:
            preserve = row.instrument_type == InstrumentType.PRESERVATION_REQUEST.value
            state = RequestState.PRESERVED if preserve else RequestState.APPROVED
            qr = self._log_act(
                "requests.quorum",
                request_id,
                operator,
                op,
                policy_version=row.policy_version,
                payload={
                    "approvers": list(status.counted),
                    "scope_sha256": row.scope_sha256,
                    "state": state.value,
                },
            )
            values: dict[str, Any] = {"state": state.value, "updated_at": self.clock()}
            if preserve:
                days = self.policy_at(row.policy_version).section("preservation")["days"]
                values["preserve_until"] = self.clock().date() + timedelta(days=days)
            with self.store.connect() as conn:
                conn.execute(update(RequestRow).where(RequestRow.id == request_id).values(**values))
                self._event(
                    conn,
                    request_id,
                    "quorum",
                    operator,
                    {"approvers": list(status.counted), "state": state.value},
                    qr,
                )
        return ApprovalOutcome(request_id, operator, receipt.index, status, state)

    def reject(
        self,
        request_id: str,
        *,
        operator: str,
        key: Ed25519PrivateKey,
        reason: str,
        return_to_process: bool = False,
    ) -> None:
        op = self._operator_with_key(operator, key)
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        refusal = None
        if op.role not in DECIDER_ROLES:
            refusal = f"{operator} is {op.role}; only legal, privacy, security or executive operators reject"
        elif row.state in (RequestState.DISCLOSED.value, RequestState.REJECTED.value):
            refusal = f"the request is already {row.state}"
        elif not reason.strip():
            refusal = "a rejection needs a reason"
        if refusal:
            raise self._refuse(request_id, "reject", operator, refusal, role=op.role.value, region=op.region)
        message = {
            **_approval_message(request_id, "reject", row.scope_sha256, row.scope_version, operator),
            "reason": reason,
            "return_to_process": return_to_process,
        }
        signature = _crypto.sign(key, _crypto.APPROVAL_DOMAIN, message)
        receipt = self._log_act(
            "requests.reject",
            request_id,
            operator,
            op,
            policy_version=row.policy_version,
            payload={**message, "signature": signature},
        )
        with self.store.connect() as conn:
            self._record_signature(conn, request_id, operator, op, row, "reject", signature, receipt)
            conn.execute(
                update(RequestRow)
                .where(RequestRow.id == request_id)
                .values(state=RequestState.REJECTED.value, updated_at=self.clock())
            )
            self._event(
                conn,
                request_id,
                "reject",
                operator,
                {"reason": reason, "return_to_process": return_to_process},
                receipt,
            )

    def narrow(
        self,
        request_id: str,
        *,
        operator: str,
        key: Ed25519PrivateKey,
        keep_targets: Sequence[str] | None = None,
        categories: Sequence[DataCategory] | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Assessment:
        """Narrow the scope (subset of targets and categories, dates within the range). Voids every earlier
        approval and re-assesses the narrowed scope."""
        op = self._operator_with_key(operator, key)
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        old = scope_from_doc(json.loads(row.scope))
        refusal = None
        if op.role not in DECIDER_ROLES:
            refusal = f"{operator} is {op.role}; only legal, privacy, security or executive operators narrow"
        elif Tier(row.tier) is Tier.BLOCKED:
            refusal = (
                "the request is blocked: narrowing cannot make it approvable; reject it or ask for process"
            )
        elif row.state not in (RequestState.ASSESSED.value, RequestState.APPROVED.value):
            refusal = f"the request is {row.state}"
        if refusal:
            raise self._refuse(request_id, "narrow", operator, refusal, role=op.role.value, region=op.region)
        new = _narrowed_scope(old, keep_targets, categories, start, end)
        version = row.scope_version + 1
        digest = scope_hash(request_id, version, new)
        request = request_from_doc(json.loads(row.doc))
        policy = self.policy_at(row.policy_version)
        with self.store.connect() as conn:
            ctx = self._context(conn, request, new, policy)
        result = assess(request, new, request_id, policy, ctx)
        message = _approval_message(request_id, "narrow", digest, version, operator)
        signature = _crypto.sign(key, _crypto.APPROVAL_DOMAIN, message)
        receipt = self._log_act(
            "requests.narrow",
            request_id,
            operator,
            op,
            policy_version=policy.version,
            payload={
                **message,
                "signature": signature,
                "previous_scope_sha256": row.scope_sha256,
                "scope": scope_doc(new),
                "assessment": result.to_dict(),
            },
        )
        with self.store.connect() as conn:
            voided = conn.execute(
                update(ApprovalRow)
                .where(
                    ApprovalRow.request_id == request_id,
                    ApprovalRow.void.is_(False),
                    ApprovalRow.decision == "approve",
                )
                .values(void=True, void_reason=f"scope narrowed to version {version} by {operator}")
            ).rowcount
            conn.execute(
                update(RequestRow)
                .where(RequestRow.id == request_id)
                .values(
                    scope=_dump(scope_doc(new)),
                    scope_sha256=digest,
                    scope_version=version,
                    assessment=_dump(result.to_dict()),
                    tier=result.tier.value,
                    state=RequestState.ASSESSED.value,
                    updated_at=self.clock(),
                )
            )
            self._event(
                conn,
                request_id,
                "narrow",
                operator,
                {"scope_version": version, "voided_approvals": voided, "tier": result.tier.value},
                receipt,
            )
        return result

    def extend_preservation(self, request_id: str, *, operator: str, key: Ed25519PrivateKey) -> date:
        op = self._operator_with_key(operator, key)
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        policy = self.policy_at(row.policy_version)
        cfg = policy.section("preservation")
        refusal = None
        if op.role not in DECIDER_ROLES:
            refusal = f"{operator} is {op.role}; only legal, privacy, security or executive operators extend"
        elif row.state != RequestState.PRESERVED.value:
            refusal = f"the request is {row.state}, not a preservation in force"
        elif row.preserve_extensions >= cfg["max_extensions"]:
            refusal = f"a preservation is extended at most {cfg['max_extensions']} time(s)"
        elif row.preserve_until and row.preserve_until < self.clock().date():
            refusal = f"the preservation expired on {row.preserve_until}"
        if refusal:
            raise self._refuse(request_id, "extend", operator, refusal, role=op.role.value, region=op.region)
        until: date = row.preserve_until + timedelta(days=cfg["days"])
        receipt = self._log_act(
            "requests.preservation.extend",
            request_id,
            operator,
            op,
            payload={"until": until.isoformat()},
        )
        with self.store.connect() as conn:
            conn.execute(
                update(RequestRow)
                .where(RequestRow.id == request_id)
                .values(preserve_until=until, preserve_extensions=row.preserve_extensions + 1)
            )
            self._event(
                conn, request_id, "preservation.extend", operator, {"until": until.isoformat()}, receipt
            )
        return until

    # -- disclosure --------------------------------------------------------------------------------------

    def exchange_key(self) -> Ed25519PrivateKey:
        """The exchange's disclosure signing key: ``data_dir/requests/exchange.key``, made on first use."""
        if self._exchange_key is None:
            path = Settings().data_dir / "requests" / "exchange.key"
            if path.exists():
                self._exchange_key = _crypto.read_private_key(path)
            else:
                key = _crypto.generate_key()
                _crypto.write_private_key(key, path)
                path.with_suffix(".pub").write_bytes(_crypto.public_pem(key))
                log.warning(
                    "generated the exchange's disclosure signing key at %s (public key %s)",
                    path,
                    _crypto.public_hex(key),
                )
                self._exchange_key = key
        return self._exchange_key

    def prove_quorum(self, request_id: str) -> list[dict[str, Any]]:
        """Re-check the quorum from the signatures and from the audit receipts; return the proof, or raise."""
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
            approvals = conn.execute(
                select(ApprovalRow).where(ApprovalRow.request_id == request_id).order_by(ApprovalRow.id)
            ).all()
        tampered = self._not_as_logged(row)
        if tampered:
            raise QuorumRefused(request_id, tampered)
        status = self._quorum(row, approvals)
        compromised = sorted(self.compromised_operators() & set(status.counted))
        if compromised:
            raise QuorumRefused(
                request_id, f"approved with a key reported compromised: {', '.join(compromised)}"
            )
        if not status.met:
            raise QuorumRefused(
                request_id, "no quorum on the current scope: missing " + ", ".join(status.missing)
            )
        logged = {e.index: e for e in self.audit.events("requests.approve", subject=f"request:{request_id}")}
        proof = []
        by_operator = {
            a.operator: a
            for a in approvals
            if a.decision == "approve" and not a.void and a.scope_sha256 == row.scope_sha256
        }
        for name in status.counted:
            a = by_operator[name]
            if not a.receipt:
                raise QuorumRefused(request_id, f"the approval by {name} has no audit receipt")
            try:
                receipt = Receipt.from_json(json.loads(a.receipt))
                entry = self.audit.verify_receipt(receipt)
            except Exception as exc:
                raise QuorumRefused(
                    request_id, f"the audit receipt of {name}'s approval does not verify: {exc}"
                ) from None
            event = logged.get(receipt.index)
            if (
                entry.type != "requests.approve"
                or entry.actor != name
                or f"request:{request_id}" not in entry.subjects
                or event is None
                or event.payload is None
                or event.payload.get("signature") != a.signature
                or event.payload.get("scope_sha256") != row.scope_sha256
            ):
                raise QuorumRefused(
                    request_id, f"the audit log does not hold {name}'s approval of this scope"
                )
            proof.append(
                {
                    "operator": name,
                    "role": a.role,
                    "region": a.region,
                    "signature": a.signature,
                    "audit_index": receipt.index,
                }
            )
        return proof

    def _approved_scope(self, row: Any, actor: str) -> Scope:
        """The stored scope, if it still hashes to the ``scope_sha256`` the approvals signed; an edit in the
        database after approval is refused (and the refusal logged): the database is not the root of trust."""
        scope = scope_from_doc(json.loads(row.scope))
        if scope_hash(row.id, row.scope_version, scope) != row.scope_sha256:
            raise self._refuse(
                row.id, "disclose", actor, "the stored scope does not hash to the approved scope_sha256"
            )
        return scope

    def disclose(self, request_id: str, output: Path, *, actor: str) -> dict[str, Any]:
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        reason = None
        if Tier(row.tier) is Tier.BLOCKED:
            reason = "the request is blocked: nothing can be disclosed"
        elif row.instrument_type == InstrumentType.PRESERVATION_REQUEST.value:
            reason = "a preservation request discloses nothing; production needs its own legal process"
        elif row.state != RequestState.APPROVED.value:
            reason = f"the request is {row.state}, not approved"
        elif output.exists() and any(output.iterdir()):
            raise InvalidRequest("--output", f"{output} exists and is not empty")
        if reason is None:
            try:
                proof = self.prove_quorum(request_id)
            except QuorumRefused as exc:
                reason = exc.reason
        if reason is not None:
            raise self._refuse(request_id, "disclose", actor, reason)
        request = request_from_doc(json.loads(row.doc))
        scope = self._approved_scope(row, actor)
        salt = secrets.token_hex(32)
        now = self.clock()
        with self.store.connect() as conn:
            package = assemble(conn, request_id, scope, salt=salt)
        manifest = {
            "format": "vaspguard-disclosure/1",
            "request_id": request_id,
            "agency": {
                "id": request.agency_id,
                "name": request.agency_name,
                "country": request.agency_country,
            },
            "instrument": {"type": request.instrument.type.value, "reference": request.instrument.reference},
            "scope": scope_doc(scope),
            "scope_sha256": row.scope_sha256,
            "scope_version": row.scope_version,
            "policy_version": row.policy_version,
            "approvals": proof,
            "created_at": now.isoformat(),
            **package.manifest_fields(),
        }
        key = self.exchange_key()
        manifest["exchange_public_key"] = _crypto.public_hex(key)
        signature = _crypto.sign(key, _crypto.MANIFEST_DOMAIN, manifest, plain=True)
        manifest_sha = _crypto.sha256_hex(_crypto.canonical(manifest, plain=True))
        ndo = request.non_disclosure
        policy = self.policy_at(row.policy_version)
        today = now.date()
        notices = []
        for cid in sorted(package.customers):
            if ndo is not None and (ndo.until is None or ndo.until > today):
                status, due = "held", ndo.until
            elif row.emergency:
                status, due = (
                    "pending",
                    today + timedelta(days=policy.section("emergency")["notice_within_days"]),
                )
            else:
                status, due = "pending", today
            notices.append(
                {
                    "request_id": request_id,
                    "customer_id": cid,
                    "due_on": due,
                    "status": status,
                    "content": _dump(
                        {
                            "agency": request.agency_name,
                            "agency_country": request.agency_country,
                            "instrument_type": request.instrument.type.value,
                            "categories": sorted(c for c, n in package.counts.items() if n),
                            "disclosed_on": today.isoformat(),
                            "request_id": request_id,
                            "emergency": bool(row.emergency),
                        }
                    ),
                    "created_at": now,
                }
            )
        subjects = [f"request:{request_id}", *(f"customer:{c}" for c in sorted(package.customers))]
        receipt = self._log(
            "requests.disclose",
            actor=actor,
            subjects=subjects[:1000],
            policy_version=row.policy_version,
            payload={
                "categories": sorted(package.counts),
                "record_counts": package.counts,
                "merkle_root": package.root_hex,
                "manifest_sha256": manifest_sha,
                "customers": len(package.customers),
                "notices": {
                    "held": sum(n["status"] == "held" for n in notices),
                    "pending": sum(n["status"] == "pending" for n in notices),
                },
                "output": str(output),
            },
        )
        write_package(output, package, manifest, signature)
        with self.store.connect() as conn:
            conn.execute(
                insert(DisclosureRow).values(
                    request_id=request_id,
                    created_at=now,
                    merkle_root=package.root_hex,
                    manifest_sha256=manifest_sha,
                    record_counts=_dump(package.counts),
                    pseudonym_salt=salt,
                    output=str(output),
                )
            )
            if notices:
                conn.execute(insert(NoticeRow), notices)
            conn.execute(
                update(RequestRow)
                .where(RequestRow.id == request_id)
                .values(state=RequestState.DISCLOSED.value, disclosed_at=now, updated_at=now)
            )
            self._event(
                conn,
                request_id,
                "disclose",
                actor,
                {"record_counts": package.counts, "merkle_root": package.root_hex, "notices": len(notices)},
                receipt,
            )
        return {
            "request_id": request_id,
            "output": str(output),
            "record_counts": package.counts,
            "merkle_root": package.root_hex,
            "manifest_sha256": manifest_sha,
            "customers": len(package.customers),
            "notices": len(notices),
            "audit_index": receipt.index,
        }

    # -- notices and the gag-order ledger ------------------------------------------------------------------

    def notices(self, *, due_only: bool = False, on: date | None = None) -> list[dict[str, Any]]:
        today = on or self.clock().date()
        with self.store.connect() as conn:
            rows = conn.execute(select(NoticeRow).order_by(NoticeRow.due_on, NoticeRow.id)).all()
        out = []
        for r in rows:
            due = r.status != "sent" and r.due_on is not None and r.due_on <= today
            if due_only and not due:
                continue
            out.append(
                {
                    "id": r.id,
                    "request_id": r.request_id,
                    "customer_id": r.customer_id,
                    "status": "due" if due else r.status,
                    "due_on": r.due_on,
                    "sent_at": r.sent_at,
                    "content": json.loads(r.content),
                }
            )
        return out

    def send_notices(self, outbox: Path, *, actor: str, on: date | None = None) -> list[Path]:
        """Write every due notice to the outbox (one JSON file each), mark it sent, log it."""
        due = self.notices(due_only=True, on=on)
        outbox.mkdir(parents=True, exist_ok=True)
        written = []
        for n in due:
            receipt = self._log(
                "requests.notice.sent",
                actor=actor,
                subjects=(f"request:{n['request_id']}", f"customer:{n['customer_id']}"),
                payload={"notice_id": n["id"], "due_on": str(n["due_on"])},
            )
            path = outbox / f"notice-{n['id']:06d}-{n['customer_id']}.json"
            body = {"to_customer": n["customer_id"], **n["content"], "notice_id": n["id"]}
            path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            with self.store.connect() as conn:
                conn.execute(
                    update(NoticeRow)
                    .where(NoticeRow.id == n["id"])
                    .values(status="sent", sent_at=self.clock())
                )
                self._event(
                    conn,
                    n["request_id"],
                    "notice.sent",
                    actor,
                    {"customer_id": n["customer_id"], "file": path.name},
                    receipt,
                )
            written.append(path)
        return written

    def extend_gag(
        self, request_id: str, *, operator: str, key: Ed25519PrivateKey, until: date, basis: str
    ) -> int:
        """Record an order that extends (or imposes) non-disclosure: held notices move to ``until``."""
        op = self._operator_with_key(operator, key)
        if op.role not in (OperatorRole.LEGAL, OperatorRole.EXECUTIVE):
            raise self._refuse(
                request_id,
                "gag",
                operator,
                "only legal or executive operators record a non-disclosure order",
                role=op.role.value,
                region=op.region,
            )
        if not basis.strip():
            raise InvalidRequest("--basis", "the order extending non-disclosure must be named")
        receipt = self._log_act(
            "requests.gag.extend",
            request_id,
            operator,
            op,
            payload={"until": until.isoformat(), "basis": basis},
        )
        with self.store.connect() as conn:
            self._row(conn, request_id)
            n = conn.execute(
                update(NoticeRow)
                .where(NoticeRow.request_id == request_id, NoticeRow.status != "sent")
                .values(status="held", due_on=until)
            ).rowcount
            conn.execute(update(RequestRow).where(RequestRow.id == request_id).values(ndo_until=until))
            self._event(
                conn,
                request_id,
                "gag.extend",
                operator,
                {"until": until.isoformat(), "basis": basis, "notices": n},
                receipt,
            )
        return int(n)

    # -- listing -----------------------------------------------------------------------------------------

    def attention(
        self, row: Any, *, today: date, events: Sequence[Any], notices_due: int, follow_ups: Sequence[Any]
    ) -> list[str]:
        """What central legal must look at now for one request."""
        return _reports.attention(
            row,
            today=today,
            events=events,
            notices_due=notices_due,
            follow_ups=follow_ups,
            follow_up_days=lambda version: self.policy_at(version).section("emergency")["follow_up_days"],
        )

    def list(self, *, attention_only: bool = False, on: date | None = None) -> list[dict[str, Any]]:
        today = on or self.clock().date()
        with self.store.connect() as conn:
            rows = conn.execute(select(RequestRow).order_by(RequestRow.received_at, RequestRow.id)).all()
            events = conn.execute(select(EventRow.request_id, EventRow.kind, EventRow.actor)).all()
        by_request: dict[str, list[Any]] = {}
        for e in events:
            by_request.setdefault(e.request_id, []).append(e)
        due: dict[str, int] = {}
        for n in self.notices(due_only=True, on=today):
            due[n["request_id"]] = due.get(n["request_id"], 0) + 1
        follow_ups: dict[str, list[Any]] = {}
        for r in rows:
            if r.follow_up_of:
                follow_ups.setdefault(r.follow_up_of, []).append(r)
        out = []
        for r in rows:
            items = self.attention(
                r,
                today=today,
                events=by_request.get(r.id, []),
                notices_due=due.get(r.id, 0),
                follow_ups=follow_ups.get(r.id, []),
            )
            if attention_only and not items:
                continue
            doc = json.loads(r.doc)
            out.append(
                {
                    "id": r.id,
                    "received_at": r.received_at,
                    "agency": doc.get("agency_name") or r.agency_id,
                    "country": r.agency_country,
                    "instrument": r.instrument_type,
                    "channel": r.channel,
                    "state": r.state,
                    "tier": r.tier,
                    "attention": items,
                }
            )
        return out

    def report(self, start: date, end: date) -> dict[str, Any]:
        """Transparency figures for requests received from ``start`` to ``end`` (inclusive), exact numbers
        (RDR P11a): by country, agency class and instrument; outcomes including narrowed and refused on
        human-rights grounds; accounts affected; emergency and non-disclosure rates; reason counts."""
        with self.store.connect() as conn:
            return _reports.transparency_report(conn, start, end)

    def show(self, request_id: str) -> dict[str, Any]:
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
            approvals = conn.execute(
                select(ApprovalRow).where(ApprovalRow.request_id == request_id).order_by(ApprovalRow.id)
            ).all()
            events = conn.execute(
                select(EventRow).where(EventRow.request_id == request_id).order_by(EventRow.id)
            ).all()
            disclosures = conn.execute(
                select(DisclosureRow).where(DisclosureRow.request_id == request_id)
            ).all()
            follow_ups = conn.execute(
                select(RequestRow.id, RequestRow.received_at).where(RequestRow.follow_up_of == request_id)
            ).all()
        status = self._quorum(row, approvals)
        notices = [n for n in self.notices() if n["request_id"] == request_id]
        return {
            "id": row.id,
            "state": row.state,
            "tier": row.tier,
            "received_at": row.received_at,
            "intake_operator": row.intake_operator,
            "request": json.loads(row.doc),
            "scope": json.loads(row.scope),
            "scope_sha256": row.scope_sha256,
            "scope_version": row.scope_version,
            "assessment": json.loads(row.assessment),
            "quorum": {
                "met": status.met,
                "counted": list(status.counted),
                "missing": list(status.missing),
                "ignored": list(status.ignored),
            },
            "approvals": [
                {
                    "operator": a.operator,
                    "role": a.role,
                    "region": a.region,
                    "decision": a.decision,
                    "scope_version": a.scope_version,
                    "signed_at": a.signed_at,
                    "void": a.void,
                    "void_reason": a.void_reason,
                    "signature": a.signature,
                    "audit_index": json.loads(a.receipt)["index"] if a.receipt else None,
                }
                for a in approvals
            ],
            "timeline": [
                {
                    "at": e.at,
                    "kind": e.kind,
                    "actor": e.actor,
                    "detail": json.loads(e.detail),
                    "audit_index": e.audit_index,
                }
                for e in events
            ],
            "disclosures": [
                {
                    "created_at": d.created_at,
                    "merkle_root": d.merkle_root,
                    "manifest_sha256": d.manifest_sha256,
                    "record_counts": json.loads(d.record_counts),
                    "output": d.output,
                }
                for d in disclosures
            ],
            "notices": notices,
            "ndo_until": row.ndo_until,
            "preserve_until": row.preserve_until,
            "follow_ups": [{"id": f.id, "received_at": f.received_at} for f in follow_ups],
            "follow_up_of": row.follow_up_of,
        }


def _narrowed_scope(
    old: Scope,
    keep_targets: Sequence[str] | None,
    categories: Sequence[DataCategory] | None,
    start: date | None,
    end: date | None,
) -> Scope:
    """The narrowed scope: a subset of the targets and categories, dates within the range; anything that
    widens, empties or leaves the scope unchanged is refused naming the option."""
    targets = old.targets
    if keep_targets is not None:
        by_label = {t.value: t for t in old.targets} | {target_label(t): t for t in old.targets}
        unknown = [k for k in keep_targets if k not in by_label]
        if unknown:
            raise InvalidRequest("--keep-target", f"not a target of the request: {', '.join(unknown)}")
        targets = tuple(dict.fromkeys(by_label[k] for k in keep_targets))
    cats = old.data_categories if categories is None else tuple(dict.fromkeys(categories))
    extra = set(cats) - set(old.data_categories)
    if extra:
        raise InvalidRequest(
            "--category", f"not requested, so it cannot be added by narrowing: {', '.join(sorted(extra))}"
        )
    new_start = start or old.date_range.start
    new_end = end or old.date_range.end
    if old.date_range.start and new_start and new_start < old.date_range.start:
        raise InvalidRequest("--from", f"{new_start} widens the range (it starts {old.date_range.start})")
    if old.date_range.end and new_end and new_end > old.date_range.end:
        raise InvalidRequest("--to", f"{new_end} widens the range (it ends {old.date_range.end})")
    if new_start and new_end and new_start > new_end:
        raise InvalidRequest("--from", "is after --to")
    if not targets or not cats:
        raise InvalidRequest(
            "--keep-target" if not targets else "--category",
            "narrowing cannot remove everything; reject instead",
        )
    new = Scope(targets, cats, DateRange(new_start, new_end)).normalised()
    if scope_doc(new) == scope_doc(old):
        raise InvalidRequest("scope", "nothing narrowed: the scope is unchanged")
    return new


def _why_not_counted(row: Any, a: Any, op: Operator | None, seen: set[str], region: str) -> str | None:
    """Why approval ``a`` does not count toward the quorum of request ``row`` (None: it counts)."""
    if a.void:
        return f"void ({a.void_reason})"
    if a.scope_sha256 != row.scope_sha256:
        return "signed a different scope"
    if op is None or not _crypto.verify(
        op.public_key,
        a.signature,
        _crypto.APPROVAL_DOMAIN,
        _approval_message(row.id, "approve", a.scope_sha256, a.scope_version, a.operator),
    ):
        return "signature does not verify with the operator's registered key"
    if row.intake_operator in (a.operator, f"api:{a.operator}"):
        return "the intake operator cannot approve"
    if a.operator in seen:
        return "second approval by the same operator"
    if OperatorRole(a.role) is OperatorRole.REGIONAL_LEAD and a.region == region:
        return "a regional lead does not count for a request from their own region"
    if OperatorRole(a.role) not in APPROVER_ROLES:
        return f"role {a.role} cannot approve"
    return None


def _intake_payload(request: LawfulRequest, digest: str, intake_signature: str | None) -> dict[str, Any]:
    """What the audit log's ``requests.intake`` event records of a request as filed."""
    return {
        "channel": request.channel.value,
        "agency": request.agency_id or request.agency_name,
        "country": request.agency_country,
        "instrument": request.instrument.type.value,
        "document_sha256": request.instrument.document_sha256,
        "request_sha256": _crypto.sha256_hex(_crypto.canonical(request_doc(request))),
        "scope_sha256": digest,
        "intake_signature": intake_signature,
    }


def _check_follow_up(conn: Connection, request: LawfulRequest) -> None:
    """A follow-up must ratify an existing emergency request with legal process."""
    if not request.follow_up_of:
        return
    prior = conn.execute(select(RequestRow.emergency).where(RequestRow.id == request.follow_up_of)).first()
    if prior is None:
        raise InvalidRequest("follow_up_of", f"request {request.follow_up_of!r} does not exist")
    if not prior[0]:
        raise InvalidRequest("follow_up_of", f"request {request.follow_up_of!r} is not an emergency request")
    if request.instrument.type in (
        InstrumentType.EMERGENCY_DISCLOSURE_REQUEST,
        InstrumentType.INFORMAL_REQUEST,
    ):
        raise InvalidRequest(
            "instrument.type",
            "a follow-up must be legal process, not another emergency or informal request",
        )


def _with_registered_agency(conn: Connection, request: LawfulRequest) -> LawfulRequest:
    """The request with its agency's registered name and country; an agency id not registered is refused."""
    if not request.agency_id:
        return request
    doc = conn.execute(select(AgencyRow.doc).where(AgencyRow.id == request.agency_id)).scalar_one_or_none()
    if doc is None:
        raise InvalidRequest(
            "agency",
            f"unknown agency id {request.agency_id!r}: register it first (vaspguard authorities add), or "
            'give an unregistered agency as {"name": ..., "country": ...} in the request file (filed as '
            "unverified)",
        )
    if request.agency_name:
        return request
    a = agency_from_doc(json.loads(doc))
    return replace(request, agency_name=a.name, agency_country=a.country)


def _void_approvals_of(conn: Connection, operator: str, *, now: datetime) -> None:
    """Void ``operator``'s standing approvals of requests not yet disclosed; an approved request whose quorum
    rested on them awaits approval again."""
    pending = select(RequestRow.id).where(RequestRow.state != RequestState.DISCLOSED.value)
    touched = list(
        conn.execute(
            select(ApprovalRow.request_id).where(
                ApprovalRow.operator == operator,
                ApprovalRow.void.is_(False),
                ApprovalRow.decision == "approve",
                ApprovalRow.request_id.in_(pending),
            )
        ).scalars()
    )
    if not touched:
        return
    conn.execute(
        update(ApprovalRow)
        .where(
            ApprovalRow.operator == operator, ApprovalRow.request_id.in_(touched), ApprovalRow.void.is_(False)
        )
        .values(void=True, void_reason=f"the key of {operator} was reported compromised")
    )
    conn.execute(
        update(RequestRow)
        .where(RequestRow.id.in_(touched), RequestRow.state == RequestState.APPROVED.value)
        .values(state=RequestState.ASSESSED.value, updated_at=now)
    )


def _sender(request: LawfulRequest) -> str:
    if request.agency_id:
        return f"agency {request.agency_id}"
    return f"agency {request.agency_name!r} ({request.agency_country})"


def _refuse_refiling(conn: Connection, request: LawfulRequest) -> None:
    """Refuse a request whose instrument document (by SHA-256) the same sender has filed before."""
    sha = request.instrument.document_sha256.lower()
    if not sha:
        return  # an informal request has no document to recognise it by
    rows = conn.execute(
        select(RequestRow.id, RequestRow.doc)
        .where(func.lower(RequestRow.doc).contains(sha))
        .where(
            RequestRow.agency_id == request.agency_id if request.agency_id else RequestRow.agency_id.is_(None)
        )
        .order_by(RequestRow.received_at, RequestRow.id)
    )
    for request_id, raw in rows:
        earlier = request_from_doc(json.loads(raw))
        if earlier.instrument.document_sha256.lower() != sha:
            continue
        if request.agency_id or (
            earlier.agency_name.casefold() == request.agency_name.casefold()
            and earlier.agency_country == request.agency_country
        ):
            raise AlreadyExists(
                "request",
                request_id,
                f"the same instrument (document_sha256 {sha[:12]}...) from the same sender "
                f"({_sender(request)}) was filed before; amend or narrow that request instead of filing "
                "it again",
            )


def _approval_message(
    request_id: str, decision: str, scope_sha256: str, scope_version: int, operator: str
) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "decision": decision,
        "scope_sha256": scope_sha256,
        "scope_version": scope_version,
        "operator": operator,
    }


def _event(
    type_: str,
    actor: str,
    role: str,
    region: str,
    subjects: Sequence[str],
    policy_version: str | None,
    payload: dict[str, Any],
) -> Any:
    return Event(
        type=type_,
        actor=actor,
        actor_role=role,
        actor_region=region,
        subjects=tuple(subjects),
        policy_version=policy_version,
        payload=to_jsonable(payload),
    )


def _assessment_from(doc: dict[str, Any]) -> Assessment:
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
