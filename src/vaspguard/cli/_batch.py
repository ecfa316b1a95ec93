"""``vaspguard batch``: jobs over the whole registry on this machine or on Apache Spark (docs/spark.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from vaspguard.cli._common import open_db, print_json
from vaspguard.cli._policy import _BUILTIN, _NO_BUILTIN, _PACK, _date, _packs

_ENGINE = typer.Option("local", "--engine", help="local (this machine) or spark.")
_MASTER = typer.Option(
    "local[2]", "--master", help="Spark master URL (spark engine): local[2], spark://HOST:7077, yarn ..."
)

_JSON_REPORT = typer.Option(False, "--json", help="Print the job report as JSON.")

# The registry over JDBC (spark engine): INPUTS is then a jdbc:postgresql:// URL, without a password.
_PASSWORD_FILE = typer.Option(
    None, "--jdbc-password-file", help="File holding the database password (default: $PGPASSWORD)."
)
_JDBC_PARTITIONS = typer.Option(
    8, "--jdbc-partitions", min=1, help="Concurrent JDBC reads per table: ranges of customer id."
)
_FETCHSIZE = typer.Option(10_000, "--jdbc-fetchsize", min=1, help="Rows per JDBC round trip.")
_JARS = typer.Option(
    None,
    "--jars",
    help="Comma-separated jars for Spark: the PostgreSQL JDBC driver (default: $VASPGUARD_SPARK_JARS, "
    "/usr/share/java/postgresql.jar, ~/.m2).",
)


def _inputs_help(kinds: str) -> str:
    return (
        f"Directory with the registry's Parquet export ({kinds}, each a .parquet file or a --partition-by "
        "directory), or jdbc:postgresql://HOST[:PORT]/DATABASE?user=NAME to read the store's tables over "
        "JDBC (spark engine; the password from $PGPASSWORD or --jdbc-password-file)."
    )


def _registry(
    inputs: str, password_file: Path | None, partitions: int, fetchsize: int, jars: str | None
) -> Any:
    """INPUTS as a job reads it: an export's directory, or a JDBC source (checked before anything runs)."""
    from vaspguard.batch import is_jdbc, jdbc_source

    if not is_jdbc(inputs):
        return Path(inputs)
    return jdbc_source(
        inputs, password_file=password_file, partitions=partitions, fetchsize=fetchsize, jars=jars
    )


app = typer.Typer(
    help="Batch jobs over the whole registry, on this machine or on Apache Spark.", no_args_is_help=True
)


@app.command("screen")
def screen(
    inputs: str = typer.Argument(..., help=_inputs_help("customers and transactions")),
    output: Path = typer.Option(..., "--output", "-o", help="New directory for the alerts (Parquet)."),
    engine: str = _ENGINE,
    master: str = _MASTER,
    workers: int = typer.Option(1, "--workers", min=1, help="Processes scoring in parallel (local engine)."),
    partitions: int = typer.Option(
        8, "--partitions", min=1, help="Shuffle partitions of the customer/address join (spark engine)."
    ),
    password_file: Path | None = _PASSWORD_FILE,
    jdbc_partitions: int = _JDBC_PARTITIONS,
    fetchsize: int = _FETCHSIZE,
    jars: str | None = _JARS,
    json_out: bool = _JSON_REPORT,
) -> None:
    """Screen every customer's names (all scripts) and deposit/withdrawal addresses against the active list
    snapshots; write the matches with their breakdown as Parquet. Nothing is stored: `batch import-alerts`
    loads them."""
    from vaspguard.batch import Engine
    from vaspguard.batch import screen as run

    source = _registry(inputs, password_file, jdbc_partitions, fetchsize, jars)
    report = run(
        open_db(), source, output, engine=engine, workers=workers, master=master, partitions=partitions
    )
    if engine == Engine.SPARK:
        from vaspguard.batch import stop_spark

        stop_spark()
    if json_out:
        print_json(report)
        return
    sys.stdout.write(
        f"{output}: {report.alerts} matches among {report.customers} customers against {report.entities} "
        f"entities ({report.engine}, {report.seconds} s)\n"
    )


@app.command("import-alerts")
def import_alerts(
    output: Path = typer.Argument(..., help="The output directory of `batch screen`."),
    json_out: bool = typer.Option(False, "--json", help="Print the run report as JSON."),
) -> None:
    """Store a screening job's matches as alerts, as `screen customers --full` would have: one per customer,
    entity and snapshot; decided matches stay quiet while neither side changed."""
    from vaspguard.batch import import_alerts as load

    report = load(open_db(), output)
    if json_out:
        print_json(report)
        return
    sys.stdout.write(
        f"run {report.run_id}: {report.alerts_created} new alerts, {report.suppressed} kept quiet by "
        f"dispositions, {report.already_open} already open\n"
    )


