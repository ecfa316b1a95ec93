"""No name may crash screening (issue 12, part 1): arbitrary Unicode through ``score_names`` and
``Screener.screen_name``. Drawn from every script the index reads, plus combining marks, format and bidi
controls, emoji, digits only, punctuation only and strings that are empty after normalisation.

Two crashes these found: a token a projection left empty (``_fuzzy`` read ``a[0]``), and ICU cutting a
surrogate pair in two (the kana iteration mark ゝ after an emoji)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaspguard.screening import Screener, score_names
from vaspguard.screening._source import read_lists

# A few letters of each script the index handles, and what trips text handling up.
_SCRIPTS = (
    "AbcÆßøłñçğ",  # Latin with diacritics and ligatures
    "ИванЩукинЁёЪъЫыЬьІіЇїЄєЎўҐґ",  # Cyrillic, Ukrainian and Belarusian letters
    "ΑλέξηςΓιώργος",  # Greek
    "محمدعبداللهبنةءئؤّْـیکہھە",  # Arabic with tashkeel, tatweel and Persian/Urdu letters
    "אברהםלוי",  # Hebrew
    "直子阿部安倍晋三習近平金正恩",  # Han
    "ナオコアベヴィーゝゞ々〆ヽ・",  # kana with iteration and prolonged-sound marks
    "김정은박근혜한국",  # Hangul
    "नरेंद्रमोदी",  # Devanagari
    "สมชายქართულიԱրմեն",  # Thai, Georgian, Armenian
)
_TROUBLE = [
    *["\u0301", "\u0308", "\u0651"],  # combining marks
    *["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"],  # zero-width and soft hyphen
    *["\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"],  # bidi controls
    *["😀", "👨\u200d👩\u200d👧", "🇷🇺", "\U00020000", "\U0001d400"],  # emoji, astral letters
    *"0123456789\u0660\u0661\u0662-.,'()/&_  \t",  # digits (Latin and Arabic-Indic), punctuation, spaces
]
_ALPHABET = st.sampled_from([ch for s in _SCRIPTS for ch in s] + _TROUBLE)
NAMES = st.one_of(
    st.lists(_ALPHABET, min_size=1, max_size=40).map("".join),
    st.lists(_ALPHABET, min_size=1, max_size=500).map("".join),
    st.text(min_size=1, max_size=60),  # anything Unicode has
    st.text(alphabet=st.sampled_from(list("0123456789")), min_size=1, max_size=20),
    st.text(alphabet=st.sampled_from(list("-.,'()/&_ \u200b\u200f")), min_size=1, max_size=20),
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(a=NAMES, b=NAMES)
def test_score_names_never_raises(a: str, b: str) -> None:
    for kind in (None, "person", "organisation"):
        score = score_names(a, b, kind)
        assert 0.0 <= score <= 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ア", "H"),
        ("コ", "H"),
        ("😀ゝ", ""),
        ("a😀ゝ", "Abe"),
        ("直子 阿部", "ABE, Naoko"),
        ("\u200b", "\u200f"),
    ],
)
def test_names_that_crashed(a: str, b: str) -> None:
    assert 0.0 <= score_names(a, b) <= 1.0


@pytest.fixture(scope="module")
def screener(shared_data: Path) -> Screener:
    return Screener.from_entities(
        read_lists([shared_data / "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"])
    )


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=NAMES)
def test_screen_name_never_raises(screener: Screener, name: str) -> None:
    for m in screener.screen_name(name, top=5):
        assert 0.0 <= m.score <= 1.0
