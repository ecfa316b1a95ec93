"""The legal desk's notices page: customer notices (due, held, sent) with a "send" step, the gag-order ledger
with its extensions, and the deadlines legal keeps (preservations' expiry, emergency follow-ups).

"Send" marks one due notice sent through ``LawfulRequests.send_notice``: logged, and a
``requests.notice_sent`` event in the events outbox in the same transaction (the exchange's systems deliver
the notice from there). An extension of a non-disclosure order names its instrument and is recorded as the
operator the signed-in person is linked to (``_legal_registry_links``); a person linked to no operator, or
to one who is not legal or executive, is refused.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from vaspguard.desk._legal_registry_links import actor_of, operator_of
from vaspguard.desk._users import DeskRole, User
from vaspguard.desk._web import Denied, DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidRequest
from vaspguard.requests import LawfulRequests
from vaspguard.store import utcnow

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])


@router.get("/legal/notices")
def notices(request: Request, sent: int | None = None, user: User = Depends(guard)) -> HTMLResponse:
    svc = LawfulRequests(store_of(request))
    today = utcnow().date()
    rows = svc.notices(on=today)
    just_sent = next((n for n in rows if n["id"] == sent and n["status"] == "sent"), None)
    return render(
        request,
        "legal/notices.html",
        today=today,
        due=[n for n in rows if n["status"] == "due"],
        held=[n for n in rows if n["status"] not in ("due", "sent")],
        sent=sorted((n for n in rows if n["status"] == "sent"), key=lambda n: n["sent_at"])[-50:],
        just_sent=just_sent,
        ledger=svc.gag_ledger(on=today),
        deadlines=svc.deadlines(on=today),
        may_send=user.has(DeskRole.LEGAL, DeskRole.PRIVACY),
        may_extend=user.has(DeskRole.LEGAL, DeskRole.EXECUTIVE),
    )


@router.post("/legal/notices/{notice_id}/send")
def send(request: Request, notice_id: int, user: User = Depends(guard)) -> Response:
    LawfulRequests(store_of(request)).send_notice(notice_id, actor=actor_of(user))
    return RedirectResponse(f"/legal/notices?sent={notice_id}#due", status_code=303)


@router.post("/legal/gag/{request_id}/extend")
async def extend(request: Request, request_id: str, user: User = Depends(guard)) -> Response:
    form = await request.form()
    until_text, basis = str(form.get("until", "")).strip(), str(form.get("basis", "")).strip()
    try:
        until = date.fromisoformat(until_text)
    except ValueError:
        raise InvalidRequest("until", f"{until_text[:40]!r} is not a date (YYYY-MM-DD)") from None
    if not basis:
        raise InvalidRequest("basis", "name the order (its instrument) that extends non-disclosure")
    store = store_of(request)
    op = operator_of(store, user)
    if op is None:
        raise Denied(403, f"{user.name} is linked to no operator; an order is recorded by a legal operator")
    LawfulRequests(store).record_gag(request_id, operator=op.name, until=until, basis=basis)
    return RedirectResponse("/legal/notices#gag", status_code=303)
