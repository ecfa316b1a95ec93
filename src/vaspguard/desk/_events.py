"""Desk events in the audit log, through the public API of ``vaspguard.audit``."""

from __future__ import annotations

from typing import Any

from vaspguard.desk._users import User
from vaspguard.store import Store


def log_event(store: Store, kind: str, user: User | None, **payload: Any) -> None:
    """One desk event in the audit log (the public API of ``vaspguard.audit``)."""
    from vaspguard.audit import AuditLog, Event

    AuditLog.open(store).append(
        Event(
            type=f"desk.{kind}",
            actor=user.name if user else "anonymous",
            actor_role=user.role_text if user else "",
            actor_region=user.region if user else "",
            subjects=(f"desk_user:{user.id}",) if user else (),
            payload=payload,
        )
    )
