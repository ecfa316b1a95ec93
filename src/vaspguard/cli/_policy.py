"""``vaspguard policy``."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Restrictions: sanctions regimes as policy-as-code; decisions and batch evaluation.",
    no_args_is_help=True,
)
