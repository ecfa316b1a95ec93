"""Sanctions lists in the desk: the snapshots of each source, a field-by-field diff between any two of the
same source, and a search of the active entries by name. Through ``vaspguard.lists``' public face."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidRequest

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])


@router.get("/lists")
def lists_page(request: Request, old: int | None = None, new: int | None = None, q: str = "") -> HTMLResponse:
    from vaspguard import lists

    store = store_of(request)
    snapshots = lists.list_snapshots(store)
    diff = None
    if old is not None or new is not None:
        if old is None or new is None:
            raise InvalidRequest("old", "choose two snapshots of one source to compare")
        diff = lists.diff_snapshots(store, old, new)
    query = q.strip()
    if len(query) > 200:
        raise InvalidRequest("q", "at most 200 characters")
    found = lists.search(store, query, limit=50) if query else []
    return render(
        request,
        "lists.html",
        snapshots=sorted(snapshots, key=lambda s: (s.source.value, -s.id)),
        diff=diff,
        render_item=lists.render_diff,
        q=query,
        found=found,
        chosen={"old": old, "new": new},
    )
