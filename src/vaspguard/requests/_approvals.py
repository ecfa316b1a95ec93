"""Approvals: operators sign the exact scope; the quorum counts only what may count.

An approval is a signature by a registered operator over the exact scope (targets, categories, dates) and its
version: with the operator's Ed25519 key (the CLI), or with the passkey of the desk user linked to the
operator, a WebAuthn assertion whose challenge is the digest of the same message (``_passkey``). Either is
checked from its stored public key alone. It counts only while that scope is current. Narrowing voids
earlier approvals. The intake operator (or the desk user acting as them) never approves; nobody approves
twice; a regional lead never counts for a request from their own region; a blocked request cannot be
approved or narrowed into approval. The stored tier and assessment must be the audit log's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from vaspguard.audit import Receipt
from vaspguard.errors import InvalidRequest, QuorumRefused
from vaspguard.requests import _crypto
from vaspguard.requests._assess import assess
from vaspguard.requests._documents import (
    approval_message,
    assessment_from,
    dump,
    request_from_doc,
    scope_doc,
    scope_from_doc,
    scope_hash,
)
from vaspguard.requests._filing import Intake
from vaspguard.requests._model import (
    Assessment,
    DataCategory,
    DateRange,
    InstrumentType,
    Operator,
    OperatorRole,
    ReasonCode,
    RequestState,
    Scope,
    Tier,
)
from vaspguard.requests._passkey import ED25519, WEBAUTHN, Signed, verify_signed
from vaspguard.requests._policy import QuorumSlot
from vaspguard.requests._reach import compute_reach, target_label
from vaspguard.requests._tables import ApprovalRow, RequestRow

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


@dataclass(frozen=True, slots=True)
class QuorumStatus:
    met: bool
    counted: tuple[str, ...]  # operators counted, in slot order
    missing: tuple[str, ...]  # slots not yet filled
    ignored: tuple[str, ...]  # approvals that do not count, with why


@dataclass(frozen=True, slots=True)
class Narrowing:
    """A narrowed scope before it is signed: its hash and version, and its assessment (with its reach)."""

    scope: Scope
    scope_sha256: str
    scope_version: int
    assessment: Assessment


@dataclass(frozen=True, slots=True)
class ApprovalOutcome:
    request_id: str
    operator: str
    audit_index: int
    quorum: QuorumStatus
    state: RequestState


class Approvals(Intake):
    """Approvals, rejections, narrowing and preservation, and the quorum they add up to."""

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
        links = self.desk_links()
        for a in approvals:
            if a.decision != "approve":
                continue
            why = _why_not_counted(row, a, operators.get(a.operator), links.get(a.operator), seen, region)
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

    # -- who signs: an operator's key, or the passkey of the desk user linked to the operator -------------

    def _signed(
        self,
        request_id: str,
        kind: str,
        op: Operator,
        key: Ed25519PrivateKey | None,
        passkey: Signed | None,
        message: dict[str, Any],
        ceremony: str | None = None,
    ) -> Signed:
        """The signature of a decision on a request; a passkey that does not sign exactly ``message`` (or
        whose ``ceremony`` the desk found wanting: origin, counter, whose credential) is refused, logged."""

        def refuse(problem: str) -> Exception:
            reason = f"the passkey signature does not sign this {kind}: {problem}"
            return self._refuse(request_id, kind, op.name, reason, role=op.role.value, region=op.region)

        return self._signature(op, key, passkey, message, ceremony, refuse)

    def decision_message(
        self,
        request_id: str,
        decision: str,
        operator: str,
        *,
        reason: str = "",
        return_to_process: bool = False,
    ) -> dict[str, Any]:
        """The exact message an ``approve`` or ``reject`` of the current scope by ``operator`` signs (what a
        passkey's challenge must be the digest of)."""
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        message = approval_message(request_id, decision, row.scope_sha256, row.scope_version, operator)
        if decision == "reject":
            message |= {"reason": reason, "return_to_process": return_to_process}
        return message

    def reached_customers(self, request_id: str) -> list[str]:
        """The customers the request's current scope reaches (the list behind the reach counts)."""
        with self.store.connect() as conn:
            scope = scope_from_doc(json.loads(self._row(conn, request_id).scope))
            return sorted(compute_reach(conn, scope.targets, scope.date_range).customers)

    def narrowing_message(self, request_id: str, operator: str, narrowed: Narrowing) -> dict[str, Any]:
        """The exact message narrowing to ``narrowed`` by ``operator`` signs."""
        return approval_message(request_id, "narrow", narrowed.scope_sha256, narrowed.scope_version, operator)

    def approve(
        self,
        request_id: str,
        *,
        operator: str,
        key: Ed25519PrivateKey | None = None,
        passkey: Signed | None = None,
        desk_user: str | None = None,
        ceremony: str | None = None,
    ) -> ApprovalOutcome:
        """Approve the current scope as ``operator``: signed with their ``key``, or by ``passkey`` (an
        assertion over ``decision_message``) of the linked ``desk_user``. Every quorum rule is checked first,
        and a refusal is logged either way."""
        op = self._signer(operator, key, passkey, desk_user)
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
        assessment = assessment_from(json.loads(row.assessment))
        region = self.region_of_request(row)
        link = self.desk_links().get(operator)
        reason = _approval_refusal(row, op, earlier is not None, assessment, region, link)
        if reason:
            raise self._refuse(request_id, "approve", operator, reason, role=op.role.value, region=op.region)
        message = approval_message(request_id, "approve", row.scope_sha256, row.scope_version, operator)
        signed = self._signed(request_id, "approve", op, key, passkey, message, ceremony)
        receipt = self._log_act(
            "requests.approve",
            request_id,
            operator,
            op,
            policy_version=row.policy_version,
            payload={**message, **signed.to_dict()},
        )
        with self.store.connect() as conn:
            self._record_signature(
                conn, request_id, operator, op, row, "approve", signed.signature, receipt, **_stored(signed)
            )
            self._event(
                conn,
                request_id,
                "approve",
                operator,
                {"role": op.role.value, "region": op.region, "scope_sha256": row.scope_sha256},
                receipt,
            )
        status = self.quorum_status(request_id)
        state = self._on_quorum(row, operator, op, status) if status.met else RequestState.ASSESSED
        return ApprovalOutcome(request_id, operator, receipt.index, status, state)

    def _on_quorum(self, row: Any, operator: str, op: Operator, status: QuorumStatus) -> RequestState:
        """The quorum is met with ``operator``'s approval: log it; the request is approved (or preserved)."""
        request_id = row.id
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
        return state

    def reject(
        self,
        request_id: str,
        *,
        operator: str,
        key: Ed25519PrivateKey | None = None,
        reason: str,
        return_to_process: bool = False,
        passkey: Signed | None = None,
        desk_user: str | None = None,
        ceremony: str | None = None,
    ) -> None:
        """Reject (or return to process) as ``operator``, signed with their key or a linked passkey."""
        op = self._signer(operator, key, passkey, desk_user)
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
            **approval_message(request_id, "reject", row.scope_sha256, row.scope_version, operator),
            "reason": reason,
            "return_to_process": return_to_process,
        }
        signed = self._signed(request_id, "reject", op, key, passkey, message, ceremony)
        receipt = self._log_act(
            "requests.reject",
            request_id,
            operator,
            op,
            policy_version=row.policy_version,
            payload={**message, **signed.to_dict()},
        )
        with self.store.connect() as conn:
            self._record_signature(
                conn, request_id, operator, op, row, "reject", signed.signature, receipt, **_stored(signed)
            )
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
        key: Ed25519PrivateKey | None = None,
        keep_targets: Sequence[str] | None = None,
        categories: Sequence[DataCategory] | None = None,
        start: date | None = None,
        end: date | None = None,
        passkey: Signed | None = None,
        desk_user: str | None = None,
        ceremony: str | None = None,
    ) -> Assessment:
        """Narrow the scope (subset of targets and categories, dates within the range). Voids every earlier
        approval and re-assesses the narrowed scope. Signed with ``key`` or a linked ``passkey`` over
        ``approval_message(request, "narrow", new hash, new version, operator)``."""
        op = self._signer(operator, key, passkey, desk_user)
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        refusal = _narrowing_refusal(row, op)
        if refusal:
            raise self._refuse(request_id, "narrow", operator, refusal, role=op.role.value, region=op.region)
        preview = self.narrowing(request_id, keep_targets, categories, start, end)
        new, digest, version, result = (
            preview.scope,
            preview.scope_sha256,
            preview.scope_version,
            preview.assessment,
        )
        policy = self.policy_at(row.policy_version)
        message = approval_message(request_id, "narrow", digest, version, operator)
        signed = self._signed(request_id, "narrow", op, key, passkey, message, ceremony)
        receipt = self._log_act(
            "requests.narrow",
            request_id,
            operator,
            op,
            policy_version=policy.version,
            payload={
                **message,
                **signed.to_dict(),
                "previous_scope_sha256": row.scope_sha256,
                "scope": scope_doc(new),
                "assessment": result.to_dict(),
            },
        )
        self._store_narrowed(row, operator, new, digest, result, receipt)
        return result

    def narrowing(
        self,
        request_id: str,
        keep_targets: Sequence[str] | None = None,
        categories: Sequence[DataCategory] | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Narrowing:
        """The narrowed scope, its hash and version and its assessment, without signing or storing anything:
        what the desk shows before narrowing is confirmed (and what a passkey then signs)."""
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        new = _narrowed_scope(scope_from_doc(json.loads(row.scope)), keep_targets, categories, start, end)
        version = row.scope_version + 1
        request = request_from_doc(json.loads(row.doc))
        policy = self.policy_at(row.policy_version)
        with self.store.connect() as conn:
            ctx = self._context(conn, request, new, policy)
        result = assess(request, new, request_id, policy, ctx)
        return Narrowing(new, scope_hash(request_id, version, new), version, result)

    def _store_narrowed(
        self, row: Any, operator: str, new: Scope, digest: str, result: Assessment, receipt: Receipt
    ) -> None:
        """Store the narrowed scope and its assessment; every standing approval is void."""
        request_id, version = row.id, row.scope_version + 1
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
                    scope=dump(scope_doc(new)),
                    scope_sha256=digest,
                    scope_version=version,
                    assessment=dump(result.to_dict()),
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
        operators = {o.name: o for o in self.list_operators()}
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
                or (a.method == WEBAUTHN and event.payload.get("public_key") != a.public_key)
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
                    **row_signed(a, operators.get(name)).to_dict(),
                    "audit_index": receipt.index,
                }
            )
        return proof


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


