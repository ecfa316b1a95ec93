"""The legal desk: lawful requests listed, one request with its timeline and quorum, decisions signed with
passkeys, and disclosure once the quorum holds.

A decision (approve, reject or return to process, narrow) is the exact message the CLI signs with an
operator's Ed25519 key (``LawfulRequests.decision_message``); in the desk it is signed by the passkey of the
desk user linked to the operator: ``POST .../sign/options`` returns WebAuthn request options whose challenge
is the digest of that message (``vaspguard.requests.challenge_for``), the browser's assertion comes back to
``POST .../approve`` (or ``.../reject``, ``.../narrow``), the desk checks the ceremony (the session's
challenge, origin, relying party, counter, and that the credential is this user's), and ``LawfulRequests``
checks every quorum rule first and then that the assertion signs exactly the message, refusing (and
logging) either way. A POST that skips the page is refused by the same code.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from webauthn import base64url_to_bytes, generate_authentication_options, options_to_json
from webauthn import verify_authentication_response as verify_webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse
from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

from vaspguard.desk import _sessions, _users
from vaspguard.desk._events import log_event
from vaspguard.desk._users import User
from vaspguard.desk._web import Denied, DeskRoute, guard, render, session_of, settings_of, store_of
from vaspguard.errors import InvalidRequest
from vaspguard.requests import (
    APPROVAL_DOMAIN,
    WEBAUTHN,
    DataCategory,
    LawfulRequests,
    Narrowing,
    Operator,
    RequestState,
    Signed,
    challenge_for,
)

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])

STATES = [s.value for s in RequestState]
TIERS = ["low", "medium", "high", "blocked"]


def service(request: Request) -> LawfulRequests:
    return LawfulRequests(store_of(request))


def _operator(lawful: LawfulRequests, user: User) -> Operator:
    op = lawful.operator_of_desk_user(user.name)
    if op is None:
        raise Denied(409, f"{user.name} is not linked to an active lawful-request operator")
    return op


# --- reading ---------------------------------------------------------------------------------------------


@router.get("/requests")
def requests_list(request: Request, state: str = "", tier: str = "", q: str = "") -> HTMLResponse:
    if state and state not in STATES:
        raise InvalidRequest("state", f"{state!r} is not one of {', '.join(STATES)}")
    if tier and tier not in TIERS:
        raise InvalidRequest("tier", f"{tier!r} is not one of {', '.join(TIERS)}")
    rows = service(request).list()
    needle = q.strip().casefold()
    shown = [
        r
        for r in reversed(rows)
        if (not state or r["state"] == state)
        and (not tier or r["tier"] == tier)
        and (not needle or needle in f"{r['id']} {r['agency']} {r['country']}".casefold())
    ]
    return render(
        request,
        "requests/list.html",
        requests=shown,
        total=len(rows),
        query={"state": state, "tier": tier, "q": q},
        states=STATES,
        tiers=TIERS,
    )


@router.get("/requests/{request_id}")
def request_page(request: Request, request_id: str, user: User = Depends(guard)) -> HTMLResponse:
    lawful = service(request)
    shown = lawful.show(request_id)
    op = lawful.operator_of_desk_user(user.name)
    return render(
        request,
        "requests/request.html",
        r=shown,
        operator=op,
        reach=shown["assessment"].get("reach", {}),
        customers=lawful.reached_customers(request_id),
        may_disclose=shown["state"] == RequestState.APPROVED.value and shown["quorum"]["met"],
        open_states=(RequestState.ASSESSED.value, RequestState.APPROVED.value),
    )


# --- signing with a passkey ------------------------------------------------------------------------------


async def _json(request: Request) -> dict[str, Any]:
    from vaspguard.desk._passkeys import _json_body

    return await _json_body(request)


def _message(lawful: LawfulRequests, request_id: str, op: Operator, body: dict[str, Any]) -> dict[str, Any]:
    """The message a decision described by ``body`` signs (the same the CLI would sign)."""
    decision = str(body.get("decision", ""))
    if decision in ("approve", "reject"):
        return lawful.decision_message(
            request_id,
            decision,
            op.name,
            reason=str(body.get("reason", "")),
            return_to_process=bool(body.get("return_to_process")),
        )
    if decision == "narrow":
        return lawful.narrowing_message(request_id, op.name, _narrowing(lawful, request_id, body))
    raise InvalidRequest("decision", f"{decision!r} is not approve, reject or narrow")


@router.post("/requests/{request_id}/sign/options")
async def sign_options(request: Request, request_id: str, user: User = Depends(guard)) -> Response:
    """WebAuthn request options whose challenge is the digest of the decision's exact message."""
    lawful = service(request)
    op = _operator(lawful, user)
    message = _message(lawful, request_id, op, await _json(request))
    return ceremony_options(request, user, challenge_for(APPROVAL_DOMAIN, message))


