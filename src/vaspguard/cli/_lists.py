"""``vaspguard lists``: import official files, inspect snapshots, search, addresses, diffs, fetch."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from vaspguard.cli._common import acting_as, open_db, print_json, progress

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

app = typer.Typer(
    help="Sanctions lists: import official files, snapshots, diffs, fetch from publishers.",
    no_args_is_help=True,
)

_JSON = typer.Option(False, "--json", help="Print JSON for scripts instead of a table.")
_ACTOR = typer.Option(
    None,
    "--actor",
    help="Who does this, for the audit log (default: $VASPGUARD_ACTOR, else cli:USER).",
)


def _console() -> Console:
    # Piped output (files, CI logs) gets a wide fixed width so hashes and names are not cut.
    from rich.console import Console

    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _table(title: str) -> Table:
    from rich.table import Table

    return Table(title=title)


def _audit(store: Any) -> Any:
    """The audit log (imports are always logged; a first use creates its key and says so)."""
    from vaspguard.audit import AuditLog

    return AuditLog.open(store)


def _snapshot_table(snapshots: list[Any], title: str) -> Table:
    table = _table(title=title)
    for col in ("id", "source", "format", "published", "entities", "by kind", "sha256", "imported", "active"):
        table.add_column(col)
    for s in snapshots:
        table.add_row(
            str(s.id),
            s.source.value,
            s.format,
            s.published_at.strftime("%Y-%m-%d %H:%M") if s.published_at else "-",
            str(s.entity_count),
            ", ".join(f"{k} {v}" for k, v in s.counts.items()),
            s.sha256[:16] + "…",
            s.imported_at.strftime("%Y-%m-%d %H:%M"),
            "yes" if s.active else "no",
        )
    return table


@app.command("import")
def import_(
    paths: list[Path] = typer.Argument(..., help="List files; for an OFAC CSV set name its sdn.csv."),
    fmt: str | None = typer.Option(
        None, "--format", help="Insist on a format (checked against the content; detected by default)."
    ),
    actor: str | None = _ACTOR,
    as_json: bool = _JSON,
) -> None:
    """Import publisher files as snapshots, all or nothing, and log each import to the audit log.

    Formats are detected from the content: OFAC legacy CSV (with add/alt/comments beside sdn.csv), OFAC
    XML and Enhanced XML (zip or bare), EU FSF XML, UN XML, UK FCDO XML, OFSI ConList CSV, OpenSanctions
    FtM JSON and delta. If any file fails, nothing is imported and the active snapshots stay as they were.
    """
    from vaspguard.lists import import_parsed, list_files, read_path

    store = open_db()
    chosen = list_files(paths)
    parsed = []
    with progress(hide=as_json) as bar:
        task = bar.add_task("reading", total=len(chosen))
        for path in chosen:
            parsed.append(read_path(path, fmt))
            bar.advance(task)
    outcomes = import_parsed(
        store, parsed, audit=_audit(store), actor=acting_as(actor), actor_role="compliance"
    )
    warnings = {o.info.id: list(p.warnings) for o, p in zip(outcomes, parsed, strict=True)}
    if as_json:
        print_json(
            [
                {**_jsonable_info(o.info), "stored": o.stored, "warnings": warnings[o.info.id]}
                for o in outcomes
            ]
        )
        return
    console = _console()
    console.print(_snapshot_table([o.info for o in outcomes], "imported"))
    for o in outcomes:
        if o.info.note:
            console.print(f"snapshot {o.info.id}: {o.info.note}")
        for w in warnings[o.info.id]:
            console.print(f"snapshot {o.info.id}: warning: {w}")


def _jsonable_info(info: Any) -> dict[str, Any]:
    from vaspguard._json import to_jsonable

    data: dict[str, Any] = to_jsonable(info)
    return data


@app.command("check")
def check(
    paths: list[Path] = typer.Argument(..., help="List files to read and check, without importing."),
    fmt: str | None = typer.Option(
        None, "--format", help="Insist on a format (checked against the content)."
    ),
    as_json: bool = _JSON,
) -> None:
    """Read files as an import would (format, safety, declared counts, rows) and report what they hold;
    nothing touches the database. Exits non-zero, naming file, row and field, on the first bad file."""
    from collections import Counter

    from vaspguard.lists import list_files, read_path

    report: list[dict[str, Any]] = []
    for path in list_files(paths):
        p = read_path(path, fmt)
        report.append(
            {
                "file": str(path),
                "source": p.source.value,
                "format": p.format,
                "published_at": p.published_at,
                "sha256": p.sha256,
                "files": [{"name": f, "sha256": h} for f, h in zip(p.files, p.hashes, strict=True)],
                "entities": len(p.entities),
                "declared_count": p.declared_count,
                "counts": dict(sorted(Counter(e.kind.value for e in p.entities).items())),
                "addresses": sum(len(e.crypto_addresses) for e in p.entities),
                "possibly_truncated": sum(
                    c.possibly_truncated for e in p.entities for c in e.crypto_addresses
                ),
                "warnings": list(p.warnings),
            }
        )
    if as_json:
        print_json(report)
        return
    console = _console()
    for r in report:
        published = r["published_at"].isoformat() if r["published_at"] else "no publisher date"
        console.print(f"{r['file']}: {r['format']} ({r['source']}), {published}, {r['entities']} entities")
        console.print(
            f"  by kind: {r['counts']}; {r['addresses']} wallet addresses ({r['possibly_truncated']} cut)"
        )
        console.print(f"  sha256 {r['sha256']}")
        for w in r["warnings"]:
            console.print(f"  warning: {w}")


@app.command("show")
def show(
    snapshot: int | None = typer.Argument(None, help="A snapshot id (default: the active snapshots)."),
    all_: bool = typer.Option(False, "--all", help="Every snapshot, not only the active ones."),
    as_json: bool = _JSON,
) -> None:
    """The active snapshots (or all, or one in detail: files with their SHA-256, counts, warnings)."""
    from vaspguard.lists import (
        active_snapshots,
        get_snapshot,
        list_snapshots,
        snapshot_files,
        snapshot_warnings,
    )

    store = open_db()
    if snapshot is not None:
        info = get_snapshot(store, snapshot)
        files = snapshot_files(store, snapshot)
        warnings = snapshot_warnings(store, snapshot)
        if as_json:
            print_json({**_jsonable_info(info), "files": files, "warnings": warnings})
            return
        console = _console()
        console.print(_snapshot_table([info], f"snapshot {snapshot}"))
        for f in files:
            console.print(f"  {f['sha256']}  {f['name']}")
        for w in warnings:
            console.print(f"  warning: {w}")
        return
    snapshots = list_snapshots(store) if all_ else active_snapshots(store)
    if as_json:
        print_json([_jsonable_info(s) for s in snapshots])
        return
    if not snapshots:
        _console().print("no list imported yet: vaspguard lists import FILE")
        return
    _console().print(_snapshot_table(snapshots, "all snapshots" if all_ else "active snapshots"))


@app.command("entity")
def entity(
    key: str = typer.Argument(..., help="Entity key, e.g. ofac_sdn:306 or un_sc:6907993."),
    snapshot: int | None = typer.Option(None, "--snapshot", help="From this snapshot (default: active)."),
    as_json: bool = _JSON,
) -> None:
    """One listed entity with every field, as read from the publisher's file."""
    from vaspguard.lists import get_entity

    e = get_entity(open_db(), key, snapshot_id=snapshot)
    if as_json:
        print_json(e.to_dict())
        return
    from vaspguard.lists import render_diff as render

    console = _console()
    console.print(f"[bold]{e.primary_name}[/bold]  {e.key}  ({e.kind.value})", markup=True)
    for name, value in e.to_dict().items():
        if name in ("source", "source_id", "kind") or value in (None, [], {}, ""):
            continue
        if isinstance(value, list):
            console.print(f"  {name}:", markup=False)
            for item in value:
                console.print(f"    {render(name, item)}", markup=False)
        elif isinstance(value, dict):
            console.print(f"  {name}:", markup=False)
            for k, v in value.items():
                console.print(f"    {k}: {v}", markup=False)
        else:
            console.print(f"  {name}: {value}", markup=False)


