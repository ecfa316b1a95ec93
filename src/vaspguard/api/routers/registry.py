"""Read endpoints of the registry: customers, accounts, transactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from vaspguard._json import to_jsonable
from vaspguard.api._auth import Principal, Role, require
from vaspguard.registry import Registry

router = APIRouter(prefix="/v1", tags=["registry"])

_read = require(Role.READER, Role.COMPLIANCE, Role.LEGAL, Role.AUDITOR)


def _registry(request: Request) -> Registry:
    return Registry(request.app.state.store)


@router.get("/customers")
def list_customers(
    request: Request,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    _p: Principal = Depends(_read),
) -> dict[str, Any]:
    reg = _registry(request)
    return {
        "total": reg.count_customers(),
        "items": to_jsonable(reg.list_customers(limit=limit, offset=offset)),
    }


@router.get("/customers/{customer_id}")
def get_customer(request: Request, customer_id: str, _p: Principal = Depends(_read)) -> Any:
    return to_jsonable(_registry(request).get_customer(customer_id))


@router.get("/customers/{customer_id}/accounts")
def customer_accounts(request: Request, customer_id: str, _p: Principal = Depends(_read)) -> Any:
    reg = _registry(request)
    reg.get_customer(customer_id)
    return to_jsonable(reg.accounts(customer_id))


@router.get("/customers/{customer_id}/transactions")
def customer_transactions(
    request: Request,
    customer_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(500, ge=1, le=10000),
    _p: Principal = Depends(_read),
) -> Any:
    reg = _registry(request)
    reg.get_customer(customer_id)
    return to_jsonable(reg.transactions(customer_id, since=since, until=until, limit=limit))
