"""Input limits enforced before any route runs: an ASGI middleware around the whole app.

For a request that may carry a body (``POST``, ``PUT``, ``PATCH``, ``DELETE``):

1. Under ``/v1/``, the bearer token is checked before a byte of the body is read. A request without a
   valid token is answered 401 with its body unread (the server buffers at most its socket's high-water
   mark of it); the principal found is left in ``scope["state"]["principal"]`` so the route's own role
   check does not ask the database again.
2. Size: a ``Content-Length`` over the route's limit is answered 413 at once; any other body (chunked, or
   with a lying length) is read chunk by chunk and answered 413 as soon as it passes the limit. The limit
   is ``Settings.api_body_limit``, or ``Settings.api_batch_body_limit`` on the batch routes.
3. Under ``/v1/`` every body is JSON, and what a lenient parser would let through to the code behind it is
   refused here with 422 and one line: bytes that are not UTF-8, lone UTF-16 surrogate escapes, the NUL
   character (PostgreSQL text cannot hold it), ``NaN``/``Infinity``, exponents of four digits or more and
   numbers of more than 100 digits, and nesting deeper than ``Settings.api_json_depth``. A query string
   holding ``%00`` is refused the same way. (``STRICT_ROUTES`` parse strictly first and ask afterwards.)

The route then reads the body from the buffer, as it would have from the socket. Requests without a body
(``GET``) pass straight through.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vaspguard.api._auth import Principal, authenticate
from vaspguard.api._problems import http_problem, problem

#: The largest integer a path, query or body parameter may hold: ids, offsets and sizes are stored as signed
#: 64-bit integers, and a larger one would fail in the database driver rather than be refused.
INT64_MAX = 2**63 - 1

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: The routes that take batches and get the larger limit.
BATCH_ROUTES = frozenset({"/v1/decisions", "/v1/screen"})
#: The ingestion API's batches (up to 10,000 records each).
BATCH_ROUTES |= {"/v1/accounts", "/v1/transactions", "/v1/logins", "/v1/prices"}
#: Routes that read their body with a strict parser and call ``strict_body_problem`` themselves: on the
#: trading path, the check before parsing would cost as much as the parse (msgspec refuses NaN, Infinity,
#: lone surrogates, bad UTF-8 and deep nesting by itself; the route explains its refusals with
#: ``body_problem`` and screens what it accepts).
STRICT_ROUTES = frozenset({"/v1/decisions"})

#: Checks the bearer token of a request before its body is read: the principal, or HTTPException (401/403);
#: the decision route passes its own (which remembers a token's check for a moment).
Authenticator = Callable[[Request], "Principal | Awaitable[Principal]"]

_MAX_DIGITS = 100

# A JSON string, unrolled (no alternation per character, so the scan stays in C).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# One escape sequence; scanning escapes left to right keeps ``\\u`` (a backslash, then "u") apart.
_ESCAPE = re.compile(rb"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)
_BIG_EXPONENT = re.compile(rb"[eE][+-]?0*[1-9][0-9]{3}")
# Outside strings, every digit as "0", "E" as "e" and "-" as "+": a long number or exponent is a substring.
_NUMBER_SHAPE = bytes.maketrans(b"0123456789E-", b"0000000000e+")
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKETS_AS_PARENS = bytes.maketrans(b"[]{}", b"()()")


def body_problem(raw: bytes, max_depth: int) -> str | None:
    """Why ``raw`` is refused before parsing (one line), or ``None`` if it may go to the JSON parser.

    Only what a lenient parser would accept and the code behind it could not handle; plain syntax errors
    are left to the parser (400 ``invalid-json``).
    """
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"the body is not UTF-8 (byte {exc.start})"
    if b"\\u" in raw and (why := _escape_problem(raw)) is not None:
        return why
    outside = _outside(raw)  # what is left outside strings: numbers, literals, punctuation
    if b"N" in outside or b"I" in outside:
        return "NaN and Infinity are not JSON numbers"
    shape = outside.translate(_NUMBER_SHAPE)
    if (b"e0000" in shape or b"e+0000" in shape) and _BIG_EXPONENT.search(outside):
        return "a number's exponent is out of range (at most 3 digits)"
    if b"0" * (_MAX_DIGITS + 1) in shape:
        return f"a number has more than {_MAX_DIGITS} digits"
    return _depth_problem(outside, max_depth)


def strict_body_problem(raw: bytes, max_depth: int) -> str | None:
    """``body_problem`` for a body a strict parser accepted: cheap screens (at C speed) for what it lets
    through (the NUL character, nesting deeper than ``max_depth``), confirmed by ``body_problem``. Numbers
    are left to the fields that read them (a decision's amounts are bounded)."""
    if b"\\u0000" in raw or _depth_problem(raw, max_depth) is not None:
        return body_problem(raw, max_depth)
    return None


def _outside(raw: bytes) -> bytes:
    """``raw`` with every string emptied. Without an escaped quote, the pieces between quotes alternate
    outside and inside (a split, at C speed); with one, the regular expression reads each string."""
    if b'\\"' in raw:
        return _STRING.sub(b'""', raw)
    return b'""'.join(raw.split(b'"')[::2])


def _escape_problem(raw: bytes) -> str | None:
    high_end = -1  # where a high surrogate escape ended, while it waits for its low half
    for m in _ESCAPE.finditer(raw):
        code = m.group(1)
        unit = int(code, 16) if code is not None else -1
        if high_end >= 0:
            if m.start() == high_end and 0xDC00 <= unit <= 0xDFFF:
                high_end = -1
                continue
            return "a string holds a lone UTF-16 surrogate"
        if unit == 0:
            return "a string holds the NUL character (\\u0000)"
        if 0xD800 <= unit <= 0xDBFF:
            high_end = m.end()
        elif 0xDC00 <= unit <= 0xDFFF:
            return "a string holds a lone UTF-16 surrogate"
    return "a string holds a lone UTF-16 surrogate" if high_end >= 0 else None


def _depth_problem(outside: bytes, max_depth: int) -> str | None:
    brackets = outside.translate(None, _NOT_BRACKET)
    if len(brackets) <= 2 * max_depth:
        return None  # too few brackets to nest deeper
    # Each pass removes every innermost pair; after max_depth passes a pair is left only where the
    # nesting was deeper. (Unbalanced brackets are a syntax error, left to the parser.)
    parens = brackets.translate(_BRACKETS_AS_PARENS)
    for _ in range(max_depth):
        parens = parens.replace(b"()", b"")
        if not parens:
            return None
    if b"()" in parens:
        return f"the body nests deeper than {max_depth} levels"
    return None


class _TooLarge(Exception):
    """The body passed the route's limit (answered 413 by the middleware, never seen by a route)."""


class InputLimits:
    """The middleware (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        body_limit: int,
        batch_body_limit: int,
        json_depth: int,
        authenticators: Mapping[str, Authenticator],
    ) -> None:
        self.app = app
        self.body_limit = body_limit
        self.batch_body_limit = batch_body_limit
        self.json_depth = json_depth
        self.authenticators = authenticators

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/v1/")
        if api and b"%00" in scope.get("query_string", b""):
            await _refuse(scope, receive, send, "the query string holds the NUL character (%00)")
            return
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if api:
            try:
                principal = await self._authenticate(request)
            except HTTPException as exc:
                await http_problem(request, exc)(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
        limit = self.batch_body_limit if scope["path"] in BATCH_ROUTES else self.body_limit
        try:
            raw = await _read(scope, receive, limit)
        except _TooLarge:
            await problem(
                request,
                413,
                f"the body is larger than {limit} bytes, this route's limit",
                kind="body-too-large",
                title="Request body too large",
            )(scope, receive, send)
            return
        if raw is None:
            return  # the client went away
        strict = scope["path"] in STRICT_ROUTES
        if api and raw and not strict and (why := body_problem(raw, self.json_depth)) is not None:
            await _refuse(scope, receive, send, why)
            return
        await self.app(scope, _replay(raw, receive), send)

    async def _authenticate(self, request: Request) -> Principal:
        own = self.authenticators.get(request.scope["path"])
        if own is not None:
            found = own(request)
            return found if isinstance(found, Principal) else await found
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        principal = await run_in_threadpool(authenticate, request.app.state.store, token)
        if principal is None:
            raise HTTPException(401, "invalid or revoked token", headers={"WWW-Authenticate": "Bearer"})
        return principal


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole body, read while counting; ``_TooLarge`` as soon as it passes ``limit``."""
    declared = _declared_length(scope)
    if declared is not None and declared > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(raw: bytes, receive: Receive) -> Receive:
    done = False

    async def replay() -> Message:
        nonlocal done
        if done:
            return await receive()  # after the body: wait for the disconnect, as the server would
        done = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return replay


def unacceptable(request: Request, why: str) -> Response:
    """The 422 problem for a body refused before (or instead of) parsing."""
    return problem(
        request,
        422,
        why,
        kind="validation",
        title="Request validation failed",
        errors=[{"pointer": "", "detail": why}],
    )


async def _refuse(scope: Scope, receive: Receive, send: Send, why: str) -> None:
    await unacceptable(Request(scope), why)(scope, receive, send)
