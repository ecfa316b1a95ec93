"""``vaspguard lists`` end to end, in-process, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vaspguard.store import Store

UN = "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml"
SDN_2019 = "lists/ofac_sdn_csv/watchman_2019-01/sdn.csv"
SDN_2021_DIR = "lists/ofac_sdn_csv/watchman_bench_2021-07"


@pytest.fixture(autouse=True)
def _audit_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VASPGUARD_ACTOR", "alice")


@pytest.mark.slow
def test_import_show_search_addresses_diff(cli, store: Store, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    db = ("--db", store.url)
    code, out, err = cli(*db, "lists", "import", "--json", shared_data / SDN_2019, shared_data / UN)
    assert code == 0, err
    first = json.loads(out)
    assert [s["source"] for s in first] == ["ofac_sdn", "un_sc"]
    assert first[1]["counts"] == {"organisation": 273, "person": 730}
    assert first[0]["warnings"] == [
        "sdn.csv: no 0x1A end-of-file byte (the publisher writes one): may be incomplete"
    ]
    # the whole 2021 set named file by file: companions are read with their sdn.csv, not on their own
    set_files = [
        shared_data / SDN_2021_DIR / n for n in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
    ]
    code, out, err = cli(*db, "lists", "import", "--json", *set_files)
    assert code == 0, err
    (second,) = json.loads(out)
    assert second["entity_count"] == 8976
    assert second["files"] == ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]

    code, out, _ = cli(*db, "lists", "show", "--json")
    assert {s["id"] for s in json.loads(out)} == {second["id"], first[1]["id"]}
    code, out, _ = cli(*db, "lists", "show", str(second["id"]), "--json")
    detail = json.loads(out)
    assert [f["name"] for f in detail["files"]] == ["sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"]
    assert all(len(f["sha256"]) == 64 for f in detail["files"])

    code, out, _ = cli(*db, "lists", "search", "secondeye", "--json")
    assert [e["source_id"] for e in json.loads(out)] == ["30518"]
    code, out, _ = cli(*db, "lists", "addresses", "--chain", "ethereum", "--json")
    eth = json.loads(out)
    assert eth and {a["chain"] for a in eth} == {"ethereum"}
    code, out, _ = cli(*db, "lists", "entity", "un_sc:6907993", "--json")
    assert json.loads(out)["nationalities"] == ["CD"]
    code, out, _ = cli(*db, "lists", "entity", "ofac_sdn:28263")
    assert code == 0
    assert "    weak: snowsjohn\n" in out
    assert "    XBT 134r8iHv69xdT6p5qVKTsHrcUEuBVZAYak\n" in out
    assert "    linked_to LAZARUS GROUP\n" in out

    code, out, _ = cli(*db, "lists", "diff", str(first[0]["id"]), str(second["id"]), "--json")
    d = json.loads(out)
    assert "ofac_sdn:24228" in {r["key"] for r in d["removed"]}  # UNITED COMPANY RUSAL PLC, delisted
    code, out, _ = cli(*db, "lists", "diff", str(first[0]["id"]), str(second["id"]), "--keys")
    assert "ofac_sdn:30518\n" in out
    # NEW defaults to the active snapshot of OLD's source
    assert cli(*db, "lists", "diff", str(first[0]["id"]), "--keys")[1] == out

    code, out, _ = cli(*db, "lists", "diff", str(first[0]["id"]), str(second["id"]))
    assert code == 0
    assert "- ofac_sdn:24228  UNITED COMPANY RUSAL PLC" in out
    assert "    names + aka: SLIZHEVSKIY, Oleg" in out

    # every import is in the audit log, under the actor who ran it
    from vaspguard.audit import AuditLog

    imports = AuditLog.open(store).events("lists.import")
    assert len(imports) == 3
    assert {e.actor for e in imports} == {"alice"}
    assert {s for e in imports for s in e.subjects if s.startswith("list-snapshot:")} == {
        f"list-snapshot:{i}" for i in (first[0]["id"], first[1]["id"], second["id"])
    }


def test_bad_file_one_line_error_and_nothing_imported(
    cli, store: Store, shared_data: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    db = ("--db", store.url)
    assert cli(*db, "lists", "import", shared_data / UN)[0] == 0
    bad = tmp_path / "list.xml"
    bad.write_text("<html><body>503 Service Unavailable</body></html>")
    code, out, err = cli(*db, "lists", "import", shared_data / SDN_2019, bad)
    assert code == 2
    assert err.strip() == f"vaspguard: {bad}: XML root <html> is no sanctions list format vaspguard reads"
    assert "Traceback" not in err
    code, out, _ = cli(*db, "lists", "show", "--json", "--all")
    assert [s["source"] for s in json.loads(out)] == ["un_sc"]


def test_errors_for_unknown_things(cli, store: Store) -> None:  # type: ignore[no-untyped-def]
    db = ("--db", store.url)
    code, _, err = cli(*db, "lists", "show", "99")
    assert (code, err.strip()) == (2, "vaspguard: list snapshot '99' not found")
    code, _, err = cli(*db, "lists", "search", "x", "--source", "nope")
    assert code == 2 and "--source" in err


def test_check_reads_without_importing(cli, store: Store, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(
        "--db",
        store.url,
        "lists",
        "check",
        "--json",
        shared_data / "lists/ofac_sdn_csv/jackdwyer_gitscrape_2024-05-03/sdn.csv",
    )
    assert code == 0, err
    (report,) = json.loads(out)
    assert report["entities"] == 14965
    assert report["possibly_truncated"] == 6
    assert (
        report["sha256"] == "210ca6b4a8187a34e0850be69ecc6e918f23ad7778b8b5b2f9c9d5fbbaf4e0cb"
    )  # MANIFEST.md
    code, out, _ = cli("--db", store.url, "lists", "show", "--json", "--all")
    assert json.loads(out) == []
    code, _, err = cli(
        "lists",
        "check",
        shared_data / "lists/ofac_sdn_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sdn.xml",
    )
    assert code == 2 and "declares 8197 records but holds 8" in err
