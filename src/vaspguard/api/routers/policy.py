"""HTTP routes of the policy capability: ``POST /v1/decisions`` (one request or a batch).

The body is read with JSON numbers as exact decimals (never floats). One request object gets its decision
(or 400 naming the field); ``{"requests": [...]}`` or a JSON array gets ``{"decisions": [...]}`` in the same
order, where a bad request's place holds ``{"error": {...}}`` and the others are still decided.
The engine is built once per app (at start-up by the app's lifespan, else on first use) from the built-in
packs and any packs named in ``Settings.policy_packs`` (``VASPGUARD_POLICY_PACKS``). Per-app state (the
engine, the token-check cache) lives on ``app.state``, never in this module.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable
from decimal import Decimal
from typing import Any

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from vaspguard._json import to_jsonable
from vaspguard.api._auth import Principal, Role, authenticate, checked_principal, require, token_digest
from vaspguard.api._limits import body_problem, strict_body_problem, unacceptable
from vaspguard.api._problems import MalformedJSON
from vaspguard.api.routers import _policy_openapi
from vaspguard.errors import InvalidRequest, VaspguardError

router = APIRouter(prefix="/v1", tags=["policy"])

MAX_BATCH = 10_000
_read = require(Role.COMPLIANCE, Role.AUDITOR, Role.SERVICE)

# The decision route sits on the trading path: a token's check is remembered for TOKEN_TTL seconds, so
# most calls need no database round trip. A revoked token therefore keeps working on this one route for at
# most TOKEN_TTL seconds; every other route checks on every call.
TOKEN_TTL = 2.0
_DECIDERS = (Role.ADMIN, Role.SERVICE, Role.COMPLIANCE)


def init_state(state: Any) -> None:
    """This router's per-app state: the token checks it remembers and the lock that builds the engine."""
    state.token_checks = {}  # (id(store), sha256(token)) -> (monotonic time, principal)
    state.policy_lock = threading.Lock()
    state.policy_service = None
    state.policy_registered = False  # whether this app has tried to log its policy version


def start(state: Any, settings: Any) -> None:
    """Start-up (lifespan): build the engine now, so the first decision does not pay for it."""
    if settings.api_warm:
        _register(state, _build(state, settings))


def stop(state: Any) -> None:
    """Shutdown (lifespan): flush queued decision-log rows (the writer thread is a daemon)."""
    service = getattr(state, "policy_service", None)
    if service is not None:
        state.policy_service = None
        service.close()


