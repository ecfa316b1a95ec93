"""``vaspguard batch``: jobs over the whole registry on this machine or on Apache Spark (docs/spark.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from vaspguard.cli._common import open_db, print_json

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
    engine: str = typer.Option("local", "--engine", help="local (this machine) or spark."),
    master: str = typer.Option(
        "local[2]", "--master", help="Spark master URL (spark engine): local[2], spark://HOST:7077, yarn ..."
    ),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes scoring in parallel (local engine)."),
    partitions: int = typer.Option(
        8, "--partitions", min=1, help="Shuffle partitions of the customer/address join (spark engine)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print the job report as JSON."),
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
