"""Bulk writing of registry rows inside a caller's transaction: PostgreSQL ``COPY``, SQLite ``executemany``.

Rows are tuples in the order of ``columns``. Values are Python values (``Decimal``, aware UTC ``datetime``,
``date``, ``bool``); on SQLite they pass through the column types' own bind processors, so what lands on
disk is byte-for-byte what the ORM would have written (canonical decimal text, SQLAlchemy's datetime text).
Autoincrement ids are left to the database (omit the column).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table


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
    dialect = conn.dialect
    processors: list[Callable[[Any], Any] | None] = []
    for name in columns:
        col_type = table.c[name].type
        processors.append(col_type.dialect_impl(dialect).bind_processor(dialect))
    # A TypeDecorator (Amount) is its own dialect impl's owner: its bind_processor wraps process_bind_param.
    for i, name in enumerate(columns):
        col_type = table.c[name].type
        if hasattr(col_type, "process_bind_param"):
            processors[i] = col_type.bind_processor(dialect)
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'

    def processed() -> Iterable[Sequence[Any]]:
        for row in rows:
            if active:
                out = list(row)
                for i, p in active:
                    if out[i] is not None:
                        out[i] = p(out[i])
                yield out
            else:
                yield row

    raw = conn.connection.driver_connection
    assert raw is not None
    cur = raw.cursor()
    try:
        cur.executemany(sql, processed())
        return int(cur.rowcount) if cur.rowcount >= 0 else 0
    finally:
        cur.close()
