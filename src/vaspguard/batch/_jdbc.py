"""The registry straight from PostgreSQL over JDBC, for the Spark engine: the tables read in partitioned
JDBC reads and grouped back in Spark into exactly the nested layout of the Parquet export, so the rest of
each job does not know where its registry came from.

One snapshot: the driver opens a REPEATABLE READ transaction on the database, exports its snapshot
(``pg_export_snapshot``) and keeps the transaction open while the job reads; every JDBC connection Spark
opens imports it (``SET TRANSACTION SNAPSHOT``) before it reads, so all tables and all partitions see the
registry as of one instant, and ``as_of`` (the transaction's start, never later than the snapshot) is the
job's ``registry_as_of``.

Partitions: every table is split into the same ranges of customer id (the bounds are quantiles of
``customers.id`` taken in the snapshot), one JDBC query per range, each served by the customer id index
every table has. The password never appears in the URL, the manifest or a log: it is read from
``PGPASSWORD`` or a file and handed to the driver as a connection property.
"""

from __future__ import annotations

import glob
import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from vaspguard.errors import InvalidRequest, Refused

PREFIX = "jdbc:postgresql://"
JARS_ENV = "VASPGUARD_SPARK_JARS"
# Where the PostgreSQL JDBC driver is found when neither --jars nor VASPGUARD_SPARK_JARS names it: Debian's
# libpostgresql-jdbc-java, then a local Maven repository.
DEFAULT_JARS = (
    "/usr/share/java/postgresql.jar",
    "~/.m2/repository/org/postgresql/postgresql/*/postgresql-*.jar",
)

# Each kind's rows as one query; ``customer_id`` is the column every read is partitioned by.
_TABLES = {
    "customers": "SELECT id AS customer_id, id, type, residence, established, birth_date, gender, "
    "kyc_status, created_at, updated_at FROM customers",
    "transactions": "SELECT id, customer_id, account_id, kind, occurred_at, asset, amount, chain, address, "
    "tx_hash, counter_asset, counter_amount, counterparty_customer_id FROM transactions",
    "accounts": "SELECT id, customer_id, product, opened_at, status FROM accounts",
    "balances": "SELECT a.customer_id, b.account_id, b.asset, b.amount FROM balances b "
    "JOIN accounts a ON a.id = b.account_id",
    "customer_nationalities": "SELECT customer_id, country FROM customer_nationalities",
}

# The customers' lists, as the export nests them: (table, fields in the export's order). Items keep the
# order of the table's ``id``, as the store loads them.
_VALIDITY = ("country", "kind", "valid_from", "valid_until")
CHILDREN: dict[str, tuple[str, tuple[str, ...]]] = {
    "names": ("customer_names", ("name", "script", "kind")),
    "residence_permits": ("residence_permits", _VALIDITY),
    "visas": ("visas", _VALIDITY),
    "permit_applications": ("permit_applications", ("country", "filed_on", "status")),
    "owners": (
        "owners",
        (
            "name",
            "type",
            "owner_customer_id",
            "nationalities",
            "residence",
            "established",
            "share",
            "control",
        ),
    ),
    "contacts": ("customer_contacts", ("kind", "value")),
}


@dataclass(frozen=True, slots=True)
class Jdbc:
    """A PostgreSQL registry to read over JDBC: the URL (without a password), who connects, and how the
    reads are split."""

    url: str
    user: str | None
    password: str | None = field(repr=False)
    partitions: int = 8
    fetchsize: int = 10_000
    jars: tuple[str, ...] = ()


def is_jdbc(inputs: object) -> bool:
    return isinstance(inputs, Jdbc) or (isinstance(inputs, str) and inputs.startswith("jdbc:"))


def jdbc_source(
    url: str,
    *,
    password_file: Path | None = None,
    partitions: int = 8,
    fetchsize: int = 10_000,
    jars: str | None = None,
) -> Jdbc:
    """``url`` (``jdbc:postgresql://HOST[:PORT]/DATABASE[?user=NAME&...]``) as a source; the password
    from ``password_file`` or ``PGPASSWORD``, the user from the URL or ``PGUSER``."""
    if not url.startswith(PREFIX):
        raise InvalidRequest("inputs", f"{url!r} is not a jdbc:postgresql://HOST/DATABASE URL")
    parts = urlsplit(url[len("jdbc:") :])
    query = dict(parse_qsl(parts.query))
    if "password" in {k.lower() for k in query} or parts.password is not None:
        raise InvalidRequest(
            "inputs", "the JDBC URL carries a password: put it in PGPASSWORD or --jdbc-password-file"
        )
    if not parts.hostname or not parts.path.strip("/"):
        raise InvalidRequest("inputs", f"{url!r} names no host or database (jdbc:postgresql://HOST/DATABASE)")
    password = os.environ.get("PGPASSWORD")
    if password_file is not None:
        try:
            password = password_file.read_text().strip("\r\n")
        except OSError as exc:
            raise InvalidRequest("--jdbc-password-file", f"{password_file}: {exc.strerror}") from None
    user = query.get("user") or parts.username or os.environ.get("PGUSER")
    return Jdbc(url, user, password, partitions, fetchsize, driver_jars(jars))


