"""The registry straight from PostgreSQL over JDBC (issue 16, item 2): ``batch screen``, ``evaluate`` and
``reach`` on Spark (``local[2]``) read the tables of a PostgreSQL store over JDBC and write the same rows as
when they read the Parquet export of the same store; all reads see one snapshot; and what cannot work is
refused in one line, with nothing left behind."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from batch_helpers import THRESHOLD_DAY, demo_exchange, export_inputs, prices_for_the_threshold
from reach_scope import broad_scope

from vaspguard.batch import evaluate, reach, read_reach, read_rows, screen
from vaspguard.batch._jdbc import Table, jdbc_source, opened
from vaspguard.batch._jobs import read_found
from vaspguard.batch._spark import _read
from vaspguard.store import Store, utcnow

CUSTOMERS = 3_000
SECRET = "pw-never-written-9f3a"  # trust auth ignores it; it must not reach a manifest or the output

pytestmark = pytest.mark.slow


def jdbc_url(store: Store) -> str:
    url = store.engine.url
    return f"jdbc:postgresql://{url.host}:{url.port or 5432}/{url.database}?user={url.username}"


def test_spark_over_jdbc_writes_the_rows_it_writes_over_the_export(
    pg_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_exchange(pg_store, CUSTOMERS)
    prices_for_the_threshold(pg_store)
    kinds = ("customers", "accounts", "transactions", "prices")
    flat = export_inputs(pg_store, tmp_path / "flat", kinds=kinds)
    lake = export_inputs(pg_store, tmp_path / "lake", partitioned=True, kinds=kinds)
    monkeypatch.setenv("PGPASSWORD", SECRET)
    source = jdbc_source(jdbc_url(pg_store), partitions=5, fetchsize=500)
    before = utcnow()

    over_lake = screen(pg_store, lake, tmp_path / "s-lake", engine="spark")
    over_jdbc = screen(pg_store, source, tmp_path / "s-jdbc", engine="spark")
    rows = read_found(tmp_path / "s-lake" / "alerts")
    assert read_found(tmp_path / "s-jdbc" / "alerts") == rows and over_jdbc.customers == CUSTOMERS
    assert {r["kind"] for r in rows} == {"name", "address"}
    assert over_jdbc.registry_as_of is not None
    assert (
        before
        <= datetime.fromisoformat(over_jdbc.registry_as_of)
        <= datetime.fromisoformat(over_jdbc.started_at)
    )
    assert over_lake.registry_as_of != over_jdbc.registry_as_of

    states = {}
    for name, inputs in (("lake", lake), ("jdbc", source)):
        report = evaluate(pg_store, inputs, tmp_path / f"e-{name}", at=THRESHOLD_DAY, engine="spark")
        states[name] = (report.states, read_rows(tmp_path / f"e-{name}" / "states"))
    assert states["jdbc"] == states["lake"]
    assert any(r["holdings_eur"] for r in states["jdbc"][1]) and any(r["unpriced"] for r in states["jdbc"][1])
    assert {"withdraw-only", "unrestricted"} <= {r["state"] for r in states["jdbc"][1]}

    scope = broad_scope(flat)
    on_lake = reach(lake, tmp_path / "r-lake", scope=scope, engine="spark")
    on_jdbc = reach(source, tmp_path / "r-jdbc", scope=scope, engine="spark")
    assert read_reach(tmp_path / "r-jdbc") == read_reach(tmp_path / "r-lake")
    assert (on_jdbc.summary(), on_jdbc.transactions) == (on_lake.summary(), on_lake.transactions)
    assert on_jdbc.customers > 3

    for out in ("s-jdbc", "e-jdbc", "r-jdbc"):
        assert SECRET not in (tmp_path / out / "manifest.json").read_text()


def test_every_read_of_a_job_sees_the_snapshot_it_started_with(pg_store: Store, tmp_path: Path) -> None:
    """A customer added while the job reads is not in what it reads (the next incremental run screens it:
    ``registry_as_of`` is the snapshot's start); two kinds read at different times agree."""
    from pyspark.sql import SparkSession

    demo_exchange(pg_store, 300)
    source = jdbc_source(jdbc_url(pg_store), partitions=3)
    with opened(source) as snapshot:
        with psycopg.connect(_libpq(pg_store), autocommit=True) as other:
            other.execute(
                "INSERT INTO customers (id, type, kyc_status, created_at, updated_at) "
                "VALUES ('C-LATE', 'natural', 'verified', now(), now())"
            )
            other.execute(
                "DELETE FROM transactions WHERE customer_id = (SELECT min(customer_id) FROM transactions)"
            )
        from vaspguard.batch._spark import session

        spark = session("local[2]", partitions=4, jars=source.jars)
        customers = _read(spark, Table(snapshot, "customers"))
        transactions = _read(spark, Table(snapshot, "transactions"))
        assert customers.count() == 300 and customers.where("id = 'C-LATE'").count() == 0
        with psycopg.connect(_libpq(pg_store)) as now:
            stored = now.execute("SELECT count(*) FROM transactions").fetchone()
        assert stored is not None and transactions.count() > stored[0]
    assert SparkSession.getActiveSession() is not None


def _libpq(store: Store) -> str:
    url = store.engine.url
    return f"postgresql://{url.username}@{url.host}:{url.port or 5432}/{url.database}"


NESTED = ["id", "type", "names", "nationalities", "residence", "established", "birth_date", "gender",
          "residence_permits", "visas", "permit_applications", "owners", "contacts"]  # fmt: skip
ACCOUNT_COLUMNS = ["id", "customer_id", "product", "status", "balances"]


def test_the_export_layout_is_rebuilt_exactly(pg_store: Store, tmp_path: Path) -> None:
    """The nested columns over JDBC equal the export's, customer by customer (names in stored order,
    nationalities sorted, owners with their own ids and nationality lists, empty lists where none)."""
    demo_exchange(pg_store, 400)
    flat = export_inputs(pg_store, tmp_path / "flat", kinds=("customers", "accounts"))
    source = jdbc_source(jdbc_url(pg_store), partitions=4)
    import pyarrow.parquet as pq

    from vaspguard.batch._spark import session

    with opened(source) as snapshot:
        spark = session("local[2]", partitions=4, jars=source.jars)
        for kind, columns in (("customers", NESTED), ("accounts", ACCOUNT_COLUMNS)):
            exported = pq.read_table(flat / f"{kind}.parquet", columns=columns).to_pylist()
            frame = _read(spark, Table(snapshot, kind)).select(*columns)
            read = [r.asDict(recursive=True) for r in frame.collect()]
            if kind == "accounts":
                for r in exported:
                    r["balances"] = sorted(r["balances"], key=lambda b: b["asset"])
            assert sorted(read, key=lambda r: r["id"]) == sorted(exported, key=lambda r: r["id"])
            assert any(r.get("owners") for r in exported) or kind == "accounts"


def test_the_local_engine_refuses_a_jdbc_source(cli: Any, sqlite_store: Store, tmp_path: Path) -> None:
    code, out, err = cli(
        "--db", sqlite_store.url, "batch", "screen", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres",
        "-o", tmp_path / "out",
    )  # fmt: skip
    assert code != 0 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "local engine reads the store or an export" in err and "--engine spark" in err
    assert not (tmp_path / "out").exists()


def test_a_read_the_database_refuses_leaves_nothing_behind(cli: Any, pg_store: Store, tmp_path: Path) -> None:
    """The database refuses the read of one table mid-job (no SELECT on transactions): one line with the
    database's words, and the output directory Spark had begun is gone."""
    import uuid

    demo_exchange(pg_store, 50)
    role = f"vg_noread_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(pg_store), autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
        admin.execute(f'REVOKE SELECT ON transactions FROM "{role}"')
    try:
        url = jdbc_url(pg_store).replace(f"user={pg_store.engine.url.username}", f"user={role}")
        code, out, err = cli(
            "--db", pg_store.url, "batch", "screen", url, "-o", tmp_path / "out", "--engine", "spark"
        )
    finally:
        with psycopg.connect(_libpq(pg_store), autocommit=True) as admin:
            admin.execute(f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"')
            admin.execute(f'DROP ROLE "{role}"')
    assert code != 0 and out == "" and err.count("\n") == 1 and "Traceback" not in err, err
    assert "the JDBC read failed" in err and "permission denied for table transactions" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("url", "extra", "says"),
    [
        ("jdbc:postgresql://127.0.0.1:1/test?user=postgres", (), "127.0.0.1:1/test: cannot connect"),
        ("jdbc:mysql://127.0.0.1/test", (), "is not a jdbc:postgresql://HOST/DATABASE URL"),
        ("jdbc:postgresql://127.0.0.1/", (), "names no host or database"),
        ("jdbc:postgresql://127.0.0.1/test?user=a&password=b", (), "put it in PGPASSWORD"),
        ("jdbc:postgresql://127.0.0.1/test", ("--jars", "/nowhere/postgresql.jar"), "no such jar"),
        ("jdbc:postgresql://127.0.0.1/test", ("--jdbc-password-file", "/nowhere/pw"), "/nowhere/pw"),
    ],
)
def test_a_bad_jdbc_source_is_refused_in_one_line(
    cli: Any, sqlite_store: Store, tmp_path: Path, url: str, extra: tuple[str, ...], says: str
) -> None:
    (tmp_path / "s.json").write_text(json.dumps({"targets": [{"type": "customer_id", "value": "C-1"}]}))
    for job in (("screen",), ("evaluate", "--at", "2026-01-01"), ("reach", "--scope", tmp_path / "s.json")):
        code, out, err = cli(
            "--db", sqlite_store.url, "batch", *job, url, "-o", tmp_path / "out", "--engine", "spark", *extra
        )
        assert code != 0 and out == "" and err.count("\n") == 1 and "Traceback" not in err, err
        assert says in err and "password=b" not in err
        assert not (tmp_path / "out").exists()


def test_no_driver_found_says_how_to_install_it(
    cli: Any, sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vaspguard.batch._jdbc.DEFAULT_JARS", (str(tmp_path / "none" / "*.jar"),))
    monkeypatch.delenv("VASPGUARD_SPARK_JARS", raising=False)
    code, out, err = cli(
        "--db", sqlite_store.url, "batch", "screen", "jdbc:postgresql://127.0.0.1/test", "-o",
        tmp_path / "out", "--engine", "spark",
    )  # fmt: skip
    assert code != 0 and out == "" and err.count("\n") == 1
    assert "apt-get install libpostgresql-jdbc-java" in err and "--jars" in err
    assert not (tmp_path / "out").exists()


RESTART = """
import sys
from vaspguard.batch import jdbc_source
from vaspguard.batch._jdbc import Table, opened
from vaspguard.batch._spark import _read, session
from pyspark.sql import SparkSession

plain = SparkSession.builder.master("local[1]").getOrCreate()  # as a notebook would, without the driver
source = jdbc_source(sys.argv[1])
with opened(source) as snapshot:
    spark = session("local[1]", partitions=2, jars=source.jars)
    print(spark is not plain, _read(spark, Table(snapshot, "customers")).count())
    print(session("local[1]", partitions=2, jars=source.jars) is spark)
"""


def test_a_session_without_the_driver_is_restarted_with_it(pg_store: Store, tmp_path: Path) -> None:
    """A process whose Spark session (and JVM) started without the jar: a JDBC job gets a session with it,
    since jars reach the driver's class path only when the JVM starts; one that has it is kept. In a
    process of its own: the restart would stop the session the other tests share."""
    import subprocess
    import sys

    demo_exchange(pg_store, 20)
    script = tmp_path / "restart.py"
    script.write_text(RESTART)
    done = subprocess.run(
        [sys.executable, str(script), jdbc_url(pg_store)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "20", "True"]
