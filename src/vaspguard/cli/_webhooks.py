"""``vaspguard webhooks``: event endpoints (signed per Standard Webhooks), their dead letters and replay."""

from __future__ import annotations

import typer

from vaspguard.cli._common import open_db, print_json

app = typer.Typer(
    help="Webhook endpoints for events: add (secret shown once), list, remove, rotate, dead, replay.",
    no_args_is_help=True,
)
_JSON = typer.Option(False, "--json", help="Print JSON.")


@app.command("add")
def add(
    name: str = typer.Argument(..., help="A name for the endpoint."),
    url: str = typer.Argument(..., help="https:// URL (http only to 127.0.0.1/::1/localhost)."),
    types: list[str] | None = typer.Option(
        None, "--type", help="Only these event types (repeat); default all."
    ),
    secret: str | None = typer.Option(
        None, "--secret", help="A whsec_ secret to use; default a new random one, printed once."
    ),
) -> None:
    """Register an endpoint; it receives events from now on (history: GET /v1/events?after=ID)."""
    from vaspguard.events import add_webhook

    sink, shown = add_webhook(open_db(), name, url, types=types or (), secret=secret)
    typer.echo(f"added {sink.name} -> {sink.url}", err=True)
    typer.echo(shown)


@app.command("list")
def list_(json_out: bool = _JSON) -> None:
    """Endpoints with delivery counts (pending, delivered, dead); never their secrets."""
    from vaspguard.events import list_webhooks

    rows = list_webhooks(open_db())
    if json_out:
        print_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['name']}\t{r['kind']}\t{r['url']}\t{','.join(r['types'])}\t"
            f"pending {r['pending']}\tdelivered {r['delivered']}\tdead {r['dead']}"
        )


@app.command("remove")
def remove(name: str = typer.Argument(..., help="Endpoint name.")) -> None:
    """Stop delivering to an endpoint (its delivery record stays)."""
    from vaspguard.events import remove_webhook

    remove_webhook(open_db(), name)
    typer.echo(f"removed {name}")


@app.command("rotate")
def rotate(
    name: str = typer.Argument(..., help="Endpoint name."),
    retire: bool = typer.Option(False, "--retire", help="End the overlap: keep only the newest secret."),
) -> None:
    """Add a new secret (printed once); messages carry a signature for each current secret until --retire."""
    from vaspguard.events import rotate_secret

    shown = rotate_secret(open_db(), name, retire=retire)
    typer.echo(shown if shown else f"{name}: older secrets retired")


@app.command("dead")
def dead(name: str = typer.Argument(..., help="Endpoint name."), json_out: bool = _JSON) -> None:
    """Deliveries that failed for 24 hours (the dead letter)."""
    from vaspguard.events import dead_letters

    rows = dead_letters(open_db(), name)
    if json_out:
        print_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['event']}\t{r['attempts']} attempts\t{r['last_error']}")


@app.command("replay")
def replay(
    name: str = typer.Argument(..., help="Endpoint name."),
    events: list[str] | None = typer.Option(
        None, "--event", help="Only these event ids (repeat); default all."
    ),
) -> None:
    """Queue dead-lettered deliveries again (the dispatcher sends them on its next pass)."""
    from vaspguard.events import parse_event_id
    from vaspguard.events import replay as queue_again

    n = queue_again(open_db(), name, events=[parse_event_id(e) for e in events or ()])
    typer.echo(f"{n} deliveries queued again for {name}")
