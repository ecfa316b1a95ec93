"""``vaspguard demo``: a deterministic synthetic exchange."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from vaspguard.cli._common import open_db, print_json, progress

if TYPE_CHECKING:
    from vaspguard.demo import DemoReport

app = typer.Typer(help="Demo data: a deterministic synthetic exchange.", no_args_is_help=True)


@app.command("seed")
def seed_command(
    customers: int = typer.Option(2000, "--customers", min=0, help="How many customers."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives the same exchange."),
    transactions_per_customer: int = typer.Option(
        10, "--transactions-per-customer", min=0, help="Average transactions per customer over the year."
    ),
    logins_per_customer: int = typer.Option(4, "--logins-per-customer", min=0, help="Logins per customer."),
    addresses_of_interest: Path | None = typer.Option(
        None,
        "--addresses-of-interest",
        help="File with one address a line; each receives planted withdrawals from two customers.",
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="The last day of the demo year, YYYY-MM-DD (default 2026-11-01)."
    ),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing (exit 0) when the registry already has customers."
    ),
    token: bool = typer.Option(True, "--token/--no-token", help="Create and print a demo admin API token."),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Processes generating data (default: up to 4, one core left free, from 20,000 customers on).",
    ),
    lists: bool = typer.Option(
        True,
        "--lists/--no-lists",
        help="Also import the fictional sample sanctions lists shipped with vaspguard, register a protected "
        "foundation, demo authorities and operators, and screen the customers (no network needed).",
    ),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON report (with planted cases)."),
) -> None:
    """Seed an empty database with a demo exchange (with a progress bar), and print a demo admin token.

    By default the demo is complete offline: the fictional sample lists become the active snapshots
    (logged to the audit log, actor "demo"), customers resemble the fictional listed persons, some send
    to or receive from listed wallets and donate to a fictional opposition foundation, which is registered
    as a protected party; demo operators' keys are written under VASPGUARD_DATA_DIR/demo-operators.
    """
    from vaspguard.demo import DEFAULT_AS_OF, read_addresses, seed_demo
    from vaspguard.errors import InvalidRequest
    from vaspguard.registry import Registry
    from vaspguard.roles import Role
    from vaspguard.settings import Settings
    from vaspguard.tokens import create_token

    try:
        day = date.fromisoformat(as_of) if as_of else DEFAULT_AS_OF
    except ValueError:
        raise InvalidRequest("--as-of", f"{as_of!r} is not a date YYYY-MM-DD") from None
    addresses = read_addresses(addresses_of_interest) if addresses_of_interest else []
    store = open_db()
    existing = Registry(store).count_customers()
    if existing and if_empty:
        typer.echo(
            f"the registry already has {existing} customers: not seeding "
            "(an API token: vaspguard tokens create --name me --role admin)"
        )
        return
    with progress() as bar:
        task = bar.add_task("seeding customers", total=customers)
        demo = seed_demo(
            store,
            lists=lists,
            keys_dir=Settings().data_dir / "demo-operators",
            customers=customers,
            seed=seed,
            transactions_per_customer=transactions_per_customer,
            logins_per_customer=logins_per_customer,
            addresses_of_interest=addresses,
            as_of=day,
            on_progress=lambda n: bar.update(task, completed=n),
            workers=workers,
        )
    secret = create_token(store, name="demo-admin", role=Role.ADMIN) if token else None
    if json_out:
        print_json({"report": demo, "admin_token": secret})
        return
    _print_seeded(demo, lists=lists, secret=secret)


@app.command("requests")
def requests_command(
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing (exit 0) when lawful requests have been filed already."
    ),
    seed: int = typer.Option(1, "--seed", help="Random seed: which customers the requests are about."),
    json_out: bool = typer.Option(False, "--json", help="Print the request ids of each case as JSON."),
) -> None:
    """File the demo's lawful requests over the demo exchange (after demo seed): a year of settled requests
    and the open cases of a legal desk (a court order disclosed with its quorum, a blocked dragnet on a
    protected foundation's donors, a narrowed one, one awaiting approval, an emergency with its follow-up
    deadline, a preservation, a gag order holding notices). Each step is signed with the demo operators' keys
    under VASPGUARD_DATA_DIR/demo-operators and logged to the audit log; packages go under
    VASPGUARD_DATA_DIR/demo-disclosures.
    """
    from vaspguard.demo import DEMO_OPERATORS, seed_casebook
    from vaspguard.errors import InvalidRequest
    from vaspguard.requests import LawfulRequests, read_private_key
    from vaspguard.settings import Settings

    store = open_db()
    filed = LawfulRequests(store).list()
    if filed:
        if if_empty:
            typer.echo(f"{len(filed)} lawful requests are filed already: not seeding the demo's")
            return
        raise InvalidRequest(
            "database",
            f"{len(filed)} lawful requests are filed already: the demo's are filed only where there are none "
            "(--if-empty skips)",
        )
    data = Settings().data_dir
    if not (data / "demo-operators").is_dir():
        raise InvalidRequest(
            "keys", f"no demo operators' keys in {data / 'demo-operators'}: run vaspguard demo seed"
        )
    keys = {name: read_private_key(data / "demo-operators" / f"{name}.pem") for name in DEMO_OPERATORS}
    cases = seed_casebook(
        store, keys=keys, packages=data / "demo-disclosures", today=datetime.now(UTC).date(), seed=seed
    )
    if json_out:
        print_json(cases)
        return
    typer.echo(f"lawful requests: {sum(len(v) for v in cases.values())} filed over the last year")
    for case, ids in cases.items():
        if case != "history":
            typer.echo(f"  {case}: {', '.join(ids)}")
    typer.echo("  see them: vaspguard requests list (or the desk's Requests page)")


def _print_seeded(demo: DemoReport, *, lists: bool, secret: str | None) -> None:
    """What was seeded, what was planted for the analyst to find, and where to start."""
    from vaspguard.settings import Settings

    report = demo.seed
    typer.echo(
        f"seeded {report.customers} customers, {report.accounts} accounts, "
        f"{report.transactions} transactions, {report.logins} logins, {report.prices} prices "
        f"(year to {report.as_of})"
    )
    typer.echo(
        f"planted: {len(report.planted_listed)} customers named like listed persons, "
        f"{len(report.planted_withdrawals)} withdrawals to addresses of interest, "
        f"{len(report.planted_deposits)} deposits from listed wallets"
    )
    if lists:
        snaps = ", ".join(f"{s['source']} #{s['id']} ({s['entities']} entities)" for s in demo.snapshots)
        typer.echo(f"sample lists (FICTIONAL) imported as snapshots: {snaps}")
        typer.echo(
            f"screening: {demo.alerts} alerts; {len(demo.listed_address_transactions)} transactions "
            "with listed wallets (vaspguard screen alerts)"
        )
        typer.echo(
            f"lawful requests: protected party {', '.join(demo.protected_parties)}; authorities "
            f"{', '.join(demo.authorities)}; operators {', '.join(demo.operators)} "
            f"(demo keys in {Settings().data_dir / 'demo-operators'})"
        )
    if secret:
        settings = Settings()
        url = f"http://{settings.api_host}:{settings.api_port}/v1/customers"
        typer.echo(f"demo admin API token (shown once): {secret}")
        typer.echo(f'  try: curl -H "Authorization: Bearer {secret}" {url}')
