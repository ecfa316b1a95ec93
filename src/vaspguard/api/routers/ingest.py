"""The ingestion API (role ``service``): the exchange sends its records as they happen.

- ``PUT /v1/customers/{id}``: one whole customer record, as a line of a ``registry import`` customers file;
- ``POST /v1/accounts``, ``/v1/transactions``, ``/v1/logins``, ``/v1/prices``: ``{"items": [...]}``, 1 to
  10,000 records.

Each call is checked exactly as ``registry import`` checks a JSON Lines file (the same parsers and importer,
numbers read as exact decimals) and written whole or not at all; a refusal lists every bad record (its index,
field and reason). A record already stored is compared (``vaspguard.registry.ingest``): the same again is
``unchanged``, a transaction that differs is a 409 naming it. In the transaction of the write, new and
changed customers are screened by name and new deposits and withdrawals by address (alerts and their events
commit with the records); then the customers' restriction state is re-evaluated (its own transaction, with
its events). The call is logged to the audit log (``registry.ingest``).

``Idempotency-Key`` (optional, at most 200 visible ASCII characters): the answer to a keyed call is kept 24
hours; the same caller sending the same key and body again gets the kept answer (``Idempotent-Replayed:
true``), with another body a 422.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Annotated, Any

import psycopg
from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.responses import Response

from vaspguard.api._auth import Principal, Role, require
from vaspguard.api._problems import MalformedJSON, _field_pointer, problem
from vaspguard.api._wire import to_wire
from vaspguard.api.routers import policy as policy_routes
from vaspguard.api.routers import screening as screening_routes
from vaspguard.errors import InvalidRequest
from vaspguard.registry import (
    IngestRaced,
    IngestRefused,
    IngestResult,
    KeptAnswer,
    RecordKind,
    ingest,
    keep_answer,
    key_of,
    parse_records,
    recall_answer,
)
from vaspguard.screening import Raised, screen_arrivals
from vaspguard.store import utcnow

router = APIRouter(prefix="/v1", tags=["ingestion"])

MAX_BATCH = 10_000
BATCH_PATHS = (
    (RecordKind.ACCOUNTS, "/v1/accounts"),
    (RecordKind.TRANSACTIONS, "/v1/transactions"),
    (RecordKind.LOGINS, "/v1/logins"),
    (RecordKind.PRICES, "/v1/prices"),
)
_service = require(Role.SERVICE)
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


# -- the routes ------------------------------------------------------------------------------------------


def _documented(body: dict[str, Any]) -> dict[str, Any]:
    """Route arguments describing a JSON body the route reads itself (as exact decimals) and its answer."""
    answer = {"application/json": {"schema": {"$ref": "#/components/schemas/IngestResult"}}}
    return {
        "openapi_extra": {
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}}
        },
        "responses": {200: {"description": "What the call did", "content": answer}},
    }


@router.put("/customers/{customer_id}", **_documented({"type": "object"}))
async def put_customer(
    request: Request,
    customer_id: Annotated[str, Path(max_length=40)],
    principal: Principal = Depends(_service),
) -> Response:
    """Create or replace one customer (the whole record, as a line of a customers file); screen its names and
    re-evaluate its restriction state."""
    raw = await request.body()
    record = _json(raw)
    if not isinstance(record, dict):
        raise InvalidRequest("(body)", "expected a customer record (a JSON object)")
    record.setdefault("id", customer_id)
    if record["id"] != customer_id:
        raise InvalidRequest("id", "differs from the customer id in the path")
    route = "PUT /v1/customers/{id}"
    return await run_in_threadpool(_call, request, principal, route, RecordKind.CUSTOMERS, [record], raw)


def _batch_route(kind: RecordKind, path: str) -> Any:
    async def post_batch(request: Request, principal: Principal = Depends(_service)) -> Response:
        raw = await request.body()
        items = _items(_json(raw))
        route = f"POST {path}"
        return await run_in_threadpool(_call, request, principal, route, kind, items, raw)

    post_batch.__name__ = f"post_{kind.value}"
    post_batch.__doc__ = (
        f"Add a batch of {kind.value} (1 to {MAX_BATCH:,} records, each as a line of a {kind.value} file), "
        "all or nothing."
    )
    return post_batch


def _batch_body() -> dict[str, Any]:
    items = {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": {"type": "object"}}
    return {
        "type": "object",
        "required": ["items"],
        "additionalProperties": False,
        "properties": {"items": items},
    }


for _kind, _path in BATCH_PATHS:
    router.add_api_route(
        _path.removeprefix("/v1"), _batch_route(_kind, _path), methods=["POST"], **_documented(_batch_body())
    )


def openapi_paths() -> dict[str, Any]:
    return {}  # every route is FastAPI's own; only the answer's schema is added


def openapi_components() -> dict[str, Any]:
    keys = {"type": "array", "items": {"type": "string"}}
    alert = {
        "type": "object",
        "properties": {
            "alert_id": {"type": "integer"},
            "customer_id": {"type": "string"},
            "kind": {"type": "string"},
            "snapshot_id": {"type": "integer"},
            "score": {"type": "number"},
            "transaction_id": {"type": ["string", "null"]},
        },
    }
    change = {
        "type": "object",
        "properties": {
            k: {"type": ["string", "null"]} for k in ("customer_id", "old_state", "new_state", "rule_id")
        },
    }
    return {
        "IngestResult": {
            "type": "object",
            "required": ["kind", "received", "accepted", "changed", "unchanged", "alerts", "restrictions"],
            "properties": {
                "kind": {"type": "string"},
                "received": {"type": "integer"},
                "accepted": keys,
                "changed": keys,
                "unchanged": keys,
                "alerts": {"type": "array", "items": alert},
                "restrictions": {"type": "array", "items": change},
                "evaluation_id": {"type": ["integer", "null"]},
            },
        }
    }


# -- reading the body ------------------------------------------------------------------------------------


def _json(raw: bytes) -> Any:
    """The body with numbers as exact decimals, as ``registry import`` reads a JSON Lines file."""
    try:
        return json.loads(raw, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise MalformedJSON("(body)", "the body is not valid JSON") from None


def _items(body: Any) -> list[Any]:
    if not isinstance(body, dict) or "items" not in body:
        raise InvalidRequest("items", 'expected {"items": [records]}')
    extra = sorted(set(body) - {"items"})
    if extra:
        raise InvalidRequest(extra[0], 'unknown member; the body is {"items": [records]}')
    items = body["items"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BATCH:
        raise InvalidRequest("items", f"expected a list of 1 to {MAX_BATCH:,} records")
    return items


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise InvalidRequest("Idempotency-Key", "expected 1 to 200 visible ASCII characters")
    return key


# -- one call --------------------------------------------------------------------------------------------


def _call(
    request: Request, principal: Principal, route: str, kind: RecordKind, items: list[Any], raw: bytes
) -> Response:
    """Replay a kept answer, or ingest and answer (and keep the answer under the call's key)."""
    store = request.app.state.store
    key = _idempotency_key(request)
    owner = f"token:{principal.token_id}"
    digest = hashlib.sha256(raw).hexdigest()
    if key is not None:
        with store.connect() as conn:
            kept = recall_answer(conn, owner, key)
        if kept is not None:
            return _replay(request, kept, route, digest)
    try:
        body = _racing(request, principal, kind, items, digest, key)
    except IngestRefused as refused:
        return _refusal(request, refused, single=kind is RecordKind.CUSTOMERS)
    if body is None:
        why = "a concurrent call wrote the same records while this one was checked; send it again"
        return problem(
            request, 409, why, kind="concurrent-write", title="Concurrent write", error="ConcurrentWrite"
        )
    answer = KeptAnswer(route, digest, 200, json.dumps(body, separators=(",", ":")))
    if key is not None:
        try:
            with store.connect() as conn:
                keep_answer(conn, owner, key, answer)
        except IntegrityError:  # a concurrent call with this key finished first: answer as it did
            with store.connect() as conn:
                kept = recall_answer(conn, owner, key)
            if kept is not None:
                return _replay(request, kept, route, digest)
    return Response(answer.response, media_type="application/json")


def _replay(request: Request, kept: KeptAnswer, route: str, digest: str) -> Response:
    """The kept answer, if this is the same call again; else a 422 (a key names one call)."""
    if (kept.route, kept.body_sha256) != (route, digest):
        why = "this Idempotency-Key was used in the last 24 hours for another request; send a new key"
        return problem(
            request,
            422,
            why,
            kind="idempotency-key-reused",
            title="Idempotency-Key reused",
            error="IdempotencyKeyReused",
            errors=[{"loc": ["header", "Idempotency-Key"], "detail": why}],
        )
    headers = {"Idempotent-Replayed": "true"}
    return Response(kept.response, status_code=kept.status, media_type="application/json", headers=headers)


_INTEGRITY = (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)
_COLLISIONS = (*_INTEGRITY, IngestRaced, OperationalError, sqlite3.OperationalError)


def _racing(
    request: Request, principal: Principal, kind: RecordKind, items: list[Any], digest: str, key: str | None
) -> dict[str, Any] | None:
    """``_ingest``, tried again when a concurrent call wrote one of its keys between its check and its write
    (the database refuses the duplicate; SQLite refuses a write on a snapshot another writer moved on from):
    the second try finds them stored. None if it still collides."""
    for _ in range(3):
        try:
            return _ingest(request, principal, kind, items, digest, key)
        except _COLLISIONS as exc:  # the bulk writer's driver errors come unwrapped
            if not isinstance(exc, (*_INTEGRITY, IngestRaced)) and "locked" not in str(exc):
                raise
    return None


def _ingest(
    request: Request, principal: Principal, kind: RecordKind, items: list[Any], digest: str, key: str | None
) -> dict[str, Any]:
    """Write, screen, re-evaluate and audit one call; the answer's body."""
    store = request.app.state.store
    parsed = parse_records(kind, items)
    screener, book = screening_routes._index(request)
    with store.connect() as conn:  # the records, their alerts and the alerts' events: one transaction
        result = ingest(conn, kind, parsed)
        raised = screen_arrivals(
            conn,
            screener,
            book,
            customers=result.accepted if kind is RecordKind.CUSTOMERS else (),
            transactions=result.accepted if kind is RecordKind.TRANSACTIONS else (),
        )
    # The re-evaluation and the audit entry are independent, each its own transaction, and mostly wait on
    # the database: run side by side, a customer upsert answers in the time of the longer one.
    with ThreadPoolExecutor(1, thread_name_prefix="ingest-evaluate") as pool:
        evaluation = pool.submit(_reevaluate, request, result)
        _audit(request, principal, result, raised, digest, key)
        return _answer(result, raised, evaluation.result(), received=len(items))


def _reevaluate(request: Request, result: IngestResult) -> Any:
    """Re-evaluate the restriction state of customers whose facts or holdings the call changed."""
    if result.kind is RecordKind.CUSTOMERS:
        ids = sorted({c.id for c in result.accepted})
    elif result.kind is RecordKind.ACCOUNTS:
        ids = sorted({a.customer_id for a in result.accepted})
    else:
        return None
    if not ids:
        return None
    from vaspguard.policy import evaluate

    engine = policy_routes._service(request, register=False).engine
    return evaluate(request.app.state.store, engine, utcnow().date(), ids=ids)


def _answer(result: IngestResult, raised: list[Raised], evaluation: Any, *, received: int) -> dict[str, Any]:
    alerts = [
        {
            "alert_id": r.alert_id,
            "customer_id": r.customer_id,
            "kind": r.kind,
            "snapshot_id": r.snapshot_id,
            "score": r.score,
            "transaction_id": r.transaction_id,
        }
        for r in raised
    ]
    return {
        "kind": result.kind.value,
        "received": received,
        "accepted": [key_of(result.kind, x) for x in result.accepted],
        "changed": result.changed,
        "unchanged": result.unchanged,
        "alerts": alerts,
        "restrictions": [] if evaluation is None else to_wire(evaluation.changes),
        "evaluation_id": None if evaluation is None else evaluation.evaluation_id,
    }


def _audit(
    request: Request,
    principal: Principal,
    result: IngestResult,
    raised: list[Raised],
    digest: str,
    key: str | None,
) -> None:
    """``registry.ingest``: who sent which kind, how many records did what (ids stay in the payload, which is
    erasable; a customer call names its customer)."""
    if not result.accepted:
        return  # nothing changed: a retry or a repeat
    from vaspguard.api.routers.audit import _log
    from vaspguard.audit import Event

    subjects = (
        tuple(f"customer:{c.id}" for c in result.accepted) if result.kind is RecordKind.CUSTOMERS else ()
    )
    _log(request).append(
        Event(
            type="registry.ingest",
            actor=principal.name,
            actor_role=principal.role.value,
            subjects=subjects or (f"registry:{result.kind.value}",),
            payload={
                "kind": result.kind.value,
                "accepted": len(result.accepted),
                "changed": result.changed[:100],
                "unchanged": len(result.unchanged),
                "alerts": [r.alert_id for r in raised],
                "body_sha256": digest,
                "idempotency_key": key,
            },
        )
    )


def _refusal(request: Request, refused: IngestRefused, *, single: bool) -> Response:
    """422 listing every bad record (index, field, reason); 409 when the records are good but conflict."""
    found = refused.errors or refused.conflicts
    errors = [
        {
            "pointer": ("" if single else f"/items/{e.row}") + _field_pointer(e.field),
            "row": e.row,
            "field": e.field,
            "detail": e.reason,
        }
        for e in found
    ]
    status = 422 if refused.errors else 409
    kind = "invalid-records" if refused.errors else "conflicting-records"
    title = "Invalid records" if refused.errors else "Records conflict with stored ones"
    return problem(
        request, status, str(refused), kind=kind, title=title, error="IngestRefused", errors=errors
    )


__all__ = ["BATCH_PATHS", "MAX_BATCH", "router"]
