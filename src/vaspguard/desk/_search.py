"""Search across customers: an id, an account, an e-mail or phone, a wallet address or transaction hash, or
a name in any script (as written, lower-cased, and a non-Latin query also read in Latin letters, which finds
the Latin forms the registry stores beside original-script names). Through the registry's public ``lookup``
readers; nothing is screened or scored here. A Latin query does not find a name stored only in another
script: that is what screening's name index is for."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidRequest
from vaspguard.registry import lookup
from vaspguard.store import Store

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])
LIMIT = 100


def find(store: Store, query: str) -> dict[str, set[str]]:
    """Customer id -> how each was found."""
    from vaspguard.screening import transliterate

    found: dict[str, set[str]] = {}

    def add(ids: set[str] | list[str], how: str) -> None:
        for cid in ids:
            found.setdefault(cid, set()).add(how)

    with store.connect() as conn:
        add(lookup.existing(conn, [query, query.upper()]), "customer id")
        owner = lookup.account_owner(conn, query)
        add([owner] if owner else [], "account")
        for kind in ("email", "phone"):
            add(lookup.customers_by_contact(conn, kind, query), kind)
        add(lookup.customers_by_address(conn, [query, query.lower()]), "wallet address")
        add(lookup.customers_by_tx_hash(conn, [query, query.lower()]), "transaction hash")
        latin = transliterate(query)
        for cid, _name in lookup.names_containing(conn, [query], lowered=[query.lower(), latin])[: LIMIT * 5]:
            add([cid], "name")
    return found


@router.get("/search")
def search(request: Request, q: str = "") -> HTMLResponse:
    query = q.strip()
    if len(query) > 200:
        raise InvalidRequest("q", "at most 200 characters")
    if query and len(query) < 2:
        raise InvalidRequest("q", "type at least 2 characters")
    store = store_of(request)
    found = find(store, query) if query else {}
    ids = sorted(found)[:LIMIT]
    with store.connect() as conn:
        names = lookup.names_of(conn, ids)
    return render(
        request,
        "search.html",
        q=query,
        results=[(cid, names.get(cid, []), sorted(found[cid])) for cid in ids],
        more=len(found) > LIMIT,
    )
