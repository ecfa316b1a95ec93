"""User notices: due, held under a non-disclosure order, or sent; the ledger of orders extending them; and
the deadlines legal keeps (preservations' expiry, emergency disclosures' follow-up).

A notice is sent once, only when due; each send is logged and writes a ``requests.notice_sent`` event in
the transaction that marks it sent.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from vaspguard.errors import InvalidRequest, NotFound, Refused
from vaspguard.events import EventType, emit
from vaspguard.requests._model import InstrumentType, OperatorRole
from vaspguard.requests._policy import Policy
from vaspguard.requests._release import Disclosure
from vaspguard.requests._tables import EventRow, NoticeRow, RequestRow


class Notices(Disclosure):
    """User notices and the gag-order ledger."""

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
            path = outbox / f"notice-{n['id']:06d}-{n['customer_id']}.json"
            body = {"to_customer": n["customer_id"], **n["content"], "notice_id": n["id"]}
            receipt = self._log_notice_sent(n, actor)
            path.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            self._mark_sent(n, actor, receipt, {"file": path.name})
            written.append(path)
        return written

    def send_notice(self, notice_id: int, *, actor: str, on: date | None = None) -> dict[str, Any]:
        """Mark one due notice sent (the desk's "send"): logged, and a ``requests.notice_sent`` event written
        to the events outbox in the same transaction, for the exchange's systems to deliver. A notice
        already sent, or still held by a non-disclosure order, is refused."""
        found = [n for n in self.notices(on=on) if n["id"] == notice_id]
        if not found:
            raise NotFound("notice", str(notice_id))
        n = found[0]
        if n["status"] == "sent":
            raise Refused(f"notice {notice_id} was sent already ({n['sent_at']:%Y-%m-%d %H:%M} UTC)")
        if n["status"] != "due":
            held = f"until {n['due_on']}" if n["due_on"] else "by an order without end"
            raise Refused(f"notice {notice_id} is held {held}: a non-disclosure order forbids sending it")
        self._mark_sent(n, actor, self._log_notice_sent(n, actor), {})
        return {**n, "status": "sent"}

    def _log_notice_sent(self, n: dict[str, Any], actor: str) -> Any:
        return self._log(
            "requests.notice.sent",
            actor=actor,
            subjects=(f"request:{n['request_id']}", f"customer:{n['customer_id']}"),
            payload={"notice_id": n["id"], "due_on": str(n["due_on"])},
        )

    def _mark_sent(self, n: dict[str, Any], actor: str, receipt: Any, detail: dict[str, Any]) -> None:
        """The notice is sent: its row, the request's history, and the event out, in one transaction."""
        with self.store.connect() as conn:
            conn.execute(
                update(NoticeRow).where(NoticeRow.id == n["id"]).values(status="sent", sent_at=self.clock())
            )
            self._event(
                conn,
                n["request_id"],
                "notice.sent",
                actor,
                {"customer_id": n["customer_id"], **detail},
                receipt,
            )
            emit(
                conn,
                EventType.REQUEST_NOTICE_SENT,
                (f"request:{n['request_id']}",),
                {"request_id": n["request_id"], "notice_id": n["id"], "customer_id": n["customer_id"]},
            )

    def extend_gag(
        self, request_id: str, *, operator: str, key: Ed25519PrivateKey, until: date, basis: str
    ) -> int:
        """Record an order that extends (or imposes) non-disclosure: held notices move to ``until``."""
        self._operator_with_key(operator, key)
        return self.record_gag(request_id, operator=operator, until=until, basis=basis)

    def record_gag(self, request_id: str, *, operator: str, until: date, basis: str) -> int:
        """``extend_gag`` for an operator the caller has proven (the desk: the passkey-signed-in person
        linked to ``operator``). Only an active legal or executive operator records an order, read from the
        registry now; the order that extends non-disclosure (its instrument) must be named."""
        op = self.get_operator(operator)
        with self.store.connect() as conn:
            self._row(conn, request_id)
        if not op.active:
            raise InvalidRequest("operator", f"operator {op.name!r} is not active")
        if op.role not in (OperatorRole.LEGAL, OperatorRole.EXECUTIVE):
            raise self._refuse(
                request_id,
                "gag",
                op.name,
                "only legal or executive operators record a non-disclosure order",
                role=op.role.value,
                region=op.region,
            )
        if not basis.strip():
            raise InvalidRequest("--basis", "the order extending non-disclosure must be named")
        receipt = self._log_act(
            "requests.gag.extend",
            request_id,
            op.name,
            op,
            payload={"until": until.isoformat(), "basis": basis},
        )
        with self.store.connect() as conn:
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
                op.name,
                {"until": until.isoformat(), "basis": basis, "notices": n},
                receipt,
            )
        return int(n)

    def gag_ledger(self, *, on: date | None = None) -> list[dict[str, Any]]:
        """Every non-disclosure order: the request, the order as filed (basis and end), each extension with
        its instrument, who recorded it and its audit index, the end in force and the notices it holds."""
        today = on or self.clock().date()
        with self.store.connect() as conn:
            rows = conn.execute(select(RequestRow).order_by(RequestRow.received_at, RequestRow.id)).all()
            extensions = conn.execute(
                select(EventRow).where(EventRow.kind == "gag.extend").order_by(EventRow.id)
            ).all()
            held = (
                conn.execute(select(NoticeRow.request_id).where(NoticeRow.status != "sent")).scalars().all()
            )
        by_request: dict[str, list[dict[str, Any]]] = {}
        for e in extensions:
            detail = json.loads(e.detail)
            entry = {"at": e.at, "actor": e.actor, "audit_index": e.audit_index, **detail}
            by_request.setdefault(e.request_id, []).append(entry)
        out = []
        for r in rows:
            filed = json.loads(r.doc).get("non_disclosure")
            if not filed and r.id not in by_request:
                continue
            out.append(
                {
                    "request_id": r.id,
                    "state": r.state,
                    "basis": (filed or {}).get("basis"),
                    "filed_until": (filed or {}).get("until"),
                    "until": r.ndo_until,
                    "in_force": r.ndo_until is None or r.ndo_until >= today,
                    "extensions": by_request.get(r.id, []),
                    "notices_held": sum(1 for x in held if x == r.id),
                }
            )
        return out

    def deadlines(self, *, on: date | None = None) -> dict[str, list[dict[str, Any]]]:
        """Preservations with their expiry and extensions, and emergency requests with the day their legal
        process must follow by (``emergency.follow_up_days`` after disclosure, under the policy each was
        assessed with) and whether it has."""
        today = on or self.clock().date()
        with self.store.connect() as conn:
            rows = conn.execute(select(RequestRow).order_by(RequestRow.received_at, RequestRow.id)).all()
        follow_ups: dict[str, list[Any]] = {}
        for r in rows:
            if r.follow_up_of:
                follow_ups.setdefault(r.follow_up_of, []).append(r)
        preservations = [
            {
                "request_id": r.id,
                "state": r.state,
                "until": r.preserve_until,
                "extensions": r.preserve_extensions,
                "max_extensions": self.policy_at(r.policy_version).section("preservation")["max_extensions"],
                "expired": r.preserve_until is not None and r.preserve_until < today,
            }
            for r in rows
            if r.instrument_type == InstrumentType.PRESERVATION_REQUEST.value
        ]
        emergencies = [
            _emergency(r, self.policy_at(r.policy_version), follow_ups.get(r.id, []), today)
            for r in rows
            if r.emergency
        ]
        return {"preservations": preservations, "emergencies": emergencies}


def _emergency(row: Any, policy: Policy, follow_ups: list[Any], today: date) -> dict[str, Any]:
    """One emergency request's follow-up: due ``follow_up_days`` after disclosure; met by a follow-up
    received by then; ``pending`` before that day, ``overdue`` after."""
    if row.disclosed_at is None:
        return {"request_id": row.id, "state": row.state, "due": None, "status": "not disclosed", "by": []}
    due = row.disclosed_at.date() + timedelta(days=policy.section("emergency")["follow_up_days"])
    ratified = [f.id for f in follow_ups if f.received_at.date() <= due]
    status = "followed up" if ratified else ("overdue" if today > due else "pending")
    return {"request_id": row.id, "state": row.state, "due": due, "status": status, "by": ratified}
