"""No traceback, ever, for a usage or input error (issue 17). Every command and subcommand, discovered from
the CLI itself, runs with no arguments, with ``--bogus``, and with an empty environment: none may print a
traceback, a usage or input error is one line on stderr with exit code 2, and an internal error is one line
with exit code 70 and a saved report."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from vaspguard.cli import EXIT_INTERNAL, EXIT_USAGE, app, run

# Commands whose bare run does real, long or networked work (a server, a download, a demo exchange): they
# are walked with --bogus and an unknown value only.
LONG_RUNNING = {
    ("serve",): "serves HTTP until stopped",
    ("lists", "fetch"): "downloads every list from its publisher",
    ("demo", "seed"): "seeds a 2,000-customer exchange",
    ("worker",): "runs the schedule and the dispatcher until stopped",
    ("worker", "dispatch"): "delivers events until stopped",
}


def _paths(command: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        yield prefix
        return
    yield prefix  # the group itself, bare
    for name, sub in sorted(subcommands.items()):
        yield from _paths(sub, (*prefix, name))


COMMANDS = list(_paths(typer.main.get_command(app)))


def test_every_command_is_walked() -> None:
    assert len(COMMANDS) > 60  # every group and command of the CLI
    assert set(LONG_RUNNING) <= set(COMMANDS), "a long-running command was renamed: update LONG_RUNNING"


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty environment (no USER, no VASPGUARD_*, no HOME) in an empty folder."""
    for key in list(os.environ):
        if key not in ("PATH", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(code: int, out: str, err: str, argv: list[str]) -> None:
    shown = f"vaspguard {' '.join(argv)} -> {code}\nstdout: {out[-600:]}\nstderr: {err[-600:]}"
    assert "Traceback" not in out + err, shown
    assert code in (0, 1, EXIT_USAGE, 4, 5, 6, 7), shown  # never 70: the user's errors and states, not bugs
    if code != 0:
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines and lines[-1].startswith("vaspguard: "), shown
        assert "Error:" not in err, shown  # click's three-line usage block is folded into one line


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "(bare)")
def test_bare_and_bogus(path: tuple[str, ...], bare_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argvs = [[*path, "--bogus"], [*path, "--json", "--bogus"]]
    if path not in LONG_RUNNING:
        argvs.insert(0, list(path))
    for argv in argvs:
        capsys.readouterr()
        code = run(argv)
        out, err = capsys.readouterr()
        _check(code, out, err, argv)
        if "--bogus" in argv:
            assert code == EXIT_USAGE and len(err.strip().splitlines()) == 1, (argv, err)


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "append", "-m", "a note"],  # no --actor and no $USER (as in containers and CI runners)
        ["screen", "alerts", "--limit", "many"],
        ["registry", "import", "no-such-file.csv"],
        ["registry", "show", "NO-SUCH-CUSTOMER"],
        ["lists", "import", "no-such-list.xml"],
        ["requests", "show", "999"],
        ["nosuch"],
        ["--db", "mysql://nowhere/db", "lists", "show"],
    ],
    ids=lambda a: " ".join(a),
)
def test_usage_and_input_errors_are_one_line(
    argv: list[str], bare_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(argv)
    out, err = capsys.readouterr()
    _check(code, out, err, argv)
    assert code == EXIT_USAGE, (argv, err)
    assert len(err.strip().splitlines()) == 1, err


def test_internal_error_is_one_line_and_a_report(
    bare_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import vaspguard.registry

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(vaspguard.registry.Registry, "stats", broken)
    code = run(["registry", "stats"])
    out, err = capsys.readouterr()
    assert code == EXIT_INTERNAL
    assert "Traceback" not in out + err
    (line,) = err.strip().splitlines()
    assert line.startswith("vaspguard: internal error (ZeroDivisionError: a bug); report saved to ")
    report = Path(line.rsplit(" ", 1)[-1])
    assert report.parent == bare_env / "state" / "vaspguard" / "crash"
    text = report.read_text()
    assert "Traceback" in text and "ZeroDivisionError: a bug" in text and "vaspguard registry stats" in text
    assert oct(report.stat().st_mode & 0o777) == "0o600"


def test_secrets_are_not_written_to_crash_reports() -> None:
    from vaspguard.cli._crash import _redact

    assert _redact(["x", "--token", "s3cret", "--key=abc", "--name", "n"]) == [
        "x",
        "--token",
        "***",
        "--key=***",
        "--name",
        "n",
    ]


def _entry_point(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real ``vaspguard`` process with an empty environment (PATH only)."""
    script = Path(sys.executable).with_name("vaspguard")
    return subprocess.run(
        [str(script), *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [([], 0), (["--bogus"], 2), (["audit", "append", "-m", "note"], 2), (["lists", "show"], 0)],
    ids=["bare", "bogus", "append without actor", "lists show"],
)
def test_the_installed_command_in_an_empty_environment(args: list[str], code: int, tmp_path: Path) -> None:
    done = _entry_point(args, tmp_path)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == code, done.stderr
    if code:
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
