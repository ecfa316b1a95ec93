"""HTTP routes of the requests capability: intake of lawful requests and reading their state.

``POST /v1/requests`` takes the same JSON as ``vaspguard requests new --file`` and answers with the
assessment (400 naming every bad field otherwise). The caller's token is the intake identity, so an API
caller can never approve what it filed; approvals, narrowing and disclosure need an operator's private key
and happen in the CLI, on the operator's machine.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request

from vaspguard.api import _pages
from vaspguard.api._auth import Principal, Role, require
from vaspguard.api._wire import to_wire

router = APIRouter(tags=["requests"])


def _service(request: Request) -> Any:
    from vaspguard.requests import LawfulRequests

    return LawfulRequests(request.app.state.store)


@router.post("/v1/requests", status_code=201)
def file_request(
    request: Request,
    body: Any = Body(..., description="A lawful request as received (see README: Lawful requests)."),
    principal: Principal = Depends(require(Role.LEGAL)),
) -> Any:
    """File and assess a request; the response is the assessment (tier, reasons, required approvals)."""
    from vaspguard.requests import parse_request

    parsed = parse_request(body, origin="request")  # InvalidFields: a 400 problem naming every field
    result = _service(request).file(parsed, intake=f"api:{principal.name}")
    return to_wire(result.to_dict())


@router.get("/v1/requests")
def list_requests(
    request: Request,
    attention: bool = Query(False, description="Only what central legal must look at now."),
    on: date | None = Query(None, description="Evaluate as of this day (default today)."),
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = _pages.CURSOR,
    _principal: Principal = Depends(require(Role.LEGAL, Role.AUDITOR)),
) -> dict[str, Any]:
    found = to_wire(_service(request).list(attention_only=attention, on=on))
    return _pages.window(found, cursor, limit)


@router.get("/v1/requests/{request_id}")
def show_request(
    request_id: str, request: Request, _principal: Principal = Depends(require(Role.LEGAL, Role.AUDITOR))
) -> Any:
    """State, assessment, scope, approvals, quorum, timeline, disclosures and notices of one request."""
    return to_wire(_service(request).show(request_id))
