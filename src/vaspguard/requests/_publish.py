"""Rendering the transparency report: CSV, JSON, the report's body as HTML (tables, bar charts as inline SVG)
and the static public page ``requests report --html DIR`` writes.

Every rendering reads the one dict ``transparency_report`` computes; nothing here counts. Each figure in the
HTML carries its place in that dict (``data-figure="by_country.DE.received"``), the same path the CSV names,
so a reader (or a test) can check any rendering against ``requests report --json``. No script, no inline
style and no third-party origin: the charts are SVG with presentation attributes, so the desk's
Content-Security-Policy holds and the public page works from a plain file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from vaspguard._json import to_jsonable
from vaspguard.requests._reports import COUNTING, OUTCOMES

HERE = Path(__file__).parent / "templates"
CSV_HEADER = ("section", "key", "measure", "value")
# What the public page is made of: the page, its stylesheet, and the machine-readable exports beside it.
PUBLIC_FILES = ("index.html", "transparency.css", "report.json", "report.csv")

_env = Environment(
    loader=FileSystemLoader(HERE), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
)


def figures(report: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every figure of the report (a leaf of its dict, lists by position) with its path; not the counting
    notes, which are words."""

    def walk(path: tuple[str, ...], value: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
        if isinstance(value, dict):
            for key, item in value.items():
                yield from walk((*path, str(key)), item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                yield from walk((*path, str(i)), item)
        else:
            yield path, value

    for key, value in to_jsonable(report).items():
        if key != "counting":
            yield from walk((key,), value)


def report_csv(report: dict[str, Any]) -> str:
    """One row a figure: section, key, measure (empty where the figure has no such level), value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for path, value in figures(report):
        padded = (*path, "", "")[:3] if len(path) <= 3 else (path[0], path[1], ".".join(path[2:]))
        writer.writerow([*padded, "" if value is None else value])
    return out.getvalue()


def report_json(report: dict[str, Any]) -> str:
    return json.dumps(to_jsonable(report), ensure_ascii=False, indent=2) + "\n"


def report_body(report: dict[str, Any]) -> Markup:
    """The report as HTML (headings from ``h2``): figures, charts and how each is counted."""
    data = to_jsonable(report)
    return Markup(
        _env.get_template("report_body.html").render(
            r=data, outcomes=OUTCOMES, counting=COUNTING, charts=_charts(data)
        )
    )


def _charts(r: dict[str, Any]) -> dict[str, Any]:
    """Bar geometry for the three charts: by country (received and disclosed), by outcome, and by quarter."""
    countries = sorted(r["by_country"].items(), key=lambda kv: (-kv[1]["received"], kv[0]))
    return {
        "country": _bars([(k, [v["received"], v["disclosed"]]) for k, v in countries]),
        "outcome": _bars([(k, [r["outcomes"].get(k, 0)]) for k in OUTCOMES]),
        "quarter": _bars([(k, [v["received"], v["disclosed"]]) for k, v in r["by_quarter"].items()]),
    }


def _bars(rows: list[tuple[str, list[int]]], width: int = 400) -> dict[str, Any]:
    """Bar lengths on a ``width`` scale (the longest bar is the full width)."""
    top = max((v for _, values in rows for v in values), default=0) or 1
    longest = max((len(label) for label, _ in rows), default=0)
    return {
        "width": width,
        "x": 14 + 7 * longest,  # where bars start: the longest label fits before it (12 px type)
        "rows": [(label, [(v, round(v * width / top, 1)) for v in values]) for label, values in rows],
    }


def write_public_page(report: dict[str, Any], directory: Path, *, publisher: str | None = None) -> list[Path]:
    """The static public page in ``directory``: index.html with its stylesheet beside it, and the CSV and
    JSON exports. Each file is written whole (a temporary file renamed) or not at all."""
    directory.mkdir(parents=True, exist_ok=True)
    page = _env.get_template("public.html").render(
        r=to_jsonable(report), body=report_body(report), publisher=publisher
    )
    contents = {
        "index.html": page,
        "transparency.css": (HERE / "transparency.css").read_text(encoding="utf-8"),
        "report.json": report_json(report),
        "report.csv": report_csv(report),
    }
    written = []
    for name in PUBLIC_FILES:
        written.append(_write_whole(directory / name, contents[name]))
    return written


def _write_whole(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # a page to publish: readable by the web server, like any file it serves
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
