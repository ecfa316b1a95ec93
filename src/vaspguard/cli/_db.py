"""``vaspguard db``: migrations and status."""

from __future__ import annotations

import typer

from vaspguard.cli._common import open_db, print_json

app = typer.Typer(help="Database: migrate to the current schema, show status.", no_args_is_help=True)


@app.command("migrate")
def migrate_cmd() -> None:
    """Create or upgrade the database schema to the newest migration (idempotent)."""
    from vaspguard.store import head_revision

    store = open_db()
    typer.echo(f"migrated {store.engine.url.render_as_string(hide_password=True)} to {head_revision()}")


@app.command("status")
def status(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the backend, URL and migration revision."""
    from vaspguard.store import current_revision, head_revision

    store = open_db(migrate_first=False)
    info = {
        "backend": store.backend.value,
        "url": store.engine.url.render_as_string(hide_password=True),
        "revision": current_revision(store),
        "head": head_revision(),
    }
    if json_out:
        print_json(info)
    else:
        for k, v in info.items():
            typer.echo(f"{k}: {v}")
