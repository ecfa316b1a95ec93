"""The events outbox over HTTP: ``GET /v1/events?after=ID`` (``&limit=``), oldest first, for a consumer
that missed deliveries or wants to replay from an event it saw. The documents are the ones webhooks and
NATS carry; ``next`` is the id to pass as ``after`` for the following page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from vaspguard.api._auth import Role, require
from vaspguard.store import Store

router = APIRouter(prefix="/v1/events", tags=["events"])

_read = require(Role.SERVICE, Role.COMPLIANCE, Role.AUDITOR)


@router.get("", dependencies=[Depends(_read)])
def events(
    request: Request,
    after: str = Query("0", description="An event id (evt_42 or 42): events after it are returned."),
    limit: int = Query(500, ge=1, le=10000),
) -> dict[str, Any]:
    from vaspguard.events import events_after, parse_event_id

    store: Store = request.app.state.store
    start = parse_event_id(after)
    found = events_after(store, start, limit=limit)
    return {
        "items": [e.document() for e in found],
        "next": found[-1].id if found else f"evt_{start}",
    }
