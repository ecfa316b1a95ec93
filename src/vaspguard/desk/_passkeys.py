"""Enrolment and sign-in with passkeys (WebAuthn, through the ``webauthn`` package), and sign-out.

Ceremonies (W3C WebAuthn Level 3):

- Enrolment: ``GET /enrol/{token}`` shows whom the one-time link is for; ``POST .../options`` returns
  ``PublicKeyCredentialCreationOptions`` (a discoverable credential, user verification required) and keeps
  the challenge in the visitor's session; ``POST .../verify`` checks the attestation's challenge, origin and
  relying-party id, stores the public key and uses up the invite.
- Sign-in: ``POST /signin/options`` returns ``PublicKeyCredentialRequestOptions`` without credential ids
  (the browser offers the passkeys it holds for this site); ``POST /signin/verify`` checks the assertion's
  signature with the stored key, its challenge, origin, user verification and counter, then rotates the
  session.

Every sign-in, failed sign-in and sign-out is written to the audit log (``desk.signin``,
``desk.signin_failed``, ``desk.signout``), as is every enrolment (``desk.enrol``). Sign-in attempts are
limited per client address (``signin_attempts`` per ``signin_window_seconds``), answered 429.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from vaspguard.desk import _sessions, _users
from vaspguard.desk._events import log_event
from vaspguard.desk._web import (
    Denied,
    DeskRoute,
    check_csrf,
    end_session,
    render,
    session_of,
    settings_of,
    start_session,
    store_of,
)

router = APIRouter(route_class=DeskRoute, include_in_schema=False)


class RateLimit:
    """At most ``limit`` attempts per ``window`` seconds per key (the client address), in this process."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Count one attempt; False when the key is over its limit."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen[key]
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            return True


def _limit(request: Request) -> None:
    limiter: RateLimit = request.app.state.desk_signin_limit
    client = request.client.host if request.client else "unknown"
    if not limiter.hit(client):
        raise Denied(429, "too many sign-in attempts from this address; wait a few minutes")


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise Denied(400, "the browser's answer is not JSON") from None
    if not isinstance(body, dict):
        raise Denied(400, "the browser's answer is not a JSON object")
    return body


def _csrf(request: Request) -> None:
    check_csrf(request, session_of(request), request.headers.get("x-csrf-token"))


# --- enrolment -------------------------------------------------------------------------------------------


@router.get("/enrol/{token}")
def enrol_page(request: Request, token: str) -> HTMLResponse:
    user, _ = _users.open_invite(store_of(request), token)
    return render(request, "enrol.html", invitee=user, token=token)


@router.post("/enrol/{token}/options")
def enrol_options(request: Request, token: str) -> Response:
    _csrf(request)
    store = store_of(request)
    user, invite = _users.open_invite(store, token)
    settings = settings_of(request)
    options = generate_registration_options(
        rp_id=settings.rp_id,
        rp_name="vaspguard desk",
        user_name=user.name,
        user_id=bytes.fromhex(user.handle),
        user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    _sessions.set_challenge(store, session_of(request).key, bytes_to_base64url(options.challenge), invite)
    return Response(options_to_json(options), media_type="application/json")


@router.post("/enrol/{token}/verify")
async def enrol_verify(request: Request, token: str) -> Response:
    _csrf(request)
    store = store_of(request)
    user, invite = _users.open_invite(store, token)
    challenge, pending_invite = _sessions.take_challenge(store, session_of(request).key)
    if challenge is None or pending_invite != invite:
        raise Denied(400, "no enrolment is in progress in this browser: reload the page")
    settings = settings_of(request)
    try:
        verified = verify_registration_response(
            credential=await _json_body(request),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.site(),
            require_user_verification=True,
        )
    except InvalidRegistrationResponse as exc:
        raise Denied(400, f"the passkey was not accepted: {exc}") from None
    _users.add_passkey(
        store,
        user_id=user.id,
        invite_sha256=invite,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    log_event(store, "enrol", user)
    return JSONResponse({"next": "/signin"})


# --- sign-in and sign-out --------------------------------------------------------------------------------


@router.get("/signin")
def signin_page(request: Request) -> Response:
    if session_of(request).user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "signin.html")


@router.post("/signin/options")
def signin_options(request: Request) -> Response:
    _csrf(request)
    _limit(request)
    options = generate_authentication_options(
        rp_id=settings_of(request).rp_id, user_verification=UserVerificationRequirement.REQUIRED
    )
    _sessions.set_challenge(store_of(request), session_of(request).key, bytes_to_base64url(options.challenge))
    return Response(options_to_json(options), media_type="application/json")


@router.post("/signin/verify")
async def signin_verify(request: Request) -> Response:
    _csrf(request)
    _limit(request)
    store = store_of(request)
    body = await _json_body(request)
    challenge, _ = _sessions.take_challenge(store, session_of(request).key)
    found = _users.passkey(store, str(body.get("id", "")))
    if challenge is None or found is None:
        log_event(
            store, "signin_failed", found[0] if found else None, reason="unknown passkey or no challenge"
        )
        raise Denied(401, "this passkey is not enrolled here (or its user is deactivated)")
    user, public_key, count = found
    settings = settings_of(request)
    try:
        verified = verify_authentication_response(
            credential=body,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.site(),
            credential_public_key=public_key,
            credential_current_sign_count=count,
            require_user_verification=True,
        )
    except InvalidAuthenticationResponse as exc:
        log_event(store, "signin_failed", user, reason=str(exc))
        raise Denied(401, f"sign-in failed: {exc}") from None
    _users.passkey_used(store, str(body["id"]), verified.new_sign_count)
    start_session(request, user)
    log_event(store, "signin", user)
    return JSONResponse({"next": "/"})


@router.post("/signout")
async def signout(request: Request) -> Response:
    session = session_of(request)
    if session.user is None:
        return RedirectResponse("/signin", status_code=303)
    form = await request.form()
    sent = form.get("csrf")
    check_csrf(request, session, sent if isinstance(sent, str) else None)
    end_session(request)
    log_event(store_of(request), "signout", session.user)
    return RedirectResponse("/signin", status_code=303)
