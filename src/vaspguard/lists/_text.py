"""Small text helpers shared by the readers: writing-system detection, whitespace."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Unicode character-name prefixes -> ISO 15924 script codes.
_SCRIPTS = (
    ("LATIN", "Latn"),
    ("ARABIC", "Arab"),
    ("CYRILLIC", "Cyrl"),
    ("GREEK", "Grek"),
    ("HEBREW", "Hebr"),
    ("CJK", "Hani"),
    ("HANGUL", "Hang"),
    ("HIRAGANA", "Jpan"),
    ("KATAKANA", "Jpan"),
    ("THAI", "Thai"),
    ("GEORGIAN", "Geor"),
    ("ARMENIAN", "Armn"),
    ("DEVANAGARI", "Deva"),
    ("ETHIOPIC", "Ethi"),
    ("MYANMAR", "Mymr"),
    ("KHMER", "Khmr"),
    ("TAMIL", "Taml"),
    ("BENGALI", "Beng"),
)


@lru_cache(maxsize=4096)
def _char_script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for prefix, code in _SCRIPTS:
        if name.startswith(prefix):
            return code
    return None


def script_of(text: str) -> str | None:
    """The ISO 15924 code of the script most letters of ``text`` are written in (None if no letters)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            code = _char_script(ch)
            if code:
                counts[code] = counts.get(code, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def squash(text: str | None) -> str:
    """Whitespace runs (newlines, tabs, doubled spaces) collapsed to one space, stripped."""
    return " ".join((text or "").split())
