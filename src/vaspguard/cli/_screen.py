"""``vaspguard screen``: names and wallet addresses against the sanctions lists, alerts and dispositions.

Every command screens against the active list snapshots in the database, or, with ``--list FILE`` (any
number of times), against list files read directly without a database.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from vaspguard._csv import records
from vaspguard._json import to_jsonable
from vaspguard.cli._common import open_db, print_json, progress
from vaspguard.errors import InvalidFile, InvalidRequest, InvalidRow, PartialFailure

if TYPE_CHECKING:
    from vaspguard.screening import AddressBook, Alert, Match, RunReport, Screener
    from vaspguard.store import Store

app = typer.Typer(
    help="Screening: names and wallet addresses against the sanctions lists.", no_args_is_help=True
)

_LISTS_HELP = "Screen against this list file instead of the database's active snapshots (repeatable)."
_THRESHOLD_HELP = "Alert at this score or more, in (0, 1] (default: the balanced profile's)."
_PROFILE_HELP = "A named threshold: strict (0.84), balanced (0.80, the default) or broad (0.76)."


def _threshold(threshold: float | None, profile: str | None) -> float:
    from vaspguard.screening import threshold_for

    return threshold_for(threshold, profile)


def _entities(lists: list[Path] | None) -> tuple[Screener, AddressBook]:
    from vaspguard.screening import AddressBook, Screener, read_lists

    if lists:
        entities = read_lists(lists)
        return Screener.from_entities(entities), AddressBook.from_entities(entities)
    screener = Screener.from_store(open_db())
    return screener, AddressBook.from_entities(screener.entities)


def _why(m: Match) -> str:
    parts = [f"query read as {m.breakdown.query_reading}"] if m.breakdown.query_reading else []
    if m.breakdown.candidate_reading:
        parts.append(f"listed name read as {m.breakdown.candidate_reading}")
    parts += [f"{p.query}~{p.candidate}({p.how} {p.similarity:.2f})" for p in m.breakdown.pairs]
    if m.breakdown.unmatched_query:
        parts.append("query-only: " + " ".join(m.breakdown.unmatched_query))
    parts += [f"{f.name}{f.delta:+.2f}" for f in m.breakdown.factors]
    if m.breakdown.alias_kind not in ("primary", "aka"):
        parts.append(f"{m.breakdown.alias_kind} alias x{m.breakdown.alias_quality}")
    return "; ".join(parts)


@app.command("name")
def name_(
    name: str = typer.Argument(..., help="The name to screen, in any script."),
    dob: str | None = typer.Option(None, "--dob", help="Date of birth: YYYY, YYYY-MM or YYYY-MM-DD."),
    nationality: str | None = typer.Option(None, "--nationality", help="Nationality, ISO 3166-1 alpha-2."),
    country: str | None = typer.Option(None, "--country", help="Country of residence, ISO 3166-1 alpha-2."),
    kind: str | None = typer.Option(None, "--kind", help="person or organisation."),
    gender: str | None = typer.Option(None, "--gender", help="male or female."),
    document: list[str] | None = typer.Option(None, "--document", help="An identity document number."),
    top: int = typer.Option(5, "--top", help="How many candidates to show."),
    lists: list[Path] | None = typer.Option(None, "--list", help=_LISTS_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON (matches with their breakdown)."),
    threshold: float | None = typer.Option(None, "--threshold", help=_THRESHOLD_HELP),
    profile: str | None = typer.Option(None, "--profile", help=_PROFILE_HELP),
) -> None:
    """Screen one name: the best candidates with score, alert yes/no and why."""
    line = _threshold(threshold, profile)
    screener, _ = _entities(lists)
    matches = screener.screen_name(
        name,
        dob=dob,
        nationality=nationality,
        country=country,
        kind=kind,
        gender=gender,
        documents=document or (),
        top=top,
        threshold=line,
    )
    if json_out:
        print_json(matches)
        return
    if not matches:
        sys.stdout.write("no candidates\n")
        return
    for i, m in enumerate(matches, 1):
        flag = "ALERT" if m.alert else "-"
        sys.stdout.write(f"{i}. {m.score:.3f} {flag:5} {m.entity_key}  {m.matched_name}\n      {_why(m)}\n")


# --- batch --------------------------------------------------------------------------------------------------


def _read_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(position, default id, row) from a CSV (header line) or JSON Lines file.

    The position is what an editor shows and what ``registry import`` reports: the line a record starts on
    (the CSV header is line 1). The default id (for rows without one) is the line number in JSON Lines and
    the data-row number in CSV, as it always was."""
    if not path.is_file():
        raise InvalidFile(path, "no such file")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        yield from _read_jsonl_rows(path)
    else:
        yield from _read_csv_rows(path, required)


