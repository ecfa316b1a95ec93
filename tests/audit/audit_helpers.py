"""Helpers shared by the audit tests (imported as ``audit_helpers``; pytest puts this folder on sys.path)."""

from __future__ import annotations

from vaspguard.audit import Event


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
