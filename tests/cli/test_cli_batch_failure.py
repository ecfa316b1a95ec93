"""One name must never stop the screening of everyone else (issue 12, part 1): a row that fails with an
internal error is written with its id and the error's class, every other row is screened, the summary says
how many failed, and the exit code (3) differs from a bad input file (2) and a crash (70)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaspguard.cli import run
from vaspguard.screening import Screener

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"


def test_a_row_that_fails_is_reported_and_the_others_are_screened(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = Screener.screen_name

    def flaky(self: Screener, name: str, **kwargs: object) -> object:
        if name == "Boom Boomson":
            raise ZeroDivisionError("a bug")
        return real(self, name, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screener, "screen_name", flaky)
    source = tmp_path / "people.csv"
    source.write_text("id,name\nP1,Artem Lifshits\nP2,Boom Boomson\nP3,Greta Lindqvist\n")
    out = tmp_path / "hits.jsonl"
    code = run(
        [
            "screen",
            "batch",
            "--input",
            str(source),
            "--output",
            str(out),
            "--list",
            str(shared_data / EXCERPT),
        ]
    )
    err = capsys.readouterr().err
    assert code == 3
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["P1", "P2", "P3"]
    assert lines[1] == {"id": "P2", "name": "Boom Boomson", "error": "ZeroDivisionError: a bug"}
    assert lines[0]["alert"] is True and "error" not in lines[2]
    assert "2 rows screened, 1 with an alert, 1 failed with an internal error" in err
    assert "1 of 3 rows failed with an internal error: row 3 (ZeroDivisionError)" in err
    assert "Traceback" not in err


def test_a_bad_row_still_stops_the_run(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "people.csv"
    source.write_text("id,name,dob\nP1,Artem Lifshits,not-a-date\n")
    out = tmp_path / "hits.jsonl"
    code = run(
        [
            "screen",
            "batch",
            "--input",
            str(source),
            "--output",
            str(out),
            "--list",
            str(shared_data / EXCERPT),
        ]
    )
    assert code == 2 and not out.exists()
    assert "row 2" in capsys.readouterr().err
