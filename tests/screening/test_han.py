"""Korean and Japanese readings of Han characters from the Unihan table (vaspguard.screening._han).

Expected values are what Unihan 15.0.0 gives, checked against the source file, not what a name "should"
read: where they differ (金 reads 금 first, 李 reads 리 first) the test says so.
"""

from __future__ import annotations

import bz2
import os
import re
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from vaspguard.screening._han import _readings, has_han, japanese_readings, korean_reading

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "build-han-readings"
TABLE_TEXT = files("vaspguard.screening").joinpath("han_readings.tsv").read_text(encoding="utf-8")
SYSTEM_UNIHAN = Path("/usr/share/unicode/Unihan_Readings.txt.bz2")


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("朴槿惠", "박근혜"),
        ("文在寅", "문재인"),
        ("李明博", "리명박"),
        ("金正恩", "금정은"),
        ("金日成", "금일성"),
    ],
)
def test_korean_reading_takes_the_first_kHangul_reading(text: str, reading: str) -> None:
    """李 and 金 come out 리 and 금: Unihan lists readings in Hangul order, surname forms 이 and 김 second."""
    assert korean_reading(text) == reading


@pytest.mark.parametrize(
    ("character", "readings"),
    [
        ("金", ("금", "김")),
        ("李", ("리", "이")),
        ("林", ("림", "임")),
        ("柳", ("류", "유")),
        ("盧", ("노", "로")),
        ("羅", ("나", "라")),
        ("呂", ("려", "여")),
        ("龍", ("룡", "용")),
    ],
)
def test_surname_readings_are_all_in_the_table_in_hangul_order(character: str, readings: tuple[str]) -> None:
    """The South Korean surname form is present for each, first only when it sorts first (盧 노, 羅 나)."""
    assert _readings()[character].hangul == readings
    assert korean_reading(character) == readings[0]


def test_korean_reading_keeps_what_is_not_hanja() -> None:
    assert korean_reading("金 Jong") == "금 Jong"
    assert korean_reading("김正은") == "김정은"


@pytest.mark.parametrize("text", ["", "Kim Jong Un", "김정은", "たなか", "\u3007"])
def test_korean_reading_is_none_without_a_hanja_to_read(text: str) -> None:
    assert korean_reading(text) is None


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("田中花子", ("ta naka hana ko", "den chuu ka shi")),
        ("田中 花子", ("ta naka hana ko", "den chuu ka shi")),
        ("山本", ("yama moto", "san hon")),
        ("鈴木", ("suzu ki", "rei boku")),
        ("東京", ("higashi miyako", "tou kyou")),
        ("佐々木", ("tasuke tasuke ki", "sa sa boku")),
    ],
)
def test_japanese_readings_all_kun_then_all_on(text: str, readings: tuple[str, ...]) -> None:
    """佐々木 (Sasaki) shows the limit: 佐's first kun is tasuke(ru); only the on form comes near."""
    assert japanese_readings(text) == readings


def test_japanese_readings_fall_back_to_the_other_kind_and_deduplicate() -> None:
    """峠 (touge) has no on reading and 亓 (ki) no kun: each lends its one reading to both forms."""
    assert _readings()["峠"].on == ()
    assert _readings()["亓"].kun == ()
    assert japanese_readings("山峠") == ("yama touge", "san touge")
    assert japanese_readings("亓山") == ("ki yama", "ki san")
    assert japanese_readings("峠") == ("touge",)
    assert japanese_readings("茶") == ("cha",)


@pytest.mark.parametrize("text", ["", "  ", "Tanaka", "田中はなこ", "タナカ", "田中-花子", "々木", "金正은"])
def test_japanese_readings_are_empty_unless_all_han_with_readings(text: str) -> None:
    assert japanese_readings(text) == ()


def test_has_han() -> None:
    assert has_han("Kim 金")
    assert has_han("佐々木")
    assert has_han("\U00020000")
    assert not has_han("Kim Jong Un")
    assert not has_han("김정은 たなか タナカ")


