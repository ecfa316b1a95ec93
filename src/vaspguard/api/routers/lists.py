"""HTTP routes of the lists capability (read-only: imports go through the CLI or ``lists fetch``, which
log them to the audit log under a named actor).

- ``GET /v1/lists/snapshots`` (``?all=true`` for every snapshot), ``GET /v1/lists/snapshots/{id}``
- ``GET /v1/lists/diff?old=ID&new=ID`` (``&keys_only=true`` for the keys to rescreen)
- ``GET /v1/lists/entities/{key}`` (``?snapshot=ID``), ``GET /v1/lists/search?q=TEXT``
- ``GET /v1/lists/addresses`` (``?chain=&currency=&include_fragments=``)
- ``GET /v1/lists/fetches`` (``?feed=&limit=``): the download record (URL, status, SHA-256, snapshot)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request

from vaspguard.api import _pages
from vaspguard.api._auth import Role, require
from vaspguard.api._limits import INT64_MAX
from vaspguard.api._wire import to_wire
from vaspguard.store import Store

router = APIRouter(prefix="/v1/lists", tags=["lists"])

_read = require(Role.COMPLIANCE, Role.AUDITOR, Role.SERVICE)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.get("/snapshots", dependencies=[Depends(_read)])
def snapshots(
    request: Request,
    every: bool = Query(False, alias="all", description="Every snapshot, not only active."),
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = _pages.CURSOR,
) -> dict[str, Any]:
    from vaspguard.lists import active_snapshots, list_snapshots

    store = _store(request)
    found = to_wire(list_snapshots(store) if every else active_snapshots(store))
    return _pages.window(found, cursor, limit)


@router.get("/snapshots/{snapshot_id}", dependencies=[Depends(_read)])
def snapshot(request: Request, snapshot_id: int = Path(ge=0, le=INT64_MAX)) -> Any:
    from vaspguard.lists import get_snapshot, snapshot_files, snapshot_warnings

    store = _store(request)
    info = to_wire(get_snapshot(store, snapshot_id))
    return {
        **info,
        "files": snapshot_files(store, snapshot_id),
        "warnings": snapshot_warnings(store, snapshot_id),
    }


@router.get("/diff", dependencies=[Depends(_read)])
def diff(
    request: Request,
    old: int = Query(..., ge=0, le=INT64_MAX, description="The earlier snapshot id."),
    new: int = Query(..., ge=0, le=INT64_MAX, description="The later snapshot id."),
    keys_only: bool = Query(False, description="Only the keys of added, removed and changed entities."),
) -> Any:
    from vaspguard.lists import diff_snapshots

    d = diff_snapshots(_store(request), old, new)
    return sorted(d.changed_keys) if keys_only else to_wire(d)


@router.get("/entities/{key}", dependencies=[Depends(_read)])
def entity(request: Request, key: str, snapshot: int | None = Query(None, ge=0, le=INT64_MAX)) -> Any:
    from vaspguard.lists import get_entity

    return to_wire(get_entity(_store(request), key, snapshot_id=snapshot).to_dict())


@router.get("/search", dependencies=[Depends(_read)])
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=200, description="A name or part of one."),
    source: str | None = Query(None),
    limit: int = Query(20, ge=1, le=1000),
    cursor: str | None = _pages.CURSOR,
) -> dict[str, Any]:
    from vaspguard.errors import InvalidRequest
    from vaspguard.lists import Source
    from vaspguard.lists import search as do_search

    if source is not None and source not in {s.value for s in Source}:
        raise InvalidRequest("source", f"{source!r} is not a list source")
    offset = _pages.decode(cursor)
    found = do_search(_store(request), q, limit=offset + limit + 1, source=source)
    return _pages.page([e.to_dict() for e in found[offset:]], offset=offset, limit=limit)


@router.get("/addresses", dependencies=[Depends(_read)])
def addresses(
    request: Request,
    chain: str | None = Query(None),
    currency: str | None = Query(None),
    include_fragments: bool = Query(False),
    limit: int = Query(1000, ge=1, le=10_000),
    cursor: str | None = _pages.CURSOR,
) -> dict[str, Any]:
    from vaspguard.lists import listed_addresses

    found = listed_addresses(
        _store(request), chain=chain, currency=currency, include_fragments=include_fragments
    )
    return _pages.window(to_wire(found), cursor, limit)


@router.get("/fetches", dependencies=[Depends(_read)])
def fetches(
    request: Request,
    feed: str | None = Query(None),
    limit: int = Query(50, ge=1, le=10000),
    cursor: str | None = _pages.CURSOR,
) -> dict[str, Any]:
    from vaspguard.lists import fetch_history

    offset = _pages.decode(cursor)
    found = fetch_history(_store(request), feed, limit=offset + limit + 1)
    return _pages.page(to_wire(found[offset:]), offset=offset, limit=limit)
