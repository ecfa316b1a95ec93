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
from vaspguard.errors import InvalidFile, InvalidRequest, VaspguardError

app = typer.Typer(
    help="Restrictions: sanctions regimes as policy-as-code; decisions and batch evaluation.",
    no_args_is_help=True,
)

_PACK = typer.Option(
    None, "--pack", help="An extra rule pack (YAML) after the built-in ones; repeat for several."
)
_NO_BUILTIN = typer.Option(False, "--no-builtin", help="Use only the --pack files, not the built-in packs.")
_BUILTIN = typer.Option(
    None,
    "--builtin",
    help="Only these built-in packs, comma-separated (e.g. without the EU packs for a provider with no EU "
    "nexus, Reg 833/2014 Art 13).",
)


def _packs(packs: list[Path] | None, no_builtin: bool, builtin: str | None = None) -> Any:
    from vaspguard.policy import builtin_packs, load_pack

    if builtin is not None and no_builtin:
        raise InvalidRequest("--builtin", "give --builtin or --no-builtin, not both")
    names = [n.strip() for n in builtin.split(",") if n.strip()] if builtin is not None else None
    loaded = [] if no_builtin else builtin_packs(names) if names is not None else builtin_packs()
    loaded += [load_pack(p) for p in packs or ()]
    if not loaded:
        raise InvalidRequest("--pack", "no packs: give --pack FILE or drop --no-builtin")
    return loaded


def _date(value: str, option: str) -> date:
    from vaspguard.policy import parse_date

    try:
        parsed = parse_date(value, option)
    except InvalidRequest as exc:
        raise InvalidRequest(option, exc.reason) from None
    assert parsed is not None
    return parsed


