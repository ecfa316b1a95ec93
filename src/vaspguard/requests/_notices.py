"""User notices: due, held under a non-disclosure order, or sent; and the ledger of orders extending them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from vaspguard.errors import InvalidRequest
from vaspguard.requests._model import OperatorRole
from vaspguard.requests._release import Disclosure
from vaspguard.requests._tables import NoticeRow, RequestRow


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
