"""Records arriving one call at a time (the ingestion API) instead of in a file: the same checks as
``import_file`` (the record parsers, and the importer's duplicate and reference checks), all or nothing.

What differs from a file import is what a repeated record means. A call may be retried, so a record whose
key is already stored is compared with what is stored:

- the same record again is ``unchanged`` (nothing is written);
- a customer with other facts replaces the stored facts (a customer record is the whole customer); an account
  with another status or other balances is updated;
- anything else that differs (a transaction, a price, an account moved to another customer) is a
  **conflict**: a stored movement is never rewritten.

Logins have no id: a login equal in every field to a stored one is ``unchanged``.

Errors name the record by its index in the call's list (0-based), and the field, with the importer's own
reasons: ``IngestRefused`` carries every one of them, and nothing of the call is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from vaspguard.errors import InputError, InvalidRow
from vaspguard.registry import _records as rec
from vaspguard.registry._io import (
    ALREADY_STORED,
    GIVEN_TWICE,
    _existing,
    _Importer,
    _unknown_field,
    key_batches,
)
from vaspguard.registry._model import Account, Customer, Login, Price, Product
from vaspguard.registry._records import PARSERS, RecordKind
from vaspguard.registry._rows import customer_rows, write
from vaspguard.registry._store import _CHILD_TABLES, _load_customers, _transaction
from vaspguard.registry._tables import (
    AccountRow,
    BalanceRow,
    CustomerRow,
    IngestKeyRow,
    LoginRow,
    PriceRow,
    TransactionRow,
)
from vaspguard.registry._validate import FieldError
from vaspguard.store import utcnow

ORIGIN = "items"  # what errors name as their "file": the call's list of records
_LOOKUP = 900


@dataclass
class IngestRefused(InputError):
    """Every bad record of a call (``errors``: index, field, reason) and every record that conflicts with a
    stored one (``conflicts``); nothing of the call was written."""

    errors: tuple[InvalidRow, ...] = ()
    conflicts: tuple[InvalidRow, ...] = ()

    def __str__(self) -> str:
        first = (self.errors or self.conflicts)[0]
        what = "conflicting" if not self.errors else "invalid"
        more = len(self.errors) + len(self.conflicts) - 1
        tail = f" (and {more} more)" if more else ""
        return f"{what} record {first.row}: field {first.field!r}: {first.reason}{tail}"


class IngestRaced(Exception):
    """A record of the call was stored by a concurrent call while this one was being checked: try again
    (the stored record is then compared like any other)."""


@dataclass
class IngestResult:
    """What a call did: ``accepted`` (new or changed values, as written) and ``unchanged`` keys."""

    kind: RecordKind
    accepted: list[Any] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # keys of stored records this call replaced
    unchanged: list[str] = field(default_factory=list)


def parse_records(kind: RecordKind, items: Sequence[Any]) -> list[tuple[int, Any]]:
    """Each item parsed as a record of ``kind``: ``(index, value)`` or ``(index, FieldError)``. The checks of
    a JSON Lines file: an object, no unknown field, then the kind's parser."""
    out: list[tuple[int, Any]] = []
    parse = PARSERS[kind]
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            out.append((i, FieldError("(record)", "not a JSON object")))
            continue
        unknown = _unknown_field(item, kind)
        if unknown is not None:
            out.append((i, unknown))
            continue
        try:
            out.append((i, parse(item)))
        except FieldError as err:
            out.append((i, err))
    return out


def key_of(kind: RecordKind, value: Any) -> str:
    """The record's key as the API reports it: an id, ``ASSET/DAY`` for a price, a login's fields."""
    if isinstance(value, Price):
        return f"{value.asset}/{value.day.isoformat()}"
    if isinstance(value, Login):
        return f"{value.customer_id}@{value.occurred_at.isoformat()}"
    return str(value.id)


def ingest(conn: Connection, kind: RecordKind, parsed: list[tuple[int, Any]]) -> IngestResult:
    """Check and write one call's records in ``conn``'s transaction; ``IngestRefused`` (and nothing written
    by this function) if any record is bad or conflicts. The caller commits or rolls back."""
    result = IngestResult(kind)
    errors = [InvalidRow(ORIGIN, i, x.field, x.reason) for i, x in parsed if isinstance(x, FieldError)]
    good = [(i, x) for i, x in parsed if not isinstance(x, FieldError)]
    fresh, updates, conflicts = _sort_out(conn, kind, good, result, errors)
    importer = _Importer(conn, ORIGIN, kind, skip_invalid=True)
    kept, found = importer.check(fresh)
    if any(e.reason == ALREADY_STORED for e in found):
        raise IngestRaced  # stored by a concurrent call after ``_sort_out`` looked
    errors.extend(found)
    if not errors and not conflicts:
        _check_updates(conn, kind, updates, errors)
    if errors or conflicts:
        raise IngestRefused(tuple(sorted(errors, key=_order)), tuple(sorted(conflicts, key=_order)))
    importer.accept(kept)
    importer.finish()  # owners naming customers of this call
    if importer.skipped:
        raise IngestRefused(tuple(sorted(importer.skipped, key=_order)))
    _apply_updates(conn, kind, [x for _, x in updates])
    result.accepted = [x for _, x in kept] + [x for _, x in updates]
    result.changed = [key_of(kind, x) for _, x in updates]
    return result


