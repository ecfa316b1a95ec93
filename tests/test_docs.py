"""The documentation stays true to the code.

- README.md stays under 8 KB (everything else lives in docs/, built into a site by ``make docs``).
- docs/cli.md is what ``scripts/gen-cli-docs`` writes from the live CLI (regenerated in memory here).
- Every ``vaspguard ...`` command line in a code block of README.md or docs/*.md names a command that
  exists, and every ``--flag`` on it is an option of that command: no documented flag that does not exist.
- Every ``docs/...`` page the repository refers to exists.
- Every test the security page names as the proof of a protection exists.
- ``mkdocs build --strict`` succeeds (slow: it runs the build).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
README_LIMIT = 8192

# Fenced code blocks (```lang ... ```); the generated reference is help text, not commands to check.
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
# A vaspguard invocation: the word itself, or a path ending in it (.venv/bin/vaspguard), then arguments.
_INVOCATION = re.compile(r"(?:^|(?<=[\s/]))vaspguard[ \t]+(?P<args>.*)$")
# Shell syntax that ends the command's own arguments.
# An inline code span holding a command, with or without the program name: `vaspguard db status`,
# `audit erase N --actor A --reason R`.
_INLINE = re.compile(r"`(?:\.venv/bin/)?(?:vaspguard )?([a-z-]+ [^`]+)`")
_END = re.compile(r"\s(?:\||>|<|&&|;|\|\|)(?:\s|$)|\s<<|\s#")


def _load_generator() -> ModuleType:
    path = ROOT / "scripts" / "gen-cli-docs"
    loader = importlib.machinery.SourceFileLoader("gen_cli_docs", str(path))
    spec = importlib.util.spec_from_loader("gen_cli_docs", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@cache
def _generator() -> ModuleType:
    return _load_generator()


def _documents() -> list[Path]:
    return [README, *sorted(p for p in DOCS.glob("*.md") if p.name != "cli.md")]


def _command_lines(text: str) -> Iterator[str]:
    """Every ``vaspguard`` command line in the fenced code blocks of ``text`` (continuations joined), then
    every inline code span that is one (`vaspguard requests new --file F`)."""
    for block in _FENCE.findall(text):
        joined = re.sub(r"\s*\\\n\s*", " ", block)
        for line in joined.splitlines():
            match = _INVOCATION.search(line)
            if match:
                yield "vaspguard " + _END.split(" " + match["args"], maxsplit=1)[0].strip()
    top = set(_generator().root_command().commands)
    for span in _INLINE.findall(_FENCE.sub("", text)):
        if span.split(maxsplit=1)[0] in top | {"--db"}:
            yield "vaspguard " + " ".join(span.split())


def _option_names(command: Any) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if param.param_type_name == "option":
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def check_command_line(line: str) -> list[str]:
    """Problems with one documented command line: unknown commands and options (empty when it is right)."""
    words = [w.strip("[]") for w in shlex.split(line, comments=False)]
    words = [w for w in words if w]
    command = _generator().root_command()
    path = ["vaspguard"]
    problems = []
    rest = words[1:]
    while rest:
        word = rest.pop(0)
        if word.startswith("-"):
            flag = word.split("=", 1)[0]
            if flag.startswith("--") and flag not in _option_names(command):
                problems.append(f"{' '.join(path)}: no option {flag}")
            elif flag == "--db" and "=" not in word and rest:
                rest.pop(0)  # the root option's value, before the command
            continue
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            continue  # an argument or an option's value
        if "|" in word:  # `requests policy show|history|install`: each alternative, no further
            problems += [
                f"{' '.join(path)}: no command {w!r}" for w in word.split("|") if w not in subcommands
            ]
            break
        if word not in subcommands:
            problems.append(f"{' '.join(path)}: no command {word!r}")
            break
        command = subcommands[word]
        path.append(word)
    return problems


def test_readme_is_short() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes; move detail into docs/ (limit {README_LIMIT})"


def test_cli_reference_is_up_to_date() -> None:
    expected = _generator().render()
    actual = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run scripts/gen-cli-docs (or make docs) and commit it"


def test_cli_reference_covers_every_command() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    paths = [" ".join(path) for path, _, _ in _generator().walk(_generator().root_command())]
    assert len(paths) > 50
    for path in paths:
        assert f"`{path}`" in text


def test_documented_commands_exist() -> None:
    checked = 0
    problems = []
    for document in _documents():
        for line in _command_lines(document.read_text(encoding="utf-8")):
            checked += 1
            problems += [f"{document.relative_to(ROOT)}: `{line}`: {p}" for p in check_command_line(line)]
    assert checked > 100, f"only {checked} command lines found: is the scanner broken?"
    assert problems == []


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("vaspguard lists show --bogus", "vaspguard lists show: no option --bogus"),
        ("vaspguard lists shw", "vaspguard lists: no command 'shw'"),
        ("vaspguard --db sqlite:///x.db audit verify B --key K [--update-pinn]", "no option --update-pinn"),
        ("vaspguard screen name X --json=yes --dobb 1990", "vaspguard screen name: no option --dobb"),
        ("vaspguard requests policy show|histroy", "vaspguard requests policy: no command 'histroy'"),
    ],
)
def test_command_check_finds_wrong_lines(line: str, problem: str) -> None:
    problems = check_command_line(line)
    assert len(problems) == 1
    assert problems[0].endswith(problem)


def test_command_check_accepts_right_lines() -> None:
    assert (
        check_command_line("vaspguard --db sqlite:///x.db audit verify B --key K [--update-pin] --json") == []
    )
    assert check_command_line("vaspguard serve --no-access-log --workers 2") == []


def test_command_lines_are_found_in_code_blocks() -> None:
    text = (
        "Prose: vaspguard nothing --here.\n\n```sh\n"
        ".venv/bin/vaspguard lists show --json   # comment --x\n"
        "vaspguard policy evidence add --customer C1 \\\n    --country DE | jq .\n"
        "from vaspguard.audit import x\n```\n"
    )
    assert list(_command_lines(text)) == [
        "vaspguard lists show --json",
        "vaspguard policy evidence add --customer C1 --country DE",
    ]
    inline = (
        "Run `vaspguard serve --workers 2`, `.venv/bin/vaspguard db status` or `audit erase N`, not `a b`."
    )
    assert list(_command_lines(inline)) == [
        "vaspguard serve --workers 2",
        "vaspguard db status",
        "vaspguard audit erase N",
    ]


def test_referenced_docs_exist() -> None:
    pattern = re.compile(r"(?<![\w/.])docs/([\w.-]+\.md)")
    missing = []
    roots = [ROOT / "src", ROOT / "tests", ROOT / "benchmarks", README, ROOT / "Makefile"]
    files = [p for r in roots for p in ([r] if r.is_file() else r.rglob("*")) if p.is_file()]
    for path in files:
        if path.suffix not in {".py", ".md", ".yaml", ".yml", ""} or "__pycache__" in path.parts:
            continue
        for name in pattern.findall(path.read_text(encoding="utf-8", errors="replace")):
            if not (DOCS / name).is_file():
                missing.append(f"{path.relative_to(ROOT)}: docs/{name}")
    assert missing == []


_TEST_REF = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`")


def test_security_page_names_only_tests_that_exist() -> None:
    """Each protection on the security page names the test that shows it refusing; a renamed or removed
    test would leave the page claiming a proof that is gone. ``::name`` continues the file named before."""
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    missing, current, count = [], "", 0
    for match in _TEST_REF.finditer(text):
        path, name, continued = match.groups()
        current = path or current
        name = name or continued
        source = ROOT / current
        count += 1
        if not source.is_file() or (name and f"def {name}(" not in source.read_text(encoding="utf-8")):
            missing.append(f"{current}::{name}" if name else current)
    assert count >= 20, "the security page should name its tests"
    assert missing == []


@pytest.mark.slow
def test_site_builds_strict(tmp_path: Path) -> None:
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    site = tmp_path / "site"
    result = subprocess.run(
        [str(mkdocs), "build", "--strict", "-q", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (site / "cli" / "index.html").is_file()


def test_make_reset_removes_what_the_quick_start_writes(tmp_path: Path) -> None:
    """The quick start writes the database, var/ (keys) and disclosure/ in the checkout; a second run of it
    needs all three gone (a disclosure refuses to write into a non-empty directory)."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    for name in ("vaspguard.db", "vaspguard.db-wal", "var/audit/log.key", "disclosure/manifest.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "keep.txt").write_text("x")
    subprocess.run([make, "-s", "-f", str(ROOT / "Makefile"), "reset"], cwd=tmp_path, check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
