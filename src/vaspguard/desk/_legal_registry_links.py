"""Lawful-request operators linked to desk users: the person who acts as an operator in the desk.

The link itself is the operator's ``desk_user`` in the registry (``LawfulRequests.link_desk_user``, logged as
``requests.operator.link``; the desk signs that operator's decisions with the person's passkey). Linking from
the desk adds what a person's standing needs: one link each way (an operator already linked is unlinked
first, with ``vaspguard operators link --unlink``), an active operator and user, the operator's region, and
the desk role matching the operator's role (an ``intake`` operator needs ``legal``, the desk role that files
requests), so nobody gains an operator's standing by a link alone.
"""

from __future__ import annotations

from vaspguard.desk._users import DeskRole, User, find_user
from vaspguard.errors import InvalidRequest, Refused
from vaspguard.requests import LawfulRequests, Operator, OperatorRole
from vaspguard.store import Store

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
    return {op: find_user(store, name) for op, name in LawfulRequests(store).desk_links().items()}


def operator_of(store: Store, user: User) -> Operator | None:
    """The active operator ``user`` acts as, if linked."""
    return LawfulRequests(store).operator_of_desk_user(user.name)


def link(store: Store, operator: str, user: User, *, by: User) -> None:
    """Link ``operator`` to the desk user ``user`` (refused unless active, same region, matching role)."""
    lawful = LawfulRequests(store)
    op = lawful.get_operator(operator)
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
    linked = lawful.desk_links()
    if operator in linked:
        raise Refused(f"operator {operator} is already linked to desk user {linked[operator]}; unlink first")
    taken = {name: op_name for op_name, name in linked.items()}
    if user.name in taken:
        raise Refused(f"desk user {user.name} already acts as operator {taken[user.name]}")
    lawful.link_desk_user(operator, user.name, actor=actor_of(by))
