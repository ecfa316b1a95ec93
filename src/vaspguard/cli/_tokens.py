"""``vaspguard tokens``: API tokens (stored hashed, each with one role)."""

from __future__ import annotations

import typer

from vaspguard.cli._common import open_db, print_json
from vaspguard.roles import Role

app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)


@app.command("create")
def create(
    name: str = typer.Option(..., "--name", help="Who or what holds the token."),
    role: str = typer.Option(..., "--role", help=f"One of: {', '.join(Role)}."),
) -> None:
    """Create a token and print it once; only its SHA-256 is stored."""
    from vaspguard.tokens import create_token

    typer.echo(create_token(open_db(), name=name, role=role))


@app.command("list")
def list_tokens(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List tokens (never their values)."""
    from vaspguard.tokens import list_tokens as listed

    rows = [
        {"id": t.id, "name": t.name, "role": t.role, "created_at": t.created_at, "revoked_at": t.revoked_at}
        for t in listed(open_db())
    ]
    if json_out:
        print_json(rows)
        return
    for r in rows:
        state = "revoked" if r["revoked_at"] else "active"
        typer.echo(f"{r['id']}\t{r['name']}\t{r['role']}\t{state}")


@app.command("revoke")
def revoke(token_id: int = typer.Argument(..., help="Token id from `tokens list`.")) -> None:
    """Revoke a token at once."""
    from vaspguard.tokens import revoke_token

    revoke_token(open_db(), token_id)
    typer.echo(f"revoked token {token_id}")