@app.command("search")
def search(
    text: str = typer.Argument(..., help="A name or part of one (every word must occur in one name)."),
    source: str | None = typer.Option(
        None, "--source", help="Only this source (ofac_sdn, un_sc, eu_fsf, ...)."
    ),
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="At most this many entities."),
    as_json: bool = _JSON,
) -> None:
    """Find entities of the active snapshots by name, alias or original-script name (inspection, not
    screening: use `vaspguard screen` for fuzzy matching)."""
    from vaspguard.lists import search as do_search

    found = do_search(open_db(), text, limit=limit, source=_source(source))
    if as_json:
        print_json([e.to_dict() for e in found])
        return
    table = _table(title=f"{len(found)} found")
    for col in ("key", "kind", "name", "other names", "programs"):
        table.add_column(col)
    for e in found:
        others = "; ".join(n.name for n in e.names[1:4]) + (" …" if len(e.names) > 4 else "")
        table.add_row(e.key, e.kind.value, e.primary_name, others, ", ".join(e.programs))
    _console().print(table)


def _source(value: str | None) -> Any:
    from vaspguard.errors import InvalidRequest
    from vaspguard.lists import Source

    if value is None:
        return None
    try:
        return Source(value)
    except ValueError:
        choices = ", ".join(s.value for s in Source)
        raise InvalidRequest("--source", f"{value!r} is not one of {choices}") from None


