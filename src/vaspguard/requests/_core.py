"""The base of ``LawfulRequests``: the store, the audit log, the policy and the reads every part shares.

Log before act: every action (and every refused attempt) is appended to the audit log first; the database
change follows only if the append succeeded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, insert, select, update

from vaspguard._json import to_jsonable
from vaspguard.audit import AuditLog, Event, Receipt
from vaspguard.errors import InvalidRequest, NotFound, QuorumRefused
from vaspguard.events import EventType, emit
from vaspguard.requests import _crypto
from vaspguard.requests._documents import assessment_from, dump
from vaspguard.requests._model import Assessment, Operator, OperatorRole
from vaspguard.requests._names import SanctionsScreen
from vaspguard.requests._passkey import ED25519, WEBAUTHN, Signed, assertion_problem
from vaspguard.requests._policy import Policy, default_policy, parse_policy
from vaspguard.requests._tables import ApprovalRow, EventRow, OperatorRow, PolicyVersionRow, RequestRow
from vaspguard.store import Store, utcnow

# Request history kinds that are also events out (in the same transaction), with the detail fields they
# carry: states, tiers, codes and counts, never names, and never who acted.
_OUTWARD: dict[str, tuple[EventType, tuple[str, ...]]] = {
    "intake": (EventType.REQUEST_FILED, ("channel", "preservation")),
    "assess": (EventType.REQUEST_ASSESSED, ("tier", "codes")),
    "quorum": (EventType.REQUEST_APPROVED, ("state",)),
    "reject": (EventType.REQUEST_REFUSED, ("return_to_process",)),
    "disclose": (EventType.REQUEST_DISCLOSED, ("record_counts", "merkle_root")),
}


class Core:
    """What every part shares: the store, the audit log (log before act), the policy in force, and
    reading a request or an operator."""

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
            audit_event(
                type_, actor, role, region, tuple(dict.fromkeys(subjects)), policy_version, payload or {}
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
        *,
        method: str = "ed25519",
        public_key: str | None = None,
        assertion: dict[str, Any] | None = None,
    ) -> None:
        """Store an operator's signed approval or rejection of the request's current scope (signed with
        their Ed25519 key, or with a passkey: ``method`` "webauthn", its COSE ``public_key`` and
        ``assertion``)."""
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
                method=method,
                public_key=public_key,
                assertion=json.dumps(assertion, sort_keys=True) if assertion else None,
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
                detail=dump(detail),
                audit_index=receipt.index if receipt is not None else None,
            )
        )
        outward = _OUTWARD.get(kind)
        if outward is not None:
            type_, fields = outward
            data = {"request_id": request_id, **{k: detail[k] for k in fields if k in detail}}
            if kind == "quorum":
                data["approvals"] = len(detail.get("approvers", ()))
            emit(conn, type_, (f"request:{request_id}",), data)

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

    def _row(self, conn: Connection, request_id: str) -> Any:
        row = conn.execute(select(RequestRow).where(RequestRow.id == request_id)).first()
        if row is None:
            raise NotFound("request", request_id)
        return row

    def assessment(self, request_id: str) -> Assessment:
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        return assessment_from(json.loads(row.assessment))

    def region_of_request(self, row: Any) -> str:
        return self.policy_at(row.policy_version).region_of(row.agency_country)

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

    def desk_links(self) -> dict[str, str]:
        """Operator name -> the desk user who acts as that operator (only linked operators)."""
        with self.store.connect() as conn:
            rows = conn.execute(
                select(OperatorRow.name, OperatorRow.desk_user).where(OperatorRow.desk_user.is_not(None))
            ).all()
        return {r.name: r.desk_user for r in rows}

    def operator_of_desk_user(self, desk_user: str) -> Operator | None:
        """The active operator a desk user acts as, if linked."""
        for name, user in self.desk_links().items():
            if user == desk_user:
                op = self.get_operator(name)
                return op if op.active else None
        return None

    def link_desk_user(self, operator: str, desk_user: str | None, *, actor: str) -> None:
        """Link ``operator`` to the desk user who approves as them with a passkey (None: unlink); logged."""
        op = self.get_operator(operator)
        taken = {u: n for n, u in self.desk_links().items()}
        if desk_user is not None and taken.get(desk_user, operator) != operator:
            raise InvalidRequest("desk_user", f"{desk_user} already acts as operator {taken[desk_user]}")
        self._log(
            "requests.operator.link",
            actor=actor,
            subjects=(f"operator:{operator}",),
            payload={"operator": operator, "desk_user": desk_user, "role": op.role.value},
        )
        with self.store.connect() as conn:
            conn.execute(update(OperatorRow).where(OperatorRow.name == operator).values(desk_user=desk_user))

    def _signer(
        self, operator: str, key: Ed25519PrivateKey | None, passkey: Signed | None, desk_user: str | None
    ) -> Operator:
        """The operator signing with ``key``, or with ``passkey`` as the desk user linked to them."""
        if passkey is None:
            if key is None:
                raise InvalidRequest("--key", "a decision is signed with the operator's key or a passkey")
            return self._operator_with_key(operator, key)
        op = self.get_operator(operator)
        if not op.active:
            raise InvalidRequest("operator", f"operator {operator!r} is not active")
        if desk_user is None or self.desk_links().get(operator) != desk_user:
            raise InvalidRequest(
                "operator", f"desk user {desk_user!r} is not linked to operator {operator!r}"
            )
        return op

    def _signature(
        self,
        op: Operator,
        key: Ed25519PrivateKey | None,
        passkey: Signed | None,
        message: dict[str, Any],
        ceremony: str | None,
        refuse: Callable[[str], Exception],
    ) -> Signed:
        """``op``'s signature over ``message``: made now with ``key``, or ``passkey`` checked to sign exactly
        it (else ``refuse(problem)`` is raised: the caller logs the refusal)."""
        if passkey is None:
            assert key is not None  # _signer admitted no other case
            return Signed(ED25519, op.public_key, _crypto.sign(key, _crypto.APPROVAL_DOMAIN, message))
        problem = passkey_problem(passkey, message, ceremony)
        if problem:
            raise refuse(problem)
        return passkey

    def _operator_with_key(self, name: str, key: Ed25519PrivateKey) -> Operator:
        op = self.get_operator(name)
        if not op.active:
            raise InvalidRequest("--as", f"operator {name!r} is not active")
        if _crypto.public_hex(key) != op.public_key:
            raise InvalidRequest("--key", f"this key is not the registered key of operator {name!r}")
        return op


def passkey_problem(passkey: Signed, message: dict[str, Any], ceremony: str | None = None) -> str | None:
    """Why ``passkey`` does not sign ``message`` (APPROVAL_DOMAIN), or the desk's ``ceremony`` problem."""
    if ceremony:
        return ceremony
    if passkey.method != WEBAUTHN:
        return f"{passkey.method} is not a passkey assertion"
    return assertion_problem(passkey, _crypto.APPROVAL_DOMAIN, message)


def audit_event(
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