def _read_jsonl_rows(path: Path) -> Iterator[tuple[int, str, dict[str, str]]]:
    with path.open("rb") as fh:
        for i, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if i == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidRow(path, i, "(line)", f"not UTF-8: {exc.reason}") from None
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidRow(path, i, "(line)", f"not JSON: {exc.msg}") from None
            if not isinstance(obj, dict):
                raise InvalidRow(path, i, "(line)", "not a JSON object")
            row = {str(k): "" if v is None else str(v) for k, v in obj.items()}
            for k, v in row.items():
                # a JSON escape can spell a lone surrogate (\ud800), which no UTF-8 output can hold
                if _SURROGATE.search(k + v):
                    raise InvalidRow(path, i, k, "not valid Unicode: a lone surrogate")
            yield i, str(i), row


_SURROGATE = re.compile("[\ud800-\udfff]")


def _read_csv_rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, str, dict[str, str]]]:
    with path.open("rb") as fh:
        # decoded line by line, so that a byte that is not UTF-8 is reported on its own line
        reader = csv.reader(raw.decode("utf-8-sig" if i == 0 else "utf-8") for i, raw in enumerate(fh))
        try:
            header = next(reader, [])
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InvalidFile(path, f"unreadable header line: {exc}") from None
        missing = [c for c in required if c not in header]
        if missing:
            raise InvalidFile(path, f"missing column(s) {', '.join(missing)} in the header line")
        for n, (start, values) in enumerate(records(path, reader), 1):
            row = dict.fromkeys(header, "") | {k: v.strip() for k, v in zip(header, values, strict=False)}
            yield start, str(n), row


def _atomic_writer(output: Path) -> tuple[Any, Path]:
    fd, tmp = tempfile.mkstemp(prefix=".vaspguard-", dir=output.parent or Path("."))
    return os.fdopen(fd, "w", encoding="utf-8", newline=""), Path(tmp)


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return max(0, sum(1 for _ in fh) - (0 if path.suffix.lower() in (".jsonl", ".ndjson") else 1))


