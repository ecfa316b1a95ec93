"""Reading requests: the list with what needs attention, one request in full, the transparency report."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from vaspguard.requests import _reports
from vaspguard.requests._notices import Notices
from vaspguard.requests._tables import ApprovalRow, DisclosureRow, EventRow, RequestRow


class Overview(Notices):
    """What legal and the public read: the request list with its attention items, one request in full,
    and the transparency report."""

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

    def report(self, start: date, end: date, *, band: int | None = None) -> dict[str, Any]:
        """Transparency figures for requests received from ``start`` to ``end`` (inclusive), exact numbers
        (RDR P11a): by country, agency class and instrument; outcomes including narrowed and refused on
        human-rights grounds; accounts affected; emergency and non-disclosure rates; reason counts. With
        ``band``, national-security requests apart, in ranges of ``band`` only."""
        with self.store.connect() as conn:
            return _reports.transparency_report(conn, start, end, band=band)

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
                    "method": a.method,
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
