"""Registries: the assessment policy's versions, requesting agencies, protected parties and operators.

Each change is logged before it is stored. Installing a policy below the floors is refused; a weakening
needs an explicit acceptance with a reason. An operator deactivated as compromised stops counting.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, delete, insert, select, update

from vaspguard._json import to_jsonable
from vaspguard.errors import InvalidRequest, NotFound, QuorumRefused
from vaspguard.requests._core import Core
from vaspguard.requests._documents import agency_from_doc, dump, party_from_doc
from vaspguard.requests._model import (
    Agency,
    Operator,
    OperatorRole,
    ProtectedParty,
    RequestState,
    VerificationStatus,
)
from vaspguard.requests._names import SanctionsHit
from vaspguard.requests._passkey import Signed
from vaspguard.requests._policy import Policy, default_policy, floor_violations, parse_policy, weakenings
from vaspguard.requests._reach import normalise_address
from vaspguard.requests._tables import (
    AgencyRow,
    ApprovalRow,
    OperatorRow,
    PolicyVersionRow,
    ProtectedAddressRow,
    ProtectedPartyRow,
    RequestRow,
)

log = logging.getLogger("vaspguard.requests")


@dataclass(frozen=True, slots=True)
class AgencyAdded:
    new: bool
    sanctions_hits: tuple[SanctionsHit, ...]
    sanctions_screening: str


class Registries(Core):
    """The registries a request is judged against: policy versions, agencies, protected parties and
    operators (with their keys)."""

    def install_policy(
        self,
        text: str,
        *,
        operator: str,
        key: Ed25519PrivateKey | None = None,
        accept_weakening: bool = False,
        reason: str | None = None,
        origin: str = "policy",
        passkey: Signed | None = None,
        desk_user: str | None = None,
        ceremony: str | None = None,
    ) -> tuple[Policy, list[str]]:
        """Install a new policy version. Floors are refused always; weakenings unless accepted with a reason,
        and then they are logged and listed in ``policy_history``. Signed with the operator's ``key``, or in
        the desk by the linked ``desk_user``'s ``passkey`` over the same message."""
        op = self._signer(operator, key, passkey, desk_user)
        if op.role not in (OperatorRole.LEGAL, OperatorRole.EXECUTIVE):
            raise InvalidRequest(
                "--as", f"{operator} is {op.role}; only legal or executive operators install policy"
            )
        new = parse_policy(text, origin=origin)
        old = self.policy()
        floors = floor_violations(new)
        if floors:
            self._policy_refused(op, new.version, {"floors": floors})
            raise QuorumRefused("(policy)", "below the floor no policy may go under: " + "; ".join(floors))
        weaker = weakenings(old, new)
        if weaker and not (accept_weakening and reason):
            self._policy_refused(op, new.version, {"weakenings": weaker})
            raise QuorumRefused(
                "(policy)",
                f"the new policy weakens {len(weaker)} safeguard(s): "
                + "; ".join(weaker)
                + " (accept explicitly with a reason)",
            )
        message = {"policy_version": new.version, "operator": operator}

        def refuse(problem: str) -> Exception:
            self._policy_refused(op, new.version, {"passkey": problem})
            return QuorumRefused("(policy)", f"the passkey signature does not sign this policy: {problem}")

        signed = self._signature(op, key, passkey, message, ceremony, refuse)
        self._log(
            "requests.policy.install",
            actor=operator,
            role=op.role,
            region=op.region,
            policy_version=new.version,
            payload={"previous": old.version, "weakenings": weaker, "reason": reason, **signed.to_dict()},
        )
        with self.store.connect() as conn:
            conn.execute(
                insert(PolicyVersionRow).values(
                    version=new.version,
                    text=text,
                    installed_at=self.clock(),
                    installed_by=operator,
                    weakenings=dump(weaker),
                    reason=reason,
                )
            )
        return new, weaker

    def _policy_refused(self, op: Operator, version: str, payload: dict[str, Any]) -> None:
        """Log a refused policy installation by ``op``, with why."""
        self._log(
            "requests.policy.refused",
            actor=op.name,
            role=op.role,
            region=op.region,
            policy_version=version,
            payload=payload,
        )

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
            "doc": dump(agency),
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

    def set_verification(
        self, agency_id: str, status: VerificationStatus, *, actor: str, on: date | None = None
    ) -> Agency:
        """Mark an agency verified (as of ``on``, default today), suspended, revoked or unverified again:
        the agency is stored again through ``add_agency`` (logged as an update, screened again)."""
        agency = self.get_agency(agency_id)
        verified_on = (on or self.clock().date()) if status is VerificationStatus.VERIFIED else None
        changed = replace(agency, verification_status=status, verified_on=verified_on or agency.verified_on)
        self.add_agency(changed, actor=actor)
        return changed

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
                    .values(name=party.name, kind=party.kind.value, country=party.country, doc=dump(party))
                )
            else:
                conn.execute(
                    insert(ProtectedPartyRow).values(
                        id=party.id,
                        name=party.name,
                        kind=party.kind.value,
                        country=party.country,
                        doc=dump(party),
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

    def get_party(self, party_id: str) -> ProtectedParty:
        with self.store.connect() as conn:
            doc = conn.execute(
                select(ProtectedPartyRow.doc).where(ProtectedPartyRow.id == party_id)
            ).scalar_one_or_none()
        if doc is None:
            raise NotFound("protected party", party_id)
        return party_from_doc(json.loads(doc))

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