@app.command("batch")
def batch(
    input_: Path = typer.Option(
        ..., "--input", help="CSV or JSON Lines: id,name,dob,nationality,country,kind."
    ),
    output: Path = typer.Option(..., "--output", help="Where to write the results (JSON Lines)."),
    top: int = typer.Option(3, "--top", help="Candidates per row."),
    lists: list[Path] | None = typer.Option(None, "--list", help=_LISTS_HELP),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Worker processes (the index is built once and shared by fork; output order is input order).",
    ),
    threshold: float | None = typer.Option(None, "--threshold", help=_THRESHOLD_HELP),
    profile: str | None = typer.Option(None, "--profile", help=_PROFILE_HELP),
) -> None:
    """Screen many names. One output line per input row: id, name, alert, and the top candidates with list
    source, source id, matched name, score and breakdown. A bad row stops the run naming file, row, field
    and reason, and no output file is left behind."""
    global _BATCH_SCREENER
    line = _threshold(threshold, profile)
    screener, _ = _entities(lists)
    rows_in = list(_read_rows(input_, ("name",)))
    for i, _, row in rows_in:
        if not row.get("name", "").strip():
            raise InvalidRow(input_, i, "name", "empty")
    jobs = [(i, row | {"id": row.get("id") or default_id}, top, line) for i, default_id, row in rows_in]
    fh, tmp = _atomic_writer(output)
    rows = alerts = 0
    failed: list[str] = []
    pool = None
    try:
        _BATCH_SCREENER = screener
        if workers > 1 and len(jobs) > 1:
            import gc
            import multiprocessing

            # fork: the children share the parent's index pages instead of building or unpickling their own;
            # frozen objects are left alone by the collector, so its passes do not copy those pages
            gc.freeze()
            pool = multiprocessing.get_context("fork").Pool(workers)
            gc.unfreeze()
            results: Iterator[tuple[int, str | None, str, bool]] = pool.imap(
                _screen_job, jobs, chunksize=max(1, min(256, len(jobs) // (workers * 8)))
            )
        else:
            results = map(_screen_job, jobs)
        with fh, progress() as bar:
            task = bar.add_task("screening", total=len(jobs))
            for i, error_field, text, alert in results:
                if error_field == _INTERNAL:
                    failed.append(f"row {i} ({json.loads(text)['error'].split(':')[0]})")
                elif error_field is not None:
                    raise InvalidRow(input_, i, error_field, text)
                alerts += alert
                fh.write(text + "\n")
                rows += 1
                bar.advance(task)
        os.replace(tmp, output)
    finally:
        _BATCH_SCREENER = None
        if pool is not None:
            pool.terminate()
            pool.join()
        tmp.unlink(missing_ok=True)
    done = rows - len(failed)
    sys.stderr.write(
        f"{done} rows screened, {alerts} with an alert, {len(failed)} failed with an internal error"
        f" -> {output}\n"
    )
    if failed:
        raise PartialFailure(done, tuple(failed))


_BATCH_SCREENER: Screener | None = None
_INTERNAL = "(internal error)"  # a row that failed with a bug, written to the output with its error


def _screen_job(job: tuple[int, dict[str, str], int, float]) -> tuple[int, str | None, str, bool]:
    """One batch row: (row number, None, output JSON line, alert), or (row number, field, reason, False)
    for a bad row. Runs in a worker process (the screener inherited through fork) or inline."""
    i, row, top, threshold = job
    screener = _BATCH_SCREENER
    assert screener is not None
    name = row.get("name", "")
    try:
        matches = screener.screen_name(
            name,
            dob=row.get("dob") or None,
            nationality=row.get("nationality") or None,
            country=row.get("country") or None,
            kind=row.get("kind") or None,
            top=top,
            threshold=threshold,
        )
    except InvalidRequest as exc:
        return i, exc.field, exc.reason, False
    except Exception as exc:  # a bug on one name must not stop the screening of every other name
        failed = {"id": row["id"], "name": name, "error": f"{type(exc).__name__}: {exc}"[:300]}
        return i, _INTERNAL, json.dumps(failed, ensure_ascii=False), False
    alert = any(m.alert for m in matches)
    record = {"id": row["id"], "name": name, "alert": alert, "matches": matches}
    return i, None, json.dumps(to_jsonable(record), ensure_ascii=False), alert


@app.command("pairs")
def pairs(
    input_: Path = typer.Option(..., "--input", help="CSV with columns name1,name2 and optionally kind."),
    output: Path = typer.Option(
        ..., "--output", help="Where to write the CSV (input columns + score,match)."
    ),
    threshold: float | None = typer.Option(None, "--threshold", help=_THRESHOLD_HELP),
    profile: str | None = typer.Option(None, "--profile", help=_PROFILE_HELP),
) -> None:
    """Score pairs of names directly against each other (for calibration and evaluation). ``score`` is
    the name score in [0, 1], less what legal forms of other classes or differing bracketed qualifiers
    say against the pair; ``match`` is whether a listed entity named name2 would alert for a query name1
    with no other evidence (0.9 x name score, plus 0.02 for agreeing legal forms, less 0.12 for
    conflicting ones and 0.15 for differing qualifiers, >= the threshold)."""
    from vaspguard.screening import pair_score

    line = _threshold(threshold, profile)

    fh, tmp = _atomic_writer(output)
    try:
        with fh:
            writer = csv.writer(fh)
            writer.writerow(["name1", "name2", "kind", "score", "match"])
            for i, _, row in _read_rows(input_, ("name1", "name2")):
                kind = row.get("kind") or None
                if kind not in (None, "person", "organisation"):
                    raise InvalidRow(input_, i, "kind", f"{kind!r} is not person or organisation")
                for col in ("name1", "name2"):
                    if not row.get(col, "").strip():
                        raise InvalidRow(input_, i, col, "empty")
                score, as_entity = pair_score(row["name1"], row["name2"], kind)
                writer.writerow([row["name1"], row["name2"], kind or "", f"{score:.4f}", as_entity >= line])
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)


@app.command("address")
def address(
    address: str = typer.Argument(..., help="A wallet address (EVM, bech32, base58 ...)."),
    chain: str | None = typer.Option(
        None, "--chain", help="The chain, when known (ethereum, bitcoin, tron...)."
    ),
    lists: list[Path] | None = typer.Option(None, "--list", help=_LISTS_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Screen a wallet address: exact match after per-chain normalisation (EIP-55 checked). Exits 1 when
    the address is listed, so scripts can gate on it."""
    from vaspguard.screening import normalise_address

    _, book = _entities(lists)
    hits = book.lookup(address, chain)
    if json_out:
        print_json({"address": address, "normalised": normalise_address(address, chain), "hits": hits})
    elif not hits:
        sys.stdout.write("not listed\n")
    else:
        for h in hits:
            sys.stdout.write(f"LISTED {h.currency:5} {h.entity_key}  {h.entity_name}  ({h.address})\n")
    if hits:
        raise typer.Exit(1)


# --- the registry ------------------------------------------------------------------------------------------


@app.command("customers")
def customers(
    full: bool = typer.Option(False, "--full", help="Screen everything, not only what changed."),
    lists: list[Path] | None = typer.Option(None, "--list", help=_LISTS_HELP),
    json_out: bool = typer.Option(False, "--json", help="Print the run report as JSON."),
    threshold: float | None = typer.Option(None, "--threshold", help=_THRESHOLD_HELP),
    profile: str | None = typer.Option(None, "--profile", help=_PROFILE_HELP),
) -> None:
    """Screen the registry (customers' names and their deposit/withdrawal addresses), raising alerts. After
    the first run only what a list diff touched and new or changed customers are screened, unless --full
    (or the threshold differs from the last run's)."""
    from vaspguard.registry import Registry
    from vaspguard.screening import AddressBook, Screener, last_run, read_lists, screen_changes

    line = _threshold(threshold, profile)
    store = open_db()
    if lists:
        entities = read_lists(lists)
        screener = Screener.from_entities(entities)
    else:
        screener = Screener.from_store(store)
    book = AddressBook.from_entities(screener.entities)
    previous = None if full or lists else last_run(store, line)
    total = Registry(store).count_customers()
    with progress() as bar:
        task = bar.add_task("screening customers", total=total)

        def advance(n: int) -> None:
            bar.advance(task, n)

        report = screen_changes(store, screener, book, previous, on_progress=advance, threshold=line)
    if json_out:
        print_json(report)
    else:
        for f in report.failed:
            sys.stdout.write(f"FAILED customer {f.customer_id}: {f.error}\n")
        sys.stdout.write(_run_summary(report, len(screener)) + "\n")
    if report.failed:
        raise PartialFailure(
            report.customers_screened,
            tuple(f"customer {f.customer_id} ({f.error.split(':')[0]})" for f in report.failed),
            unit="customers",
        )


def _run_summary(report: RunReport, entities: int) -> str:
    if report.kind == "incremental":
        others = report.customers_screened - report.changed_customers
        scope = (
            f"{report.changed_customers} new or changed customers against all {entities} entities, "
            f"{others} others against the {report.entities_screened} entities a list change touched"
        )
    else:
        scope = f"{report.customers_screened} customers against {report.entities_screened} entities"
    failed = f", {len(report.failed)} failed with an internal error" if report.failed else ""
    return (
        f"run {report.run_id} ({report.kind}): {scope}; {report.alerts_created} new alerts, "
        f"{report.suppressed} kept quiet by dispositions, {report.already_open} already open{failed}"
    )


def _entity_names(store: Store, found: list[Alert]) -> dict[tuple[str, int], list[str]]:
    """Each alerted entity's names, from the snapshot the alert was raised against (else the active one);
    none for an entity read from a --list file and not in the store."""
    from vaspguard.errors import NotFound
    from vaspguard.lists import get_entity

    names: dict[tuple[str, int], list[str]] = {}
    for a in found:
        if (a.entity_key, a.snapshot_id) in names:
            continue
        entity = None
        for snapshot in (a.snapshot_id, None):
            try:
                entity = get_entity(store, a.entity_key, snapshot_id=snapshot)
                break
            except NotFound:
                continue
        names[(a.entity_key, a.snapshot_id)] = [n.name for n in entity.names] if entity else []
    return names


def _short_names(names: list[str]) -> str:
    """The entity's first (primary) name, and how many more it has; --json lists them all."""
    if not names:
        return ""
    return names[0] + (f" +{len(names) - 1} more" if len(names) > 1 else "")


@app.command("alerts")
def alerts(
    status: str | None = typer.Option(None, "--status", help="open, true_match or false_positive."),
    customer: str | None = typer.Option(None, "--customer", help="Only this customer's alerts."),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many (the rest are counted)."),
    show_all: bool = typer.Option(False, "--all", help="Every alert, however many."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON, with each alert's breakdown."),
) -> None:
    """List alerts, highest score first. Each shows the listed entity's names; a cut list says how many
    were left out (on stderr with --json, so stdout stays the JSON array)."""
    from vaspguard.screening import count_alerts, list_alerts

    store = open_db()
    found = list_alerts(store, status=status, customer_id=customer, limit=limit)
    counts = count_alerts(store, customer_id=customer)
    total = counts.get(status, 0) if status else sum(counts.values())
    if show_all and total > len(found):
        found = list_alerts(store, status=status, customer_id=customer, limit=total)
    names = _entity_names(store, found)
    cut = f"showing {len(found)} of {total} alerts (use --limit N or --all)\n" if total > len(found) else ""
    if json_out:
        items = [to_jsonable(a) | {"entity_names": names[(a.entity_key, a.snapshot_id)]} for a in found]
        print_json(items)
        sys.stderr.write(cut)
        return
    for a in found:
        entity = _short_names(names[(a.entity_key, a.snapshot_id)])
        sys.stdout.write(
            f"#{a.id} {a.status:14} {a.score:.3f} {a.kind:7} {a.customer_id}  {a.screened_value!r} ~ "
            f"{a.entity_key}{f' ({entity})' if entity else ''} {a.matched_value!r}\n"
        )
    sys.stdout.write(cut if found else "no alerts\n")


@app.command("decide")
def decide(
    alert_id: int = typer.Argument(..., help="The alert's number."),
    decision: str = typer.Option(..., "--decision", help="true_match or false_positive."),
    reason: str = typer.Option(..., "--reason", help="Why (kept, and logged to the audit log)."),
    actor: str = typer.Option(..., "--actor", help="The analyst deciding."),
    revise: bool = typer.Option(False, "--revise", help="Change an earlier decision."),
    json_out: bool = typer.Option(False, "--json", help="Print the alert as JSON."),
) -> None:
    """Decide an alert. A true match marks the customer as listed (restrictions freeze them); a false
    positive stays quiet until the customer or the list entity changes."""
    from vaspguard.screening import decide as decide_alert

    alert = decide_alert(open_db(), alert_id, decision, reason=reason, actor=actor, revise=revise)
    if json_out:
        print_json(alert)
    else:
        sys.stdout.write(f"alert #{alert.id}: {alert.status}\n")
