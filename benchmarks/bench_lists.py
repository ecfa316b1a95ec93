"""Lists benchmark: read and import every genuine publisher file in ``../shared/data/lists`` (records/s),
beside a baseline in the same process.

Phases:

1. *read*: ``read_path`` on each file (format detection, safe XML, remarks parsing, companions joined),
   beside a bare parse of the same bytes with the standard library alone (``csv.reader`` rows,
   ``xml.etree.ElementTree.iterparse`` record elements, ``json.loads`` lines): no model, no checks.
2. *import*: ``import_parsed`` into a fresh SQLite file (and PostgreSQL when ``VASPGUARD_TEST_PG``
   answers): snapshot rows, canonical JSON and digest per entity, addresses, activation; beside a
   baseline of ``sqlite3.executemany`` of the same JSON documents into a one-table database.

Files that the importer rightly refuses (an excerpt whose declared count is the full list's, an excerpt
with a duplicated id, an excerpt with a synthetic record lacking its id) are reported and left out.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree.ElementTree import iterparse

import psycopg

from vaspguard.errors import VaspguardError
from vaspguard.lists import ParsedList, import_parsed, read_path
from vaspguard.store import migrate, open_store

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "lists"
PG_URL = os.environ.get("VASPGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
COMPANIONS = {"add.csv", "alt.csv", "sdn_comments.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"}
RECORD_TAGS = {"INDIVIDUAL", "ENTITY", "sdnEntry", "entity", "sanctionEntity", "Designation"}


def _candidates() -> list[Path]:
    skip_dirs = {
        "ofac_digital_currency_addresses",
        "name_matching",
        "bis_denied_persons",
        "us_trade_csl_csv",
        "_licenses",
    }
    out = []
    for p in sorted(DATA.rglob("*")):
        if not p.is_file() or p.suffix.lower() in (".md", ".xsd") or p.name.lower() in COMPANIONS:
            continue
        if set(p.relative_to(DATA).parts) & skip_dirs or "senzing" in p.name:
            continue
        out.append(p)
    return out


def _bare(path: Path) -> int:
    """Records in ``path`` counted with the standard library only (the baseline)."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            data = zf.read(zf.namelist()[0])
    head = data.lstrip()[:1]
    if head == b"<":
        return sum(1 for _, el in iterparse(io.BytesIO(data)) if el.tag.rsplit("}", 1)[-1] in RECORD_TAGS)
    if head == b"{":
        return sum(1 for line in data.splitlines() if line.strip() and json.loads(line))
    rows = 0
    for name in [path.name, *(c for c in COMPANIONS if (path.parent / c).exists())]:
        text = (path.parent / name).read_bytes().decode("latin-1")
        rows += sum(1 for _ in csv.reader(io.StringIO(text)))
    return rows


def _pg_store() -> object | None:
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        return None
    name = f"vg_bench_lists_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    base, _, _ = PG_URL.rpartition("/")
    store = open_store(f"{base}/{name}")
    migrate(store)
    return store


def _drop_pg(store: object) -> None:
    url = store.url  # type: ignore[attr-defined]
    store.dispose()  # type: ignore[attr-defined]
    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    files = _candidates()
    parsed: list[ParsedList] = []
    t0 = time.perf_counter()
    for p in files:
        try:
            parsed.append(read_path(p))
        except VaspguardError as exc:
            print(f"  refused (as it should be): {exc}")
    read_s = time.perf_counter() - t0
    records = sum(len(x.entities) for x in parsed)
    accepted = {Path(x.files[0]) for x in parsed}
    t0 = time.perf_counter()
    bare_records = sum(_bare(p) for p in files if p in accepted)
    bare_s = time.perf_counter() - t0
    n_files = sum(len(x.files) for x in parsed)
    print(f"lists imported: {len(parsed)} ({records:,} entities; {n_files} files incl. companions)")
    print(f"read    vaspguard read_path      {read_s:7.2f} s  {records / read_s:10,.0f} entities/s")
    bare_rate = bare_records / bare_s
    print(f"        baseline stdlib parse    {bare_s:7.2f} s  {bare_rate:10,.0f} rows/s ({bare_records:,})")

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        migrate(store)
        t0 = time.perf_counter()
        import_parsed(store, parsed)
        sqlite_s = time.perf_counter() - t0
        store.dispose()
        docs = [(e.key, json.dumps(e.to_dict(), sort_keys=True)) for x in parsed for e in x.entities]
        conn = sqlite3.connect(f"{tmp}/baseline.db")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE e (snap INTEGER, key TEXT, data TEXT, PRIMARY KEY (snap, key))")
        t0 = time.perf_counter()
        with conn:
            conn.executemany("INSERT INTO e VALUES (?, ?, ?)", [(i, k, d) for i, (k, d) in enumerate(docs)])
        base_s = time.perf_counter() - t0
        conn.close()
    print(f"import  SQLite import_parsed     {sqlite_s:7.2f} s  {records / sqlite_s:10,.0f} entities/s")
    base_rate = len(docs) / base_s
    print(f"        baseline executemany     {base_s:7.2f} s  {base_rate:10,.0f} rows/s (JSON ready)")
    pg = _pg_store()
    if pg is None:
        print("import  PostgreSQL: skipped (no server at VASPGUARD_TEST_PG)")
        return
    try:
        t0 = time.perf_counter()
        import_parsed(pg, parsed)  # type: ignore[arg-type]
        pg_s = time.perf_counter() - t0
        print(f"import  PostgreSQL import_parsed {pg_s:7.2f} s  {records / pg_s:10,.0f} entities/s")
    finally:
        _drop_pg(pg)
    total = read_s + sqlite_s
    print(f"end to end (read + SQLite import): {total:.2f} s, {records / total:,.0f} entities/s")


if __name__ == "__main__":
    main()
