"""The ``vaspguard`` command line (Typer). Each capability adds its commands in its own module here.

Errors a user can cause end as one line on stderr and a non-zero exit (``VaspguardError.exit_code``).
"""

from __future__ import annotations

import sys

import click
import typer

from vaspguard.cli import _audit, _db, _demo, _lists, _policy, _registry, _requests, _screen, _serve, _tokens
from vaspguard.cli._common import state
from vaspguard.errors import VaspguardError

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="vaspguard",
    help="Compliance control plane for cryptocurrency exchanges.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="VASPGUARD_DB",
        help="Database URL: sqlite:///FILE (default sqlite:///vaspguard.db) or postgresql://USER@HOST/DB.",
    ),
) -> None:
    state.db_url = db


app.add_typer(_db.app, name="db")
app.add_typer(_registry.app, name="registry")
app.add_typer(_demo.app, name="demo")
app.add_typer(_tokens.app, name="tokens")
app.add_typer(_lists.app, name="lists")
app.add_typer(_screen.app, name="screen")
app.add_typer(_policy.app, name="policy")
app.add_typer(_requests.app, name="requests")
app.add_typer(_requests.authorities_app, name="authorities")
app.add_typer(_requests.protected_app, name="protected")
app.add_typer(_requests.operators_app, name="operators")
app.add_typer(_audit.app, name="audit")
app.command("serve")(_serve.serve)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code (tests call this; ``main`` exits with it)."""
    try:
        result = app(args=argv, prog_name="vaspguard", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        sys.stderr.write("vaspguard: aborted\n")
        return 1
    except VaspguardError as err:
        sys.stderr.write(f"vaspguard: {err}\n")
        return err.exit_code
    finally:
        while state.stores:
            state.stores.pop().dispose()
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run())