def _stored(signed: Signed) -> dict[str, Any]:
    """The approval row's columns for how ``signed`` was made (a passkey's key and assertion)."""
    if signed.method == ED25519:
        return {}
    return {"method": signed.method, "public_key": signed.public_key, "assertion": signed.assertion}


def row_signed(a: Any, op: Operator | None) -> Signed:
    """The signature an approval row holds: Ed25519 under the operator's registered key, or a passkey
    assertion under the COSE key stored with it."""
    if a.method == WEBAUTHN:
        return Signed(WEBAUTHN, a.public_key or "", a.signature, json.loads(a.assertion or "{}"))
    return Signed(ED25519, op.public_key if op else "", a.signature)


def _filed_by(row: Any, operator: str, desk_user: str | None) -> bool:
    """Whether ``operator`` (or the desk user acting as them) filed request ``row``."""
    filers = {operator, f"api:{operator}"} | ({f"desk:{desk_user}"} if desk_user else set())
    return row.intake_operator in filers


def _why_not_counted(
    row: Any, a: Any, op: Operator | None, desk_user: str | None, seen: set[str], region: str
) -> str | None:
    """Why approval ``a`` does not count toward the quorum of request ``row`` (None: it counts)."""
    if a.void:
        return f"void ({a.void_reason})"
    if a.scope_sha256 != row.scope_sha256:
        return "signed a different scope"
    message = approval_message(row.id, "approve", a.scope_sha256, a.scope_version, a.operator)
    if op is None or not verify_signed(row_signed(a, op), _crypto.APPROVAL_DOMAIN, message):
        how = "its passkey's stored public key" if a.method == WEBAUTHN else "the operator's registered key"
        return f"signature does not verify with {how}"
    if _filed_by(row, a.operator, desk_user):
        return "the intake operator cannot approve"
    if a.operator in seen:
        return "second approval by the same operator"
    if OperatorRole(a.role) is OperatorRole.REGIONAL_LEAD and a.region == region:
        return "a regional lead does not count for a request from their own region"
    if OperatorRole(a.role) not in APPROVER_ROLES:
        return f"role {a.role} cannot approve"
    return None


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