def driver_jars(jars: str | None = None) -> tuple[str, ...]:
    """The jars Spark needs for JDBC: ``jars`` (comma-separated), else ``VASPGUARD_SPARK_JARS``, else the
    PostgreSQL driver where Debian or Maven put it."""
    given = jars or os.environ.get(JARS_ENV)
    if given:
        named = tuple(j.strip() for j in given.split(",") if j.strip())
        missing = [j for j in named if not Path(j).is_file()]
        if missing:
            raise Refused(f"{missing[0]}: no such jar (--jars / {JARS_ENV})")
        return named
    for pattern in DEFAULT_JARS:
        found = sorted(glob.glob(os.path.expanduser(pattern)))
        if found:
            return (found[-1],)
    raise Refused(
        "no PostgreSQL JDBC driver found: install it (apt-get install libpostgresql-jdbc-java) "
        f"or name its jar with --jars / {JARS_ENV}"
    )


def _conninfo(source: Jdbc) -> dict[str, Any]:
    parts = urlsplit(source.url[len("jdbc:") :])
    info: dict[str, Any] = {"host": parts.hostname, "dbname": parts.path.strip("/"), "connect_timeout": 5}
    info.update(port=parts.port or 5432, user=source.user, password=source.password)
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "options", "application_name"):
        value = dict(parse_qsl(parts.query)).get(key)
        if value is not None:
            info[key] = value
    return {k: v for k, v in info.items() if v is not None}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ranges(bounds: list[str]) -> list[str]:
    """Predicates on ``customer_id`` that split the ids at ``bounds`` (sorted, distinct): every id in
    exactly one of them."""
    if not bounds:
        return ["TRUE"]
    out = [f"customer_id < {_literal(bounds[0])}"]
    out += [
        f"customer_id >= {_literal(a)} AND customer_id < {_literal(b)}" for a, b in itertools.pairwise(bounds)
    ]
    return [*out, f"customer_id >= {_literal(bounds[-1])}"]


class Snapshot:
    """The registry in PostgreSQL as of one exported snapshot, held open while a job reads it."""

    def __init__(self, source: Jdbc, conn: Any, snapshot: str, as_of: Any, predicates: list[str]) -> None:
        self.source = source
        self.conn = conn
        self.snapshot = snapshot
        self.as_of = as_of
        self.predicates = predicates

    def properties(self) -> dict[str, str]:
        props = {
            "driver": "org.postgresql.Driver",
            # Rows stream in pages of this many (the driver's default reads a whole partition into memory);
            # a positive fetch size also makes Spark read in a transaction, which the snapshot needs.
            "fetchsize": str(self.source.fetchsize),
            # Every connection reads the driver's snapshot: all tables and partitions agree.
            "sessionInitStatement": "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; "
            f"SET TRANSACTION SNAPSHOT {_literal(self.snapshot)}",
        }
        if self.source.user is not None:
            props["user"] = self.source.user
        if self.source.password is not None:
            props["password"] = self.source.password
        return props

    def read(self, spark: Any, query: str) -> Any:
        """``query`` (which has a ``customer_id`` column) as a DataFrame, one partition per id range."""
        return spark.read.jdbc(
            self.source.url, f"({query}) AS q", predicates=self.predicates, properties=self.properties()
        )

    def prices_on(self, day: date) -> dict[str, Decimal]:
        """Each asset's latest EUR price on or before ``day``, in the snapshot."""
        rows = self.conn.execute(
            "SELECT DISTINCT ON (asset) asset, eur FROM prices WHERE day <= %s ORDER BY asset, day DESC",
            (day,),
        ).fetchall()
        return {asset: Decimal(eur) for asset, eur in rows}


@dataclass(frozen=True, slots=True)
class Table:
    """One kind of the registry in a snapshot: what a job reads where an export has a file."""

    snapshot: Snapshot
    kind: str


_REQUIRED = ("customers", "customer_names", "customer_nationalities", "accounts", "balances", "transactions")


