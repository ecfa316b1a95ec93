"""``vaspguard registry``: import, export and inspect the exchange registry."""

from __future__ import annotations

import typer

app = typer.Typer(help="The exchange registry: import, export, show.", no_args_is_help=True)
