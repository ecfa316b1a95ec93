"""Rule packs: schema validation on load (each bad pack refused with file and place named), content-hash
versions, custom packs beside the built-in ones."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from vaspguard.errors import InvalidFile, InvalidRequest
from vaspguard.policy import BUILTIN, Engine, Outcome, builtin_packs, parse_pack, policy_version

GOOD = """schema: vaspguard.policy/1
pack: house
title: House rules
regime: house
sets:
  HIGH_RISK: [AF, MM]
persons:
  risky: {residence_in: HIGH_RISK}
exemptions:
  EX1: {title: t, citation: {act: a}, when: {nationality_in: [DE]}, outcome: allow, reason: exempt}
rules:
  - id: HOUSE-1
    title: High-risk residence
    citation: {act: House policy, article: "4", paragraph: "1"}
    effective: {from: 2024-01-01, until: 2024-12-31}
    actions: [deposit]
    when: {person: risky}
    outcome: review
    reason: "review: residence in a high-risk country ({location})"
    exemptions: [EX1]
"""


def test_builtin_packs_load_and_compile() -> None:
    packs = builtin_packs()
    assert [p.id for p in packs] == list(BUILTIN)
    engine = Engine(packs)
    assert engine.policy_version == policy_version(packs)
    assert "EU-833-5B2-2022-576" in engine.rule_ids


def test_version_is_the_content_hash() -> None:
    a = parse_pack(GOOD.encode(), "a.yaml")
    b = parse_pack((GOOD + "# a comment\n").encode(), "b.yaml")
    assert policy_version([a]) != policy_version([b])
    assert policy_version([a]) == policy_version([parse_pack(GOOD.encode(), "elsewhere.yaml")])
    text = (resources.files("vaspguard.policy") / "packs" / "eu-833-2014-art5b.yaml").read_bytes()
    assert parse_pack(text, "x").sha256 == builtin_packs(["eu-833-2014-art5b"])[0].sha256


def test_custom_pack_rules_and_exemptions() -> None:
    engine = Engine([*builtin_packs(), parse_pack(GOOD.encode(), "house.yaml")])
    base = {"action": "deposit", "at": "2024-06-01"}
    d = engine.decide({**base, "customer": {"type": "natural", "nationalities": ["FR"], "residence": "AF"}})
    assert (d.decision, d.rule_id, d.citation) == (Outcome.REVIEW, "HOUSE-1", "House policy, Art 4(1)")
    assert d.reasons[0] == "review: residence in a high-risk country (AF)"
    d = engine.decide({**base, "customer": {"type": "natural", "nationalities": ["DE"], "residence": "AF"}})
    assert (d.decision, d.rule_id) == (Outcome.ALLOW, "EX1")
    d = engine.decide({**base, "at": "2025-01-01", "customer": {"type": "natural", "residence": "AF"}})
    assert d.decision is Outcome.ALLOW and d.rule_id is None
    # deny in one pack beats review in another
    d = engine.decide({**base, "customer": {"type": "natural", "nationalities": ["RU"], "residence": "AF"}})
    assert (d.decision, d.rule_id) == (Outcome.DENY, "EU-833-5B2-2022-1904")
    assert "HOUSE-1" in [h.rule_id for h in d.hits]


BAD = [
    ("not: [yaml", "not valid YAML"),
    ("- a list", "a rule pack is a YAML mapping"),
    (GOOD.replace("schema: vaspguard.policy/1", "schema: vaspguard.policy/2"), "schema"),
    (GOOD.replace("regime: house\n", ""), "regime"),
    (
        GOOD.replace('    outcome: review\n    reason: "review', '    outcome: maybe\n    reason: "review'),
        "outcome",
    ),
    (GOOD.replace("    actions: [deposit]", "    actions: [deposit]\n    priority: 3"), "priority"),
    (GOOD.replace("{residence_in: HIGH_RISK}", "{residence_in: LOW_RISK}"), "unknown set 'LOW_RISK'"),
    (GOOD.replace("[AF, MM]", "[AF, UK]"), "'GB'"),
    (GOOD.replace("[AF, MM]", "[AF, NO]"), "sets.HIGH_RISK"),  # YAML 1.1: NO is false
    (GOOD.replace("{residence_in: HIGH_RISK}", "{residense_in: HIGH_RISK}"), "unknown condition key"),
    (GOOD.replace("actions: [deposit]", "actions: [deposit, staking]"), "unknown action 'staking'"),
    (GOOD.replace("exemptions: [EX1]", "exemptions: [EX2]"), "unknown exemption 'EX2'"),
    (GOOD.replace("until: 2024-12-31", "until: 2023-12-31"), "ends"),
    (GOOD.replace("{person: risky}", "{person: nobody}"), "unknown person condition"),
    (GOOD.replace("risky: {residence_in: HIGH_RISK}", "risky: {person: risky}"), "refers to itself"),
    (GOOD + GOOD[GOOD.index("  - id: HOUSE-1") :], "duplicate rule ids"),
    (GOOD.replace("{person: risky}", "{holdings_over: lots}"), "not a decimal amount"),
    (GOOD.replace("{person: risky}", "{flags_any: [urgent]}"), "unknown flag 'urgent'"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_pack_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidFile) as exc:
        Engine([parse_pack(text.encode(), "house.yaml")])
    assert str(exc.value).startswith("house.yaml: ")
    assert message in str(exc.value)


def test_pack_conflicts_refused() -> None:
    house = parse_pack(GOOD.encode(), "house.yaml")
    with pytest.raises(InvalidRequest):
        Engine([house, house])
    clash = parse_pack(GOOD.replace("pack: house", "pack: house2").encode(), "house2.yaml")
    with pytest.raises(InvalidFile, match="HOUSE-1 also defined"):
        Engine([house, clash])
    with pytest.raises(InvalidFile):
        builtin_packs(["no-such-pack"])


def test_thresholds_in_force_include_those_inside_person_conditions() -> None:
    text = GOOD.replace(
        "risky: {residence_in: HIGH_RISK}", 'risky: {residence_in: HIGH_RISK, holdings_over: "500"}'
    )
    text += (
        text[text.index("  - id: HOUSE-1") :]
        .replace("HOUSE-1", "HOUSE-2")
        .replace("2024-01-01", "2025-01-01", 1)
    )
    text = text.replace("until: 2024-12-31", "until: 2025-12-31", 2).replace(
        "effective: {from: 2025-01-01, until: 2025-12-31}", "effective: {from: 2026-01-01}"
    )
    engine = Engine([parse_pack(text.encode(), "house.yaml")])
    from datetime import date

    assert engine.thresholds_on(date(2024, 6, 1)) == (Decimal("500"),)
    assert engine.thresholds_on(date(2026, 6, 1)) == (Decimal("500"),)
    assert engine.thresholds_on(date(2023, 6, 1)) == ()
    assert Engine(builtin_packs()).thresholds_on(date(2022, 4, 9)) == (Decimal("10000"),)
    assert Engine(builtin_packs()).thresholds_on(date(2022, 10, 7)) == ()
