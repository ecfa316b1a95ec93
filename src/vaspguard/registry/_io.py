"""Import and export of registry files: CSV, JSON Lines and Parquet, one record kind per file.

Import is all or nothing: every row is checked (fields, duplicates, references to customers and accounts
already in the database or earlier in the file) and written in ONE transaction; the first bad row (lowest
row number) aborts it with ``InvalidRow(path, row, field, reason)`` and nothing is written. With
``skip_invalid`` the good rows are written and every bad one is reported.

Row numbers are what a person finds in the file: the line number for CSV (the header is line 1) and JSON
Lines, the 1-based record number for Parquet.
"""

from __future__ import annotations

import csv
import enum
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, any_, bindparam, delete, select
from sqlalchemy.dialects.postgresql import ARRAY

from vaspguard._csv import records
from vaspguard.errors import InputError, InvalidFile, InvalidRequest, InvalidRow
from vaspguard.registry import _records as rec
from vaspguard.registry._model import Account, Customer, Login, Price, Product, Transaction
from vaspguard.registry._records import LAYOUTS, PARSERS, RecordKind
from vaspguard.registry._rows import (
    account_rows,
    customer_rows,
    login_rows,
    owner_rows,
    price_rows,
    transaction_rows,
    write,
)
from vaspguard.registry._store import Registry, _transaction
from vaspguard.registry._tables import (
    AccountRow,
    BalanceRow,
    CustomerRow,
    LoginRow,
    PriceRow,
    TransactionRow,
)
from vaspguard.registry._validate import FieldError
from vaspguard.store import Store

ALREADY_STORED = "already in the registry"
GIVEN_TWICE = "given twice in this file"
CHUNK = 5000  # records checked and written together; bounds memory, not atomicity
_LOOKUP = 900  # ids per IN (...) query, below SQLite's historic 999-variable limit


