"""The ``vaspguard`` command line (Typer). Each capability adds its commands in its own module here.

Exit codes, and what reaches the terminal:

- 0: done. A bare ``vaspguard`` (or a group without its command) prints the help.
- 2: a usage or input error (a missing or unknown option, a bad value, an unreadable file, an unknown id,
  no actor): one line on stderr naming what is wrong, never a traceback.
- 3: a batch ran to its end, but some rows failed with an internal error (``PartialFailure``).
- 1, 4 to 7: what ``vaspguard.errors`` names (a failed check, the database, a broken invariant, a refusal
  by a safeguard, a failed download): one line on stderr.
- 70: an internal error (a bug): one line naming the exception class and a report file with the traceback
  (``$XDG_STATE_HOME/vaspguard/crash/``, else ``~/.local/state/vaspguard/crash/``, else the temp dir).
- 130: interrupted (Ctrl-C).

Start-up: importing this package loads typer and the command modules only; each command imports what it
needs when it runs (tests/cli keeps the web stack, numpy, pyarrow and alembic out of the import).
"""

from __future__ import annotations

import sys

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.exceptions import Abort, Exit

from vaspguard.cli import (
    _audit,
    _db,
    _demo,
    _lists,
    _policy,
    _registry,
    _requests,
    _screen,
    _serve,
    _tokens,
    _users,
    _webhooks,
    _worker,
)
from vaspguard.cli._batch import app as batch_app
from vaspguard.cli._common import state
from vaspguard.cli._crash import save_crash_report
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
app.add_typer(_users.app, name="users")
app.add_typer(_webhooks.app, name="webhooks")
app.add_typer(_worker.app, name="worker")
app.add_typer(batch_app, name="batch")
app.command("serve")(_serve.serve)


EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE (sysexits.h)
EXIT_INTERRUPTED = 130


def run(argv: list[str] | None = None) -> int:
    """Run the CLI on ``argv`` and return the exit code (tests call this; ``main`` exits with it)."""
    args = sys.argv[1:] if argv is None else argv
    try:
        result = app(args=args, prog_name="vaspguard", standalone_mode=False)
    except Exit as exc:
        return exc.exit_code
    except NoArgsIsHelpError as exc:  # a bare `vaspguard` or a group without its command: the help
        sys.stdout.write(exc.format_message() + "\n")
        return 0
    except UsageError as exc:
        sys.stderr.write(f"vaspguard: {_usage_line(exc)}\n")
        return EXIT_USAGE
    except ClickException as exc:  # e.g. a file typer could not open
        sys.stderr.write(f"vaspguard: {exc.format_message()}\n")
        return EXIT_USAGE
    except VaspguardError as err:
        sys.stderr.write(f"vaspguard: {err}\n")
        return err.exit_code
    except (Abort, KeyboardInterrupt):
        sys.stderr.write("vaspguard: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `vaspguard ... | head`: the reader left, nothing is wrong
        return 0
    except Exception as exc:
        report = save_crash_report(exc, args)
        sys.stderr.write(
            f"vaspguard: internal error ({type(exc).__name__}: {_first_line(exc)}); "
            f"report saved to {report}\n"
        )
        return EXIT_INTERNAL
    finally:
        while state.stores:
            state.stores.pop().dispose()
    return result if isinstance(result, int) else 0


def _usage_line(exc: UsageError) -> str:
    """One line: what is wrong, and where to read more."""
    where = exc.ctx.command_path if exc.ctx is not None else "vaspguard"
    message = " ".join(exc.format_message().split())
    return f"{message} (see '{where} --help')"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else "no message"


def main() -> None:
    sys.exit(run())
