"""Helpers shared by the audit tests (imported as ``audit_helpers``; pytest puts this folder on sys.path)."""

from __future__ import annotations

from sqlalchemy import text

from vaspguard.audit import Event
from vaspguard.store import Store


def approval(actor: str = "alice", request: str = "R1", **payload: object) -> Event:
    return Event(
        type="requests.approve",
        actor=actor,
        actor_role="legal",
        actor_region="EU",
        subjects=(f"request:{request}",),
        policy_version="sha256:" + "ab" * 32,
        payload=payload or {"note": "lawful basis checked"},
    )


def drop_triggers(store: Store) -> None:
    """What an attacker with database access does first: remove the append-only triggers."""
    with store.connect() as conn:
        if store.backend == "sqlite":
            names = (
                conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
            )
            for name in names:
                conn.execute(text(f"DROP TRIGGER {name}"))
        else:
            rows = conn.execute(
                text("SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
            ).all()
            for name, table in rows:
                conn.execute(text(f'DROP TRIGGER "{name}" ON "{table}"'))