class FileFormat(enum.StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


_SUFFIXES = {".csv": FileFormat.CSV, ".jsonl": FileFormat.JSONL, ".ndjson": FileFormat.JSONL}
_SUFFIXES |= {".parquet": FileFormat.PARQUET, ".pq": FileFormat.PARQUET}


@dataclass(frozen=True)
class ImportReport:
    """What one import did. ``skipped`` lists every row left out under ``skip_invalid``."""

    path: str
    kind: RecordKind
    format: FileFormat
    read: int
    imported: int
    skipped: tuple[InvalidRow, ...] = field(default=())


def detect_format(path: Path, fmt: FileFormat | str | None) -> FileFormat:
    if fmt:
        try:
            return FileFormat(str(fmt).lower())
        except ValueError:
            raise InvalidRequest("format", f"{fmt!r} is not one of {', '.join(FileFormat)}") from None
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise InvalidFile(path, "cannot tell the format from the file name; give --format csv|jsonl|parquet")
    return found


def detect_kind(path: Path, kind: RecordKind | str | None) -> RecordKind:
    """``--kind``, or the one kind the file name names (``customers.csv``, ``2025_transactions.jsonl``)."""
    if kind:
        try:
            return RecordKind(str(kind).lower())
        except ValueError:
            raise InvalidRequest("kind", f"{kind!r} is not one of {', '.join(RecordKind)}") from None
    words = set(re.split(r"[^a-z]+", path.name.lower()))
    found = [k for k in RecordKind if k.value in words]
    if len(found) == 1:
        return found[0]
    raise InvalidFile(
        path, f"cannot tell the record kind from the file name; give --kind ({', '.join(RecordKind)})"
    )


# -- reading files ------------------------------------------------------------------------------------------


def _check_columns(path: Path, kind: RecordKind, columns: Sequence[str]) -> None:
    layout = LAYOUTS[kind]
    unknown = [c for c in columns if c not in layout.fields]
    if unknown:
        raise InvalidFile(
            path, f"unknown column {unknown[0]!r} for {kind}; columns: {', '.join(layout.fields)}"
        )
    missing = sorted(layout.required - set(columns))
    if missing:
        raise InvalidFile(path, f"missing column {missing[0]!r} for {kind}")
    dupes = {c for c in columns if list(columns).count(c) > 1}
    if dupes:
        raise InvalidFile(path, f"column {sorted(dupes)[0]!r} appears twice")


def _read_csv(path: Path, kind: RecordKind) -> Iterator[tuple[int, dict[str, Any] | FieldError]]:
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise InvalidFile(path, "empty file: no header row") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidFile(path, f"unreadable header: {exc}") from None
        header = [h.strip() for h in header]
        _check_columns(path, kind, header)
        for start, values in records(path, reader):
            if len(values) != len(header):
                yield start, FieldError("(row)", f"{len(values)} fields, the header has {len(header)}")
                continue
            yield start, dict(zip(header, values, strict=True))


def _read_jsonl(path: Path, kind: RecordKind) -> Iterator[tuple[int, dict[str, Any] | FieldError]]:
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                raise InvalidRow(path, n, "(line)", f"not UTF-8: {exc.reason}") from None
            if not line:
                continue
            try:
                obj = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                yield n, FieldError("(line)", f"not valid JSON: {exc.msg} at character {exc.pos}")
                continue
            if not isinstance(obj, dict):
                yield n, FieldError("(line)", "not a JSON object")
                continue
            unknown = _unknown_field(obj, kind)
            if unknown is not None:
                yield n, unknown
                continue
            yield n, obj


def _unknown_field(obj: Mapping[str, Any], kind: RecordKind) -> FieldError | None:
    """The first field of a record object that its kind does not have."""
    layout = LAYOUTS[kind]
    unknown = [k for k in obj if k not in layout.fields]
    if unknown:
        return FieldError(unknown[0], f"unknown field for {kind}; fields: {', '.join(layout.fields)}")
    return None


def _read_parquet(path: Path, kind: RecordKind) -> Iterator[tuple[int, dict[str, Any] | FieldError]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidFile(path, f"not a readable Parquet file: {exc}") from None
    _check_columns(path, kind, pf.schema_arrow.names)
    n = 0
    try:
        for batch in pf.iter_batches(batch_size=CHUNK):
            for row in batch.to_pylist():
                n += 1
                yield n, row
    except pa.ArrowException as exc:
        raise InvalidFile(path, f"Parquet data unreadable after record {n}: {exc}") from None


_READERS: dict[
    FileFormat, Callable[[Path, RecordKind], Iterator[tuple[int, dict[str, Any] | FieldError]]]
] = {
    FileFormat.CSV: _read_csv,
    FileFormat.JSONL: _read_jsonl,
    FileFormat.PARQUET: _read_parquet,
}


def read_records(path: Path, kind: RecordKind, fmt: FileFormat) -> Iterator[tuple[int, Any | FieldError]]:
    """Each record of the file, parsed: ``(row, value)`` or ``(row, FieldError)``. No database involved."""
    for row, raw in _READERS[fmt](path, kind):
        if isinstance(raw, FieldError):
            yield row, raw
            continue
        try:
            yield row, PARSERS[kind](raw)
        except FieldError as err:
            yield row, err


# -- importing ----------------------------------------------------------------------------------------------


def key_batches(conn: Connection, column: Any, keys: Iterable[str]) -> Iterator[Any]:
    """``WHERE`` clauses matching ``column`` to ``keys``: on PostgreSQL one ``= ANY(array)`` with a single
    parameter (a 900-item ``IN`` list costs psycopg more to prepare than the query costs to run), on SQLite
    ``IN`` lists of at most ``_LOOKUP`` (its historic variable limit)."""
    keys = list(keys)
    if not keys:
        return
    if conn.dialect.name == "postgresql":
        yield column == any_(bindparam("keys", keys, type_=ARRAY(column.type)))
        return
    for i in range(0, len(keys), _LOOKUP):
        yield column.in_(keys[i : i + _LOOKUP])


def _existing(conn: Connection, column: Any, keys: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for where in key_batches(conn, column, keys):
        found.update(conn.execute(select(column).where(where)).scalars())
    return found


class _Importer:
    """Checks references and duplicates for one file and writes its good rows, chunk by chunk."""

    def __init__(self, conn: Connection, path: Path | str, kind: RecordKind, skip_invalid: bool) -> None:
        self.conn, self.path, self.kind, self.skip = conn, path, kind, skip_invalid
        self.seen: set[Any] = set()  # keys of this kind already accepted from the file
        self.skipped: list[InvalidRow] = []
        self.imported = 0
        self.pending_owners: list[tuple[int, Customer]] = []
        self.account_owner: dict[str, str] = {}

    def bad(self, row: int, fld: str, reason: str) -> InvalidRow:
        return InvalidRow(self.path, row, fld, reason)

    def chunk(self, items: list[tuple[int, Any | FieldError]]) -> None:
        good, errors = self.check(items)
        if errors:
            if not self.skip:
                raise errors[0]
            self.skipped.extend(errors)
        self.accept(good)

    def check(
        self, items: list[tuple[int, Any | FieldError]]
    ) -> tuple[list[tuple[int, Any]], list[InvalidRow]]:
        """(the good records, every bad one in row order): fields, duplicates and references."""
        errors: list[InvalidRow] = []
        good: list[tuple[int, Any]] = []
        for row, item in items:
            if isinstance(item, FieldError):
                errors.append(self.bad(row, item.field, item.reason))
            else:
                good.append((row, item))
        good, ref_errors = self.check_references(good)
        errors.extend(ref_errors)
        errors.sort(key=lambda e: e.row)
        return good, errors

    def accept(self, good: list[tuple[int, Any]]) -> None:
        """Write checked records (a customer's owners wait for ``finish``)."""
        self.write([x for _, x in good])
        if self.kind is RecordKind.CUSTOMERS:
            self.pending_owners.extend((row, c) for row, c in good if c.owners)

    def key(self, item: Any) -> Any:
        if self.kind is RecordKind.PRICES:
            return (item.asset, item.day)
        return getattr(item, "id", None)

    def check_references(self, good: list[tuple[int, Any]]) -> tuple[list[tuple[int, Any]], list[InvalidRow]]:
        errors: list[InvalidRow] = []
        if self.kind is not RecordKind.LOGINS:
            good = self.drop_duplicates(good, errors)
        # references to customers (and accounts) that must already be in the registry
        refs: dict[str, set[str]] = {"customer": set(), "account": set()}
        for _, x in good:
            refs["customer"].update(self.customer_refs(x))
            if isinstance(x, Transaction) and x.account_id:
                refs["account"].add(x.account_id)
        customers = _existing(self.conn, CustomerRow.id, refs["customer"])
        accounts_needed = refs["account"] - self.account_owner.keys()
        for where in key_batches(self.conn, AccountRow.id, accounts_needed):
            for r in self.conn.execute(select(AccountRow.id, AccountRow.customer_id).where(where)):
                self.account_owner[r.id] = r.customer_id
        kept = []
        for row, x in good:
            problem = self.reference_problem(x, customers)
            if problem:
                errors.append(self.bad(row, *problem))
                if self.key(x) is not None:
                    self.seen.discard(self.key(x))
            else:
                kept.append((row, x))
        return kept, errors

    def drop_duplicates(self, good: list[tuple[int, Any]], errors: list[InvalidRow]) -> list[tuple[int, Any]]:
        """``good`` without the records already in the database or earlier in this file (each one reported in
        ``errors``)."""
        kind = self.kind
        in_db: set[Any] = set()
        keys = [self.key(x) for _, x in good]
        if kind is RecordKind.PRICES:
            assets = {a for a, _ in keys}
            days = {d for _, d in keys}
            if assets:
                q = select(PriceRow.asset, PriceRow.day).where(
                    PriceRow.asset.in_(assets), PriceRow.day.in_(days)
                )
                in_db = {(r.asset, r.day) for r in self.conn.execute(q)}
        else:
            column = {
                RecordKind.CUSTOMERS: CustomerRow.id,
                RecordKind.ACCOUNTS: AccountRow.id,
                RecordKind.TRANSACTIONS: TransactionRow.id,
            }[kind]
            in_db = _existing(self.conn, column, keys)
        kept = []
        for (row, x), k in zip(good, keys, strict=True):
            if k in in_db:
                errors.append(self.bad(row, "id" if kind is not RecordKind.PRICES else "day", ALREADY_STORED))
            elif k in self.seen:
                errors.append(self.bad(row, "id" if kind is not RecordKind.PRICES else "day", GIVEN_TWICE))
            else:
                self.seen.add(k)
                kept.append((row, x))
        return kept

    def customer_refs(self, x: Any) -> set[str]:
        if self.kind is RecordKind.CUSTOMERS:
            return set()  # owners are checked once the whole file is in (they may point forward)
        refs = {x.customer_id} if getattr(x, "customer_id", None) else set()
        if isinstance(x, Transaction) and x.counterparty_customer_id:
            refs.add(x.counterparty_customer_id)
        return refs

    def reference_problem(self, x: Any, customers: set[str]) -> tuple[str, str] | None:
        if self.kind in (RecordKind.CUSTOMERS, RecordKind.PRICES):
            return None
        if x.customer_id not in customers:
            return "customer_id", f"customer {x.customer_id!r} is not in the registry"
        if isinstance(x, Transaction):
            if x.counterparty_customer_id and x.counterparty_customer_id not in customers:
                return (
                    "counterparty_customer_id",
                    f"customer {x.counterparty_customer_id!r} is not in the registry",
                )
            if x.account_id:
                holder = self.account_owner.get(x.account_id)
                if holder is None:
                    return "account_id", f"account {x.account_id!r} is not in the registry"
                if holder != x.customer_id:
                    return "account_id", f"account {x.account_id!r} belongs to customer {holder!r}"
        return None

    def write(self, items: list[Any]) -> None:
        if not items:
            return
        builders: dict[RecordKind, Callable[[list[Any]], Any]] = {
            RecordKind.CUSTOMERS: lambda xs: customer_rows(xs, owners=False),
            RecordKind.ACCOUNTS: account_rows,
            RecordKind.TRANSACTIONS: transaction_rows,
            RecordKind.LOGINS: login_rows,
            RecordKind.PRICES: price_rows,
        }
        write(self.conn, builders[self.kind](items))
        self.imported += len(items)

    def finish(self) -> None:
        """Owners may name customers further down the file: check and write them once all are in."""
        pending = self.pending_owners
        while pending:
            named = {o.customer_id for _, c in pending for o in c.owners if o.customer_id}
            present = _existing(self.conn, CustomerRow.id, named)
            bad = []
            for row, c in pending:
                for i, o in enumerate(c.owners):
                    if o.customer_id and o.customer_id not in present:
                        bad.append(
                            self.bad(
                                row,
                                f"owners[{i}].customer_id",
                                f"customer {o.customer_id!r} is not in the registry",
                            )
                        )
                        break
            if not bad:
                break
            bad.sort(key=lambda e: e.row)
            if not self.skip:
                raise bad[0]
            # Skipping a customer can orphan owners pointing at it: drop and re-check until stable.
            dropped = {e.row for e in bad}
            ids = [c.id for row, c in pending if row in dropped]
            self.conn.execute(delete(CustomerRow).where(CustomerRow.id.in_(ids)))
            self.skipped.extend(bad)
            self.imported -= len(ids)
            pending = [(row, c) for row, c in pending if row not in dropped]
        self.skipped.sort(key=lambda e: e.row)
        if pending:
            write(self.conn, {"owners": owner_rows(c for _, c in pending)})


def import_file(
    store: Store,
    path: Path | str,
    *,
    kind: RecordKind | str | None = None,
    fmt: FileFormat | str | None = None,
    skip_invalid: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one file in one transaction (see the module docstring for what is checked)."""
    path = Path(path)
    if not path.is_file():
        raise InvalidFile(path, "no such file")
    fmt_ = detect_format(path, fmt)
    kind_ = detect_kind(path, kind)
    read = 0
    # Reading and parsing chunk k+1 (this thread) overlaps checking and writing chunk k (one writer thread,
    # the only one touching the connection). Errors still come out in row order: a chunk's check sorts its
    # own errors, and a writer error (lower rows) is raised before anything found later in the file.
    with store.connect() as conn, ThreadPoolExecutor(1, thread_name_prefix="import-writer") as writer:
        importer = _Importer(conn, path, kind_, skip_invalid)
        pending: Future[None] | None = None
        batch: list[tuple[int, Any]] = []
        try:
            for item in read_records(path, kind_, fmt_):
                batch.append(item)
                read += 1
                if len(batch) >= CHUNK:
                    if pending is not None:
                        pending.result()
                    pending = writer.submit(importer.chunk, batch)
                    batch = []
                    if on_progress:
                        on_progress(read)
        except InputError:
            if pending is not None:
                pending.result()
            raise
        if pending is not None:
            pending.result()
        if batch:
            importer.chunk(batch)
        importer.finish()
        if on_progress:
            on_progress(read)
    return ImportReport(str(path), kind_, fmt_, read, importer.imported, tuple(importer.skipped))


# -- exporting ----------------------------------------------------------------------------------------------


def _records(store: Store, kind: RecordKind) -> Iterator[dict[str, Any]]:
    reg = Registry(store)
    if kind is RecordKind.CUSTOMERS:
        for c in reg.iter_customers(batch_size=CHUNK):
            yield rec.customer_record(c)
        return
    if kind is RecordKind.ACCOUNTS:
        yield from _paged_accounts(store)
        return
    table: Any = {
        RecordKind.TRANSACTIONS: TransactionRow,
        RecordKind.LOGINS: LoginRow,
        RecordKind.PRICES: PriceRow,
    }[kind]
    order = {
        RecordKind.TRANSACTIONS: (TransactionRow.id,),
        RecordKind.LOGINS: (LoginRow.id,),
        RecordKind.PRICES: (PriceRow.asset, PriceRow.day),
    }[kind]
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(
            select(table).order_by(*order)
        )
        for r in result:
            if kind is RecordKind.TRANSACTIONS:
                yield rec.transaction_record(_transaction(r))
            elif kind is RecordKind.LOGINS:
                yield rec.login_record(Login(r.customer_id, r.occurred_at, r.ip, r.country))
            else:
                yield rec.price_record(Price(r.asset, r.day, r.eur))


def _paged_accounts(store: Store) -> Iterator[dict[str, Any]]:
    last: str | None = None
    while True:
        with store.connect() as conn:
            q = select(AccountRow).order_by(AccountRow.id).limit(CHUNK)
            if last is not None:
                q = q.where(AccountRow.id > last)
            accs = conn.execute(q).all()
            if not accs:
                return
            balances: dict[str, dict[str, Decimal]] = {a.id: {} for a in accs}
            for b in conn.execute(select(BalanceRow).where(BalanceRow.account_id.in_(list(balances)))):
                balances[b.account_id][b.asset] = b.amount
        for a in accs:
            yield rec.account_record(
                Account(a.id, a.customer_id, Product(a.product), a.opened_at, a.status, balances[a.id])
            )
        last = accs[-1].id


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_value(x) for k, x in value.items()}
    if isinstance(value, list):
        return [_json_value(x) for x in value]
    return value


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "nationalities":
        return " ".join(value)
    if isinstance(value, list | dict):
        return json.dumps(_json_value(value), ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_json_value(value))


# Parquet metadata: when the export started (UTC, ISO 8601). A batch job over the export records it, so the
# screening run it leads to starts there: a record changed after it is screened by the next run.
EXPORTED_AT = "vaspguard.exported_at"


def _exported_schema(kind: RecordKind) -> Any:
    from datetime import UTC, datetime

    return _arrow_schema(kind).with_metadata({EXPORTED_AT: datetime.now(UTC).isoformat()})


def _arrow_schema(kind: RecordKind) -> Any:
    import pyarrow as pa

    s, d, ts, amt = pa.string(), pa.date32(), pa.timestamp("us", tz="UTC"), pa.decimal128(38, 18)
    validity = [("country", s), ("kind", s), ("valid_from", d), ("valid_until", d)]
    schemas = {
        RecordKind.CUSTOMERS: [
            ("id", s),
            ("type", s),
            ("names", pa.list_(pa.struct([("name", s), ("script", s), ("kind", s)]))),
            ("nationalities", pa.list_(s)),
            ("residence", s),
            ("established", s),
            ("birth_date", s),
            ("gender", s),
            ("kyc_status", s),
            ("residence_permits", pa.list_(pa.struct(validity))),
            ("visas", pa.list_(pa.struct(validity))),
            ("permit_applications", pa.list_(pa.struct([("country", s), ("filed_on", d), ("status", s)]))),
            (
                "owners",
                pa.list_(
                    pa.struct(
                        [
                            ("name", s),
                            ("type", s),
                            ("customer_id", s),
                            ("nationalities", pa.list_(s)),
                            ("residence", s),
                            ("established", s),
                            ("share", amt),
                            ("control", pa.bool_()),
                        ]
                    )
                ),
            ),
            ("contacts", pa.list_(pa.struct([("kind", s), ("value", s)]))),
            ("created_at", ts),
            ("updated_at", ts),
        ],
        RecordKind.ACCOUNTS: [
            ("id", s),
            ("customer_id", s),
            ("product", s),
            ("opened_at", ts),
            ("status", s),
            ("balances", pa.list_(pa.struct([("asset", s), ("amount", amt)]))),
        ],
        RecordKind.TRANSACTIONS: [
            ("id", s),
            ("customer_id", s),
            ("account_id", s),
            ("kind", s),
            ("occurred_at", ts),
            ("asset", s),
            ("amount", amt),
            ("chain", s),
            ("address", s),
            ("tx_hash", s),
            ("counter_asset", s),
            ("counter_amount", amt),
            ("counterparty_customer_id", s),
        ],
        RecordKind.LOGINS: [("customer_id", s), ("occurred_at", ts), ("ip", s), ("country", s)],
        RecordKind.PRICES: [("asset", s), ("day", d), ("eur", amt)],
    }
    return pa.schema(schemas[kind])


def _write_csv(fh: IO[str], kind: RecordKind, records: Iterable[dict[str, Any]]) -> int:
    fields = LAYOUTS[kind].fields
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(fields)
    n = 0
    for r in records:
        writer.writerow([_csv_cell(f, r[f]) for f in fields])
        n += 1
    return n


def _write_jsonl(fh: IO[str], records: Iterable[dict[str, Any]]) -> int:
    n = 0
    for r in records:
        fh.write(json.dumps(_json_value(r), ensure_ascii=False, separators=(",", ":")) + "\n")
        n += 1
    return n


def _write_parquet(path: Path, kind: RecordKind, records: Iterable[dict[str, Any]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _exported_schema(kind)
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for r in records:
            if kind is RecordKind.ACCOUNTS:
                r = {**r, "balances": [{"asset": k, "amount": x} for k, x in r["balances"].items()]}
            batch.append(r)
            if len(batch) >= CHUNK:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n


def export_file(
    store: Store,
    kind: RecordKind | str,
    path: Path | str,
    *,
    fmt: FileFormat | str | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write every record of ``kind`` to ``path`` in a stable order; returns the number written.

    The file is written beside ``path`` and renamed into place, so a failed export leaves no partial file.
    """
    path = Path(path)
    kind_ = detect_kind(path, kind)
    fmt_ = detect_format(path, fmt)
    records: Iterable[dict[str, Any]] = _records(store, kind_)
    if on_progress is not None:
        records = _counting(records, on_progress)
    tmp = path.with_name(path.name + ".partial")
    try:
        if fmt_ is FileFormat.PARQUET:
            n = _write_parquet(tmp, kind_, records)
        else:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                n = _write_csv(fh, kind_, records) if fmt_ is FileFormat.CSV else _write_jsonl(fh, records)
        tmp.replace(path)
    except OSError as exc:
        raise InvalidFile(path, f"cannot write: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return n


# Partition keys computed from a record rather than read from one of its columns.
_TIME_COLUMN = {
    RecordKind.CUSTOMERS: "created_at",
    RecordKind.ACCOUNTS: "opened_at",
    RecordKind.TRANSACTIONS: "occurred_at",
    RecordKind.LOGINS: "occurred_at",
    RecordKind.PRICES: "day",
}
BUCKETS = 16  # ``bucket``: customers spread over this many directories by a stable hash of their id


def partition_keys(kind: RecordKind | str) -> tuple[str, ...]:
    """What ``export_dataset`` can partition ``kind`` by: ``month`` (YYYY-MM of its time column), ``bucket``
    (of the customer id: customers, accounts, transactions and logins of one customer share a bucket) and
    the kind's own text columns (``residence``, ``kind``, ``asset`` ...)."""
    import pyarrow as pa

    kind = RecordKind(kind)
    derived = ("month",) if kind is RecordKind.PRICES else ("month", "bucket")
    own = tuple(f.name for f in _arrow_schema(kind) if f.type == pa.string() and f.name not in ("id",))
    return derived + own


def _bucket(customer_id: str) -> str:
    import zlib

    return f"{zlib.crc32(customer_id.encode()) % BUCKETS:02d}"


def _with_keys(kind: RecordKind, r: dict[str, Any], derived: Sequence[str]) -> dict[str, Any]:
    out = dict(r)
    if "month" in derived:
        when = r[_TIME_COLUMN[kind]]
        out["month"] = None if when is None else f"{when:%Y-%m}"
    if "bucket" in derived:
        out["bucket"] = _bucket(r["id"] if kind is RecordKind.CUSTOMERS else r["customer_id"])
    return out


def _check_partitioning(kind: RecordKind, partition_by: Sequence[str], directory: Path) -> None:
    allowed = partition_keys(kind)
    if not partition_by:
        raise InvalidRequest(
            "partition-by", f"name a key; {kind} can be partitioned by: {', '.join(allowed)}"
        )
    for key in partition_by:
        if key not in allowed or list(partition_by).count(key) > 1:
            raise InvalidRequest(
                "partition-by", f"{key!r} cannot partition {kind} (once each): {', '.join(allowed)}"
            )
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidFile(directory, "exists and is not empty: a partitioned export writes a new directory")


def export_dataset(
    store: Store,
    kind: RecordKind | str,
    directory: Path | str,
    *,
    partition_by: Sequence[str],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write every record of ``kind`` as a Parquet dataset partitioned Hive-style (``month=2026-01/``,
    ``residence=DE/``; a missing value under ``__HIVE_DEFAULT_PARTITION__``), as Spark, DuckDB and pyarrow
    read it. A partition column lives in the directory names, not in the files. ``directory`` must be new
    or empty; the dataset is written beside it and renamed into place. Returns the number written."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    directory = Path(directory)
    kind_ = detect_kind(directory, kind)
    _check_partitioning(kind_, partition_by, directory)
    derived = [k for k in partition_by if k in ("month", "bucket")]
    schema = _exported_schema(kind_)
    for key in derived:
        schema = schema.append(pa.field(key, pa.string()))
    partitioning = ds.partitioning(pa.schema([schema.field(k) for k in partition_by]), flavor="hive")
    records: Iterable[dict[str, Any]] = _records(store, kind_)
    if on_progress is not None:
        records = _counting(records, on_progress)
    tmp = directory.with_name(directory.name + ".partial")
    n = parts = 0

    def write(batch: list[dict[str, Any]]) -> None:
        nonlocal n, parts
        table = pa.Table.from_pylist(batch, schema=schema)
        ds.write_dataset(
            table,
            tmp,
            format="parquet",
            partitioning=partitioning,
            basename_template=f"part-{parts:05d}-{{i}}.parquet",
            existing_data_behavior="overwrite_or_ignore",
        )
        n += len(batch)
        parts += 1

    try:
        tmp.mkdir(parents=True, exist_ok=False)
        batch: list[dict[str, Any]] = []
        for r in records:
            if kind_ is RecordKind.ACCOUNTS:
                r = {**r, "balances": [{"asset": k, "amount": x} for k, x in r["balances"].items()]}
            batch.append(_with_keys(kind_, r, derived))
            if len(batch) >= CHUNK:
                write(batch)
                batch = []
        if batch:
            write(batch)
        if directory.exists():
            directory.rmdir()
        tmp.rename(directory)
    except OSError as exc:
        raise InvalidFile(directory, f"cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return n


def _counting(
    records: Iterable[dict[str, Any]], on_progress: Callable[[int], None]
) -> Iterator[dict[str, Any]]:
    n = 0
    for r in records:
        yield r
        n += 1
        if n % CHUNK == 0:
            on_progress(n)
    on_progress(n)


__all__ = [
    "FileFormat",
    "ImportReport",
    "RecordKind",
    "export_dataset",
    "export_file",
    "import_file",
    "partition_keys",
    "read_records",
]