@app.command("evaluate")
def evaluate(
    inputs: str = typer.Argument(..., help=_inputs_help("customers, accounts and prices")),
    at: str = typer.Option(..., "--at", help="Evaluation date, YYYY-MM-DD (UTC)."),
    output: Path = typer.Option(..., "--output", "-o", help="New directory for the states (Parquet)."),
    previous: Path | None = typer.Option(
        None, "--previous", help="The output of an earlier `batch evaluate`: write the diff against it."
    ),
    engine: str = _ENGINE,
    master: str = _MASTER,
    workers: int = typer.Option(
        1, "--workers", min=1, help="Processes evaluating in parallel (local engine)."
    ),
    partitions: int = typer.Option(
        8, "--partitions", min=1, help="Shuffle partitions of the customer/balances join (spark engine)."
    ),
    password_file: Path | None = _PASSWORD_FILE,
    jdbc_partitions: int = _JDBC_PARTITIONS,
    fetchsize: int = _FETCHSIZE,
    jars: str | None = _JARS,
    pack: list[Path] | None = _PACK,
    no_builtin: bool = _NO_BUILTIN,
    builtin: str | None = _BUILTIN,
    json_out: bool = _JSON_REPORT,
) -> None:
    """Every customer's restriction state on a date (rule, citation, what the customer can still do,
    holdings in EUR) with the policy engine of `policy evaluate`, as Parquet, and the diff against
    --previous. Nothing is stored: `batch import-states` loads the states and writes the notices."""
    from vaspguard.batch import Engine
    from vaspguard.batch import evaluate as run

    source = _registry(inputs, password_file, jdbc_partitions, fetchsize, jars)
    packs = _packs(pack, no_builtin, builtin)
    report = run(
        open_db(), source, output, at=_date(at, "--at"), engine=engine, packs=packs, previous=previous,
        workers=workers, master=master, partitions=partitions,
    )  # fmt: skip
    if engine == Engine.SPARK:
        from vaspguard.batch import stop_spark

        stop_spark()
    if json_out:
        print_json(report)
        return
    states = ", ".join(f"{n} {s}" for s, n in report.states.items())
    changed = "" if report.changed is None else f"; {report.changed} changed since {report.previous}"
    sys.stdout.write(
        f"{output}: {report.customers} customers on {report.at}: {states}{changed} "
        f"({report.engine}, {report.seconds} s)\n"
    )


@app.command("import-states")
def import_states(
    output: Path = typer.Argument(..., help="The output directory of `batch evaluate`."),
    pack: list[Path] | None = _PACK,
    no_builtin: bool = _NO_BUILTIN,
    builtin: str | None = _BUILTIN,
    json_out: bool = typer.Option(False, "--json", help="Print the evaluation summary as JSON."),
) -> None:
    """Store an evaluation job's states as an evaluation (logged to the audit log): the diff against the
    stored states and a notice for each change, as after `policy evaluate`. Refused if the policy, the
    exemption evidence or the confirmed listings changed since the job. One transaction, streamed a few
    thousand customers at a time (memory does not grow with the registry); a bad part file rolls it all
    back. List the notices with `vaspguard policy notices --evaluation N`."""
    from vaspguard.batch import import_states as load

    result = load(open_db(), output, packs=_packs(pack, no_builtin, builtin), actor="cli")
    if json_out:
        print_json(result.summary())
        return
    sys.stdout.write(
        f"evaluation {result.evaluation_id} on {result.at}: {result.customers} customers, "
        f"{result.changed} changed (notices written: vaspguard policy notices --evaluation "
        f"{result.evaluation_id})\n"
    )


@app.command("reach")
def reach(
    inputs: str = typer.Argument(..., help=_inputs_help("customers, accounts and transactions")),
    output: Path = typer.Option(..., "--output", "-o", help="New directory for the customers and accounts."),
    request: str | None = typer.Option(None, "--request", help="A lawful request's id: its current scope."),
    scope: Path | None = typer.Option(
        None, "--scope", help='A scope file: {"targets": [...], "date_range": {"from": ..., "to": ...}}.'
    ),
    engine: str = _ENGINE,
    master: str = _MASTER,
    partitions: int = typer.Option(8, "--partitions", min=1, help="Shuffle partitions (spark engine)."),
    password_file: Path | None = _PASSWORD_FILE,
    jdbc_partitions: int = _JDBC_PARTITIONS,
    fetchsize: int = _FETCHSIZE,
    jars: str | None = _JARS,
    json_out: bool = _JSON_REPORT,
) -> None:
    """The customers, accounts and transactions a lawful request's scope would touch, over the registry
    export (the same answer as the request's reach on the store). Nothing is stored."""
    from vaspguard.batch import Engine, read_scope, request_scope
    from vaspguard.batch import reach as run
    from vaspguard.errors import InvalidRequest

    if (request is None) == (scope is None):
        raise InvalidRequest("--request", "give --request ID or --scope FILE (one of them)")
    source = _registry(inputs, password_file, jdbc_partitions, fetchsize, jars)
    wanted = read_scope(scope) if scope is not None else request_scope(open_db(), str(request))
    report = run(source, output, scope=wanted, engine=engine, master=master, partitions=partitions)
    if engine == Engine.SPARK:
        from vaspguard.batch import stop_spark

        stop_spark()
    if json_out:
        print_json(report)
        return
    sys.stdout.write(
        f"{output}: {report.customers} customers, {report.accounts} accounts, {report.transactions} "
        f"transactions in the date range ({report.engine}, {report.seconds} s)\n"
    )
    for label, n in report.per_target.items():
        sys.stdout.write(f"  {label}: {n}\n")