def _order(e: InvalidRow) -> tuple[int, str]:
    return e.row, e.field


# -- comparing with what is stored -------------------------------------------------------------------------


def _sort_out(
    conn: Connection,
    kind: RecordKind,
    good: list[tuple[int, Any]],
    result: IngestResult,
    errors: list[InvalidRow],
) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]], list[InvalidRow]]:
    """(new records, records replacing a stored one, conflicts); the same as stored go to ``unchanged``, a
    stored record given twice to ``errors`` (a new one given twice is the importer's to report)."""
    stored = _stored(conn, kind, [x for _, x in good])
    fresh: list[tuple[int, Any]] = []
    updates: list[tuple[int, Any]] = []
    conflicts: list[InvalidRow] = []
    seen: set[str] = set()
    for i, x in good:
        key = key_of(kind, x)
        old = stored.get(key)
        if old is not None and key in seen and kind is not RecordKind.LOGINS:
            errors.append(InvalidRow(ORIGIN, i, "day" if kind is RecordKind.PRICES else "id", GIVEN_TWICE))
        elif old is None:
            fresh.append((i, x))
        elif _same(kind, old, x):
            result.unchanged.append(key)
        else:
            problem = _conflict(kind, old, x)
            if problem is None:
                updates.append((i, x))
            else:
                conflicts.append(InvalidRow(ORIGIN, i, *problem))
        seen.add(key)
    return fresh, updates, conflicts


def _record(kind: RecordKind, value: Any) -> dict[str, Any]:
    to_record: dict[RecordKind, Callable[[Any], dict[str, Any]]] = {
        RecordKind.CUSTOMERS: rec.customer_record,
        RecordKind.ACCOUNTS: rec.account_record,
        RecordKind.TRANSACTIONS: rec.transaction_record,
        RecordKind.LOGINS: rec.login_record,
        RecordKind.PRICES: rec.price_record,
    }
    return to_record[kind](value)


def _same(kind: RecordKind, old: Any, new: Any) -> bool:
    a, b = _record(kind, old), _record(kind, new)
    if kind is RecordKind.CUSTOMERS:
        # a stamp the call leaves out is the one stored, not a change
        for stamp in ("created_at", "updated_at"):
            if b[stamp] is None:
                a[stamp] = None
    return a == b


def _conflict(kind: RecordKind, old: Any, new: Any) -> tuple[str, str] | None:
    """Why ``new`` may not replace ``old`` (field, reason), or None when it may."""
    if kind is RecordKind.CUSTOMERS:
        if old.type is not new.type:
            return "type", f"customer {new.id!r} is stored as a {old.type} person; the type never changes"
        return None
    if kind is RecordKind.ACCOUNTS:
        for name in ("customer_id", "product", "opened_at"):
            if getattr(old, name) != getattr(new, name):
                return (
                    name,
                    f"account {new.id!r} is stored with another {name}; only status and balances change",
                )
        return None
    if kind is RecordKind.PRICES:
        return "eur", f"a price of {new.asset} on {new.day} is stored with another value ({old.eur})"
    if kind is RecordKind.LOGINS:
        return "country", f"this login of {new.customer_id!r} (time and IP) is stored with another country"
    what = rec.transaction_record(old)
    changed = next(k for k, v in rec.transaction_record(new).items() if what[k] != v)
    return changed, f"transaction {new.id!r} is stored with another {changed}; a transaction never changes"


def _stored(conn: Connection, kind: RecordKind, values: list[Any]) -> dict[str, Any]:
    """The stored records sharing a key with ``values``, by key."""
    if not values:
        return {}
    if kind is RecordKind.CUSTOMERS:
        ids = list(_existing(conn, CustomerRow.id, {x.id for x in values}))
        return {c.id: c for c in _load_customers(conn, ids)}
    if kind is RecordKind.ACCOUNTS:
        return _stored_accounts(conn, list({x.id for x in values}))
    if kind is RecordKind.TRANSACTIONS:
        out: dict[str, Any] = {}
        for where in key_batches(conn, TransactionRow.id, {x.id for x in values}):
            for r in conn.execute(select(TransactionRow).where(where)):
                out[r.id] = _transaction(r)
        return out
    if kind is RecordKind.PRICES:
        q = select(PriceRow).where(
            PriceRow.asset.in_({x.asset for x in values}), PriceRow.day.in_({x.day for x in values})
        )
        prices = (Price(r.asset, r.day, r.eur) for r in conn.execute(q))
        return {key_of(kind, p): p for p in prices}
    return _stored_logins(conn, values)


