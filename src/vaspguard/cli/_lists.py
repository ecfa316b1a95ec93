"""``vaspguard lists``."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Sanctions lists: import official files, snapshots, diffs, fetch from publishers.",
    no_args_is_help=True,
)
