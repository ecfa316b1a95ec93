"""``vaspguard demo``: a deterministic synthetic exchange."""

from __future__ import annotations

import typer

app = typer.Typer(help="Demo data: a deterministic synthetic exchange.", no_args_is_help=True)
