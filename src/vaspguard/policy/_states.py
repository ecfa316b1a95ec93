"""Reading restriction states back: a customer's current state, its timeline of changes, the last
evaluation's diff. (``evaluate`` writes them; these only read.)"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from vaspguard.policy._model import CustomerState
from vaspguard.policy._tables import PolicyCustomerStateRow, PolicyEvaluationRow, PolicyNoticeRow
from vaspguard.store import Store


@dataclass(frozen=True, slots=True)
class StateChange:
    """One change of a customer's state, with the notice written for it."""

    evaluation_id: int
    customer_id: str
    old_state: str
    new_state: str
    rule_id: str | None
    citation: str | None
    created_at: datetime
    body: dict[str, Any]


def customer_state(
    store: Store, customer_id: str
) -> tuple[CustomerState, str | None, str | None, date | None]:
    """(state, rule, citation, since) as of the last evaluation; unrestricted customers have no row."""
    with store.connect() as conn:
        row = conn.execute(
            select(PolicyCustomerStateRow).where(PolicyCustomerStateRow.customer_id == customer_id)
        ).first()
    if row is None:
        return CustomerState.UNRESTRICTED, None, None, None
    return CustomerState(row.state), row.rule_id, row.citation, row.since


def _change(r: Any) -> StateChange:
    return StateChange(
        r.evaluation_id,
        r.customer_id,
        r.old_state,
        r.new_state,
        r.rule_id,
        r.citation,
        r.created_at,
        json.loads(r.body),
    )


def state_changes(
    store: Store, *, customer_id: str | None = None, evaluation_id: int | None = None, limit: int = 100
) -> list[StateChange]:
    """State changes (newest first) of one customer, or of one evaluation (default: the latest)."""
    q = select(PolicyNoticeRow)
    if customer_id is not None:
        q = q.where(PolicyNoticeRow.customer_id == customer_id)
    else:
        with store.connect() as conn:
            latest = evaluation_id or conn.execute(select(func.max(PolicyEvaluationRow.id))).scalar()
        if latest is None:
            return []
        q = q.where(PolicyNoticeRow.evaluation_id == latest)
    q = q.order_by(PolicyNoticeRow.id.desc()).limit(limit)
    with store.connect() as conn:
        return [_change(r) for r in conn.execute(q)]


def state_counts(store: Store) -> dict[str, int]:
    """Restricted customers per state, as of the last evaluation."""
    with store.connect() as conn:
        rows = conn.execute(
            select(PolicyCustomerStateRow.state, func.count()).group_by(PolicyCustomerStateRow.state)
        ).all()
    return {state: int(n) for state, n in rows}
