"""HTTP routes of the policy capability: ``POST /v1/decisions`` (one request or a batch).

The body is read with JSON numbers as exact decimals (never floats). One request object gets its decision
(or 400 naming the field); ``{"requests": [...]}`` or a JSON array gets ``{"decisions": [...]}`` in the same
order, where a bad request's place holds ``{"error": {...}}`` and the others are still decided.
The engine is built once per app, on first use, from the built-in packs and any packs named in
``VASPGUARD_POLICY_PACKS``.
"""

from __future__ import annotations

import json
import os
import threading
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from vaspguard._json import to_jsonable
from vaspguard.api._auth import Principal, Role, require
from vaspguard.errors import InvalidRequest

router = APIRouter(prefix="/v1", tags=["policy"])

MAX_BATCH = 10_000
_lock = threading.Lock()
_services: list[Any] = []  # every service this module created, to flush their decision logs at shutdown


def _close_services() -> None:
    """Flush queued decision-log rows when the server stops (the writer thread is a daemon)."""
    while _services:
        _services.pop().close()


router.on_shutdown.append(_close_services)
_decide = require(Role.SERVICE, Role.COMPLIANCE)
_read = require(Role.COMPLIANCE, Role.AUDITOR, Role.SERVICE)


def _service(request: Request) -> Any:
    state = request.app.state
    service = getattr(state, "policy_service", None)
    if service is None:
        with _lock:
            service = getattr(state, "policy_service", None)
            if service is None:
                from vaspguard.policy._service import PolicyService, load_packs

                # Custom packs for the server: VASPGUARD_POLICY_PACKS, paths separated by the OS path
                # separator (':' on Linux), loaded after the built-in packs.
                extra = [p for p in os.environ.get("VASPGUARD_POLICY_PACKS", "").split(os.pathsep) if p]
                service = PolicyService(state.store, load_packs(extra), actor="api")
                service.register_version()
                state.policy_service = service
                _services.append(service)
    return service


def _dump(value: Any) -> Response:
    # Decision JSON is already plain (strings, lists, booleans); to_jsonable only for anything else.
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=to_jsonable)
    return Response(content=body, media_type="application/json")


@router.post("/decisions")
async def decisions(request: Request, _p: Principal = Depends(_decide)) -> Response:
    """Decide one request, or a batch (``{"requests": [...]}`` or a JSON array), with the engine's packs."""
    raw = await request.body()
    try:
        body = json.loads(raw, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidRequest("(body)", f"not JSON: {exc}") from None
    service = _service(request)
    # A request with an inline customer and no counterparty address is pure computation (tens of
    # microseconds): decided on the event loop. One that reads the registry or the address book is not.
    if _needs_io(body):
        return await run_in_threadpool(_decide_body, service, body)
    return _decide_body(service, body)


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
    service = _service(request)
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
