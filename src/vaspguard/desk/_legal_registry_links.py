"""Lawful-request operators linked to desk users: the person who acts as an operator in the desk.

One link each way (an operator has at most one desk user, a desk user acts as at most one operator). A link
is refused for a deactivated user or operator, for a user whose region is not the operator's, and for a
user who does not hold the desk role matching the operator's role (an ``intake`` operator needs ``legal``,
the desk role that files requests), so nobody gains an operator's standing by a link alone. Each link is
logged (``desk.operator_link``).
"""

from __future__ import annotations

from sqlalchemy import insert, select

from vaspguard.desk._events import log_event
from vaspguard.desk._tables import DeskOperatorLinkRow
from vaspguard.desk._users import DeskRole, User, get_user
from vaspguard.errors import InvalidRequest, Refused
from vaspguard.requests import LawfulRequests, Operator, OperatorRole
from vaspguard.store import Store, utcnow

# The desk role a user needs to act as an operator of each role.
ROLE_FOR: dict[OperatorRole, DeskRole] = {
    OperatorRole.INTAKE: DeskRole.LEGAL,
    OperatorRole.LEGAL: DeskRole.LEGAL,
    OperatorRole.PRIVACY: DeskRole.PRIVACY,
    OperatorRole.SECURITY: DeskRole.SECURITY,
    OperatorRole.REGIONAL_LEAD: DeskRole.REGIONAL_LEAD,
    OperatorRole.EXECUTIVE: DeskRole.EXECUTIVE,
}


def actor_of(user: User) -> str:
    """How a desk user is named as the actor of a lawful-request act in the audit log."""
    return f"desk:{user.name}"


def links(store: Store) -> dict[str, User]:
    """Operator name -> the desk user linked to it."""
    with store.connect() as conn:
        rows = conn.execute(select(DeskOperatorLinkRow.operator, DeskOperatorLinkRow.user_id)).all()
    return {r.operator: get_user(store, r.user_id) for r in rows}


def operator_of(store: Store, user: User) -> Operator | None:
    """The operator ``user`` acts as, if linked."""
    with store.connect() as conn:
        name = conn.execute(
            select(DeskOperatorLinkRow.operator).where(DeskOperatorLinkRow.user_id == user.id)
        ).scalar_one_or_none()
    return None if name is None else LawfulRequests(store).get_operator(name)


def link(store: Store, operator: str, user: User, *, by: User) -> None:
    """Link ``operator`` to the desk user ``user`` (refused unless active, same region, matching role)."""
    op = LawfulRequests(store).get_operator(operator)
    if not op.active:
        raise Refused(f"operator {operator} is deactivated; a deactivated operator is linked to nobody")
    if not user.active:
        raise Refused(f"desk user {user.name} is deactivated")
    if user.region.upper() != op.region.upper():
        raise InvalidRequest(
            "user", f"{user.name} is in region {user.region}, operator {operator} in {op.region}"
        )
    needed = ROLE_FOR[op.role]
    if needed not in user.roles:
        raise InvalidRequest(
            "user", f"{user.name} does not hold the desk role {needed}, which a {op.role} operator needs"
        )
    with store.connect() as conn:
        taken = conn.execute(
            select(DeskOperatorLinkRow.operator, DeskOperatorLinkRow.user_id).where(
                (DeskOperatorLinkRow.operator == operator) | (DeskOperatorLinkRow.user_id == user.id)
            )
        ).first()
    if taken is not None:
        raise Refused(
            f"operator {taken.operator} is already linked to desk user #{taken.user_id}; unlink first"
        )
    log_event(store, "operator_link", by, operator=operator, user_id=user.id, user_name=user.name)
    with store.connect() as conn:
        conn.execute(
            insert(DeskOperatorLinkRow).values(
                operator=operator, user_id=user.id, linked_by=by.name, linked_at=utcnow()
            )
        )
