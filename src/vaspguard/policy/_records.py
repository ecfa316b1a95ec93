"""What the policy engine has recorded, read back: customer states, notices and the decision log.

Each returns plain dicts ready for JSON, newest first where a limit applies.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from vaspguard.policy._tables import PolicyCustomerStateRow, PolicyDecisionRow, PolicyNoticeRow
from vaspguard.store import Store


def notices(
    store: Store, *, evaluation: int | None = None, customer: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Notices of state changes: what changed, the legal basis, what the customer can still do, and how to
    prove an exemption."""
    q = select(PolicyNoticeRow).order_by(PolicyNoticeRow.id.desc()).limit(limit)
    if evaluation is not None:
        q = q.where(PolicyNoticeRow.evaluation_id == evaluation)
    if customer is not None:
        q = q.where(PolicyNoticeRow.customer_id == customer)
    with store.connect() as conn:
        rows = conn.execute(q).all()
    return [
        {
            "notice_id": r.id,
            "evaluation_id": r.evaluation_id,
            "customer_id": r.customer_id,
            "old_state": r.old_state,
            "new_state": r.new_state,
            **json.loads(r.body),
        }
        for r in rows
    ]


def customer_state(store: Store, customer: str) -> dict[str, Any]:
    """A customer's state from the latest evaluation; no recorded state means unrestricted."""
    with store.connect() as conn:
        row = conn.execute(
            select(PolicyCustomerStateRow).where(PolicyCustomerStateRow.customer_id == customer)
        ).first()
    if row is None:
        return {"customer_id": customer, "state": "unrestricted"}
    return {
        "customer_id": customer,
        "state": row.state,
        "rule_id": row.rule_id,
        "citation": row.citation,
        "since": row.since,
        "evaluation_id": row.evaluation_id,
    }


def decision_log(
    store: Store, *, customer: str | None = None, outcome: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Logged deny and review decisions, with id, input digest, rule and policy version."""
    q = select(PolicyDecisionRow).order_by(PolicyDecisionRow.decided_at.desc()).limit(limit)
    if customer is not None:
        q = q.where(PolicyDecisionRow.customer_id == customer)
    if outcome is not None:
        q = q.where(PolicyDecisionRow.outcome == outcome)
    with store.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(q).all()]


def restricted(
    store: Store, *, state: str | None = None, rule: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Restricted customers as of the latest evaluation (unrestricted ones have no state), by customer id."""
    q = select(PolicyCustomerStateRow).order_by(PolicyCustomerStateRow.customer_id).limit(limit)
    if state is not None:
        q = q.where(PolicyCustomerStateRow.state == state)
    if rule is not None:
        q = q.where(PolicyCustomerStateRow.rule_id == rule)
    with store.connect() as conn:
        return [
            {"customer_id": r.customer_id, "state": r.state, "rule_id": r.rule_id, "since": r.since}
            for r in conn.execute(q)
        ]


def restriction_counts(store: Store) -> dict[tuple[str, str | None], int]:
    """How many customers are in each (state, rule) as of the latest evaluation."""
    t = PolicyCustomerStateRow
    with store.connect() as conn:
        rows = conn.execute(select(t.state, t.rule_id, func.count()).group_by(t.state, t.rule_id)).all()
    return {(state, rule): int(n) for state, rule, n in rows}
