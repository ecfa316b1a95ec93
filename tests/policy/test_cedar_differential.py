"""Differential test: the EU Art 5b pack agrees with an independent Cedar encoding (cedarpy) on thousands of
generated requests.

The Cedar policies below are written from the regulation text (docs/sanctions-rules.md), not from the YAML:
one policy set whose ``Allow`` means "deny", one whose ``Allow`` means "review"; neither means allow. The
harness passes only primitive facts (nationalities, residence, the countries of permits valid on the day,
amounts in cents, the day as an ordinal); coverage, exemptions, periods and the threshold are Cedar's.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import cedarpy
import pytest

from vaspguard.policy import Engine, builtin_packs

EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
    "CH",
]
D = {
    k: date.fromisoformat(v).toordinal()
    for k, v in {
        "p1": "2022-04-09",
        "p1_end": "2022-10-06",
        "p2": "2022-10-07",
        "p2_end": "2025-11-24",
        "p3": "2025-11-25",
    }.items()
}

CORE = (
    '[Action::"deposit", Action::"spot_trade", Action::"margin_trade", Action::"futures_open", '
    'Action::"custody", Action::"savings_subscribe"]'
)
UNCLEAR = '[Action::"p2p_trade", Action::"internal_transfer", Action::"fiat_deposit"]'
CORE_AND_UNCLEAR = CORE[:-1] + ", " + UNCLEAR[1:]
CLOSE = '[Action::"futures_close", Action::"savings_redeem"]'
RETURN = '[Action::"withdrawal", Action::"fiat_withdrawal"]'
NOT_RETURN = CORE_AND_UNCLEAR[:-1] + ", " + CLOSE[1:]
EU_SET = "[" + ", ".join(f'"{c}"' for c in EU) + "]"

COVERED = (
    '((context.natural && (context.nats.contains("RU") || context.residence == "RU")) || '
    '(!context.natural && context.established == "RU"))'
)
EXEMPT = f"(context.natural && (context.nats.containsAny({EU_SET}) || context.permits.containsAny({EU_SET})))"
SOFT = (
    f"((context.natural && context.applications.containsAny({EU_SET})) || context.authorised || "
    'context.flags.containsAny(["reduce_only", "closure", "liquidation"]))'
)
P1 = f"(context.day >= {D['p1']} && context.day <= {D['p1_end']} && context.total_cents > 1000000)"
P2 = f"(context.day >= {D['p2']} && context.day <= {D['p2_end']})"
P3 = f"(context.day >= {D['p3']})"
P12 = f"({P1} || {P2})"
OWNED = '(!context.natural && context.established != "RU" && context.owned_by_covered)'

DENY_POLICIES = f"""
permit(principal, action in {CORE}, resource) when {{ {P12} && {COVERED} && !{EXEMPT} && !{SOFT} }};
permit(principal, action in {CORE_AND_UNCLEAR}, resource)
  when {{ {P3} && {COVERED} && !{EXEMPT} && !{SOFT} }};
