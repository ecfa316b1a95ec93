"""Properties every decision must have, on generated requests (hypothesis drives the generator's seed)."""

from __future__ import annotations

import copy
import importlib.util
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from vaspguard.policy import Engine, Outcome, builtin_packs

_spec = importlib.util.spec_from_file_location(
    "policy_cases", Path(__file__).with_name("test_cedar_differential.py")
)
assert _spec and _spec.loader
cases: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

ENGINE = Engine(builtin_packs())


def _request(seed: int) -> dict[str, Any]:
    return dict(cases.generate(random.Random(seed)))


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_outcome_is_the_most_severe_hit(seed: int) -> None:
    d = ENGINE.decide(_request(seed))
    severities = [h.outcome.severity for h in d.hits]
    assert d.decision.severity == max(severities, default=0)
    if d.rule_id is not None:
        assert d.rule_id == next(h.rule_id for h in d.hits if h.outcome is d.decision)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_an_eu_nationality_never_makes_a_natural_person_worse_off(seed: int) -> None:
    r = _request(seed)
    if r["customer"]["type"] != "natural":
        return
    before = ENGINE.decide(r).decision.severity
    more = copy.deepcopy(r)
    more["customer"]["nationalities"] = [*more["customer"]["nationalities"], "DE"]
    after = ENGINE.decide(more)
    assert after.decision.severity <= before
    if after.decision is not Outcome.ALLOW:  # what remains is not the EU rule on Russian persons
        assert not after.rule_id or not after.rule_id.startswith("EU-833-5B2")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.decimals(min_value=0, max_value=50_000, places=2))
def test_more_holdings_never_make_a_decision_milder(seed: int, extra: Decimal) -> None:
    r = _request(seed)
    before = ENGINE.decide(r).decision.severity
    r["holdings_eur"] = str(Decimal(r["holdings_eur"]) + extra)
    assert ENGINE.decide(r).decision.severity >= before


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_a_listing_always_freezes(seed: int) -> None:
    r = _request(seed)
    r["customer"]["listed"] = True
    d = ENGINE.decide(r)
    assert d.decision is Outcome.DENY and d.report
    assert "LISTED-PERSON-FREEZE" in [h.rule_id for h in d.hits]