def _stored_accounts(conn: Connection, ids: list[str]) -> dict[str, Account]:
    out: dict[str, Account] = {}
    for i in range(0, len(ids), _LOOKUP):
        part = ids[i : i + _LOOKUP]
        rows = conn.execute(select(AccountRow).where(AccountRow.id.in_(part))).all()
        balances: dict[str, dict[str, Any]] = {r.id: {} for r in rows}
        for b in conn.execute(select(BalanceRow).where(BalanceRow.account_id.in_(list(balances)))):
            balances[b.account_id][b.asset] = b.amount
        for r in rows:
            opened = rec.utc(r.opened_at)
            assert opened is not None
            out[r.id] = Account(r.id, r.customer_id, Product(r.product), opened, r.status, balances[r.id])
    return out


def _stored_logins(conn: Connection, values: list[Login]) -> dict[str, Login]:
    """Stored logins of the call's customers within its time span, equal in customer, time and address."""
    wanted = {(x.customer_id, x.occurred_at, x.ip) for x in values}
    ids = list({x.customer_id for x in values})
    lo, hi = min(x.occurred_at for x in values), max(x.occurred_at for x in values)
    out: dict[str, Login] = {}
    for i in range(0, len(ids), _LOOKUP):
        q = select(LoginRow).where(
            and_(LoginRow.customer_id.in_(ids[i : i + _LOOKUP]), LoginRow.occurred_at.between(lo, hi))
        )
        for r in conn.execute(q):
            login = Login(r.customer_id, rec.utc(r.occurred_at) or lo, r.ip, r.country)
            if (login.customer_id, login.occurred_at, login.ip) in wanted:
                out[key_of(RecordKind.LOGINS, login)] = login
    return out


# -- replacing stored records ------------------------------------------------------------------------------


def _check_updates(
    conn: Connection, kind: RecordKind, updates: list[tuple[int, Any]], errors: list[InvalidRow]
) -> None:
    """A replaced customer's owners must be customers, as in a file."""
    if kind is not RecordKind.CUSTOMERS:
        return
    named = {o.customer_id for _, c in updates for o in c.owners if o.customer_id}
    present = _existing(conn, CustomerRow.id, named)
    for i, c in updates:
        for n, o in enumerate(c.owners):
            if o.customer_id and o.customer_id not in present:
                reason = f"customer {o.customer_id!r} is not in the registry"
                errors.append(InvalidRow(ORIGIN, i, f"owners[{n}].customer_id", reason))
                break


def _apply_updates(conn: Connection, kind: RecordKind, values: list[Any]) -> None:
    if not values:
        return
    if kind is RecordKind.CUSTOMERS:
        _replace_customers(conn, values)
    elif kind is RecordKind.ACCOUNTS:
        for a in values:
            conn.execute(update(AccountRow).where(AccountRow.id == a.id).values(status=a.status))
            conn.execute(delete(BalanceRow).where(BalanceRow.account_id == a.id))
        write(conn, {"balances": [(a.id, asset, amt) for a in values for asset, amt in a.balances.items()]})


def _replace_customers(conn: Connection, customers: list[Customer]) -> None:
    """The stored customers' facts replaced by ``customers``' (the row kept: accounts and transactions hang
    on it); ``recorded_at`` stamped, so an incremental screening run sees the change."""
    ids = [c.id for c in customers]
    for table in _CHILD_TABLES:
        conn.execute(delete(table).where(table.customer_id.in_(ids)))
    rows = customer_rows(customers)
    now = utcnow()
    for c, row in zip(customers, rows.pop("customers"), strict=True):
        values = dict(
            zip(
                ("type", "birth_date", "gender", "residence", "established", "kyc_status"),
                row[1:7],
                strict=True,
            )
        )
        stamps = {"created_at": c.created_at} if c.created_at else {}
        conn.execute(
            update(CustomerRow)
            .where(CustomerRow.id == c.id)
            .values(**values, **stamps, updated_at=c.updated_at or now, recorded_at=now)
        )
    write(conn, rows)


# -- Idempotency-Key answers -------------------------------------------------------------------------------

KEY_TTL = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """The answer a keyed call got, and what identifies the call: its route and the SHA-256 of its body."""

    route: str
    body_sha256: str
    status: int
    response: str


def recall_answer(conn: Connection, owner: str, key: str) -> KeptAnswer | None:
    """The answer kept for ``owner``'s ``key``, if it has not expired (expired keys are deleted here)."""
    conn.execute(delete(IngestKeyRow).where(IngestKeyRow.expires_at < utcnow()))
    row = conn.execute(
        select(IngestKeyRow).where(IngestKeyRow.owner == owner, IngestKeyRow.key == key)
    ).first()
    if row is None:
        return None
    return KeptAnswer(row.route, row.body_sha256, row.status, row.response)


def keep_answer(conn: Connection, owner: str, key: str, answer: KeptAnswer) -> None:
    """Keep ``answer`` for 24 hours; a key kept already (a concurrent retry) raises ``IntegrityError``."""
    now = utcnow()
    conn.execute(
        insert(IngestKeyRow).values(
            owner=owner,
            key=key,
            route=answer.route,
            body_sha256=answer.body_sha256,
            status=answer.status,
            response=answer.response,
            created_at=now,
            expires_at=now + KEY_TTL,
        )
    )
