"""Dispositions from the desk, with the four-eyes rule.

- ``false_positive`` takes effect at once (screening's ``decide``, logged there).
- ``true_match`` freezes the customer, so with ``four_eyes`` on (the default) it is first a *proposal*
  (logged as ``desk.proposal``); it takes effect only when a second analyst confirms it. The proposer can
  never confirm their own proposal, and an alert has at most one pending proposal. On confirmation the alert
  is decided through ``screening.decide`` (actor: the confirmer; the reason names both people) and the
  customer is re-evaluated at once, so their restriction state shows ``frozen`` now, not at the next batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from vaspguard import policy, screening
from vaspguard.desk._events import log_event
from vaspguard.desk._tables import DeskProposalRow
from vaspguard.desk._users import User, get_user
from vaspguard.errors import InvalidRequest, Refused
from vaspguard.store import Store, utcnow


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    alert_id: int
    decision: str
    reason: str
    proposed_by: User
    proposed_at: datetime


def pending(store: Store, alert_id: int) -> Proposal | None:
    with store.connect() as conn:
        row = conn.execute(
            select(DeskProposalRow).where(
                DeskProposalRow.alert_id == alert_id, DeskProposalRow.status == "pending"
            )
        ).first()
    if row is None:
        return None
    return Proposal(
        row.id, row.alert_id, row.decision, row.reason, get_user(store, row.proposed_by), row.proposed_at
    )


def pending_count(store: Store, *, not_by: int | None = None) -> int:
    """Proposals waiting for a second analyst (those another person made, with ``not_by``)."""
    q = select(DeskProposalRow.id).where(DeskProposalRow.status == "pending")
    if not_by is not None:
        q = q.where(DeskProposalRow.proposed_by != not_by)
    with store.connect() as conn:
        return len(conn.execute(q).all())


def dispose(
    store: Store,
    engine: policy.Engine,
    alert_id: int,
    *,
    decision: str,
    reason: str,
    by: User,
    four_eyes: bool,
) -> str:
    """Record an analyst's disposition; returns what happened (``decided`` or ``proposed``)."""
    if decision not in ("true_match", "false_positive"):
        raise InvalidRequest("decision", f"{decision!r} is not true_match or false_positive")
    if not reason.strip():
        raise InvalidRequest("reason", "a disposition needs a reason")
    alert = screening.get_alert(store, alert_id)
    if alert.status != "open":
        raise Refused(f"alert {alert_id} is already decided ({alert.status})")
    if pending(store, alert_id) is not None:
        raise Refused(f"alert {alert_id} has a true_match proposal waiting for a second analyst")
    if decision == "true_match" and four_eyes:
        log_event(store, "proposal", by, alert_id=alert_id, decision=decision, reason=reason)
        with store.connect() as conn:
            conn.execute(
                insert(DeskProposalRow).values(
                    alert_id=alert_id,
                    decision=decision,
                    reason=reason.strip(),
                    proposed_by=by.id,
                    proposed_at=utcnow(),
                    status="pending",
                )
            )
        return "proposed"
    _decide(store, engine, alert, decision, reason.strip(), by)
    return "decided"


def confirm(store: Store, engine: policy.Engine, alert_id: int, *, by: User) -> None:
    """A second analyst confirms the pending proposal on an alert (never its proposer)."""
    proposal = pending(store, alert_id)
    if proposal is None:
        raise Refused(f"alert {alert_id} has no proposal waiting for confirmation")
    if proposal.proposed_by.id == by.id:
        raise Refused("four-eyes rule: a second analyst must confirm; you proposed this disposition")
    with store.connect() as conn:
        done = conn.execute(
            update(DeskProposalRow)
            .where(DeskProposalRow.id == proposal.id, DeskProposalRow.status == "pending")
            .values(status="confirmed", confirmed_by=by.id, confirmed_at=utcnow())
        )
        if done.rowcount != 1:
            raise Refused(f"the proposal on alert {alert_id} was confirmed already")
    reason = f"{proposal.reason} (proposed by {proposal.proposed_by.name}, confirmed by {by.name})"
    _decide(store, engine, screening.get_alert(store, alert_id), proposal.decision, reason, by)


def _decide(
    store: Store, engine: policy.Engine, alert: screening.Alert, decision: str, reason: str, by: User
) -> None:
    screening.decide(store, alert.id, decision, reason=reason, actor=by.name, actor_role="analyst")
    if decision == "true_match":
        policy.evaluate(store, engine, utcnow().date(), ids=[alert.customer_id])
