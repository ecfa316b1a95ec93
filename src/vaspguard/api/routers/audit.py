"""HTTP routes of the audit capability: checkpoints, proofs and entries for auditors and witnesses, events,
operators' notes, and witness cosignature submission.

Everything a verifier needs (checkpoint, entries, proofs) is served without payloads; payloads (which may hold
personal data) only through ``/events`` to compliance, legal and auditors.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from vaspguard.api import _pages
from vaspguard.api._auth import Principal, Role, require
from vaspguard.api._limits import INT64_MAX
from vaspguard.api._wire import to_wire
from vaspguard.audit import AuditLog, AuditSettings, Event, NoteFormatError, SignedCheckpoint, SignedNote
from vaspguard.errors import InvalidRequest, NotFound

router = APIRouter(prefix="/v1/audit", tags=["audit"])

_verify = require(Role.AUDITOR, Role.COMPLIANCE, Role.LEGAL, Role.SERVICE)
_read = require(Role.AUDITOR, Role.COMPLIANCE, Role.LEGAL)
_write = require(Role.COMPLIANCE, Role.LEGAL)
_write_or_service = require(Role.COMPLIANCE, Role.LEGAL, Role.SERVICE)


def _log(request: Request) -> AuditLog:
    """The app's log (tests may set ``app.state.audit_log``), else the configured key's."""
    log = getattr(request.app.state, "audit_log", None)
    if log is None:
        log = AuditLog.open(request.app.state.store)
        request.app.state.audit_log = log
    return log


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _latest(log: AuditLog) -> SignedCheckpoint:
    """The newest signed checkpoint. A GET never signs one: every append signs its own (and the worker
    and ``POST /v1/audit/checkpoint`` sign on demand), so the newest already covers the whole log."""
    signed = log.latest_checkpoint()
    if signed is None:
        raise NotFound("audit checkpoint", "latest")
    return signed


def _checkpoint_json(log: AuditLog, signed: SignedCheckpoint) -> dict[str, Any]:
    return {
        "origin": signed.checkpoint.origin,
        "size": signed.size,
        "root": _b64(signed.root),
        "note": signed.note,
        "public_key": log.public_key.vkey,
    }


@router.get("/checkpoint")
def checkpoint(request: Request, _p: Principal = Depends(_verify)) -> dict[str, Any]:
    """The latest signed checkpoint, with witness cosignatures. Reads only."""
    log = _log(request)
    return _checkpoint_json(log, _latest(log))


@router.post("/checkpoint")
def sign_checkpoint(request: Request, _p: Principal = Depends(_write_or_service)) -> dict[str, Any]:
    """Sign a checkpoint of the whole log now if entries were added since the last one; the latest."""
    log = _log(request)
    log.checkpoint()
    return _checkpoint_json(log, _latest(log))


@router.get("/proofs/inclusion/{index}")
def inclusion(
    request: Request,
    index: int = Path(ge=0, le=INT64_MAX),
    size: int | None = Query(
        None, ge=1, le=INT64_MAX, description="Size of a signed checkpoint (default: latest)."
    ),
    _p: Principal = Depends(_verify),
) -> dict[str, Any]:
    """A receipt: entry bytes, leaf hash, RFC 9162 inclusion proof and the signed checkpoint."""
    log = _log(request)
    signed = log.checkpoint_at(size) if size is not None else _latest(log)
    return log.receipt(index, signed).to_json()


@router.get("/proofs/consistency")
def consistency(
    request: Request,
    first: int = Query(..., ge=0, le=INT64_MAX),
    second: int | None = Query(None, ge=1, le=INT64_MAX),
    _p: Principal = Depends(_verify),
) -> dict[str, Any]:
    """RFC 9162 consistency proof between two signed tree sizes, with both checkpoints."""
    log = _log(request)
    new = log.checkpoint_at(second) if second is not None else _latest(log)
    old = log.checkpoint_at(first) if first > 0 else None
    return {
        "first": first,
        "second": new.size,
        "first_checkpoint": old.note if old else None,
        "second_checkpoint": new.note,
        "proof": [_b64(h) for h in log.consistency_proof(first, new.size)],
    }


@router.get("/entries")
def entries(
    request: Request,
    start: int = Query(0, ge=0, le=INT64_MAX),
    limit: int = Query(1000, ge=1, le=10_000),
    _p: Principal = Depends(_verify),
) -> dict[str, Any]:
    """Raw entry bytes (canonical JSON text) from ``start``, for auditors recomputing the tree."""
    log = _log(request)
    size = log.size
    end = min(size, start + limit)
    return {"start": start, "size": size, "entries": [e.decode("utf-8") for e in log.entries(start, end)]}


@router.get("/events")
def events(
    request: Request,
    event_type: str | None = Query(None, alias="type", description="Event type or prefix, e.g. 'requests'."),
    subject: str | None = Query(None, description="Only events naming this reference."),
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = _pages.CURSOR,
    _p: Principal = Depends(_read),
) -> dict[str, Any]:
    """Events with their payloads (``null`` once erased), in log order; the cursor is a log position."""
    start = _pages.decode(cursor, "i")
    found = [e.to_dict() for e in _log(request).events(event_type, subject, start=start, limit=limit + 1)]
    more = len(found) > limit
    return {
        "items": to_wire(found[:limit]),
        "next_cursor": _pages.encode("i", found[limit - 1]["index"] + 1) if more else None,
    }


class NoteIn(BaseModel):
    message: str = Field(min_length=1, max_length=10_000)
    subjects: list[str] = Field(default_factory=list)
    region: str = ""


@router.post("/notes", status_code=201)
def add_note(request: Request, body: NoteIn, principal: Principal = Depends(_write)) -> dict[str, Any]:
    """An operator's note, logged under the caller's token name and role; returns the receipt."""
    receipt = _log(request).append(
        Event(
            type="operator.note",
            actor=principal.name,
            actor_role=principal.role.value,
            actor_region=body.region,
            subjects=tuple(body.subjects),
            payload={"message": body.message},
        )
    )
    return receipt.to_json()


class CosignatureIn(BaseModel):
    size: int = Field(ge=1, le=INT64_MAX)
    line: str = Field(min_length=10, max_length=1000)


@router.post("/cosignatures", status_code=201)
def add_cosignature(
    request: Request, body: CosignatureIn, _p: Principal = Depends(require(Role.AUDITOR))
) -> dict[str, Any]:
    """A configured witness submits its cosignature line for the checkpoint of ``size``."""
    line = body.line if body.line.endswith("\n") else body.line + "\n"
    witnesses = AuditSettings().witnesses()
    log = _log(request)
    body_text = log.checkpoint_at(body.size).checkpoint.body
    try:
        sig = SignedNote.parse(body_text + "\n" + line).signatures[0]
    except NoteFormatError as exc:
        raise InvalidRequest("line", str(exc)) from None
    match = [w for w in witnesses if (w.name, w.key_id) == (sig.name, sig.key_id)]
    if not match:
        raise InvalidRequest("line", f"{sig.name} is not a configured witness")
    signed = log.add_cosignature(body.size, line, match[0])
    return {"size": signed.size, "note": signed.note}
