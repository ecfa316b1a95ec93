"""Crash reports: an unexpected exception is a bug, reported as one line on the terminal and a file with
what a maintainer needs (the traceback, the command line, versions), never a traceback on the terminal."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

import vaspguard


def crash_dir() -> Path:
    """``$XDG_STATE_HOME/vaspguard/crash`` (default ``~/.local/state/vaspguard/crash``)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "vaspguard" / "crash"


def save_crash_report(exc: BaseException, argv: list[str]) -> Path:
    """Write the report and return its path (in the temp dir when the state dir cannot be written)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    body = "".join(
        [
            f"vaspguard {vaspguard.__version__} crash report, {stamp}\n",
            f"command: vaspguard {' '.join(_redact(argv))}\n",
            f"python: {sys.version.split()[0]} on {platform.platform()}\n\n",
            *traceback.format_exception(exc),
        ]
    )
    try:
        first = crash_dir()
    except RuntimeError:  # no home directory to be found (no $HOME, no passwd entry)
        first = Path(tempfile.gettempdir()) / "vaspguard-crash"
    for folder in (first, Path(tempfile.gettempdir()) / "vaspguard-crash"):
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / f"crash-{stamp}-{os.getpid()}.txt"
            path.write_text(body, encoding="utf-8")
            path.chmod(0o600)  # a traceback may show local values
            return path
        except OSError:
            continue
    return Path("(could not be written)")


_SECRET_OPTIONS = frozenset({"--token", "--password", "--secret", "--key"})


def _redact(argv: list[str]) -> list[str]:
    """The command line with the values of secret-bearing options replaced."""
    out: list[str] = []
    hide = False
    for arg in argv:
        name = arg.split("=", 1)[0]
        if hide:
            out.append("***")
            hide = False
        elif name in _SECRET_OPTIONS and "=" in arg:
            out.append(f"{name}=***")
        else:
            out.append(arg)
            hide = name in _SECRET_OPTIONS
    return out