def _approval_refusal(
    row: Any, op: Operator, approved_before: bool, assessment: Assessment, region: str, desk_user: str | None
) -> str | None:
    """Why ``op`` may not approve request ``row`` now (None: they may)."""
    operator = op.name
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
    elif _filed_by(row, operator, desk_user):
        reason = "the intake operator cannot approve the request they filed"
    elif op.role is OperatorRole.INTAKE:
        reason = "intake operators cannot approve"
    elif approved_before:
        reason = f"{operator} has already approved this request"
    elif op.role is OperatorRole.REGIONAL_LEAD and op.region == region:
        reason = f"{operator} is the regional lead of {region}, the requester's own region, and never counts"
    return reason


def _narrowing_refusal(row: Any, op: Operator) -> str | None:
    """Why ``op`` may not narrow request ``row`` (None: they may)."""
    operator = op.name
    refusal = None
    if op.role not in DECIDER_ROLES:
        refusal = f"{operator} is {op.role}; only legal, privacy, security or executive operators narrow"
    elif Tier(row.tier) is Tier.BLOCKED:
        refusal = "the request is blocked: narrowing cannot make it approvable; reject it or ask for process"
    elif row.state not in (RequestState.ASSESSED.value, RequestState.APPROVED.value):
        refusal = f"the request is {row.state}"
    return refusal
