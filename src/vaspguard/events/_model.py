"""The event vocabulary: each type with its schema version and the only data fields it may carry.

An event says what happened to which record, by id; it carries no personal data (no names, addresses of
people, dates of birth, document numbers). ``emit`` refuses a field its type does not declare, so a caller
cannot widen an event by accident: adding a field means adding it here and raising the version when an
existing field changes meaning.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class EventType(enum.StrEnum):
    ALERT_RAISED = "alerts.raised"
    ALERT_DECIDED = "alerts.decided"
    RESTRICTION_CHANGED = "restrictions.changed"
    RESTRICTION_NOTICE_DUE = "restrictions.notice_due"
    LIST_ACTIVATED = "lists.activated"
    REQUEST_FILED = "requests.filed"
    REQUEST_ASSESSED = "requests.assessed"
    REQUEST_APPROVED = "requests.approved"
    REQUEST_REFUSED = "requests.refused"
    REQUEST_DISCLOSED = "requests.disclosed"
    REQUEST_NOTICE_DUE = "requests.notice_due"
    REQUEST_NOTICE_SENT = "requests.notice_sent"
    REQUEST_DEADLINE_NEAR = "requests.deadline_near"
    CHECKPOINT_SIGNED = "audit.checkpoint_signed"
    JOB_FAILED = "worker.job_failed"

    @property
    def nats_subject(self) -> str:
        """One NATS subject per event type: ``vaspguard.alerts.raised``, ..."""
        return f"vaspguard.{self.value}"


# (schema version, data fields allowed). Ids, states, codes, counts and dates only.
SCHEMAS: dict[EventType, tuple[int, frozenset[str]]] = {
    EventType.ALERT_RAISED: (1, frozenset({"alert_id", "customer_id", "kind", "snapshot_id", "score"})),
    EventType.ALERT_DECIDED: (1, frozenset({"alert_id", "customer_id", "decision"})),
    EventType.RESTRICTION_CHANGED: (
        1,
        frozenset({"customer_id", "old_state", "new_state", "rule_id", "effective", "evaluation_id"}),
    ),
    EventType.RESTRICTION_NOTICE_DUE: (
        1,
        frozenset({"customer_id", "new_state", "effective", "evaluation_id"}),
    ),
    EventType.LIST_ACTIVATED: (1, frozenset({"snapshot_id", "source", "sha256", "entity_count"})),
    EventType.REQUEST_FILED: (1, frozenset({"request_id", "channel", "preservation"})),
    EventType.REQUEST_ASSESSED: (1, frozenset({"request_id", "tier", "codes"})),
    EventType.REQUEST_APPROVED: (1, frozenset({"request_id", "state", "approvals"})),
    EventType.REQUEST_REFUSED: (1, frozenset({"request_id", "return_to_process"})),
    EventType.REQUEST_DISCLOSED: (1, frozenset({"request_id", "record_counts", "merkle_root"})),
    EventType.REQUEST_NOTICE_DUE: (1, frozenset({"request_id", "on"})),
    EventType.REQUEST_NOTICE_SENT: (1, frozenset({"request_id", "notice_id", "customer_id"})),
    EventType.REQUEST_DEADLINE_NEAR: (1, frozenset({"request_id", "item", "on"})),
    EventType.CHECKPOINT_SIGNED: (1, frozenset({"size", "root"})),
    EventType.JOB_FAILED: (1, frozenset({"job", "run_id", "attempt", "error"})),
}


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """One stored event. ``document()`` is what receivers get (webhook body, NATS payload, the API)."""

    seq: int
    type: EventType
    version: int
    subjects: tuple[str, ...]
    data: dict[str, Any]
    created_at: datetime

    @property
    def id(self) -> str:
        """The event id, stable across retries (``webhook-id``, ``Nats-Msg-Id``)."""
        return f"evt_{self.seq}"

    @property
    def subject(self) -> str:
        return self.subjects[0]

    def document(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "type": self.type.value,
            "version": self.version,
            "time": self.created_at.isoformat(),
            "subjects": list(self.subjects),
            "data": self.data,
        }
