"""``vaspguard policy``: decisions, rule packs, batch evaluation, exemption evidence, notices."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import typer

from vaspguard._json import to_jsonable
from vaspguard.cli._common import open_db, print_json
from vaspguard.errors import InvalidFile, InvalidRequest

app = typer.Typer(
    help="Restrictions: sanctions regimes as policy-as-code; decisions and batch evaluation.",
    no_args_is_help=True,
)

_PACK = typer.Option(
    None, "--pack", help="An extra rule pack (YAML) after the built-in ones; repeat for several."
)
_NO_BUILTIN = typer.Option(False, "--no-builtin", help="Use only the --pack files, not the built-in packs.")


def _packs(packs: list[Path] | None, no_builtin: bool) -> Any:
    from vaspguard.policy._service import load_packs

    loaded = load_packs(packs or (), builtin=not no_builtin)
    if not loaded:
        raise InvalidRequest("--pack", "no packs: give --pack FILE or drop --no-builtin")
    return loaded


def _date(value: str, option: str) -> date:
    from vaspguard.policy._request import parse_date

    try:
        parsed = parse_date(value, option)
    except InvalidRequest as exc:
        raise InvalidRequest(option, exc.reason) from None
    assert parsed is not None
    return parsed


@app.command("decide")
def decide(
    input: Path = typer.Option(..., "--input", "-i", help="JSON Lines file of requests ('-' for stdin)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write decisions here (default stdout)."),
    pack: list[Path] | None = _PACK,
    no_builtin: bool = _NO_BUILTIN,
    no_log: bool = typer.Option(False, "--no-log", help="Do not record deny/review decisions in the log."),
) -> None:
    """Decide each request of a JSON Lines file: one decision per line, in the same order.

    A line that is not a valid request gets, on its output line, an error object
    {"error": {"type", "message", "field", "reason", "line"}} instead of a decision; the other lines
    are still decided, a summary goes to stderr and the exit code is 2. Amounts are read exactly
    (JSON numbers as decimals). Requests with {"customer": {"id": ...}} read the registry in --db.
    """
    from vaspguard.policy._service import PolicyService

    packs = _packs(pack, no_builtin)
    store = open_db()
    service = PolicyService(store, packs, log_decisions=not no_log, actor="cli")
    service.register_version()
    errors = total = 0
    with ExitStack() as stack:
        src: TextIO = sys.stdin if str(input) == "-" else stack.enter_context(_open(input))
        out: TextIO = (
            sys.stdout if output is None else stack.enter_context(output.open("w", encoding="utf-8"))
        )
        for number, line in enumerate(src, start=1):
            total += 1
            try:
                request = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                err = InvalidFile(str(input), f"line {number}: not JSON: {exc.msg} (column {exc.colno})")
                result = {"error": {"type": "InvalidFile", "message": str(err), "line": number}}
            else:
                result = service.decide_json(request, line=number)
            if "error" in result:
                errors += 1
            out.write(json.dumps(to_jsonable(result), ensure_ascii=False, separators=(",", ":")) + "\n")
    service.close()
    store.dispose()
    if errors:
        sys.stderr.write(
            f"vaspguard: {errors} of {total} lines of {input} were not valid requests "
            "(see their error objects)\n"
        )
        raise typer.Exit(2)


def _open(path: Path) -> TextIO:
    try:
        return path.open("r", encoding="utf-8")
    except OSError as exc:
        raise InvalidFile(path, f"cannot read: {exc.strerror}") from None


@app.command("packs")
def packs_cmd(
    pack: list[Path] | None = _PACK,
    no_builtin: bool = _NO_BUILTIN,
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the loaded rule packs, their rules and the policy_version they make (validates --pack files)."""
    from vaspguard.policy import Engine

    loaded = _packs(pack, no_builtin)
    engine = Engine(loaded)
    data: dict[str, Any] = {
        "policy_version": engine.policy_version,
        "packs": [
            {
                "id": p.id,
                "title": p.spec.title,
                "source": p.source,
                "sha256": p.sha256,
                "rules": [
                    {
                        "id": r.id,
                        "outcome": r.outcome,
                        "effective": {"from": r.effective.from_, "until": r.effective.until},
                        "citation": r.citation.render(),
                    }
                    for r in p.spec.rules
                ],
            }
            for p in loaded
        ],
    }
    if json_out:
        print_json(data)
        return
    typer.echo(f"policy_version {engine.policy_version}")
    for p in data["packs"]:
        typer.echo(f"\n{p['id']}  ({p['source']}, sha256 {p['sha256'][:16]}…)\n  {p['title']}")
        for r in p["rules"]:
            eff = r["effective"]
            span = f"{eff['from'] or '…'} .. {eff['until'] or '…'}"
            typer.echo(f"  {r['outcome']:<6} {r['id']:<34} {span:<25} {r['citation']}")
