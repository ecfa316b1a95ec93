"""``vaspguard requests``, ``authorities``, ``protected`` and ``operators``: lawful requests."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Lawful requests: intake, assessment, approval, disclosure, notices.", no_args_is_help=True
)
authorities_app = typer.Typer(
    help="Requesting authorities: agencies, verification, keys.", no_args_is_help=True
)
protected_app = typer.Typer(
    help="Protected parties: opposition, NGOs, journalists, donors.", no_args_is_help=True
)
operators_app = typer.Typer(
    help="Operators who approve requests, with roles, regions and keys.", no_args_is_help=True
)
