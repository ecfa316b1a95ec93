"""Name-pair decisions of the classes issue 12 (part 2) lists: each missed pair now matches, each false
alert no longer does, and each rule refuses what lies beside it. ``match`` is ``pair_score``'s entity score
at or above the threshold, as ``screen pairs`` writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaspguard.errors import InvalidRequest
from vaspguard.screening import ALERT_THRESHOLD, PROFILES, Screener, pair_score, read_lists, threshold_for


def match(a: str, b: str, kind: str | None = None) -> bool:
    return pair_score(a, b, kind)[1] >= ALERT_THRESHOLD


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        # one-letter typo in the family name of a two-part name
        ("Sergey Lavrob", "Sergey Lavrov", "person"),
        ("Saalim NAPAN", "Saalim NAMAN", "person"),
        # a middle name or patronymic on the query's side only (the list's own were already cheap)
        ("Vladimir Vladimirovich Putin", "Vladimir Putin", "person"),
        ("Ahmad Hassan Ali", "Ahmad Ali", "person"),
        # German, French, Latvian and Lithuanian spellings
        ("Wiktor Janukowytsch", "Viktor Yanukovych", "person"),
        ("Jewgeni Prigoschin", "Yevgeny Prigozhin", "person"),
        ("Vladimir Poutine", "Vladimir Putin", "person"),
        ("Dmitrijs Medvedevs", "Dmitry Medvedev", "person"),
        ("Olegs Jurcziks", "Oleg Jurcziks", "person"),
        ("Vladimiras Putinas", "Vladimir Putin", "person"),
        # organisations: numbers as words, acronyms, legal forms misspelt, glued or dotted
        ("Battalion Twenty-One", "Battalion 21", "organisation"),
        ("FSB", "Federal Security Service", "organisation"),
        ("IRGC", "Islamic Revolutionary Guard Corps", "organisation"),
        ("IASC", "IRAN ALLOY STEEL COMPANY", "organisation"),
        ("Gazprom Aktiengesellshaft", "Gazprom AG", "organisation"),
        ("GazpromAG", "Gazprom AG", "organisation"),
        ("Sberbank P.J.S.C.", "Sberbank PJSC", "organisation"),
    ],
)
def test_missed_pairs_now_match(a: str, b: str, kind: str) -> None:
    assert match(a, b, kind), pair_score(a, b, kind)


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("VTB Bank (Europe)", "VTB Bank (Armenia)", "organisation"),  # branches told apart by a place
        ("Acme AG", "Acme GmbH", "organisation"),  # legal forms of two classes
        ("Rosneft PJSC", "Rosneft LLC", "organisation"),
        ("Muhammad Abdullah Ahmad Hassan Ali", "Muhammad Abdullah Ahmad Yusuf Ali", "person"),
        ("ALI BIN OMAR", "OMAR BIN ALI", "person"),  # father and son
        ("Khalid bin Ahmad bin Ali", "Ali bin Ahmad bin Khalid", "person"),
    ],
)
def test_false_alerts_no_longer_match(a: str, b: str, kind: str) -> None:
    assert not match(a, b, kind), pair_score(a, b, kind)
    # and the score column ranks them below the plain name they share
    assert pair_score(a, b, kind)[0] < 0.9


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("VTB Bank (Europe)", "VTB Bank (Europe)", "organisation"),  # the same qualifier
        ("VTB Bank (Europe)", "VTB Bank", "organisation"),  # a qualifier on one side only
        ("Acme Ltd", "Acme LLC", "organisation"),  # the English family is used loosely
        ("Acme OOO", "Acme LLC", "organisation"),  # one class
        ("Mohammed bin Ali Al-Qahtani", "Al-Qahtani Mohammed bin Ali", "person"),  # the chain kept
    ],
)
def test_what_the_new_rules_leave_alone(a: str, b: str, kind: str) -> None:
    assert match(a, b, kind), pair_score(a, b, kind)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Li Myint", "Li Min"),  # a short name: one matching part says too little
        ("Sergey Mavrov", "Sergey Lavrov"),  # the first letter differs
        ("Sergey Lavrob", "Sergey Lavrov Ivanov"),  # the typo rule needs a two-part name
        ("Sergey Labrob", "Sergey Lavrov"),  # two letters
        ("Elias Khoury", "Eli Khoury"),  # a Baltic ending needs a stem of four letters
    ],
)
def test_typo_and_ending_rules_refuse_what_is_no_typo(a: str, b: str) -> None:
    assert not match(a, b, "person"), pair_score(a, b, "person")


def test_a_middle_word_of_a_company_is_not_a_middle_name() -> None:
    assert match("Zenith Trading Finance", "Zenith Finance")  # unknown kind: may be a person's
    assert not match("Zenith Trading Finance", "Zenith Finance", "organisation")


def test_acronyms_need_capitals_and_not_a_person() -> None:
    assert match("FSB", "Federal Security Service")
    assert not match("fsb", "Federal Security Service", "organisation")  # a word, not an acronym
    assert not match("AMR", "Ahmad Mohammed Rashid", "person")


def test_threshold_profiles() -> None:
    assert threshold_for() == ALERT_THRESHOLD == PROFILES["balanced"]
    assert threshold_for(profile="strict") > ALERT_THRESHOLD > threshold_for(profile="broad")
    assert threshold_for(0.9) == 0.9
    for bad in (
        {"threshold": 0.0},
        {"threshold": 1.5},
        {"profile": "lax"},
        {"threshold": 0.8, "profile": "broad"},
    ):
        with pytest.raises(InvalidRequest):
            threshold_for(**bad)  # type: ignore[arg-type]


def test_screener_alerts_at_the_threshold_asked_for(shared_data: Path) -> None:
    screener = Screener.from_entities(
        read_lists([shared_data / "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"])
    )
    (m,) = screener.screen_name("Artem Lifshits", top=1)
    assert m.alert and m.breakdown.threshold == ALERT_THRESHOLD
    (strict,) = screener.screen_name("Artem Lifshits", top=1, threshold=min(1.0, m.score + 0.01))
    assert not strict.alert and strict.score == m.score


def test_a_middle_name_lies_between_parts_that_pair_in_order() -> None:
    from vaspguard.screening import score_names

    middle = score_names("Vladimir Vladimirovich Putin", "Vladimir Putin", "person")
    assert middle > 0.9
    # another order (Kang Ji Min is not Min Kang), or a part of the list's own left over: no middle name
    assert score_names("Putin Vladimirovich Vladimir", "Vladimir Putin", "person") < middle
    assert score_names("Kang Ji Min", "Min Kang", "person") < middle
    assert score_names("Vladimir Vladimirovich Putin", "Vladimir Ivanovich Putin", "person") < 0.9


def test_the_screener_finds_an_organisation_by_its_acronym() -> None:
    from vaspguard.lists import EntityKind, ListEntity, ListName, Source

    org, person = EntityKind.ORGANISATION, EntityKind.PERSON
    screener = Screener.from_entities(
        [
            ListEntity(Source.OFAC_SDN, "1", org, (ListName("FEDERAL SECURITY SERVICE"),)),
            ListEntity(Source.OFAC_SDN, "2", org, (ListName("IRAN ALLOY STEEL COMPANY"),)),
            ListEntity(Source.OFAC_SDN, "3", person, (ListName("RASHID, Ahmad Mohammed"),)),
        ]
    )
    for query, key in (("FSB", "ofac_sdn:1"), ("F.S.B.", "ofac_sdn:1"), ("IASC", "ofac_sdn:2")):
        top = screener.screen_name(query, top=1)[0]
        assert (top.entity_key, top.alert, top.breakdown.method) == (key, True, "acronym")
    assert not any(m.alert for m in screener.screen_name("FSB", kind="person"))  # a person's name
    assert not any(m.alert for m in screener.screen_name("fsb"))  # a word, not capitals
    assert not any(m.alert for m in screener.screen_name("AMR"))  # a person listed: no acronym
