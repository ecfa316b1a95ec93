"""HTTP routes of the screening capability.

- ``POST /v1/screen``: one query (``{"name": ...}``) or many (``{"queries": [...]}``, at most 1,000).
- ``POST /v1/screen/address``: a wallet address.
- ``GET /v1/screen/alerts``, ``GET /v1/screen/alerts/{id}``, ``POST /v1/screen/alerts/{id}/decision``.

The index is built from the store's active list snapshots on first use and rebuilt when they change
(an embedding application may set ``app.state.screener`` to its own ``Screener`` instead).
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, field_validator

from vaspguard.api import _pages
from vaspguard.api._auth import Principal, Role, require
from vaspguard.api._limits import INT64_MAX
from vaspguard.api._wire import to_wire
from vaspguard.screening import AddressBook, Screener, threshold_for
from vaspguard.store import Store

router = APIRouter(prefix="/v1/screen", tags=["screening"])

_screen = require(Role.COMPLIANCE, Role.SERVICE)
_read = require(Role.COMPLIANCE, Role.AUDITOR)
_decide = require(Role.COMPLIANCE)

AlertId = Annotated[int, Path(ge=0, le=INT64_MAX)]


def init_state(state: Any) -> None:
    """This router's per-app state: the index built from the active snapshots, and the lock that builds it."""
    state.screen_lock = threading.Lock()
    state.screen_index = None  # (active snapshot ids, Screener, AddressBook)


def _active(store: Store) -> tuple[tuple[str, int], ...]:
    from vaspguard.lists import active_snapshots

    return tuple(sorted((s.source.value, s.id) for s in active_snapshots(store)))


def _index(request: Request) -> tuple[Screener, AddressBook]:
    state = request.app.state
    own = getattr(state, "screener", None)
    if isinstance(own, Screener):
        return own, AddressBook.from_entities(own.entities)
    store: Store = state.store
    active = _active(store)
    with state.screen_lock:
        cached = state.screen_index
        if cached is None or cached[0] != active:
            screener = Screener.from_store(store)
            cached = (active, screener, AddressBook.from_entities(screener.entities))
            state.screen_index = cached
    return cached[1], cached[2]


class ScreenQuery(BaseModel):
    id: str | None = Field(None, description="Your reference, echoed back.")
    name: str = Field(..., min_length=1, max_length=500)
    dob: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    nationality: str | None = Field(None, description="ISO 3166-1 alpha-2")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, country of residence")
    kind: Literal["person", "organisation"] | None = None
    gender: Literal["male", "female"] | None = None
    documents: list[str] = Field(default_factory=list, max_length=20)
    top: int = Field(5, ge=1, le=50)
    threshold: float | None = Field(
        None, gt=0, le=1, description="Alert at this score or more (default: the balanced profile's)."
    )
    profile: Literal["strict", "balanced", "broad"] | None = Field(
        None,
        description="A named threshold (strict 0.84, balanced 0.80: the default, broad 0.76); not both.",
    )

    @field_validator("nationality", "country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        """The same check as ``/v1/decisions``: ISO 3166-1 alpha-2 (``UK`` is refused with a pointer to
        ``GB``; ``ZZ`` and alpha-3 are refused), but a country, not an ISO 3166-2 region."""
        if value is None:
            return None
        from vaspguard.policy import check_code

        why = check_code(value)
        if why is None and "-" in value:
            why = f"{value!r} is a region; expected an ISO 3166-1 alpha-2 country code"
        if why is not None:
            raise ValueError(why)
        return value.strip().upper()


class ScreenBatch(BaseModel):
    queries: list[ScreenQuery] = Field(..., min_length=1, max_length=1000)


class AddressQuery(BaseModel):
    address: str = Field(..., min_length=1, max_length=200)
    chain: str | None = None


class DecisionBody(BaseModel):
    decision: Literal["true_match", "false_positive"]
    reason: str = Field(..., min_length=1, max_length=5000)
    revise: bool = False


def _one(screener: Screener, q: ScreenQuery) -> dict[str, Any]:
    matches = screener.screen_name(
        q.name,
        dob=q.dob,
        nationality=q.nationality,
        country=q.country,
        kind=q.kind,
        gender=q.gender,
        documents=q.documents,
        top=q.top,
        threshold=threshold_for(q.threshold, q.profile),
    )
    return {
        "id": q.id,
        "name": q.name,
        "alert": any(m.alert for m in matches),
        "matches": to_wire(matches),
    }


@router.post("")
def screen(request: Request, body: ScreenQuery | ScreenBatch, _p: Principal = Depends(_screen)) -> Any:
    """Screen one name or many; each result lists the best candidates with score, alert and breakdown."""
    screener, _ = _index(request)
    if isinstance(body, ScreenBatch):
        return {"results": [_one(screener, q) for q in body.queries]}
    return _one(screener, body)


@router.post("/address")
def screen_address(request: Request, body: AddressQuery, _p: Principal = Depends(_screen)) -> Any:
    """Exact wallet screening after per-chain normalisation; every listing of the address is returned."""
    from vaspguard.screening import normalise_address

    _, book = _index(request)
    hits = book.lookup(body.address, body.chain)
    return {
        "address": body.address,
        "normalised": normalise_address(body.address, body.chain),
        "listed": bool(hits),
        "hits": to_wire(hits),
    }


@router.get("/alerts")
def alerts(
    request: Request,
    status: str | None = Query(None, description="open, true_match or false_positive"),
    customer_id: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = _pages.CURSOR,
    _p: Principal = Depends(_read),
) -> dict[str, Any]:
    from vaspguard.screening import list_alerts

    offset = _pages.decode(cursor)
    found = list_alerts(
        request.app.state.store, status=status, customer_id=customer_id, limit=limit + 1, offset=offset
    )
    return _pages.page(to_wire(found), offset=offset, limit=limit)


@router.get("/alerts/{alert_id}")
def alert(request: Request, alert_id: AlertId, _p: Principal = Depends(_read)) -> Any:
    from vaspguard.screening import dispositions, get_alert

    store = request.app.state.store
    return {
        **to_wire(get_alert(store, alert_id)),
        "dispositions": to_wire(dispositions(store, alert_id)),
    }


@router.post("/alerts/{alert_id}/decision")
def decision(request: Request, alert_id: AlertId, body: DecisionBody, p: Principal = Depends(_decide)) -> Any:
    """Decide an alert as the calling token's holder; logged to the audit log."""
    from vaspguard.screening import decide

    audit = getattr(request.app.state, "audit", None)
    return to_wire(
        decide(
            request.app.state.store,
            alert_id,
            body.decision,
            reason=body.reason,
            actor=p.name,
            actor_role=p.role.value,
            revise=body.revise,
            audit=audit,
        )
    )