def _decider(request: Request) -> Principal | Awaitable[Principal]:
    """The caller's principal if the bearer token was checked less than TOKEN_TTL seconds ago (no await,
    no thread hop), else an awaitable that checks it in the database."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    state = request.app.state
    checked = state.token_checks
    key = (id(state.store), token_digest(token))  # the cache never holds a token itself
    hit = checked.get(key)
    if hit is not None and time.monotonic() - hit[0] < TOKEN_TTL:
        return _admit(hit[1])
    return _check(state.store, checked, key, token)


async def _check(
    store: Any, checked: dict[tuple[int, str], tuple[float, Principal]], key: tuple[int, str], token: str
) -> Principal:
    found = await run_in_threadpool(authenticate, store, token)
    if found is None:
        checked.pop(key, None)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "invalid or revoked token", headers={"WWW-Authenticate": "Bearer"}
        )
    if len(checked) > 10_000:
        checked.clear()
    checked[key] = (time.monotonic(), found)
    return _admit(found)


def _admit(principal: Principal) -> Principal:
    if principal.role not in _DECIDERS:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {principal.role} may not do this")
    return principal


def _service(request: Request, *, register: bool = True) -> Any:
    """The app's decision engine. Deciding logs the policy version first (once per app); reading about the
    policy (a GET) does not, since a GET never writes."""
    state = request.app.state
    service = state.policy_service
    if service is None:
        from vaspguard.settings import Settings

        service = _build(state, Settings())
    if register and not state.policy_registered:
        _register(state, service)
    return service


def _build(state: Any, settings: Any) -> Any:
    with state.policy_lock:
        service = state.policy_service
        if service is None:
            from vaspguard.policy import PolicyService, load_packs

            service = PolicyService(state.store, load_packs(settings.policy_pack_paths()), actor="api")
            state.policy_service = service
    return service


def _register(state: Any, service: Any) -> None:
    with state.policy_lock:
        if state.policy_registered:
            return
        state.policy_registered = True
        try:
            service.register_version()
        except VaspguardError as exc:  # decisions do not depend on it; said loudly, as in the CLI
            logging.getLogger("vaspguard.policy").warning(
                "policy version %s not recorded in the audit log: %s", service.policy_version, exc
            )


def _dump(value: Any) -> Response:
    # Decision JSON is plain (strings, lists, booleans, None); msgspec writes it straight to bytes, and
    # to_jsonable is the hook for anything else (msgspec writes a Decimal as str(), to_jsonable never sees
    # one: decisions carry no numbers).
    return Response(content=_encoder.encode(value), media_type="application/json")


_encoder = msgspec.json.Encoder(enc_hook=to_jsonable)
# JSON numbers become exact Decimals, never floats ("holdings_eur": 9999.99 is 9999.99).
_decoder = msgspec.json.Decoder(float_hook=Decimal)


async def decisions(request: Request) -> Response:
    """Decide one request, or a batch (``{"requests": [...]}`` or a JSON array), with the engine's packs.

    A plain Starlette endpoint (no FastAPI dependency resolution or body validation: on the trading path
    those cost more than the decision). Authentication is the same bearer-token check as elsewhere, with
    the check remembered for TOKEN_TTL seconds.
    """
    # The app's input-limits middleware has already checked the token (with _decider, below) before
    # reading the body; an app without it checks here.
    if checked_principal(request) is None:
        principal = _decider(request)
        if not isinstance(principal, Principal):
            await principal
    raw = await request.body()
    depth = request.app.state.json_depth
    try:
        body = _decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        # The input-limits middleware leaves this route's body to msgspec (strict, and as fast as the
        # check would be); a refusal it can name is a 422, like elsewhere.
        why = body_problem(raw, depth)
        if why is not None:
            return unacceptable(request, why)
        raise MalformedJSON("(body)", f"not JSON: {exc}") from None
    if (why := strict_body_problem(raw, depth)) is not None:
        return unacceptable(request, why)
    service = _service(request)
    # A request with an inline customer and no counterparty address is pure computation (tens of
    # microseconds): decided on the event loop. One that reads the registry or the address book is not.
    if _needs_io(body):
        return await run_in_threadpool(_decide_body, service, body)
    return _decide_body(service, body)


router.add_route("/v1/decisions", decisions, methods=["POST"], include_in_schema=False)

# The token check the input-limits middleware runs for this route before reading the body.
authenticators = {"/v1/decisions": _decider}

# The OpenAPI description of the plain endpoint above (merged into /openapi.json by the app factory).
openapi_paths = _policy_openapi.paths
openapi_components = _policy_openapi.components


def _needs_io(body: Any) -> bool:
    items = body if isinstance(body, list) else body.get("requests", [body]) if isinstance(body, dict) else []
    if not isinstance(items, list):
        return False
    for item in items:
        if not isinstance(item, dict):
            continue
        customer = item.get("customer")
        if isinstance(customer, dict) and customer.keys() <= {"id"}:
            return True
        if isinstance(item.get("counterparty"), dict) and item["counterparty"].get("address") is not None:
            return True
    return False


def _decide_body(service: Any, body: Any) -> Response:
    batch = (
        body
        if isinstance(body, list)
        else body.get("requests")
        if isinstance(body, dict) and set(body) == {"requests"}
        else None
    )
    if batch is None:
        if not isinstance(body, dict):
            raise InvalidRequest("(body)", 'expected a request object, {"requests": [...]} or an array')
        return _dump(service.decide(body).to_json())
    if not isinstance(batch, list):
        raise InvalidRequest("requests", "expected an array of requests")
    if len(batch) > MAX_BATCH:
        raise InvalidRequest("requests", f"at most {MAX_BATCH} requests per call, got {len(batch)}")
    return _dump(
        {"policy_version": service.policy_version, "decisions": [service.decide_json(r) for r in batch]}
    )


@router.get("/policy")
def policy_info(request: Request, _p: Principal = Depends(_read)) -> Response:
    """The policy version in force and its packs and rules."""
    service = _service(request, register=False)
    return _dump(
        {
            "policy_version": service.policy_version,
            "packs": [
                {"id": p.id, "source": p.source, "sha256": p.sha256, "title": p.spec.title}
                for p in service.engine.packs
            ],
            "rules": list(service.engine.rule_ids),
        }
    )
