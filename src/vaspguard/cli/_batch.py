"""``vaspguard batch``: jobs over the whole registry on this machine or on Apache Spark (docs/spark.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from vaspguard.cli._common import open_db, print_json
from vaspguard.cli._policy import _BUILTIN, _NO_BUILTIN, _PACK, _date, _packs

_ENGINE = typer.Option("local", "--engine", help="local (this machine) or spark.")
_MASTER = typer.Option(
    "local[2]", "--master", help="Spark master URL (spark engine): local[2], spark://HOST:7077, yarn ..."
)

_JSON_REPORT = typer.Option(False, "--json", help="Print the job report as JSON.")

app = typer.Typer(
    help="Batch jobs over the whole registry, on this machine or on Apache Spark.", no_args_is_help=True
)


@app.command("screen")
def screen(
    inputs: Path = typer.Argument(
        ...,
        help="Directory with the registry's Parquet export: customers and transactions, each a .parquet "
        "file or a --partition-by directory.",
    ),
    output: Path = typer.Option(..., "--output", "-o", help="New directory for the alerts (Parquet)."),
    engine: str = _ENGINE,
    master: str = _MASTER,
    workers: int = typer.Option(1, "--workers", min=1, help="Processes scoring in parallel (local engine)."),
    partitions: int = typer.Option(
        8, "--partitions", min=1, help="Shuffle partitions of the customer/address join (spark engine)."
    ),
    json_out: bool = _JSON_REPORT,
) -> None:
    """Screen every customer's names (all scripts) and deposit/withdrawal addresses against the active list
    snapshots; write the matches with their breakdown as Parquet. Nothing is stored: `batch import-alerts`
    loads them."""
    from vaspguard.batch import Engine
    from vaspguard.batch import screen as run

    report = run(
        open_db(), inputs, output, engine=engine, workers=workers, master=master, partitions=partitions
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
    inputs: Path = typer.Argument(
        ...,
        help="Directory with the registry's Parquet export: customers, accounts and prices, each a .parquet "
        "file or a --partition-by directory.",
    ),
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

    packs = _packs(pack, no_builtin, builtin)
    report = run(
        open_db(), inputs, output, at=_date(at, "--at"), engine=engine, packs=packs, previous=previous,
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
    json_out: bool = typer.Option(False, "--json", help="Print the evaluation summary and changes as JSON."),
) -> None:
    """Store an evaluation job's states as an evaluation (logged to the audit log): the diff against the
    stored states and a notice for each change, as after `policy evaluate`. Refused if the policy, the
    exemption evidence or the confirmed listings changed since the job."""
    from vaspguard.batch import import_states as load

    result = load(open_db(), output, packs=_packs(pack, no_builtin, builtin), actor="cli")
    if json_out:
        print_json({**result.summary(), "change_list": result.changes})
        return
    sys.stdout.write(
        f"evaluation {result.evaluation_id} on {result.at}: {result.customers} customers, "
        f"{len(result.changes)} changed (notices written)\n"
    )


@app.command("reach")
def reach(
    inputs: Path = typer.Argument(
        ...,
        help="Directory with the registry's Parquet export: customers, accounts and transactions, each a "
        ".parquet file or a --partition-by directory.",
    ),
    output: Path = typer.Option(..., "--output", "-o", help="New directory for the customers and accounts."),
    request: str | None = typer.Option(None, "--request", help="A lawful request's id: its current scope."),
    scope: Path | None = typer.Option(
        None, "--scope", help='A scope file: {"targets": [...], "date_range": {"from": ..., "to": ...}}.'
    ),
    engine: str = _ENGINE,
    master: str = _MASTER,
    partitions: int = typer.Option(8, "--partitions", min=1, help="Shuffle partitions (spark engine)."),
    json_out: bool = _JSON_REPORT,
) -> None:
    """The customers, accounts and transactions a lawful request's scope would touch, over the registry
    export (the same answer as the request's reach on the store). Nothing is stored."""
    from vaspguard.batch import Engine, read_scope, request_scope
    from vaspguard.batch import reach as run
    from vaspguard.errors import InvalidRequest

    if (request is None) == (scope is None):
        raise InvalidRequest("--request", "give --request ID or --scope FILE (one of them)")
    wanted = read_scope(scope) if scope is not None else request_scope(open_db(), str(request))
    report = run(inputs, output, scope=wanted, engine=engine, master=master, partitions=partitions)
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