"""
REVIEW_POLICIES = f"""
permit(principal, action in {CORE}, resource) when {{ {P12} && {COVERED} && !{EXEMPT} && {SOFT} }};
permit(principal, action in {CORE_AND_UNCLEAR}, resource) when {{ {P3} && {COVERED} && !{EXEMPT} && {SOFT} }};
permit(principal, action in {UNCLEAR}, resource) when {{ {P12} && {COVERED} && !{EXEMPT} }};
permit(principal, action in {CLOSE}, resource) when {{ ({P12} || {P3}) && {COVERED} && !{EXEMPT} }};
permit(principal, action in {RETURN}, resource) when {{ {P3} && {COVERED} && !{EXEMPT} }};
permit(principal, action in {NOT_RETURN}, resource) when {{ ({P12} || {P3}) && {OWNED} }};
permit(principal, action in {RETURN}, resource) when {{ {P3} && {OWNED} }};
"""

ACTIONS = [
    "deposit",
    "withdrawal",
    "spot_trade",
    "margin_trade",
    "futures_open",
    "futures_close",
    "custody",
    "savings_subscribe",
    "savings_redeem",
    "p2p_trade",
    "fiat_deposit",
    "fiat_withdrawal",
    "internal_transfer",
]
COUNTRIES = ["RU", "DE", "FR", "CH", "NO", "IS", "LI", "GB", "KZ", "TR", "US", "AE", "CY", "UA", "BY"]
DAYS = [
    "2022-01-01",
    "2022-04-08",
    "2022-04-09",
    "2022-07-01",
    "2022-10-06",
    "2022-10-07",
    "2024-05-05",
    "2025-11-24",
    "2025-11-25",
    "2026-06-01",
]
AMOUNTS = ["0", "1", "5000", "9000", "9999.99", "10000", "10000.01", "15000", "999.99", "1000", "1000.01"]


def _permit(rng: random.Random, day: date) -> dict[str, Any]:
    start = day + timedelta(days=rng.choice([-900, -30, 0, 1, 40]))
    permit: dict[str, Any] = {
        "country": rng.choice(["DE", "ES", "GB", "CH", "TR"]),
        "kind": rng.choice(["temporary", "permanent"]),
        "valid_from": start.isoformat(),
    }
    if rng.random() < 0.7:
        permit["valid_until"] = (day + timedelta(days=rng.choice([-1, 0, 1, 365]))).isoformat()
        if permit["valid_until"] < permit["valid_from"]:
            permit["valid_until"] = permit["valid_from"]
    return permit


def generate(rng: random.Random) -> dict[str, Any]:
    at = rng.choice(DAYS)
    day = date.fromisoformat(at)
    natural = rng.random() < 0.75
    if natural:
        customer: dict[str, Any] = {
            "type": "natural",
            # Russian facts are over-weighted so every branch of the rules is reached often.
            "nationalities": sorted(
                set(rng.sample(COUNTRIES, rng.choice([0, 1, 1, 2])) + (["RU"] if rng.random() < 0.5 else []))
            ),
            "residence": "RU" if rng.random() < 0.3 else rng.choice(COUNTRIES),
        }
        if rng.random() < 0.25:
            customer["residence_permits"] = [_permit(rng, day) for _ in range(rng.choice([1, 2]))]
        if rng.random() < 0.1:
            customer["visas"] = [{"country": "FR", "kind": "tourist"}]
        if rng.random() < 0.1:
            customer["permit_applications"] = [{"country": rng.choice(["DE", "GB"])}]
    else:
        customer = {"type": "legal", "established": "RU" if rng.random() < 0.3 else rng.choice(COUNTRIES)}
        if rng.random() < 0.6:
            customer["owners"] = [
                {
                    "nationalities": rng.sample(["RU", "DE", "KZ", "CY"], rng.choice([1, 2])),
                    "residence": rng.choice(["RU", "CY", "DE"]),
                    "share": rng.choice(["0.1", "0.25", "0.3", "0.5", "0.51", "1"]),
                    "control": rng.random() < 0.15,
                }
                for _ in range(rng.choice([1, 2]))
            ]
    if rng.random() < 0.08:
        customer["authorisations"] = [{"legal_basis": "Art 5c(1)(a)", "scope": "basic needs"}]
    return {
        "customer": customer,
        "action": rng.choice(ACTIONS),
        "at": at,
        "holdings_eur": rng.choice(AMOUNTS),
        "amount_eur": rng.choice(AMOUNTS),
        "flags": rng.sample(["reduce_only", "closure"], rng.choice([0, 0, 0, 1])),
    }


def _cents(value: str) -> int:
    return int(Decimal(value) * 100)


def context(r: dict[str, Any]) -> dict[str, Any]:
    c = r["customer"]
    day = date.fromisoformat(r["at"])
    permits = [
        p["country"]
        for p in c.get("residence_permits", [])
        if date.fromisoformat(p["valid_from"]) <= day
        and ("valid_until" not in p or day <= date.fromisoformat(p["valid_until"]))
    ]
    total = _cents(r["holdings_eur"]) + (_cents(r["amount_eur"]) if r["action"] == "deposit" else 0)
    covered_share = 0
    controlled = False
    for o in c.get("owners", []):
        o_cov = ("RU" in o["nationalities"] or o["residence"] == "RU") and not set(o["nationalities"]) & set(
            EU
        )
        if o_cov:
            covered_share += int(Decimal(o["share"]) * 100)
            controlled = controlled or o["control"]
    return {
        "natural": c["type"] == "natural",
        "nats": c.get("nationalities", []),
        "residence": c.get("residence") or "",
        "established": c.get("established") or "",
        "permits": permits,
        "applications": [a["country"] for a in c.get("permit_applications", [])],
        "authorised": bool(c.get("authorisations")),
        "flags": r["flags"],
        "owned_by_covered": controlled or covered_share > 50,
        "day": day.toordinal(),
        "total_cents": total,
    }


def cedar_outcomes(requests: list[dict[str, Any]]) -> list[str]:
    batch = [
        {
            "principal": 'Customer::"c"',
            "action": f'Action::"{r["action"]}"',
            "resource": 'Exchange::"x"',
            "context": context(r),
        }
        for r in requests
    ]
    deny = cedarpy.is_authorized_batch(batch, DENY_POLICIES, [])
    review = cedarpy.is_authorized_batch(batch, REVIEW_POLICIES, [])
    out = []
    for d, v in zip(deny, review, strict=True):
        assert not d.diagnostics.errors and not v.diagnostics.errors, (
            d.diagnostics.errors,
            v.diagnostics.errors,
        )
        out.append("deny" if d.allowed else "review" if v.allowed else "allow")
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_eu_pack_agrees_with_cedar(seed: int) -> None:
    rng = random.Random(seed)
    requests = [generate(rng) for _ in range(2000)]
    engine = Engine(builtin_packs(["eu-833-2014-art5b"]))
    expected = cedar_outcomes(requests)
    got = [engine.decide(r).decision.value for r in requests]
    disagreements = [(r, e, g) for r, e, g in zip(requests, expected, got, strict=True) if e != g]
    assert not disagreements, disagreements[:3]
    # the generator reaches every outcome, or agreement would prove little
    assert {"allow", "review", "deny"} <= set(expected)
    assert expected.count("deny") > 100 and expected.count("review") > 50


def test_cedar_encoding_can_disagree() -> None:
    """The comparison has teeth: a pack with the threshold at 10,000 inclusive is caught."""
    from importlib import resources

    from vaspguard.policy import parse_pack

    yaml_text = (resources.files("vaspguard.policy") / "packs" / "eu-833-2014-art5b.yaml").read_text()
    mutated = parse_pack(
        yaml_text.replace('holdings_over: "10000"', 'holdings_over: "9999.99"').encode(), "m"
    )
    engine = Engine([mutated])
    rng = random.Random(7)
    requests = [generate(rng) for _ in range(2000)]
    expected = cedar_outcomes(requests)
    got = [engine.decide(r).decision.value for r in requests]
    assert any(e != g for e, g in zip(expected, got, strict=True))