@app.command("addresses")
def addresses(
    chain: str | None = typer.Option(None, "--chain", help="Only this chain: bitcoin, ethereum, tron, ..."),
    currency: str | None = typer.Option(
        None, "--currency", help="Only this publisher tag: XBT, ETH, USDT, ..."
    ),
    include_fragments: bool = typer.Option(
        False, "--include-fragments", help="Also list possibly truncated addresses (flagged)."
    ),
    as_json: bool = _JSON,
) -> None:
    """Digital currency addresses of the active snapshots, with their chain and listed holder."""
    from vaspguard.lists import listed_addresses

    found = listed_addresses(open_db(), chain=chain, currency=currency, include_fragments=include_fragments)
    if as_json:
        print_json(found)
        return
    table = _table(title=f"{len(found)} addresses")
    for col in ("chain", "tag", "address", "holder", "flags"):
        table.add_column(col)
    for a in found:
        flags = ", ".join(
            f for f, on in (("possibly truncated", a.possibly_truncated), ("malformed", a.malformed)) if on
        )
        table.add_row(a.chain or "?", a.currency, a.address, f"{a.entity_name} ({a.entity_key})", flags)
    _console().print(table)


@app.command("diff")
def diff(
    old: int = typer.Argument(..., help="The earlier snapshot id."),
    new: int | None = typer.Argument(
        None, help="The later snapshot id (default: the active one of its source)."
    ),
    keys_only: bool = typer.Option(
        False, "--keys", help="Only the keys of changed entities (for rescreening)."
    ),
    as_json: bool = _JSON,
) -> None:
    """Entities added, removed (delisted) and changed between two snapshots, with field-level changes."""
    from vaspguard.errors import NotFound
    from vaspguard.lists import active_snapshots, diff_snapshots, get_snapshot

    store = open_db()
    if new is None:
        source = get_snapshot(store, old).source
        active = [s.id for s in active_snapshots(store) if s.source is source]
        if not active:
            raise NotFound("active snapshot of", source.value)
        new = active[0]
    d = diff_snapshots(store, old, new)
    if keys_only:
        keys = sorted(d.changed_keys)
        if as_json:
            print_json(keys)
        else:
            sys.stdout.write("".join(k + "\n" for k in keys))
        return
    if as_json:
        print_json(d)
        return
    console = _console()
    console.print(
        f"{d.old.source.value}: snapshot {old} → {new}: "
        f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed"
    )
    for r in d.added:
        console.print(f"+ {r.key}  {r.name}  ({r.kind})")
    for r in d.removed:
        console.print(f"- {r.key}  {r.name}  ({r.kind})")
    for c in d.changed:
        console.print(f"~ {c.key}  {c.name}")
        for f in c.changes:
            for item in f.removed:
                console.print(f"    {f.field} - {item}")
            for item in f.added:
                console.print(f"    {f.field} + {item}")


