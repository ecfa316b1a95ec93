"""Read endpoints of the registry: customers, accounts, transactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from vaspguard.api import _pages
from vaspguard.api._auth import Principal, Role, require
from vaspguard.api._wire import to_wire
from vaspguard.registry import Registry

router = APIRouter(prefix="/v1", tags=["registry"])

_read = require(Role.READER, Role.COMPLIANCE, Role.LEGAL, Role.AUDITOR)


def _registry(request: Request) -> Registry:
    return Registry(request.app.state.store)


@router.get("/customers")
def list_customers(
    request: Request,
    limit: int = Query(50, ge=1, le=1000),
    cursor: str | None = _pages.CURSOR,
    _p: Principal = Depends(_read),
) -> dict[str, Any]:
    reg = _registry(request)
    offset = _pages.decode(cursor)
    rows = to_wire(reg.list_customers(limit=limit + 1, offset=offset))
    return _pages.page(rows, offset=offset, limit=limit, total=reg.count_customers())


@router.get("/customers/{customer_id}")
def get_customer(request: Request, customer_id: str, _p: Principal = Depends(_read)) -> Any:
    return to_wire(_registry(request).get_customer(customer_id))


@router.get("/customers/{customer_id}/accounts")
def customer_accounts(
    request: Request,
    customer_id: str,
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = _pages.CURSOR,
    _p: Principal = Depends(_read),
) -> dict[str, Any]:
    reg = _registry(request)
    reg.get_customer(customer_id)
    return _pages.window(to_wire(reg.accounts(customer_id)), cursor, limit)


@router.get("/customers/{customer_id}/transactions")
def customer_transactions(
    request: Request,
    customer_id: str,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(500, ge=1, le=10000),
    cursor: str | None = _pages.CURSOR,
    _p: Principal = Depends(_read),
) -> dict[str, Any]:
    reg = _registry(request)
    reg.get_customer(customer_id)
    offset = _pages.decode(cursor)
    rows = reg.transactions(customer_id, since=since, until=until, limit=offset + limit + 1)
    return _pages.page(to_wire(rows[offset:]), offset=offset, limit=limit)
