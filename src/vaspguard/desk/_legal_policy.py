"""Installing a new request policy from the desk: the weakenings (and any floor it would break) are shown
before it is confirmed, and the confirmation is the operator's passkey signature over the same message the
CLI's ``requests policy install`` signs (``{"policy_version", "operator"}``), through the generic "sign this
with your passkey" ceremony of the request page (``_legal``). The policy VIEW pages (history, weakenings of
each version) live under ``/legal/policy``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from vaspguard.desk._legal import _json, _operator, ceremony_options, service, signing
from vaspguard.desk._users import User
from vaspguard.desk._web import DeskRoute, guard, render
from vaspguard.errors import InvalidRequest
from vaspguard.requests import APPROVAL_DOMAIN, challenge_for, floor_violations, parse_policy, weakenings

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])
MAX_POLICY = 200_000


def _text(value: Any) -> str:
    text = str(value or "")
    if not text.strip():
        raise InvalidRequest("text", "paste the new policy (YAML)")
    if len(text) > MAX_POLICY:
        raise InvalidRequest("text", f"a policy is at most {MAX_POLICY} characters")
    return text


@router.get("/requests/policy/install")
def install_form(request: Request) -> HTMLResponse:
    return render(request, "requests/policy_install.html", text=service(request).policy().text, preview=None)


@router.post("/requests/policy/preview")
async def preview(request: Request) -> HTMLResponse:
    """What the new policy changes, before anyone signs: its version, the floors it would break (it would be
    refused), and each weakening of a safeguard against the policy in force."""
    form = await request.form()
    text = _text(form.get("text"))
    new = parse_policy(text, origin="the pasted policy")
    current = service(request).policy()
    return render(
        request,
        "requests/policy_install.html",
        text=text,
        preview={
            "version": new.version,
            "current": current.version,
            "floors": floor_violations(new),
            "weakenings": weakenings(current, new),
        },
    )


@router.post("/requests/policy/sign/options")
async def sign_options(request: Request, user: User = Depends(guard)) -> Response:
    op = _operator(service(request), user)
    new = parse_policy(_text((await _json(request)).get("text")), origin="the pasted policy")
    message = {"policy_version": new.version, "operator": op.name}
    return ceremony_options(request, user, challenge_for(APPROVAL_DOMAIN, message))


@router.post("/requests/policy/install")
async def install(request: Request, user: User = Depends(guard)) -> Response:
    lawful, op, body, signed, problem = await signing(request, user)
    new, weaker = lawful.install_policy(
        _text(body.get("text")),
        operator=op.name,
        accept_weakening=bool(body.get("accept_weakening")),
        reason=str(body.get("reason") or "") or None,
        origin="the pasted policy",
        passkey=signed,
        desk_user=user.name,
        ceremony=problem,
    )
    return JSONResponse({"next": "/requests/policy/install", "version": new.version, "weakenings": weaker})
