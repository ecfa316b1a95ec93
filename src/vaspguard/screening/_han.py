"""Korean and Japanese readings of Han characters, so names in Hanja or kanji can meet their Latin forms.

Transliteration reads Han characters as Mandarin pinyin only, so 金正恩 never meets "Kim Jong Un" (the
Korean reading is 김정은) and 田中花子 never meets "Tanaka Hanako" (Japanese kun readings). This module
supplies the other two readings; the caller romanises the Hangul and folds the romaji spellings.

Data: ``han_readings.tsv`` beside this module, distilled by ``scripts/build-han-readings`` from the Unihan
database (Unicode 15.0.0, ``Unihan_Readings.txt``: fields kHangul, kJapaneseKun, kJapaneseOn) and
redistributed under the Unicode License v3, whose notice heads the file. Columns: character, Hangul
readings, kun readings, on readings, each in Unihan's order. The table is read once, on first use.

What Unihan's order means, and what it does to names:

- kHangul readings are listed in Hangul code-point order, not by frequency, and the first one is taken.
  That is the usual reading for most characters, but not for surnames that differ from the character's
  ordinary reading: 金 lists 금 before 김, so 金正恩 reads 금정은, not 김정은. Characters under the
  South Korean initial-sound law (두음법칙) list the unreduced form first when it sorts first: 李 리 (not
  이), 林 림 (임), 柳 류 (유), 呂 려 (여), 龍 룡 (용); 盧 노 and 羅 나 come out in the South Korean form
  only because 노 and 나 sort first. North Korean usage keeps 리, 림, 류, 로, 라, 려, 룡.
- kJapaneseKun and kJapaneseOn are in Unihan's editorial order, which puts a common reading first: 田 ta,
  中 naka, 花 hana, 子 ko. Names use readings no table predicts (nanori), so these readings are a
  candidate, not the name's reading. Spellings are Unihan's Hepburn, lower-cased, long vowels as written
  (中 chuu, 東 tou): folding them is the caller's business.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import NamedTuple

_TABLE = "han_readings.tsv"
_ITERATION_MARK = "\u3005"
_HAN_RANGES = (
    (0x3005, 0x3005),
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EE5F),
    (0x2F800, 0x2FA1F),
    (0x30000, 0x323AF),
)


class HanReadings(NamedTuple):
    """One character's readings, each tuple in Unihan's order (possibly empty)."""

    hangul: tuple[str, ...]
    kun: tuple[str, ...]
    on: tuple[str, ...]


@cache
def _readings() -> dict[str, HanReadings]:
    text = files("vaspguard.screening").joinpath(_TABLE).read_text(encoding="utf-8")
    table: dict[str, HanReadings] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            character, hangul, kun, on = line.split("\t")
            table[character] = HanReadings(tuple(hangul.split()), tuple(kun.split()), tuple(on.split()))
    return table


def _is_han(character: str) -> bool:
    """Han script ideographs, with the iteration mark 々 (repeat the previous one) and ideographic zero."""
    code_point = ord(character)
    return any(low <= code_point <= high for low, high in _HAN_RANGES)


def has_han(text: str) -> bool:
    """Whether `text` holds any Han character, i.e. whether the Han readings are worth asking for."""
    return any(_is_han(character) for character in text)


def korean_reading(text: str) -> str | None:
    """`text` with each Hanja replaced by its first Korean (Hangul) reading; other characters kept.

    None when no character of `text` has a Korean reading, so callers add a form only when there is one.
    """
    readings = _readings()
    read = False
    parts: list[str] = []
    for character in text:
        entry = readings.get(character)
        if entry is not None and entry.hangul:
            parts.append(entry.hangul[0])
            read = True
        else:
            parts.append(character)
    return "".join(parts) if read else None


# Korean family names in Hanja and how they are read as family names: the South Korean form first (under
# the initial-sound law: 李 이, 林 임), then the North Korean one where it differs (李 리, 林 림), as both
# sides' names appear on the lists (LEE Myung-bak, RI Pyong Chol). Unihan's first kHangul reading is the
# character's ordinary reading (金 금), not the family name's (김). The commonest family names, which
# cover most Koreans; two-character family names first.
_KOREAN_FAMILY_NAMES = {
    "南宮": ("남궁",), "皇甫": ("황보",), "諸葛": ("제갈",), "鮮于": ("선우",), "獨孤": ("독고",),
    "金": ("김",), "李": ("이", "리"), "朴": ("박",), "崔": ("최",), "鄭": ("정",), "姜": ("강",),
    "趙": ("조",), "尹": ("윤",), "張": ("장",), "林": ("임", "림"), "韓": ("한",), "吳": ("오",),
    "徐": ("서",), "申": ("신",), "權": ("권",), "黃": ("황",), "安": ("안",), "宋": ("송",),
    "柳": ("유", "류"), "劉": ("유", "류"), "洪": ("홍",), "全": ("전",), "高": ("고",), "文": ("문",),
    "梁": ("양", "량"), "孫": ("손",), "裵": ("배",), "白": ("백",), "許": ("허",), "盧": ("노", "로"),
    "南": ("남",), "沈": ("심",), "河": ("하",), "郭": ("곽",), "成": ("성",), "車": ("차",),
    "丁": ("정",), "具": ("구",), "禹": ("우",), "朱": ("주",), "羅": ("나", "라"), "閔": ("민",),
    "陳": ("진",), "池": ("지",), "嚴": ("엄",), "蔡": ("채",), "元": ("원",), "千": ("천",),
    "方": ("방",), "孔": ("공",), "玄": ("현",), "咸": ("함",), "卞": ("변",), "廉": ("염", "렴"),
    "楊": ("양",), "邊": ("변",), "呂": ("여", "려"), "秋": ("추",), "魯": ("노", "로"), "都": ("도",),
    "蘇": ("소",), "愼": ("신",), "石": ("석",), "宣": ("선",), "薛": ("설",), "馬": ("마",),
    "吉": ("길",), "周": ("주",), "延": ("연",), "表": ("표",), "明": ("명",), "奇": ("기",),
    "潘": ("반",), "王": ("왕",), "琴": ("금",), "玉": ("옥",), "陸": ("육", "륙"), "印": ("인",),
    "孟": ("맹",), "卓": ("탁",), "秦": ("진",), "鞠": ("국",), "魚": ("어",), "殷": ("은",),
    "龍": ("용", "룡"), "慶": ("경",), "奉": ("봉",), "史": ("사",), "夫": ("부",), "太": ("태",),
}  # fmt: skip


def korean_readings(text: str) -> tuple[str, ...]:
    """How a name in Hanja reads in Korean: its family name (the first one or two characters, when they are
    a known Korean family name) read as a family name, South and North Korean forms where they differ,
    the rest by ``korean_reading``. () unless every Han character of ``text`` has a Korean reading.
    金正恩 -> ("김정은",)."""
    text = text.strip()
    rest = korean_reading(text)
    if rest is None or has_han(rest):
        return ()  # a character Korean does not use (simplified 伟, 陈): not a Korean name
    for size in (2, 1):
        family = _KOREAN_FAMILY_NAMES.get(text[:size])
        if family and len(text) > size:
            given = korean_reading(text[size:]) or text[size:]
            return tuple(reading + given for reading in family)
    return (rest,)


def japanese_readings(text: str) -> tuple[str, ...]:
    """Up to two romaji readings of a name written in kanji only: all-kun first, then all-on.

    Each character contributes its first kun reading (its first on reading when it has no kun) to the
    first form, and its first on reading (else kun) to the second; characters are separated by single
    spaces (田中花子 -> "ta naka hana ko", "den chuu ka shi"). 々 repeats the previous character's reading.
    () unless `text` is Han characters and spaces only, each with a Japanese reading: names with kana are
    read by the transliterator, and a partial reading would match the wrong names.
    """
    entries = _japanese_entries(text)
    if not entries:
        return ()
    kun_form = " ".join(entry.kun[0] if entry.kun else entry.on[0] for entry in entries)
    on_form = " ".join(entry.on[0] if entry.on else entry.kun[0] for entry in entries)
    return tuple(dict.fromkeys((kun_form, on_form)))


def _japanese_entries(text: str) -> list[HanReadings]:
    """The readings of each character of `text`, or [] when one is not a Han character with a Japanese one."""
    readings = _readings()
    entries: list[HanReadings] = []
    for character in text:
        if character.isspace():
            continue
        if character == _ITERATION_MARK and entries:
            entries.append(entries[-1])
            continue
        entry = readings.get(character)
        if entry is None or not (entry.kun or entry.on):
            return []
        entries.append(entry)
    return entries
