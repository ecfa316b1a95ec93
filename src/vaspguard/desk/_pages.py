"""The analyst's pages: Attention (home), the alert queue, one alert with its disposition, a customer, and
the user list. Routers stay thin: they call the engines' public APIs (screening, policy, registry, lists)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from vaspguard import policy, screening
from vaspguard.desk import _four_eyes, _users
from vaspguard.desk._users import DeskRole, User
from vaspguard.desk._web import DeskRoute, guard, render, settings_of, store_of
from vaspguard.errors import InvalidRequest, NotFound
from vaspguard.registry import Registry
from vaspguard.store import utcnow

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])

PAGE = 25
AGES = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
BANDS = {"high": (0.95, None), "mid": (0.88, 0.95), "low": (None, 0.88)}


def _engine(request: Request) -> policy.Engine:
    from vaspguard.desk._restrictions import service

    engine: policy.Engine = service(request).engine
    return engine


@router.get("/")
def attention(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    store = store_of(request)
    now = utcnow()
    counts: dict[str, int] = {}
    if user.has(DeskRole.ANALYST, DeskRole.AUDITOR):
        open_alerts = screening.AlertFilter(status="open")
        counts["open"] = screening.count_matching(store, open_alerts)
        for label, age in AGES.items():
            older = screening.AlertFilter(status="open", created_before=now - age)
            counts[f"older_{label}"] = screening.count_matching(store, older)
    legal: list[dict[str, Any]] = []
    if user.has(DeskRole.LEGAL, DeskRole.PRIVACY, DeskRole.REGIONAL_LEAD):
        from vaspguard.requests import LawfulRequests

        legal = LawfulRequests(store).list(attention_only=True)
    return render(
        request,
        "attention.html",
        counts=counts,
        legal=legal,
        waiting=_four_eyes.pending_count(store, not_by=user.id) if user.has(DeskRole.ANALYST) else 0,
        changes=policy.notices(store, limit=20),
    )


def _cursor(value: str | None) -> tuple[float, int] | None:
    if not value:
        return None
    try:
        score, alert_id = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        return float(score), int(alert_id)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidRequest("after", "not a position this queue gave out") from None


def _encode(alert: screening.Alert) -> str:
    raw = json.dumps([alert.score, alert.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _filter(status: str, kind: str, source: str, band: str, age: str) -> screening.AlertFilter:
    if band and band not in BANDS:
        raise InvalidRequest("band", f"{band!r} is not one of {', '.join(BANDS)}")
    if age and age not in AGES:
        raise InvalidRequest("age", f"{age!r} is not one of {', '.join(AGES)}")
    low, high = BANDS.get(band, (None, None))
    return screening.AlertFilter(
        status=status or None,
        kind=kind or None,
        source=source or None,
        min_score=low,
        max_score=high,
        created_before=utcnow() - AGES[age] if age else None,
    )


@router.get("/alerts")
def alerts(
    request: Request,
    status: str = "open",
    kind: str = "",
    source: str = "",
    band: str = "",
    age: str = "",
    after: str = "",
) -> HTMLResponse:
    store = store_of(request)
    where = _filter(status, kind, source, band, age)
    rows = screening.alert_page(store, where, after=_cursor(after), limit=PAGE + 1)
    query = {"status": status, "kind": kind, "source": source, "band": band, "age": age}
    more = len(rows) > PAGE
    return render(
        request,
        "alerts/queue.html",
        alerts=rows[:PAGE],
        total=screening.count_matching(store, where),
        next_after=_encode(rows[PAGE - 1]) if more else None,
        query=query,
        sources=screening.alert_sources(store),
        bands=BANDS,
        ages=AGES,
    )


def _entity(store: Any, key: str) -> Any:
    from vaspguard.lists import get_entity

    try:
        return get_entity(store, key)
    except NotFound:
        return None


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, alert_id: int, user: User = Depends(guard)) -> HTMLResponse:
    store = store_of(request)
    alert = screening.get_alert(store, alert_id)
    return render(
        request,
        "alerts/alert.html",
        alert=alert,
        customer=Registry(store).get_customer(alert.customer_id),
        entity=_entity(store, alert.entity_key),
        history=screening.dispositions(store, alert_id),
        proposal=_four_eyes.pending(store, alert_id),
        four_eyes=settings_of(request).four_eyes,
        may_decide=user.has(DeskRole.ANALYST),
    )


@router.post("/alerts/{alert_id}/disposition")
async def disposition(request: Request, alert_id: int, user: User = Depends(guard)) -> Response:
    form = await request.form()
    decision, reason = str(form.get("decision", "")), str(form.get("reason", ""))
    _four_eyes.dispose(
        store_of(request),
        _engine(request),
        alert_id,
        decision=decision,
        reason=reason,
        by=user,
        four_eyes=settings_of(request).four_eyes,
    )
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/confirm")
def confirm(request: Request, alert_id: int, user: User = Depends(guard)) -> Response:
    _four_eyes.confirm(store_of(request), _engine(request), alert_id, by=user)
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.get("/customers/{customer_id}")
def customer(request: Request, customer_id: str, user: User = Depends(guard)) -> HTMLResponse:
    store = store_of(request)
    registry = Registry(store)
    found = registry.get_customer(customer_id)
    state = policy.customer_state(store, customer_id)
    today = utcnow().date()
    return render(
        request,
        "customers/customer.html",
        customer=found,
        accounts=registry.accounts(customer_id),
        holdings=registry.holdings_eur(customer_id, today),
        today=today,
        state=state,
        timeline=policy.notices(store, customer=customer_id),
        alerts=screening.list_alerts(store, customer_id=customer_id, limit=50),
        may_record=user.has(DeskRole.ANALYST),
    )


@router.get("/users")
def users(request: Request) -> HTMLResponse:
    return render(request, "users.html", people=_users.list_users(store_of(request)))
