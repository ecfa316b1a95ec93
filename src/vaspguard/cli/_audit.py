"""``vaspguard audit``."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Audit: the tamper-evident log, checkpoints, proofs, export and offline verify.",
    no_args_is_help=True,
)