def test_table_header_carries_the_unicode_licence() -> None:
    header = "\n".join(line for line in TABLE_TEXT.splitlines() if line.startswith("#"))
    assert "Unicode 15.0.0" in header
    assert "scripts/build-han-readings" in header
    assert re.search(r"Copyright © 1991-\d{4} Unicode, Inc\.", header)
    assert "Unicode License v3" in header
    assert "Permission is hereby granted, free of charge" in header
    assert "this copyright and permission notice appear with all copies" in header
    assert 'PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in header


def test_every_data_line_has_a_character_and_three_reading_columns() -> None:
    data = [line for line in TABLE_TEXT.splitlines() if line and not line.startswith("#")]
    assert len(data) > 10_000
    for line in data:
        character, *columns = line.split("\t")
        assert len(columns) == 3, line
        assert len(character) == 1 and has_han(character), line
        assert any(columns), line
        assert all(column == column.strip() and "  " not in column for column in columns), line
        assert all(re.fullmatch(r"[a-z ]*", column) for column in columns[1:]), line


def _unihan_source() -> Path | None:
    configured = os.environ.get("VASPGUARD_UNIHAN")
    if configured:
        return Path(configured)
    return SYSTEM_UNIHAN if SYSTEM_UNIHAN.exists() else None


def _unicode_version(source: Path) -> str | None:
    """The version in the Unihan file's header, so a different Unihan release skips rather than fails."""
    with bz2.open(source, "rt", encoding="utf-8") if source.suffix == ".bz2" else source.open("rt") as stream:
        match = re.search(r"^#\s*Unicode version:\s*(\S+)", stream.read(4096), re.MULTILINE)
    return match.group(1) if match else None


def _skip(reason: str) -> None:
    """Skip where the Unihan file cannot be had; under CI (``make test`` installs it) that is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI: this test may not be skipped)")
    pytest.skip(reason)


def test_build_script_regenerates_the_table_byte_for_byte(tmp_path: Path) -> None:
    source = _unihan_source()
    if source is None:
        _skip(
            f"no Unihan file: {SYSTEM_UNIHAN} is absent (Debian/Ubuntu package unicode-data) and "
            "VASPGUARD_UNIHAN is unset"
        )
        return
    version = _unicode_version(source)
    if f"Unicode {version}." not in TABLE_TEXT:
        _skip(f"{source} is Unicode {version}; the committed table was built from another version")
    output = tmp_path / "han_readings.tsv"
    subprocess.run([sys.executable, str(BUILD_SCRIPT), str(source), "--output", str(output)], check=True)
    assert output.read_bytes() == files("vaspguard.screening").joinpath("han_readings.tsv").read_bytes()


def test_korean_readings_read_family_names_as_family_names() -> None:
    from vaspguard.screening._han import korean_readings

    assert korean_readings("金正恩") == ("김정은",)  # 金 as a family name is 김, not 금
    assert korean_readings("李明博") == ("이명박", "리명박")  # South, then North Korean
    assert korean_readings("南宮民") == ("남궁민",)  # a two-character family name
    assert korean_readings("王伟") == ()  # 伟 is simplified: not a Korean name
    assert korean_readings("Kim") == ()


@pytest.mark.parametrize(
    ("kanji", "reading"),
    [
        ("山田太郎", "yamada taro"),  # family name and given name from the tables
        ("田中 花子", "tanaka hanako"),
        ("佐々木", "sasaki"),
        ("小泉純一郎", "koizumi junichiro"),  # a three-character given name
        ("林芳正", "hayashi yoshimasa"),  # a given name read character by character (芳 yoshi, 正 masa)
    ],
)
def test_japanese_name_reading(kanji: str, reading: str) -> None:
    from vaspguard.screening._han import japanese_name_reading

    assert japanese_name_reading(kanji) == reading


def test_japanese_name_reading_needs_a_known_family_name() -> None:
    from vaspguard.screening._han import japanese_name_reading

    assert japanese_name_reading("金正恩") is None  # 金 is no Japanese family name of the table
    assert japanese_name_reading("林伟") is None  # 伟 has no name reading: not a Japanese name
    assert japanese_name_reading("田中 x") is None
