"""Bulk writing of registry rows inside a caller's transaction: PostgreSQL ``COPY``, SQLite ``executemany``.

Rows are tuples in the order of ``columns``. Values are Python values (``Decimal``, aware UTC ``datetime``,
``date``, ``bool``); on SQLite they pass through the column types' own bind processors, so what lands on
disk is byte-for-byte what the ORM would have written (canonical decimal text, SQLAlchemy's datetime text).
Autoincrement ids are left to the database (omit the column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Connection, Date, DateTime, Table

from vaspguard.store import Amount


def write_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Append ``rows`` to ``table`` within ``conn``'s transaction; returns the number written."""
    if conn.dialect.name == "postgresql":
        return _copy(conn, table, columns, rows)
    return _executemany(conn, table, columns, rows)


def _copy(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    raw = conn.connection.driver_connection
    assert raw is not None
    n = 0
    cols = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _executemany(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    converters = [_sqlite_converter(table.c[name].type, conn) for name in columns]
    active = [(i, f) for i, f in enumerate(converters) if f is not None]
    sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'

    def converted() -> Iterable[Sequence[Any]]:
        for row in rows:
            out = list(row)
            for i, f in active:
                if out[i] is not None:
                    out[i] = f(out[i])
            yield out

    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()
    try:
        cur.executemany(sql, converted() if active else rows)
        return int(cur.rowcount) if cur.rowcount >= 0 else 0
    finally:
        cur.close()


def _sqlite_converter(col_type: Any, conn: Connection) -> Callable[[Any], Any] | None:
    """What SQLAlchemy would store for a value of this column on SQLite, computed without its machinery
    for the common types (the same text, at a fraction of the cost); other types use its bind processor."""
    if isinstance(col_type, Amount):
        return _amount_text
    if isinstance(col_type, DateTime):
        return _datetime_text
    if isinstance(col_type, Date):
        return _date_text
    if isinstance(col_type, Boolean):
        return int
    processor: Callable[[Any], Any] | None = col_type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return processor


def _amount_text(value: Decimal) -> str:
    # as Amount.process_bind_param: integral values normalised ("100"), others kept as given ("0.50")
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def _datetime_text(value: datetime) -> str:
    # SQLAlchemy's SQLite DATETIME text, of the UTC wall-clock time (the column has no zone on SQLite)
    if value.tzinfo is not None and value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _date_text(value: date) -> str:
    return value.isoformat()
