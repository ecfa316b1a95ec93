"""``screen batch`` and ``registry import`` name a bad row the same way: the line it starts on, as an editor
shows it (the header is line 1; a quoted field may span lines)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from vaspguard.store import Store

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"
# valid JSON spread over two lines, so the record after it starts on line 4, not "row 3"
TWO_LINE_NAMES = json.dumps([{"name": "Anna Schmidt"}]) + "\n"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_batch_and_registry_import_name_the_same_line(
    cli, sqlite_store: Store, shared_data: Path, tmp_path: Path
) -> None:
    customers = _write(
        tmp_path / "customers.csv",
        ["id", "type", "names", "nationalities", "residence", "kyc_status"],
        [
            ["C1", "natural", TWO_LINE_NAMES, "DE", "DE", "verified"],
            ["C2", "natural", TWO_LINE_NAMES, "XX", "DE", "verified"],  # starts on line 4
        ],
    )
    code, _, err = cli("--db", sqlite_store.url, "registry", "import", customers)
    assert code == 2
    assert err.startswith(f"vaspguard: {customers}: row 4: field 'nationalities': ")

    names = _write(tmp_path / "names.csv", ["id", "name"], [["a", "Anna\nSchmidt"], ["b", " "]])
    out = tmp_path / "out.jsonl"
    code, _, err = cli("screen", "batch", "--input", names, "--output", out, "--list", shared_data / EXCERPT)
    assert code == 2
    assert err == f"vaspguard: {names}: row 4: field 'name': empty\n"
    assert not out.exists()


def test_batch_csv_not_utf8_is_one_line(cli, shared_data: Path, tmp_path: Path) -> None:
    names = tmp_path / "names.csv"
    names.write_bytes(b"id,name\na,Ok\nb,caf\xe9\n")
    code, _, err = cli(
        "screen", "batch", "--input", names, "--output", tmp_path / "o.jsonl", "--list", shared_data / EXCERPT
    )
    assert code == 2
    assert err.startswith(f"vaspguard: {names}: row 3: field '(row)': not UTF-8") and err.count("\n") == 1


def test_batch_default_ids_unchanged(cli, shared_data: Path, tmp_path: Path) -> None:
    """Rows without an id are still numbered by data row (CSV) or line (JSON Lines) in the output."""
    names = _write(tmp_path / "names.csv", ["name"], [["Anna\nSchmidt"], ["Jane Doe"]])
    out = tmp_path / "out.jsonl"
    code, _, err = cli("screen", "batch", "--input", names, "--output", out, "--list", shared_data / EXCERPT)
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["1", "2"]