@app.command("decide")
def decide(
    input_path: Path = typer.Option(
        ..., "--input", "-i", help="JSON Lines file of requests ('-' for stdin)."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write decisions here (default stdout)."),
    pack: list[Path] | None = _PACK,
    no_builtin: bool = _NO_BUILTIN,
    builtin: str | None = _BUILTIN,
    no_log: bool = typer.Option(False, "--no-log", help="Do not record deny/review decisions in the log."),
) -> None:
    """Decide each request of a JSON Lines file: one decision per line, in the same order.

    A line that is not a valid request gets, on its output line, an error object
    {"error": {"type", "message", "field", "reason", "line"}} instead of a decision; the other lines
    are still decided, a summary goes to stderr and the exit code is 2. Amounts are read exactly
    (JSON numbers as decimals). Requests with {"customer": {"id": ...}} read the registry in --db.
    """
    from vaspguard.policy import PolicyService

    packs = _packs(pack, no_builtin, builtin)
    store = open_db()
    service = PolicyService(store, packs, log_decisions=not no_log, actor="cli")
    try:
        service.register_version()
    except VaspguardError as exc:
        # Decisions do not depend on the audit log; a log that refuses to sign (for instance a signing
        # state left by another database) is reported loudly, and the version is recorded on a later run.
        sys.stderr.write(f"vaspguard: warning: policy version not recorded in the audit log: {exc}\n")
    errors = total = 0
    with ExitStack() as stack:
        src: TextIO = sys.stdin if str(input_path) == "-" else stack.enter_context(_open(input_path))
        out: TextIO = (
            sys.stdout if output is None else stack.enter_context(output.open("w", encoding="utf-8"))
        )
        for number, line in enumerate(src, start=1):
            total += 1
            try:
                request = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as exc:
                err = InvalidFile(str(input_path), f"line {number}: not JSON: {exc.msg} (column {exc.colno})")
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
            f"vaspguard: {errors} of {total} lines of {input_path} were not valid requests "
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
    builtin: str | None = _BUILTIN,
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the loaded rule packs, their rules and the policy_version they make (validates --pack files)."""
    from vaspguard.policy import Engine

    loaded = _packs(pack, no_builtin, builtin)
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


@app.command("evaluate")
def evaluate_cmd(
    at: str = typer.Option(..., "--at", help="Evaluation date, YYYY-MM-DD (UTC)."),
    pack: list[Path] | None = _PACK,
    no_builtin: bool = _NO_BUILTIN,
    builtin: str | None = _BUILTIN,
    json_out: bool = typer.Option(
        False, "--json", help="Machine-readable output (summary and every change)."
    ),
) -> None:
    """Evaluate every registry customer on a date: states, the diff against the previous evaluation, and a
    notice for each customer whose state changed."""
    from vaspguard.cli._common import progress
    from vaspguard.policy import PolicyService, evaluate
    from vaspguard.registry import Registry

    day = _date(at, "--at")
    store = open_db()
    service = PolicyService(store, _packs(pack, no_builtin, builtin), log_decisions=False, actor="cli")
    service.register_version()
    total = Registry(store).count_customers()
    with progress(hide=json_out) as bar:
        task = bar.add_task("evaluating customers", total=total)
        result = evaluate(store, service.engine, day, progress=lambda n: bar.advance(task, n))
        bar.update(task, completed=total)
    summary = result.summary()
    if json_out:
        print_json({**summary, "change_list": result.changes})
        return
    typer.echo(
        f"evaluation {result.evaluation_id} on {day}: {result.customers} customers, "
        f"{len(result.changes)} changed ({result.profiles} distinct profiles)"
    )
    for state, n in summary["states"].items():
        typer.echo(f"  {state:<14} {n}")
    for kind, n in summary["changes"].items():
        typer.echo(f"  change {kind}: {n}")
    typer.echo(f"policy_version {result.policy_version}")


evidence_app = typer.Typer(
    help="Exemption evidence: residence permits and authorisations.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")


@evidence_app.command("add")
def evidence_add(
    customer: str = typer.Option(..., "--customer", help="Registry customer id."),
    kind: str = typer.Option("residence_permit", "--kind", help="residence_permit or authorisation."),
    country: str | None = typer.Option(None, "--country", help="Issuing country of the permit (alpha-2)."),
    permit_kind: str | None = typer.Option(None, "--permit-kind", help="temporary or permanent."),
    valid_from: str | None = typer.Option(None, "--valid-from", help="Permit valid from, YYYY-MM-DD."),
    valid_until: str | None = typer.Option(None, "--valid-until", help="Permit valid until (inclusive)."),
    legal_basis: str | None = typer.Option(None, "--legal-basis", help="Authorisation: its legal basis."),
    scope: str | None = typer.Option(None, "--scope", help="Authorisation: what it covers."),
    document: str = typer.Option(..., "--document", help="The document seen (number or file reference)."),
    recorded_by: str = typer.Option(..., "--by", help="Who checked and records the evidence."),
    at: str | None = typer.Option(None, "--at", help="Re-evaluate on this date (default: today, UTC)."),
    json_out: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Record exemption evidence for a customer (logged to the audit log) and re-evaluate that customer."""
    from vaspguard.policy import PolicyService, open_audit, record_evidence
    from vaspguard.store import utcnow

    store = open_db()
    service = PolicyService(store, log_decisions=False, actor=recorded_by)
    service.register_version()
    evidence_id, result = record_evidence(
        store,
        service.engine,
        customer,
        kind=kind,
        country=country,
        permit_kind=permit_kind,
        valid_from=_date(valid_from, "--valid-from") if valid_from else None,
        valid_until=_date(valid_until, "--valid-until") if valid_until else None,
        legal_basis=legal_basis,
        scope=scope,
        document=document,
        recorded_by=recorded_by,
        at=_date(at, "--at") if at else utcnow().date(),
        audit=open_audit,
    )
    out = {"evidence_id": evidence_id, "evaluation": result.summary(), "changes": result.changes}
    if json_out:
        print_json(out)
        return
    change = result.changes[0] if result.changes else None
    typer.echo(
        f"evidence {evidence_id} recorded for {customer}; "
        + (f"state {change['old_state']} -> {change['new_state']}" if change else "state unchanged")
    )


@app.command("notices")
def notices_cmd(
    evaluation: int | None = typer.Option(None, "--evaluation", help="Only this evaluation's notices."),
    customer: str | None = typer.Option(None, "--customer", help="Only this customer's notices."),
    limit: int = typer.Option(100, "--limit", help="At most this many (newest first)."),
) -> None:
    """Notices of state changes (JSON): what changed, legal basis, what the customer can still do, how to
    prove an exemption."""
    from vaspguard.policy import notices

    print_json(notices(open_db(), evaluation=evaluation, customer=customer, limit=limit))


@app.command("state")
def state_cmd(customer: str = typer.Argument(..., help="Registry customer id.")) -> None:
    """A customer's state from the latest evaluation (JSON); no row means unrestricted."""
    from vaspguard.policy import customer_state
    from vaspguard.registry import Registry

    store = open_db()
    Registry(store).get_customer(customer)
    print_json(customer_state(store, customer))


@app.command("log")
def log_cmd(
    customer: str | None = typer.Option(None, "--customer", help="Only this customer's decisions."),
    outcome: str | None = typer.Option(None, "--outcome", help="deny or review."),
    limit: int = typer.Option(100, "--limit", help="At most this many (newest first)."),
) -> None:
    """The decision log (JSON): deny and review decisions with id, input digest, rule and policy version."""
    from vaspguard.policy import decision_log

    if outcome is not None and outcome not in ("deny", "review"):
        raise InvalidRequest("--outcome", f"expected deny or review, got {outcome!r}")
    print_json(decision_log(open_db(), customer=customer, outcome=outcome, limit=limit))