def ceremony_options(request: Request, user: User, challenge: bytes) -> Response:
    """The generic "sign this with your passkey" ceremony: request options for ``challenge`` (the digest of
    the message to sign) limited to the user's passkeys, the challenge kept in the session, used once."""
    store = store_of(request)
    options = generate_authentication_options(
        rp_id=settings_of(request).rp_id,
        challenge=challenge,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in _credential_ids(store, user.id)
        ],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _sessions.set_challenge(store, session_of(request).key, bytes_to_base64url(options.challenge))
    return Response(options_to_json(options), media_type="application/json")


def _credential_ids(store: Any, user_id: int) -> list[str]:
    from sqlalchemy import select

    from vaspguard.desk._tables import DeskCredentialRow

    with store.connect() as conn:
        return list(
            conn.execute(
                select(DeskCredentialRow.credential_id).where(DeskCredentialRow.user_id == user_id)
            ).scalars()
        )


def _assertion(request: Request, user: User, credential: Any) -> tuple[Signed, str | None]:
    """The passkey signature in the browser's answer, and what is wrong with its ceremony (None: nothing):
    the session's pending challenge, origin, relying party, user verification, counter, and that the
    credential is one of this user's."""
    store = store_of(request)
    challenge, _ = _sessions.take_challenge(store, session_of(request).key)
    cred: dict[str, Any] = credential if isinstance(credential, dict) else {}
    answer = cred.get("response")
    response: dict[str, Any] = answer if isinstance(answer, dict) else {}
    found = _users.passkey(store, str(cred.get("id", "")))
    owned = found is not None and found[0].id == user.id
    signed = Signed(
        WEBAUTHN,
        found[1].hex() if owned and found else "",
        _hex_of(response.get("signature")),
        {
            "rp_id": settings_of(request).rp_id,
            "credential_id": str(cred.get("id", "")),
            "authenticator_data": str(response.get("authenticatorData", "")),
            "client_data_json": str(response.get("clientDataJSON", "")),
        },
    )
    if challenge is None:
        return signed, "no signing ceremony was started on the request's page"
    if not owned or found is None:
        return signed, "the passkey is not one of this user's"
    settings = settings_of(request)
    try:
        verified = verify_webauthn(
            credential=cred,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.site(),
            credential_public_key=found[1],
            credential_current_sign_count=found[2],
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        return signed, f"the passkey's answer was not accepted: {exc}"
    _users.passkey_used(store, str(cred["id"]), verified.new_sign_count)
    return signed, None


def _hex_of(value: Any) -> str:
    try:
        return base64url_to_bytes(str(value or "")).hex()
    except ValueError:
        return ""


async def signing(
    request: Request, user: User
) -> tuple[LawfulRequests, Operator, dict[str, Any], Signed, str | None]:
    """What every signed decision starts from: the service, the operator ``user`` acts as, the browser's
    answer, the passkey signature in it and what is wrong with its ceremony (None: nothing)."""
    lawful = service(request)
    op = _operator(lawful, user)
    body = await _json(request)
    signed, problem = _assertion(request, user, body.get("credential"))
    return lawful, op, body, signed, problem


@router.post("/requests/{request_id}/approve")
async def approve(request: Request, request_id: str, user: User = Depends(guard)) -> Response:
    lawful, op, _, signed, problem = await signing(request, user)
    lawful.approve(request_id, operator=op.name, passkey=signed, desk_user=user.name, ceremony=problem)
    return JSONResponse({"next": f"/requests/{request_id}"})


@router.post("/requests/{request_id}/reject")
async def reject(request: Request, request_id: str, user: User = Depends(guard)) -> Response:
    lawful, op, body, signed, problem = await signing(request, user)
    lawful.reject(
        request_id,
        operator=op.name,
        reason=str(body.get("reason", "")),
        return_to_process=bool(body.get("return_to_process")),
        passkey=signed,
        desk_user=user.name,
        ceremony=problem,
    )
    return JSONResponse({"next": f"/requests/{request_id}"})


# --- narrowing -------------------------------------------------------------------------------------------


def _narrowing(lawful: LawfulRequests, request_id: str, fields: dict[str, Any]) -> Narrowing:
    def day(name: str) -> date | None:
        value = str(fields.get(name) or "")
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            raise InvalidRequest(name, f"{value[:40]!r} is not a date (YYYY-MM-DD)") from None

    cats = []
    for value in _listed(fields.get("category")):
        try:
            cats.append(DataCategory(value))
        except ValueError:
            raise InvalidRequest("category", f"{value[:40]!r} is not a data category") from None
    return lawful.narrowing(request_id, _listed(fields.get("keep")), cats or None, day("from"), day("to"))


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@router.get("/requests/{request_id}/narrow")
def narrow_preview(request: Request, request_id: str) -> HTMLResponse:
    """The narrowed scope, its tier and reach, before it is signed."""
    lawful = service(request)
    fields: dict[str, Any] = {
        "keep": request.query_params.getlist("keep"),
        "category": request.query_params.getlist("category"),
        "from": request.query_params.get("from", ""),
        "to": request.query_params.get("to", ""),
    }
    preview = _narrowing(lawful, request_id, fields)
    return render(
        request,
        "requests/narrow.html",
        r=lawful.show(request_id),
        preview=preview,
        fields=fields,
        reach=preview.assessment.reach,
    )


@router.post("/requests/{request_id}/narrow")
async def narrow(request: Request, request_id: str, user: User = Depends(guard)) -> Response:
    lawful, op, body, signed, problem = await signing(request, user)
    n = _narrowing(lawful, request_id, body)
    start, end = n.scope.date_range.start, n.scope.date_range.end
    lawful.narrow(
        request_id,
        operator=op.name,
        keep_targets=[t.value for t in n.scope.targets],
        categories=list(n.scope.data_categories),
        start=start,
        end=end,
        passkey=signed,
        desk_user=user.name,
        ceremony=problem,
    )
    return JSONResponse({"next": f"/requests/{request_id}"})


# --- disclosure ------------------------------------------------------------------------------------------


@router.post("/requests/{request_id}/disclose")
def disclose(request: Request, request_id: str, user: User = Depends(guard)) -> Response:
    """Disclose (only once the quorum is proven: ``LawfulRequests.disclose`` re-checks it and refuses, logged,
    otherwise) and hand the signed package over as a zip; what left is logged (``desk.disclosure``)."""
    lawful = service(request)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / request_id
        result = lawful.disclose(request_id, out, actor=user.name)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    zf.write(path, f"{request_id}/{path.relative_to(out)}")
    data = buffer.getvalue()
    log_event(
        store_of(request),
        "disclosure",
        user,
        request_id=request_id,
        zip_sha256=hashlib.sha256(data).hexdigest(),
        merkle_root=result["merkle_root"],
        record_counts=result["record_counts"],
        audit_index=result["audit_index"],
    )
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{request_id}-disclosure.zip"'},
    )
