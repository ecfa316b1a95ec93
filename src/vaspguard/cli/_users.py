"""``vaspguard users``: desk users (people signing in with passkeys), distinct from API tokens."""

from __future__ import annotations

import typer

from vaspguard.cli._common import open_db, print_json

ROLES = "analyst, legal, privacy, security, regional_lead, executive, auditor, admin"

app = typer.Typer(
    help="Desk users: invite (one-time enrolment link), list, deactivate.", no_args_is_help=True
)


@app.command("invite")
def invite(
    name: str = typer.Option(..., "--name", help="The person's name, as the desk shows it."),
    role: list[str] = typer.Option(..., "--role", help=f"A role (repeat, or comma-separate): {ROLES}."),
    region: str = typer.Option(..., "--region", help="The person's region (e.g. EU, KR, US)."),
) -> None:
    """Create a desk user and print a one-time enrolment link, valid 24 hours (VASPGUARD_DESK_ORIGIN)."""
    from vaspguard.desk import invite as create

    user, link = create(open_db(), name=name, roles=role, region=region)
    typer.echo(
        f"invited {user.name} ({user.role_text}, {user.region}); enrolment link, valid 24 h, works once:"
    )
    typer.echo(link)


@app.command("list")
def list_users(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List desk users with their roles, region, passkey count and whether they are active."""
    from vaspguard.desk import list_users as read

    users = read(open_db())
    if json_out:
        print_json(
            [
                {
                    "id": u.id,
                    "name": u.name,
                    "roles": sorted(u.roles),
                    "region": u.region,
                    "passkeys": u.passkeys,
                    "active": u.active,
                    "created_at": u.created_at,
                }
                for u in users
            ]
        )
        return
    for u in users:
        state = "active" if u.active else "deactivated"
        typer.echo(f"{u.id}\t{u.name}\t{u.role_text}\t{u.region}\t{u.passkeys} passkey(s)\t{state}")


@app.command("deactivate")
def deactivate(user: str = typer.Argument(..., help="User id or name from `users list`.")) -> None:
    """Deactivate a user at once: sessions end, unused invites are void, no more sign-ins."""
    from vaspguard.desk import deactivate as stop

    done = stop(open_db(), user)
    typer.echo(f"deactivated {done.name}")
