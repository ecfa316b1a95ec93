"""``vaspguard registry``: import, export and inspect the exchange registry."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from vaspguard.cli._common import open_db, print_json, progress

if TYPE_CHECKING:
    from rich.progress import TaskID

app = typer.Typer(help="The exchange registry: import, export, show, stats.", no_args_is_help=True)

_KINDS = "customers, accounts, transactions, logins, prices"


@app.command("import")
def import_(
    files: list[Path] = typer.Argument(..., help="Files to import, each in its own transaction, in order."),
    kind: str | None = typer.Option(
        None, "--kind", help=f"Record kind ({_KINDS}); default: from the file name (customers.csv, ...)."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="csv, jsonl or parquet; default: from the suffix (.csv .jsonl .parquet)."
    ),
    skip_invalid: bool = typer.Option(
        False,
        "--skip-invalid",
        help="Import the good rows and report every bad one (default: all or nothing).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON report."),
) -> None:
    """Import registry files. A bad row stops the file with one line naming file, row, field and reason,
    and nothing of that file is written."""
    from vaspguard.registry import import_file

    store = open_db()
    reports = []
    for path in files:
        with progress() as bar:
            task = bar.add_task(f"importing {path.name}", total=None)

            def advance(n: int, task: TaskID = task) -> None:
                bar.update(task, completed=n)

            report = import_file(
                store, path, kind=kind, fmt=fmt, skip_invalid=skip_invalid, on_progress=advance
            )
        reports.append(report)
        if not json_out:
            typer.echo(f"{path}: imported {report.imported} {report.kind} of {report.read} rows")
            for bad in report.skipped:
                typer.echo(f"skipped {bad}", err=True)
    if json_out:
        print_json(
            [
                {
                    "path": r.path,
                    "kind": r.kind,
                    "format": r.format,
                    "read": r.read,
                    "imported": r.imported,
                    "skipped": [{"row": b.row, "field": b.field, "reason": b.reason} for b in r.skipped],
                }
                for r in reports
            ]
        )


@app.command("export")
def export(
    kind: str = typer.Option(..., "--kind", help=f"Record kind: {_KINDS}."),
    fmt: str | None = typer.Option(None, "--format", help="csv, jsonl or parquet; default: from the suffix."),
    output: Path = typer.Option(
        ...,
        "--output",
        "-o",
        help="File to write (replaced atomically); with --partition-by a new directory.",
    ),
    partition_by: list[str] | None = typer.Option(
        None,
        "--partition-by",
        help="Write a Parquet dataset partitioned by this key (repeatable, outermost first): month, "
        "bucket (16, by customer id) or a text column of the kind (residence, kind, asset ...).",
    ),
) -> None:
    """Export one record kind in the layout `registry import` reads (stable order, canonical values), or
    with --partition-by as a Hive-partitioned Parquet dataset for Spark (`batch screen --engine spark`)."""
    from vaspguard.registry import export_dataset, export_file

    store = open_db()
    if partition_by and fmt not in (None, "parquet"):
        from vaspguard.errors import InvalidRequest

        raise InvalidRequest("format", f"--partition-by writes Parquet, not {fmt}")
    with progress() as bar:
        task = bar.add_task(f"exporting {kind}", total=None)

        def advance(k: int) -> None:
            bar.update(task, completed=k)

        if partition_by:
            n = export_dataset(store, kind, output, partition_by=partition_by, on_progress=advance)
        else:
            n = export_file(store, kind, output, fmt=fmt, on_progress=advance)
    typer.echo(f"{output}: exported {n} {kind}")


@app.command("show")
def show(
    customer_id: str = typer.Argument(..., help="Customer id."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    transactions: int = typer.Option(
        10, "--transactions", help="How many of the latest transactions to show."
    ),
) -> None:
    """One customer with every fact, accounts with balances, and the latest transactions."""
    from vaspguard.registry import Registry

    reg = Registry(open_db())
    customer = reg.get_customer(customer_id)
    accounts = reg.accounts(customer_id)
    latest = reg.latest_transactions(customer_id, limit=transactions)
    if json_out:
        print_json({"customer": customer, "accounts": accounts, "latest_transactions": latest})
        return
    _show_customer(customer)
    for acc in accounts:
        bal = ", ".join(f"{amt} {asset}" for asset, amt in sorted(acc.balances.items())) or "empty"
        _line("account", f"{acc.id} {acc.product} ({acc.status}): {bal}")
    for t in latest:
        where = f" {t.chain}:{t.address}" if t.address else ""
        if t.counter_asset:
            where = f" for {t.counter_amount} {t.counter_asset}"
        elif t.counterparty_customer_id:
            where = f" to customer {t.counterparty_customer_id}"
        _line("tx", f"{t.occurred_at:%Y-%m-%d %H:%M} {t.kind} {t.amount} {t.asset}{where}")


def _show_customer(c: Any) -> None:
    typer.echo(f"{c.id}  {c.primary_name}  ({c.type}, KYC {c.kyc_status})")
    for n in c.names:
        _line("name", f"{n.name}  [{n.script}, {n.kind}]")
    for label, value in (
        ("born", c.birth_date),
        ("nationality", " ".join(c.nationalities)),
        ("residence", c.residence),
        ("established", c.established),
    ):
        if value:
            _line(label, str(value))
    for p in c.residence_permits:
        _line("permit", f"{p.country} {p.kind} {p.valid_from} .. {p.valid_until or 'open-ended'}")
    for v in c.visas:
        _line("visa", f"{v.country} {v.kind} {v.valid_from or '?'} .. {v.valid_until or '?'}")
    for a in c.permit_applications:
        _line("applied", f"{a.country} on {a.filed_on or '?'} ({a.status})")
    for o in c.owners:
        share = f"{o.share:%}" if o.share is not None else "share unknown"
        link = f" = customer {o.customer_id}" if o.customer_id else ""
        where = f", resident {o.residence}" if o.residence else ""
        _line("owner", f"{o.name} ({share}{', controls' if o.control else ''}{where}){link}")
    for ct in c.contacts:
        _line(ct.kind, ct.value)


def _line(label: str, text: str) -> None:
    typer.echo(f"  {label:<12} {text}")


@app.command("stats")
def stats(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Counts of everything in the registry, and the span of its transactions and prices."""
    from vaspguard.registry import Registry

    figures = Registry(open_db()).stats()
    if json_out:
        print_json(figures)
        return
    for key, value in figures.items():
        typer.echo(f"{key:<28} {value}")
