"""The desk's web plumbing: templates, security headers, sessions and role checks on every route.

- ``SecurityHeaders`` (ASGI middleware) puts the Content-Security-Policy (no ``unsafe-inline``, no origin but
  the app's own), ``frame-ancestors 'none'``, ``Referrer-Policy`` and ``X-Content-Type-Options`` on every desk
  response, the assets included. The API under ``/v1`` and the vendored API docs keep their own headers.
- ``DeskRoute`` turns a refusal or a user's mistake into a one-line page with its status (never a stack
  trace) and hands out the session cookie a request created.
- ``guard`` (a dependency of every protected route) admits a signed-in user whose roles the route's entry in
  ``ACCESS`` names, and checks the CSRF token of every POST (form field ``csrf`` or header ``X-CSRF-Token``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vaspguard.desk import _sessions
from vaspguard.desk._access import ACCESS, PASSKEY_REQUIRED, admitted
from vaspguard.desk._config import DeskSettings
from vaspguard.desk._nav import nav_for
from vaspguard.desk._sessions import Session
from vaspguard.desk._users import DeskRole, User
from vaspguard.errors import InputError, NotFound, Refused, VaspguardError
from vaspguard.store import Store

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# Paths that are not the desk's: the API and its vendored documentation pages (which need inline scripts).
NOT_DESK = ("/v1", "/docs", "/redoc", "/openapi.json", "/_static", "/healthz")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NOT_DESK):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in HEADERS if k not in names
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Denied(Exception):
    """A refusal with its status and one line for the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NotSignedIn(Exception):
    pass


def settings_of(request: Request) -> DeskSettings:
    return request.app.state.desk_settings  # type: ignore[no-any-return]


def store_of(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def session_of(request: Request) -> Session:
    """The request's session; a visitor without one gets a new one (its cookie is set on the response)."""
    found: Session | None = getattr(request.state, "desk_session", None)
    if found is not None:
        return found
    settings = settings_of(request)
    store = store_of(request)
    found = _sessions.load(
        store, request.cookies.get(settings.cookie_name), idle=timedelta(minutes=settings.idle_minutes)
    )
    if found is None:
        value, found = _sessions.create(store)
        request.state.desk_cookie = value
    request.state.desk_session = found
    return found


def start_session(request: Request, user: User, method: str = "passkey") -> None:
    """Sign-in: the visitor's session ends and a new one begins for ``user`` (rotation)."""
    store = store_of(request)
    old = session_of(request)
    _sessions.end(store, old.key)
    value, new = _sessions.create(store, user.id, method)
    request.state.desk_cookie = value
    request.state.desk_session = new


def end_session(request: Request) -> None:
    _sessions.end(store_of(request), session_of(request).key)
    request.state.desk_cookie = ""


def check_csrf(request: Request, session: Session, sent: str | None) -> None:
    if not sent or not secrets.compare_digest(sent, session.csrf):
        raise Denied(403, "the form's security token is missing or stale: reload the page and try again")


async def guard(request: Request) -> User:
    """Admit a signed-in user with a role this route's entry in ``ACCESS`` names (CSRF-checked if POST)."""
    session = session_of(request)
    if session.user is None:
        raise NotSignedIn
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    key = (request.method, path)
    if key not in ACCESS or not (session.user.roles & admitted(*key)):
        raise Denied(
            403, f"your roles ({session.user.role_text}) do not open {request.method} {request.url.path}"
        )
    if request.method == "POST":
        sent = request.headers.get("x-csrf-token")
        if sent is None:
            form = await request.form()
            value = form.get("csrf")
            sent = value if isinstance(value, str) else None
        check_csrf(request, session, sent)
    if key in PASSKEY_REQUIRED and (why := _sessions.passkey_refusal(session)):
        raise Denied(403, why)
    request.state.user = session.user
    return session.user


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = session_of(request)
    return templates.TemplateResponse(
        request,
        template,
        {
            "user": session.user,
            "csrf": session.csrf,
            "nav": nav_for(session.user, request.url.path),
            "roles": DeskRole,
            **context,
        },
        status_code=status,
    )


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, message=message, code=status)


def _status_of(exc: VaspguardError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InputError):
        return 400
    if isinstance(exc, Refused):
        return 409
    return 500


def _validation_line(exc: RequestValidationError) -> str:
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
    return f"{where}: {first.get('msg', 'invalid')}"


class DeskRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except NotSignedIn:
                if request.method == "GET":
                    response = RedirectResponse("/signin", status_code=303)
                else:
                    response = error_page(request, 401, "sign in first")
            except Denied as exc:
                response = error_page(request, exc.status, exc.message)
            except RequestValidationError as exc:
                response = error_page(request, 400, _validation_line(exc))
            except VaspguardError as exc:
                response = error_page(request, _status_of(exc), str(exc))
            _set_cookie(request, response)
            return response

        return route


def _set_cookie(request: Request, response: Response) -> None:
    value = getattr(request.state, "desk_cookie", None)
    if value is None:
        return
    settings = settings_of(request)
    if value == "":
        response.delete_cookie(
            settings.cookie_name, path="/", secure=settings.https, httponly=True, samesite="strict"
        )
        return
    response.set_cookie(
        settings.cookie_name,
        value,
        path="/",
        secure=settings.https,
        httponly=True,
        samesite="strict",
    )
