"""``vaspguard screen``."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Screening: names and wallet addresses against the sanctions lists.", no_args_is_help=True
)
