# Arabic letters are this test's subject matter
"""Disguised names (issue 11, finding 7): terminal escape sequences and control characters are not part of a
name, and a name written with bidi controls is also scored in the order it is displayed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaspguard.screening import Screener, read_lists, score_names
from vaspguard.screening._normalise import clean, displayed

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"
LISTED = "KHOROSHEV, Dmitry Yuryevich"
RLO, LRO, RLE, PDF, RLI, PDI = "\u202e", "\u202d", "\u202b", "\u202c", "\u2067", "\u2069"


@pytest.fixture(scope="module")
def screener(shared_data: Path) -> Screener:
    return Screener.from_entities(read_lists([shared_data / EXCERPT]))


@pytest.mark.parametrize(
    "disguised",
    [
        "\x1b[31mDmitry Khoroshev",  # a colour code in front
        "\x1b[1;31mDmitry\x1b[0m Khoroshev\x1b[0m",  # and between the words, and a reset
        "\x9b31mDmitry Khoroshev",  # CSI as its C1 character
        "\x1b]8;;https://example.org\x07Dmitry Khoroshev\x1b]8;;\x1b\\",  # an OSC 8 hyperlink
        "Dmi\x00try Khor\x08oshev\x7f",  # NUL, backspace, DEL inside the words
        "\x1b(BDmitry Khoroshev",  # a character-set designation
    ],
)
def test_escape_sequences_and_controls_score_as_the_plain_name(screener: Screener, disguised: str) -> None:
    assert clean(disguised) == "Dmitry Khoroshev"
    assert score_names(disguised, LISTED, "person") == score_names("Dmitry Khoroshev", LISTED, "person")
    (plain,) = screener.screen_name("Dmitry Khoroshev", top=1)
    (found,) = screener.screen_name(disguised, top=1)
    assert (found.entity_key, found.score, found.alert) == (plain.entity_key, plain.score, True)


def test_an_unterminated_escape_string_does_not_hide_the_name() -> None:
    # an OSC without its terminator: only the introducer goes, the name after it stays
    assert "Khoroshev" in clean("\x1b]0;Dmitry Khoroshev")


def test_whitespace_controls_separate_words() -> None:
    assert clean("Dmitry\tKhoroshev\r\nX\x85Y") == "Dmitry Khoroshev X Y"


def test_a_listed_name_stored_reversed_behind_an_override_alerts(screener: Screener) -> None:
    reversed_ = "vehsorohK yrtimD"
    assert displayed(f"{RLO}{reversed_}{PDF}") == "Dmitry Khoroshev"
    assert not any(m.alert for m in screener.screen_name(reversed_, top=3))  # without the control: no alert
    (found,) = screener.screen_name(f"{RLO}{reversed_}{PDF}", top=1)
    assert found.alert and found.entity_key == "ofac_sdn:48603"
    assert found.breakdown.query_reading == "in displayed order"
    # the override left open (a paragraph end closes it), and a listed name disguised the same way
    assert score_names(RLO + reversed_, LISTED, "person") == score_names("Dmitry Khoroshev", LISTED, "person")
    assert score_names("Dmitry Khoroshev", f"{RLO}{reversed_}{PDF}") >= 0.9


def test_displayed_order() -> None:
    assert displayed("Dmitry Khoroshev") is None
    assert displayed(f"Dmitry {RLO}vehsorohK{PDF}") == "Dmitry Khoroshev"
    assert displayed(f"{RLE}Dmitry Khoroshev{PDF}") == "Khoroshev Dmitry"  # words of an RTL embedding
    # a PDI closes the override left open inside its isolate
    assert displayed(f"{RLI}Khoroshev {RLO}yrtimD{PDI} X") == "Dmitry Khoroshev X"
    assert displayed(f"{LRO}دمحم{PDF}") == "محمد"  # Arabic stored backwards behind LRO
    # a combining mark stays on its letter
    assert displayed(f"{RLO}e\u0301soJ{PDF}") == "Jose\u0301"
    # a PDF with nothing open, and a PDI outside an isolate, are left as they are (clean removes them)
    assert clean(displayed(f"a{PDF}b{RLO}dc") or "") == "abcd"


_CONTROLS = [RLO, LRO, RLE, PDF, RLI, PDI, "\u2066", "\u2068"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab c\u0301", *_CONTROLS])))
def test_displayed_order_keeps_every_letter(text: str) -> None:
    def letters(s: str) -> list[str]:
        return sorted(ch for ch in s if ch not in _CONTROLS and ch != " ")

    shown = displayed(text)
    assert shown is None or letters(shown) == letters(text)
