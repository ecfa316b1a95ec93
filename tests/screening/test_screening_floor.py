"""A name that cannot reach ``min_score`` even with every factor in its favour is not weighed further
(``evidence_ceiling``): what ``screen_name`` returns at a floor is exactly what it returns without one,
cut at the floor."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from vaspguard.lists import ListEntity
from vaspguard.screening import Screener, read_lists
from vaspguard.screening._score import _FACTORS, Evidence, evidence_ceiling

SDN = "lists/ofac_sdn_csv/watchman_bench_2021-07/sdn.csv"  # the whole list of July 2021, aliases too


@pytest.fixture(scope="module")
def entities(shared_data: Path) -> list[ListEntity]:
    return read_lists([shared_data / SDN])


@pytest.fixture(scope="module")
def screener(entities: list[ListEntity]) -> Screener:
    return Screener.from_entities(entities)


def _queries(entities: list[ListEntity], rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """Listed names misspelt, cut short or reordered, with the entity's own date of birth, nationality and
    document (factors that lift a score) or with others (factors that lower it)."""
    out: list[tuple[str, dict[str, Any]]] = []
    for e in rng.sample(entities, 150):
        name = rng.choice(e.names).name
        words = name.replace(",", "").split()
        forms = [name, " ".join(reversed(words)), " ".join(words[:-1]) or name]
        if len(name) > 5:
            i = rng.randrange(1, len(name) - 1)
            forms.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])
        for form in forms:
            evidence: dict[str, Any] = {"kind": "person" if e.kind.value == "person" else "organisation"}
            if e.birth_dates and rng.random() < 0.7:
                evidence["dob"] = e.birth_dates[0].start.isoformat()
            if e.nationalities and rng.random() < 0.7:
                evidence["nationalities"] = [e.nationalities[0]]
            elif rng.random() < 0.3:
                evidence["nationalities"] = ["IS"]
            if e.documents and rng.random() < 0.5:
                evidence["documents"] = [e.documents[0].number]
            if rng.random() < 0.3:
                evidence["country"] = e.addresses[0].country if e.addresses else "CH"
            out.append((form, evidence))
    return out


@pytest.mark.parametrize("floor", [0.76, 0.80, 0.84, 0.9])
def test_a_floor_changes_nothing_above_it(
    entities: list[ListEntity], screener: Screener, floor: float
) -> None:
    compared = kept = 0
    for name, evidence in _queries(entities, random.Random(floor)):
        everything = screener.screen_name(name, top=1000, min_score=0.0, **evidence)
        above = [m for m in everything if m.score >= floor]
        at_floor = screener.screen_name(name, top=1000, min_score=floor, **evidence)
        assert at_floor == above, (name, evidence)
        compared += len(everything)
        kept += len(above)
    assert kept and compared > 2 * kept  # (the queries reach both sides of the floor)


def test_the_ceiling_counts_every_factor_that_can_lift_a_score() -> None:
    lifting = {k for k, v in _FACTORS.items() if v > 0}
    full = Evidence(dob="1970-01-01", nationalities=("RU",), country="RU", documents=("X1234567",))
    # one date-of-birth factor at most, the best of them, and every other lifting factor once
    best_dob = max(v for k, v in _FACTORS.items() if k.startswith("dob_"))
    others = sum(_FACTORS[k] for k in lifting if not k.startswith("dob_"))
    assert evidence_ceiling(full) == pytest.approx(best_dob + others)
    assert evidence_ceiling(Evidence()) == pytest.approx(_FACTORS["legal_form_match"])
