"""Search across customers, through an index: a name in any script, an id (or its beginning), an account,
an e-mail or phone, a wallet address or transaction hash.

- **The index** (``desk_search_tokens``): each word of each of a customer's names as screening reads it in
  Latin letters (``screening.name_forms``: every reading of the name, so 金正恩 is found as ``kim jong un``
  and as ``jin zheng en``), and the lower-cased id, e-mails and phones. A query is read the same way; a
  customer is found when each word of one reading of the query begins a word of their names (a range on
  the indexed column: no scan), so a Latin query finds a Cyrillic name and ``volkov`` finds
  ``Volkovskiy``. Accounts, wallet addresses and hashes go through the registry's indexed lookups.
- **Kept up to date on use**: before answering, ``refresh`` indexes the customers recorded or changed since
  the index last caught up (``Registry.changed_since``, with a minute's overlap for writes still committing).
  The first use on an existing registry indexes everyone. Up to ``SYNC_LIMIT`` customers are indexed at
  once; more (a first build on a large registry, a bulk import) in a background thread while the page says
  how far it is (and answers from what is indexed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import delete, func, insert, intersect, select, update
from sqlalchemy.sql import Select

from vaspguard.desk._tables import DeskSearchStateRow, DeskSearchTokenRow
from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidRequest, NotFound
from vaspguard.registry import Customer, Registry, lookup
from vaspguard.store import Store, utcnow

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])
LIMIT = 100
BATCH = 2000
SYNC_LIMIT = 1000  # customers indexed inside a request; more are indexed in the background
# Rows stamped just before a catch-up may commit just after it (a long import transaction), so each catch-up
# looks a minute further back than the last one began. The price: customers written in the minute before a
# catch-up are indexed again at the next one (a bulk load is caught up in the background, SYNC_LIMIT).
OVERLAP = timedelta(minutes=1)
T = DeskSearchTokenRow


# -- the index ---------------------------------------------------------------------------------------------


def name_words(name: str) -> set[str]:
    """The words a name is indexed under: every word of every reading screening has of it."""
    from vaspguard.screening import name_forms

    return {token for form in name_forms(name) for token in form.tokens}


def tokens_of(customer: Customer) -> set[tuple[str, str]]:
    """(token, kind) rows of one customer."""
    out = {(customer.id.lower(), "id")}
    for name in customer.names:
        out |= {(w, "name") for w in name_words(name.name)}
    for contact in customer.contacts:
        if contact.kind in ("email", "phone") and contact.value.strip():
            out.add((contact.value.strip().lower()[:200], contact.kind))
    return out


def _write(store: Store, customers: Iterable[Customer], gone: Iterable[str] = ()) -> int:
    """Replace the rows of ``customers`` (and drop those of ``gone``) in one transaction."""
    rows = [
        {"token": token, "customer_id": c.id, "kind": kind} for c in customers for token, kind in tokens_of(c)
    ]
    ids = sorted({r["customer_id"] for r in rows} | set(gone))
    with store.connect() as conn:
        for chunk in lookup.chunks(ids):
            conn.execute(delete(T).where(T.customer_id.in_(chunk)))
        if rows:
            conn.execute(insert(T), rows)
    return len(ids)


def _indexed_until(store: Store) -> datetime | None:
    with store.connect() as conn:
        return conn.execute(select(DeskSearchStateRow.indexed_until)).scalar()


def _mark(store: Store, until: datetime) -> None:
    with store.connect() as conn:
        if conn.execute(update(DeskSearchStateRow).values(indexed_until=until)).rowcount == 0:
            conn.execute(insert(DeskSearchStateRow).values(id=1, indexed_until=until))


@dataclass
class Build:
    """A first build of the index over the whole registry."""

    total: int
    done: int = 0
    state: str = "running"  # running | finished | failed


_builds: dict[str, Build] = {}
_lock = threading.Lock()


def _index_all(store: Store, progress: Build) -> None:
    """Index every customer (the first use on an existing registry)."""
    pending: list[Customer] = []
    for customer in Registry(store).iter_customers(batch_size=BATCH):
        pending.append(customer)
        if len(pending) >= BATCH:
            progress.done += _write(store, pending)
            pending = []
    progress.done += _write(store, pending)


def _index_some(store: Store, ids: list[str], progress: Build) -> None:
    """Index the customers ``ids`` (recorded or changed since the last catch-up); drop those deleted."""
    registry = Registry(store)
    for start in range(0, len(ids), BATCH):
        customers, gone = [], []
        for cid in ids[start : start + BATCH]:
            try:
                customers.append(registry.get_customer(cid))
            except NotFound:
                gone.append(cid)
        progress.done += _write(store, customers, gone)


def refresh(store: Store, *, sync_limit: int | None = None) -> Build | None:
    """Bring the index up to date: at once when at most ``sync_limit`` (default ``SYNC_LIMIT``) customers
    are to be indexed, else in a background thread, which is returned (and, while it runs, by every call)."""
    key = str(store.engine.url)
    with _lock:
        running = _builds.get(key)
        if running is not None and running.state == "running":
            return running
        began = utcnow()
        since = _indexed_until(store)
        changed = None if since is None else sorted(Registry(store).changed_since(since))
        if changed == []:
            return None
        job = Build(Registry(store).count_customers() if changed is None else len(changed))

        def work() -> None:
            if changed is None:
                _index_all(store, job)
            else:
                _index_some(store, changed, job)
            _mark(store, began - OVERLAP)
            job.state = "finished"

        if job.total <= (SYNC_LIMIT if sync_limit is None else sync_limit):
            work()
            return None
        _builds[key] = job

    def run() -> None:
        try:
            work()
        except Exception:
            job.state = "failed"
            raise

    threading.Thread(target=run, name="desk-search-index", daemon=True).start()
    return job


# -- queries -----------------------------------------------------------------------------------------------


def _prefix(token: str, kind: str) -> Select[str]:
    """Customers with a ``kind`` token beginning with ``token`` (a range the index on ``token`` serves)."""
    upper = token[:-1] + chr(ord(token[-1]) + 1)
    return select(T.customer_id).where(T.token >= token, T.token < upper, T.kind == kind)


def _query_readings(query: str) -> list[tuple[str, ...]]:
    from vaspguard.screening import name_forms

    return sorted({form.tokens for form in name_forms(query) if form.tokens})


def find(store: Store, query: str, limit: int = LIMIT * 5) -> dict[str, set[str]]:
    """Customer id -> how each was found."""
    found: dict[str, set[str]] = {}

    def add(ids: Iterable[str], how: str) -> None:
        for cid in ids:
            found.setdefault(cid, set()).add(how)

    lowered = query.lower()
    with store.connect() as conn:
        add(conn.execute(_prefix(lowered, "id").distinct().limit(limit)).scalars(), "customer id")
        owner = lookup.account_owner(conn, query)
        add([owner] if owner else [], "account")
        for kind in ("email", "phone"):
            add(conn.execute(select(T.customer_id).where(T.token == lowered, T.kind == kind)).scalars(), kind)
        add(lookup.customers_by_address(conn, [query, lowered]), "wallet address")
        add(lookup.customers_by_tx_hash(conn, [query, lowered]), "transaction hash")
        for words in _query_readings(query):
            q = (
                intersect(*(_prefix(w, "name") for w in words))
                if len(words) > 1
                else _prefix(words[0], "name")
            )
            add(conn.execute(select(q.subquery().c[0]).distinct().limit(limit)).scalars(), "name")
    return found


def index_size(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(T)).scalar_one())


@router.get("/search")
def search(request: Request, q: str = "") -> HTMLResponse:
    query = q.strip()
    if len(query) > 200:
        raise InvalidRequest("q", "at most 200 characters")
    if query and len(query) < 2:
        raise InvalidRequest("q", "type at least 2 characters")
    store = store_of(request)
    building = refresh(store) if query else None
    found = find(store, query) if query else {}
    with store.connect() as conn:
        ids = sorted(lookup.existing(conn, sorted(found)))[:LIMIT]  # a customer deleted since is not shown
        names = lookup.names_of(conn, ids)
    return render(
        request,
        "search.html",
        q=query,
        results=[(cid, names.get(cid, []), sorted(found[cid])) for cid in ids],
        more=len(found) > LIMIT,
        building=building,
    )
