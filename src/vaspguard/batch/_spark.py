"""The Spark engine (PySpark, the ``spark`` extra, imported only here and only when used).

The driver builds the index once (``Index``) and broadcasts it; executors run the same ``score_batch`` on
the Arrow batches ``mapInArrow`` hands them. Customers and their addresses are joined in Spark: the
transactions are reduced to distinct (customer, address, chain) and grouped per customer first, so the
shuffle carries one row per customer with addresses, not one per transaction.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from vaspguard.batch._inputs import Source
from vaspguard.batch._jdbc import Table, driver_jars, table
from vaspguard.batch._parts import FOUND_ORDER, STATES_ORDER
from vaspguard.batch._score import CUSTOMER_COLUMNS, Index, score_batches
from vaspguard.errors import Refused

# The alerts a job writes, in Spark's DDL (``found_schema`` in Arrow terms).
FOUND_DDL = (
    "customer_id string, kind string, entity_key string, snapshot_id bigint, score double, "
    "screened_value string, matched_value string, customer_fingerprint string, "
    "entity_fingerprint string, breakdown string"
)


def _pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise Refused(
            "the Spark engine needs PySpark: install the extra (pip install 'vaspguard[spark]')"
        ) from None
    return pyspark.sql


def session(master: str, *, partitions: int | None = None, jars: tuple[str, ...] = ()) -> Any:
    """A Spark session for ``master`` (``local[2]``, ``spark://HOST:7077``, ``yarn`` ...). Under
    spark-submit the master and the resources come from the submit line; what is set here is what the
    answers depend on, or what makes a laptop run quiet. ``jars`` (the JDBC driver) are read only when a
    session starts: one running without them is stopped first."""
    sql = _pyspark()
    if jars:
        _without_driver_stopped()
    # The JDBC driver where it is installed, even for a job over an export: a later JDBC job in this
    # process then finds it in the JVM, which would otherwise have to be restarted.
    jars = jars or _installed_jars()
    # Executors run this interpreter (the same vaspguard and scorer) unless the cluster says otherwise.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        sql.SparkSession.builder.master(master)
        .appName("vaspguard")
        # Times in the registry are UTC; Spark must not shift them to the machine's zone.
        .config("spark.sql.session.timeZone", "UTC")
        # Partition values (residence=DE, month=2026-01, bucket=07) stay strings, as exported.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        # Arrow batches of this many customers reach the scorer: small enough to stream, large enough
        # to amortise the Python call.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1000")
        # Python workers are reused, so each deserialises the broadcast index once, not once per task.
        .config("spark.python.worker.reuse", "true")
        # No web UI and no progress bars on the terminal: output that scripts read stays clean.
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if jars:
        # The PostgreSQL JDBC driver, for the driver (schema) and the executors (reads).
        builder = builder.config("spark.jars", ",".join(jars))
    if partitions is not None:
        # The join's shuffle: a few partitions per core (the default 200 is for a cluster).
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


JDBC_DRIVER = "org.postgresql.Driver"


def _installed_jars() -> tuple[str, ...]:
    try:
        return driver_jars()
    except Refused:
        return ()


def _loads_driver(jvm: Any) -> bool:
    """Whether this JVM finds the JDBC driver as Spark will look for it (the context class loader)."""
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]

    try:
        jvm.java.lang.Class.forName(
            JDBC_DRIVER, False, jvm.java.lang.Thread.currentThread().getContextClassLoader()
        )
    except Py4JJavaError:
        return False
    return True


def _without_driver_stopped() -> None:
    """Stop this process's Spark session and its JVM if they run without the JDBC driver. Jars reach the
    driver's class path only when the JVM starts (``spark.jars`` on a running one serves executors alone),
    so the next session starts a JVM with them. A session whose JVM finds the driver (started with the
    jar, or a managed runtime that ships it) is kept."""
    from pyspark import SparkContext

    jvm = SparkContext._jvm
    if jvm is None or _loads_driver(jvm):
        return
    gateway = SparkContext._gateway
    proc = getattr(gateway, "proc", None)
    if gateway is None or proc is None or proc.stdin is None:
        # A JVM this process did not launch (a managed runtime's): not ours to stop.
        raise Refused(
            f"this Spark session's JVM has no PostgreSQL JDBC driver ({JDBC_DRIVER}): start it with "
            "spark.jars naming the driver's jar"
        )
    stop_spark()
    gateway.shutdown()
    proc.stdin.close()  # the JVM this process launched exits when its stdin closes
    proc.wait(timeout=60)
    SparkContext._gateway = None
    SparkContext._jvm = None


def _read(spark: Any, source: Source, columns: tuple[str, ...] | None = None) -> Any:
    """One kind of the registry (its ``columns``, or all): the export's Parquet, or the tables over JDBC
    in the export's layout."""
    if isinstance(source, Table):
        return table(spark, source, columns)
    frame = spark.read.parquet(str(source))
    return frame if columns is None else frame.select(*columns)


def _jars(*sources: Source | None) -> tuple[str, ...]:
    """The jars the session needs to read ``sources``: the JDBC driver if one of them is a table."""
    for source in sources:
        if isinstance(source, Table):
            return source.snapshot.source.jars or driver_jars()
    return ()


def stop_spark() -> None:
    """Stop this process's Spark session, if one runs (the CLI does after a job; tests keep theirs)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def _started(master: str, partitions: int, stages: dict[str, float], *sources: Source | None) -> Any:
    t = time.perf_counter()
    spark = session(master, partitions=partitions, jars=_jars(*sources))
    stages["session_s"] = time.perf_counter() - t
    return spark


def _with_lists(people: Any, items: Any, columns: tuple[str, ...], name: str, kept: tuple[str, ...]) -> Any:
    """``people`` (by ``id``) with a column ``name``: their ``items`` (by ``customer_id``) gathered into one
    list of structs of ``columns`` per customer, so the shuffle carries one row per customer."""
    f = _pyspark().functions
    lists = items.groupBy("customer_id").agg(f.collect_list(f.struct(*columns)).alias(name))
    return people.join(lists, people["id"] == lists["customer_id"], "left").select(*kept, name)


def _map_and_write(
    spark: Any,
    needs: Any,
    frame: Any,
    step: Callable[[Any, Iterator[Any]], Iterator[Any]],
    ddl: str,
    output: Path,
    stages: dict[str, float],
    sort_by: tuple[str, ...] = (),
) -> None:
    """Broadcast ``needs``, run ``step(needs, batches)`` on every partition of ``frame`` (``mapInArrow``)
    and write what it yields to ``output``; each part file sorted by ``sort_by`` if given (within its
    partition: no shuffle), so an import merges the parts in one pass (``vaspguard.batch._parts``)."""
    t = time.perf_counter()
    broadcast = spark.sparkContext.broadcast(needs)
    stages["broadcast_s"] = time.perf_counter() - t

    def run(batches: Iterator[Any]) -> Iterator[Any]:
        return step(broadcast.value, batches)

    t = time.perf_counter()
    mapped = frame.mapInArrow(run, ddl)
    if sort_by:
        mapped = mapped.sortWithinPartitions(*sort_by)
    mapped.write.mode("errorifexists").parquet(str(output))
    stages["map_write_s"] = time.perf_counter() - t
    broadcast.unpersist()


def run_spark(
    index: Index,
    customers_at: Source,
    transactions_at: Source,
    output: Path,
    *,
    master: str,
    partitions: int,
    stages: dict[str, float],
) -> int:
    """Screen every customer on Spark; write the matches to ``output`` (Parquet parts). Returns the number
    of customers screened."""
    f = _pyspark().functions
    spark = _started(master, partitions, stages, customers_at, transactions_at)
    customers = _read(spark, customers_at, CUSTOMER_COLUMNS)
    addresses = (
        _read(spark, transactions_at)
        .where(f.col("address").isNotNull() & (f.col("address") != ""))
        .select("customer_id", "address", "chain")
        .distinct()
    )
    joined = _with_lists(customers, addresses, ("address", "chain"), "addresses", CUSTOMER_COLUMNS)
    _map_and_write(spark, index, joined, score_batches, FOUND_DDL, output, stages, sort_by=FOUND_ORDER)
    t = time.perf_counter()
    count = int(customers.count())
    stages["count_s"] = time.perf_counter() - t
    return count


def run_spark_states(
    policy: Any,
    customers: Source,
    accounts: Source | None,
    output: Path,
    *,
    master: str,
    partitions: int,
    stages: dict[str, float],
) -> int:
    """Every customer's state on Spark, written to ``output`` (Parquet parts). The balances of all of a
    customer's accounts are gathered in Spark (crypto only, non-zero) and valued by the same Python step
    as locally, against the broadcast prices; ``accounts`` None: holdings are not needed on the date."""
    from vaspguard.batch._states import EVALUATE_COLUMNS, STATES_DDL, evaluate_batches
    from vaspguard.registry import FIAT

    f = _pyspark().functions
    spark = _started(master, partitions, stages, customers, accounts)
    people = _read(spark, customers, EVALUATE_COLUMNS)
    if accounts is None:
        none = f.lit(None).cast("array<struct<asset:string,amount:decimal(38,18)>>")
        joined = people.withColumn("balances", none)
    else:
        held = (
            _read(spark, accounts)
            .select("customer_id", f.explode("balances").alias("b"))
            .select("customer_id", "b.asset", "b.amount")
            .where(~f.col("asset").isin(*sorted(FIAT)) & (f.col("amount") != 0))
        )
        joined = _with_lists(people, held, ("asset", "amount"), "balances", EVALUATE_COLUMNS)
    _map_and_write(spark, policy, joined, evaluate_batches, STATES_DDL, output, stages, sort_by=STATES_ORDER)
    import pyarrow.dataset as ds

    return int(ds.dataset(output, format="parquet").count_rows())


def spark_diff(previous: Path, current: Path, output: Path) -> None:
    """``local_diff`` on Spark: a full outer join of two ``states/`` on the customer id."""
    from pyspark.sql import SparkSession

    f = _pyspark().functions
    spark = SparkSession.getActiveSession()
    assert spark is not None  # the job's session, started by run_spark_states

    def side(path: Path, prefix: str) -> Any:
        return spark.read.parquet(str(path)).select(
            "customer_id",
            f.col("state").alias(f"{prefix}_state"),
            f.col("rule_id").alias(f"{prefix}_rule_id"),
        )

    joined = side(previous, "old").join(side(current, "new"), "customer_id", "full_outer")
    same = joined["old_state"].eqNullSafe(joined["new_state"]) & joined["old_rule_id"].eqNullSafe(
        joined["new_rule_id"]
    )
    joined.where(~same).select(
        "customer_id", "old_state", "new_state", "old_rule_id", "new_rule_id"
    ).write.mode("errorifexists").parquet(str(output))


class SparkLake:
    """The questions of a reach (``_reach.Lake``) as Spark scans of the export: filters pushed down to
    Parquet, names and contacts exploded from the customers, only the (few) answers collected."""

    def __init__(
        self, paths: dict[str, Source], *, master: str, partitions: int, stages: dict[str, float]
    ) -> None:
        t = time.perf_counter()
        self.spark = session(master, partitions=partitions, jars=_jars(*paths.values()))
        stages["session_s"] = time.perf_counter() - t
        self.f = _pyspark().functions
        self.customers = _read(self.spark, paths["customers"], ("id", "names", "contacts"))
        self.accounts = _read(self.spark, paths["accounts"])
        self.tx = _read(self.spark, paths["transactions"])

    @staticmethod
    def _ids(frame: Any, column: str = "customer_id") -> set[str]:
        return {r[0] for r in frame.select(column).distinct().collect()}

    def existing(self, customer_id: str) -> set[str]:
        return self._ids(self.customers.where(self.f.col("id") == customer_id), "id")

    def account_owner(self, account_id: str) -> set[str]:
        return self._ids(self.accounts.where(self.f.col("id") == account_id))

    def _nested(self, column: str) -> Any:
        return self.customers.select("id", self.f.explode(column).alias("x")).select("id", "x.*")

    def by_contact(self, kind: str, value: str) -> set[str]:
        f = self.f
        found = self._nested("contacts").where((f.col("kind") == kind) & (f.lower("value") == value.lower()))
        return self._ids(found, "id")

    def names(self, probe: Any) -> list[tuple[str, str]]:
        f = self.f
        name = f.col("name")
        hit = f.lower(name).contains(probe.latin)
        for fragment in probe.fragments:
            hit = hit | name.contains(fragment)
        return [(r[0], r[1]) for r in self._nested("names").where(hit).select("id", "name").collect()]

    def _between(self, frame: Any, start: Any, end: Any) -> Any:
        if start is not None:
            frame = frame.where(self.f.col("occurred_at") >= self.f.lit(start))
        if end is not None:
            frame = frame.where(self.f.col("occurred_at") < self.f.lit(end))
        return frame

    def by_transaction(self, column: str, values: list[str], start: Any, end: Any) -> dict[str, set[str]]:
        found = self._between(self.tx.where(self.f.col(column).isin(values)), start, end)
        out: dict[str, set[str]] = {}
        for value, cid in found.select(column, "customer_id").distinct().collect():
            out.setdefault(value, set()).add(cid)
        return out

    def accounts_of(self, customers: set[str]) -> list[tuple[str, str]]:
        if not customers:
            return []
        wanted = self.spark.createDataFrame([(c,) for c in sorted(customers)], "customer_id string")
        found = self.accounts.join(self.f.broadcast(wanted), "customer_id", "left_semi")
        return [(r[0], r[1]) for r in found.select("id", "customer_id").collect()]

    def transactions(self, whole: set[str], named: set[str], start: Any, end: Any) -> int:
        f = self.f
        tx = self._between(self.tx, start, end)
        scoped = f.lit(False)
        if whole:
            who = self.spark.createDataFrame(
                [(c, True) for c in sorted(whole)], "customer_id string, w boolean"
            )
            tx = tx.join(f.broadcast(who), "customer_id", "left")
            scoped = scoped | f.coalesce(f.col("w"), f.lit(False))
        if named:
            scoped = scoped | f.col("account_id").isin(sorted(named))
        return int(tx.where(scoped).count())