def _one(conn: Any, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    row = conn.execute(sql, params).fetchone()
    assert row is not None  # an aggregate or a function call: always one row
    return tuple(row)


@contextmanager
def opened(source: Jdbc) -> Iterator[Snapshot]:
    """Connect, export a snapshot and split the customer ids; close when the job has read."""
    import psycopg

    redacted = source.url.split("?", 1)[0]
    try:
        conn = psycopg.connect(**_conninfo(source))
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise Refused(f"{redacted}: cannot connect: {first}") from None
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        # now() is when the transaction started: never later than the snapshot its first query takes.
        snapshot, as_of = _one(conn, "SELECT pg_export_snapshot(), now()")
        missing = [t for t in _REQUIRED if _one(conn, "SELECT to_regclass(%s)", (t,))[0] is None]
        if missing:
            raise Refused(
                f"{redacted}: no table {missing[0]!r}: not a vaspguard registry (vaspguard db migrate)"
            )
        fractions = [i / source.partitions for i in range(1, source.partitions)]
        # In the database's collation order, the order the predicates compare in: not re-sorted here.
        (bounds,) = _one(
            conn,
            "SELECT percentile_disc(%s::float8[]) WITHIN GROUP (ORDER BY id) FROM customers",
            (fractions,),
        )
        distinct = list(dict.fromkeys(b for b in bounds or () if b is not None))
        yield Snapshot(source, conn, snapshot, as_of, ranges(distinct))
    finally:
        conn.close()


def table(spark: Any, source: Table, columns: tuple[str, ...] | None = None) -> Any:
    """``source`` in the export's nested layout (``registry export --format parquet``); of the customers'
    lists only those in ``columns`` are read (all if None): each is a read and a join."""
    snap = source.snapshot
    if source.kind == "customers":
        return _customers(spark, snap, columns)
    if source.kind == "accounts":
        return _accounts(spark, snap)
    return snap.read(spark, _TABLES[source.kind])


def _ordered(spark: Any, snap: Snapshot, table_name: str, fields: tuple[str, ...], name: str) -> Any:
    """One row per customer (``_k``): ``table_name``'s rows of it, ordered by id, as a list of structs of
    ``fields`` named ``name``."""
    f = spark_functions()
    # An owner's own customer id is exported as ``customer_id``; the query's ``customer_id`` is the owned.
    read = ["owner_id" if x == "owner_customer_id" else x for x in fields]
    exported = ["customer_id" if x == "owner_customer_id" else x for x in fields]
    columns = ", ".join(f"{x} AS {r}" for x, r in zip(fields, read, strict=True))
    rows = snap.read(spark, f"SELECT customer_id, id AS _order, {columns} FROM {table_name}")
    if "nationalities" in fields:
        # Stored space-separated, exported as a list (``str.split``: no empty items).
        rows = rows.withColumn(
            "nationalities", f.filter(f.split(f.col("nationalities"), r"\s+"), lambda x: x != "")
        )
    items = f.array_sort(f.collect_list(f.struct("_order", *read)))
    as_struct = f.transform(
        items, lambda i: f.struct(*[i[r].alias(e) for r, e in zip(read, exported, strict=True)])
    )
    return rows.groupBy(f.col("customer_id").alias("_k")).agg(as_struct.alias(name))


def spark_functions() -> Any:
    import pyspark.sql.functions as f

    return f


# The export's types of the nested columns (``registry._arrow_schema``), in Spark's DDL.
_TYPES = {
    "names": "array<struct<name:string,script:string,kind:string>>",
    "nationalities": "array<string>",
    "residence_permits": "array<struct<country:string,kind:string,valid_from:date,valid_until:date>>",
    "visas": "array<struct<country:string,kind:string,valid_from:date,valid_until:date>>",
    "permit_applications": "array<struct<country:string,filed_on:date,status:string>>",
    "owners": "array<struct<name:string,type:string,customer_id:string,nationalities:array<string>,"
    "residence:string,established:string,share:decimal(38,18),control:boolean>>",
    "contacts": "array<struct<kind:string,value:string>>",
    "balances": "array<struct<asset:string,amount:decimal(38,18)>>",
}


def _nested(frame: Any, lists: dict[str, Any]) -> Any:
    """``frame`` with each of ``lists`` (one row per ``_k``, an ``id`` of ``frame``) joined as a column of
    the export's type; a row without items gets an empty list, as the export writes."""
    f = spark_functions()
    for name, grouped in lists.items():
        frame = frame.join(grouped, frame["id"] == grouped["_k"], "left")
        filled = f.coalesce(f.col(name), f.expr(f"CAST(array() AS {_TYPES[name]})")).cast(_TYPES[name])
        frame = frame.drop("_k").withColumn(name, filled)
    return frame


def _customers(spark: Any, snap: Snapshot, columns: tuple[str, ...] | None) -> Any:
    f = spark_functions()
    wanted = set(columns) if columns is not None else {"nationalities", *CHILDREN}
    base = snap.read(spark, _TABLES["customers"]).drop("customer_id")
    lists = {}
    if "nationalities" in wanted:
        lists["nationalities"] = (
            snap.read(spark, _TABLES["customer_nationalities"])
            .groupBy(f.col("customer_id").alias("_k"))
            .agg(f.array_sort(f.collect_list("country")).alias("nationalities"))
        )
    lists |= {n: _ordered(spark, snap, t, fields, n) for n, (t, fields) in CHILDREN.items() if n in wanted}
    frame = _nested(base, lists)
    return frame if columns is None else frame.select(*columns)


def _accounts(spark: Any, snap: Snapshot) -> Any:
    f = spark_functions()
    balances = (
        snap.read(spark, _TABLES["balances"])
        .groupBy(f.col("account_id").alias("_k"))
        .agg(f.array_sort(f.collect_list(f.struct("asset", "amount"))).alias("balances"))
    )
    return _nested(snap.read(spark, _TABLES["accounts"]), {"balances": balances})