@app.command("fetch")
def fetch(
    feed: str = typer.Argument(
        ..., help="What to fetch: see `vaspguard lists feeds` (e.g. un_sc, ofac_sdn_csv)."
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="A mirror serving the feed's files under their local names (https)."
    ),
    url: str | None = typer.Option(None, "--url", help="Another URL for a single-file feed (https)."),
    actor: str | None = _ACTOR,
    as_json: bool = _JSON,
) -> None:
    """Download a list from its publisher (conditional request: nothing is fetched again if unchanged),
    record each file's SHA-256, and import it like `lists import` when it changed."""
    from vaspguard.lists import fetch_feed, import_parsed, read_path

    store = open_db()

    def importer(paths: list[Path], context: dict[str, Any]) -> list[Any]:
        parsed = [read_path(p) for p in paths]
        outcomes = import_parsed(
            store,
            parsed,
            audit=_audit(store),
            actor=acting_as(actor),
            actor_role="compliance",
            context=context,
        )
        return [o.info for o in outcomes]

    result = fetch_feed(store, feed, base_url=base_url, url=url, importer=importer)
    if as_json:
        print_json(result)
        return
    console = _console()
    for f in result.files:
        state = "downloaded" if f.status == 200 else "not modified"
        console.print(f"{f.name}: {state}, {f.size} bytes, sha256 {f.sha256}  ({f.url})")
    if result.snapshot is None:
        console.print(f"{feed}: unchanged since the last fetch; nothing imported")
    else:
        console.print(_snapshot_table([result.snapshot], "imported"))
        if result.snapshot.note:
            console.print(f"snapshot {result.snapshot.id}: {result.snapshot.note}")


@app.command("feeds")
def feeds(as_json: bool = _JSON) -> None:
    """The feeds `lists fetch` knows, with the official URL of each file (after configuration)."""
    from vaspguard.lists import FEEDS, feed_urls

    table = {name: [{"file": f, "url": u} for f, u in feed_urls(name)] for name in FEEDS}
    if as_json:
        print_json(table)
        return
    for name, files in table.items():
        _console().print(f"[bold]{name}[/bold]")
        for f in files:
            _console().print(f"  {f['file']}: {f['url']}")


@app.command("fetches")
def fetches(
    feed: str | None = typer.Argument(None, help="Only this feed."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000, help="At most this many, newest first."),
    as_json: bool = _JSON,
) -> None:
    """The record of downloads: when, from which URL, HTTP status, validators, SHA-256, size, snapshot."""
    from vaspguard.lists import fetch_history

    rows = fetch_history(open_db(), feed, limit=limit)
    if as_json:
        print_json(rows)
        return
    table = _table(title=f"{len(rows)} fetches")
    for col in ("id", "when", "feed", "status", "sha256", "bytes", "snapshot", "url"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["fetched_at"].strftime("%Y-%m-%d %H:%M:%S"),
            r["feed"],
            str(r["status"]),
            (r["sha256"] or "-")[:16],
            str(r["size"] or "-"),
            str(r["snapshot_id"] or "-"),
            r["url"],
        )
    _console().print(table)
