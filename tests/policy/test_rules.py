"""Every built-in rule and boundary: dates either side of each change, EUR 10,000 vs 10,000.01, dual
nationals, each exemption and non-exemption, precedence, and the errors that replace a default answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from vaspguard.errors import InvalidRequest
from vaspguard.policy import Engine, Outcome, builtin_packs, decide
from vaspguard.policy._sources import StaticSource

RU = {"type": "natural", "nationalities": ["RU"], "residence": "RU"}
RU_ABROAD = {"type": "natural", "nationalities": ["RU"], "residence": "TR"}
DE = {"type": "natural", "nationalities": ["DE"], "residence": "DE"}


def req(customer: dict[str, Any], action: str, at: str, **kw: Any) -> dict[str, Any]:
    return {"customer": customer, "action": action, "at": at, **kw}


def ru(**extra: Any) -> dict[str, Any]:
    return {**RU_ABROAD, **extra}


CASES: list[tuple[str, dict[str, Any], str, str | None]] = [
    # -- Art 5b over time --------------------------------------------------------------------------------
    (
        "publication day of 2022/576",
        req(RU, "deposit", "2022-04-08", holdings_eur="50000", amount_eur="1"),
        "allow",
        "EU-833-5B2-2022-576-NOT-YET",
    ),
    (
        "before 2022/576",
        req(RU, "deposit", "2022-04-07", holdings_eur="50000", amount_eur="1"),
        "allow",
        None,
    ),
    (
        "2022/576 first day",
        req(RU, "deposit", "2022-04-09", holdings_eur="50000", amount_eur="1"),
        "deny",
        "EU-833-5B2-2022-576",
    ),
    (
        "2022/576 last day, below",
        req(RU, "spot_trade", "2022-10-06", holdings_eur="5000"),
        "allow",
        "EU-833-5B2-2022-576-BELOW",
    ),
    (
        "2022/576 last day, above",
        req(RU, "spot_trade", "2022-10-06", holdings_eur="10000.01"),
        "deny",
        "EU-833-5B2-2022-576",
    ),
    (
        "2022/1904 first day, below old threshold",
        req(RU, "spot_trade", "2022-10-07", holdings_eur="5000"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    ("2022/1904 needs no holdings", req(RU, "custody", "2023-01-10"), "deny", "EU-833-5B2-2022-1904"),
    (
        "2022/1904 last day withdrawal",
        req(RU, "withdrawal", "2025-11-24"),
        "allow",
        "EU-833-5B2-2022-1904-RETURN",
    ),
    (
        "2025/2033 first day withdrawal",
        req(RU, "withdrawal", "2025-11-25"),
        "review",
        "EU-833-5B2-2025-2033-RETURN",
    ),
    ("2022/1904 last day p2p", req(RU, "p2p_trade", "2025-11-24"), "review", "EU-833-5B2-2022-1904-UNCLEAR"),
    ("2025/2033 first day p2p", req(RU, "p2p_trade", "2025-11-25"), "deny", "EU-833-5B2-2025-2033"),
    (
        "2025/2033 internal transfer",
        req(RU, "internal_transfer", "2026-01-05"),
        "deny",
        "EU-833-5B2-2025-2033",
    ),
    ("2025/2033 fiat deposit", req(RU, "fiat_deposit", "2026-01-05"), "deny", "EU-833-5B2-2025-2033"),
    (
        "2025/2033 fiat withdrawal",
        req(RU, "fiat_withdrawal", "2026-01-05"),
        "review",
        "EU-833-5B2-2025-2033-RETURN",
    ),
    (
        "2022/576 withdrawal above threshold",
        req(RU, "withdrawal", "2022-05-01", holdings_eur="90000"),
        "allow",
        "EU-833-5B2-2022-576-RETURN",
    ),
    # -- the EUR 10,000 threshold ------------------------------------------------------------------------
    (
        "exactly 10,000",
        req(RU, "spot_trade", "2022-05-01", holdings_eur="10000"),
        "allow",
        "EU-833-5B2-2022-576-BELOW",
    ),
    (
        "10,000.01",
        req(RU, "spot_trade", "2022-05-01", holdings_eur="10000.01"),
        "deny",
        "EU-833-5B2-2022-576",
    ),
    (
        "deposit to exactly 10,000",
        req(RU, "deposit", "2022-05-01", holdings_eur="9000", amount_eur="1000"),
        "allow",
        "EU-833-5B2-2022-576-BELOW",
    ),
    (
        "deposit to 10,000.01",
        req(RU, "deposit", "2022-05-01", holdings_eur="9000", amount_eur="1000.01"),
        "deny",
        "EU-833-5B2-2022-576",
    ),
    (
        "deposit alone above",
        req(RU, "deposit", "2022-05-01", amount_eur="10000.01"),
        "deny",
        "EU-833-5B2-2022-576",
    ),
    (
        "futures close above",
        req(RU, "futures_close", "2022-05-01", holdings_eur="20000"),
        "review",
        "EU-833-5B2-2022-576-CLOSE",
    ),
    # -- who is covered ----------------------------------------------------------------------------------
    (
        "RU national abroad (law, not Binance)",
        req(RU_ABROAD, "deposit", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "KZ national resident in Russia",
        req({"type": "natural", "nationalities": ["KZ"], "residence": "RU"}, "deposit", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "stateless resident in Russia",
        req({"type": "natural", "nationalities": [], "residence": "RU"}, "spot_trade", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "not covered",
        req({"type": "natural", "nationalities": ["UA"], "residence": "PL"}, "deposit", "2023-03-01"),
        "allow",
        None,
    ),
    (
        "entity established in Russia",
        req({"type": "legal", "established": "RU"}, "deposit", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "entity in Russia owned by EU nationals: no exemption for legal persons",
        req(
            {"type": "legal", "established": "RU", "owners": [{"nationalities": ["DE"], "share": "1"}]},
            "deposit",
            "2023-03-01",
        ),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    # -- Art 5b(3) exemptions: nationals -----------------------------------------------------------------
    (
        "RU+DE dual national",
        req(ru(nationalities=["RU", "DE"]), "deposit", "2023-03-01"),
        "allow",
        "EU-833-5B3-NATIONALS",
    ),
    (
        "RU+CH dual national",
        req(ru(nationalities=["RU", "CH"]), "deposit", "2023-03-01"),
        "allow",
        "EU-833-5B3-NATIONALS",
    ),
    (
        "RU+NO dual national",
        req(ru(nationalities=["RU", "NO"]), "deposit", "2023-03-01"),
        "allow",
        "EU-833-5B3-NATIONALS",
    ),
    (
        "RU+IS dual national",
        req(ru(nationalities=["RU", "IS"]), "deposit", "2026-03-01"),
        "allow",
        "EU-833-5B3-NATIONALS",
    ),
    (
        "RU+KZ dual national",
        req(ru(nationalities=["RU", "KZ"]), "deposit", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "RU+GB dual national",
        req(ru(nationalities=["RU", "GB"]), "deposit", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "FR national living in Russia",
        req({"type": "natural", "nationalities": ["FR"], "residence": "RU"}, "deposit", "2026-03-01"),
        "allow",
        "EU-833-5B3-NATIONALS",
    ),
    # -- Art 5b(3) exemptions: permits -------------------------------------------------------------------
    (
        "valid DE permit",
        req(
            ru(
                residence_permits=[
                    {
                        "country": "DE",
                        "kind": "temporary",
                        "valid_from": "2021-01-01",
                        "valid_until": "2024-01-01",
                    }
                ]
            ),
            "deposit",
            "2023-03-01",
        ),
        "allow",
        "EU-833-5B3-PERMIT",
    ),
    (
        "permit on its last day",
        req(
            ru(
                residence_permits=[
                    {
                        "country": "ES",
                        "kind": "temporary",
                        "valid_from": "2021-01-01",
                        "valid_until": "2023-03-01",
                    }
                ]
            ),
            "deposit",
            "2023-03-01",
        ),
        "allow",
        "EU-833-5B3-PERMIT",
    ),
    (
        "expired permit",
        req(
            ru(
                residence_permits=[
                    {
                        "country": "DE",
                        "kind": "temporary",
                        "valid_from": "2021-01-01",
                        "valid_until": "2023-02-28",
                    }
                ]
            ),
            "deposit",
            "2023-03-01",
        ),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "permit not yet valid",
        req(
            ru(residence_permits=[{"country": "DE", "kind": "permanent", "valid_from": "2023-03-02"}]),
            "deposit",
            "2023-03-01",
        ),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "permanent CH permit",
        req(
            ru(residence_permits=[{"country": "CH", "kind": "permanent", "valid_from": "2015-01-01"}]),
            "deposit",
            "2026-03-01",
        ),
        "allow",
        "EU-833-5B3-PERMIT",
    ),
    (
        "UK permit is not an exemption",
        req(
            ru(residence_permits=[{"country": "GB", "kind": "permanent", "valid_from": "2015-01-01"}]),
            "deposit",
            "2023-03-01",
        ),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "Schengen visa is not a permit",
        req(ru(visas=[{"country": "FR", "kind": "tourist"}]), "deposit", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "legal person cannot use a permit",
        req(
            {
                "type": "legal",
                "established": "RU",
                "residence_permits": [{"country": "DE", "kind": "permanent", "valid_from": "2015-01-01"}],
            },
            "deposit",
            "2023-03-01",
        ),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    # -- review exits --------------------------------------------------------------------------------------
    (
        "pending permit application",
        req(ru(permit_applications=[{"country": "DE"}]), "deposit", "2023-03-01"),
        "review",
        "EU-833-5B3-PENDING-APPLICATION",
    ),
    (
        "refused permit application",
        req(ru(permit_applications=[{"country": "DE", "status": "refused"}]), "deposit", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "UK permit application",
        req(ru(permit_applications=[{"country": "GB"}]), "deposit", "2023-03-01"),
        "deny",
        "EU-833-5B2-2022-1904",
    ),
    (
        "Art 5c authorisation",
        req(ru(authorisations=[{"legal_basis": "Art 5c(1)(a)", "scope": "rent"}]), "custody", "2023-03-01"),
        "review",
        "EU-833-5C-AUTHORISATION",
    ),
    (
        "closure flag",
        req(RU, "spot_trade", "2023-03-01", flags=["closure"]),
        "review",
        "EU-833-FAQ-C6-CLOSURE",
    ),
    (
        "reduce_only flag",
        req(RU, "margin_trade", "2023-03-01", flags=["reduce_only"]),
        "review",
        "EU-833-FAQ-C6-CLOSURE",
    ),
    (
        "closure flag in 2025/2033",
        req(RU, "spot_trade", "2025-12-01", flags=["closure"]),
        "review",
        "EU-833-FAQ-C6-CLOSURE",
    ),
    ("futures_open is not closing", req(RU, "futures_open", "2023-03-01"), "deny", "EU-833-5B2-2022-1904"),
    ("futures_close", req(RU, "futures_close", "2023-03-01"), "review", "EU-833-5B2-2022-1904-CLOSE"),
    ("savings_subscribe", req(RU, "savings_subscribe", "2023-03-01"), "deny", "EU-833-5B2-2022-1904"),
    ("savings_redeem", req(RU, "savings_redeem", "2023-03-01"), "review", "EU-833-5B2-2022-1904-CLOSE"),
    # -- Art 12: legal persons elsewhere owned or controlled by covered persons --------------------------
    (
        "CY company 60 % RU-owned",
        req(
            {"type": "legal", "established": "CY", "owners": [{"nationalities": ["RU"], "share": "0.6"}]},
            "spot_trade",
            "2023-03-01",
        ),
        "review",
        "EU-12-CIRCUMVENTION-2022-1904",
    ),
    (
        "CY company exactly 50 % RU-owned",
        req(
            {"type": "legal", "established": "CY", "owners": [{"nationalities": ["RU"], "share": "0.5"}]},
            "spot_trade",
            "2023-03-01",
        ),
        "allow",
        None,
    ),
    (
        "CY company 30+25 % aggregated",
        req(
            {
                "type": "legal",
                "established": "CY",
                "owners": [
                    {"nationalities": ["RU"], "share": "0.3"},
                    {"residence": "RU", "nationalities": ["AM"], "share": "0.25"},
                ],
            },
            "spot_trade",
            "2023-03-01",
        ),
        "review",
        "EU-12-CIRCUMVENTION-2022-1904",
    ),
    (
        "AE company controlled by a RU entity",
        req(
            {
                "type": "legal",
                "established": "AE",
                "owners": [{"type": "legal", "established": "RU", "share": "0.1", "control": True}],
            },
            "deposit",
            "2026-01-01",
        ),
        "review",
        "EU-12-CIRCUMVENTION-2025-2033",
    ),
    (
        "company owned by a RU+DE dual national",
        req(
            {"type": "legal", "established": "CY", "owners": [{"nationalities": ["RU", "DE"], "share": "1"}]},
            "deposit",
            "2023-03-01",
        ),
        "allow",
        None,
    ),
    (
        "owned company below threshold in 2022/576",
        req(
            {"type": "legal", "established": "CY", "owners": [{"nationalities": ["RU"], "share": "1"}]},
            "deposit",
            "2022-06-01",
            holdings_eur="100",
            amount_eur="1",
        ),
        "allow",
        None,
    ),
    # -- listed persons and addresses --------------------------------------------------------------------
    (
        "listed: freeze includes withdrawal",
        req({**DE, "listed": ["OFAC SDN"]}, "withdrawal", "2024-01-01"),
        "deny",
        "LISTED-PERSON-FREEZE",
    ),
    (
        "listed before any Art 5b",
        req({**DE, "listed": True}, "savings_redeem", "2020-01-01"),
        "deny",
        "LISTED-PERSON-FREEZE",
    ),
    (
        "listed address deposit",
        req(DE, "deposit", "2024-01-01", counterparty={"chain": "ETH", "address": "0xab", "listed": True}),
        "deny",
        "LISTED-ADDRESS",
    ),
    (
        "listed address withdrawal",
        req(DE, "withdrawal", "2024-01-01", counterparty={"chain": "BTC", "address": "bc1q", "listed": True}),
        "deny",
        "LISTED-ADDRESS",
    ),
    (
        "unlisted address",
        req(DE, "withdrawal", "2024-01-01", counterparty={"chain": "BTC", "address": "bc1q"}),
        "allow",
        None,
    ),
    # -- OFAC jurisdictions ------------------------------------------------------------------------------
    (
        "resident in Iran",
        req({"type": "natural", "nationalities": ["IR"], "residence": "IR"}, "deposit", "2024-01-01"),
        "deny",
        "OFAC-IRAN",
    ),
    (
        "resident in Iran withdrawal",
        req({"type": "natural", "nationalities": ["IR"], "residence": "IR"}, "withdrawal", "2024-01-01"),
        "review",
        "OFAC-IRAN-WITHDRAWAL",
    ),
    ("login from Cuba", req(DE, "spot_trade", "2024-01-01", login_country="CU"), "deny", "OFAC-CUBA"),
    (
        "login from North Korea",
        req(DE, "deposit", "2024-01-01", login_country="KP"),
        "deny",
        "OFAC-NORTH-KOREA",
    ),
    (
        "resident in Crimea",
        req({"type": "natural", "nationalities": ["UA"], "residence": "UA-43"}, "custody", "2024-01-01"),
        "deny",
        "OFAC-CRIMEA",
    ),
    ("login from Sevastopol", req(DE, "deposit", "2024-01-01", login_country="UA-40"), "deny", "OFAC-CRIMEA"),
    (
        "login from Donetsk oblast",
        req(DE, "deposit", "2024-01-01", login_country="UA-14"),
        "deny",
        "OFAC-DNR-LNR",
    ),
    ("login from Kyiv", req(DE, "deposit", "2024-01-01", login_country="UA-30"), "allow", None),
    (
        "Ukraine without region",
        req({"type": "natural", "nationalities": ["UA"], "residence": "UA"}, "deposit", "2024-01-01"),
        "allow",
        None,
    ),
    (
        "Syria last day",
        req({"type": "natural", "nationalities": ["SY"], "residence": "SY"}, "deposit", "2025-06-30"),
        "deny",
        "OFAC-SYRIA",
    ),
    (
        "Syria programme ended",
        req({"type": "natural", "nationalities": ["SY"], "residence": "SY"}, "deposit", "2025-07-01"),
        "allow",
        None,
    ),
    # -- prohibited assets -------------------------------------------------------------------------------
    ("A7A5 before 2025/2033", req(DE, "spot_trade", "2025-10-23", asset="A7A5"), "allow", None),
    ("A7A5 from 2025/2033", req(DE, "spot_trade", "2025-10-24", asset="a7a5"), "deny", "EU-833-ASSET-A7A5"),
    ("A7A5 withdrawal", req(DE, "withdrawal", "2026-01-01", asset="A7A5"), "deny", "EU-833-ASSET-A7A5"),
    ("other asset", req(DE, "spot_trade", "2026-01-01", asset="BTC"), "allow", None),
    # -- precedence: deny beats review beats allow -------------------------------------------------------
    (
        "deny beats review (Iran login)",
        req(ru(permit_applications=[{"country": "DE"}]), "deposit", "2023-03-01", login_country="IR"),
        "deny",
        "OFAC-IRAN",
    ),
    (
        "freeze beats exemption",
        req({**DE, "nationalities": ["RU", "DE"], "listed": True}, "deposit", "2023-03-01"),
        "deny",
        "LISTED-PERSON-FREEZE",
    ),
    (
        "review beats allow",
        req(RU, "withdrawal", "2025-12-01", counterparty={"address": "x"}),
        "review",
        "EU-833-5B2-2025-2033-RETURN",
    ),
    # -- missing holdings when another rule denies anyway, or an exemption settles it ---------------------
    (
        "exempt dual national needs no holdings in 2022/576",
        req(ru(nationalities=["RU", "DE"]), "deposit", "2022-05-01"),
        "allow",
        "EU-833-5B3-NATIONALS",
    ),
    ("not covered needs no holdings in 2022/576", req(DE, "spot_trade", "2022-05-01"), "allow", None),
    (
        "listed without holdings in 2022/576",
        req({**RU, "listed": True}, "deposit", "2022-05-01"),
        "deny",
        "LISTED-PERSON-FREEZE",
    ),
]


@pytest.mark.parametrize(("name", "request_", "outcome", "rule_id"), CASES, ids=[c[0] for c in CASES])
def test_rule(name: str, request_: dict[str, Any], outcome: str, rule_id: str | None) -> None:
    d = decide(request_)
    assert (d.decision.value, d.rule_id) == (outcome, rule_id), d.reasons
    assert d.policy_version.startswith("sha256:")
    assert d.reasons
    if rule_id is not None:
        assert d.citation


def test_citation_and_report() -> None:
    d = decide(req(RU, "deposit", "2023-03-01"))
    assert d.citation == (
        "Council Regulation (EU) No 833/2014, Art 5b(2), as amended by Council Regulation (EU) 2022/1904"
    )
    assert not d.report
    frozen = decide(req({**DE, "listed": True}, "withdrawal", "2024-01-01"))
    assert frozen.report
    out = frozen.to_json()
    assert set(out) >= {"decision", "rule_id", "citation", "policy_version", "reasons"}
    assert out["decision"] == "deny"


def test_all_hits_reported_winner_first() -> None:
    d = decide(req({**RU, "listed": True}, "deposit", "2023-03-01", login_country="IR"))
    ids = [h.rule_id for h in d.hits]
    assert ids[0] == "EU-833-5B2-2022-1904"  # pack order
    assert d.rule_id == "EU-833-5B2-2022-1904"
    assert {"LISTED-PERSON-FREEZE", "OFAC-IRAN"} <= set(ids)
    assert d.report  # the freeze rule that denied asks for a report even when it is not first


def test_float_amounts_are_read_exactly() -> None:
    d = decide(req(RU, "deposit", "2022-05-01", holdings_eur=Decimal("9999.99"), amount_eur=Decimal("0.01")))
    assert d.decision is Outcome.ALLOW
    d = decide(req(RU, "deposit", "2022-05-01", holdings_eur=9999.99, amount_eur=0.02))
    assert d.decision is Outcome.DENY


def test_shares_as_percentages_and_permits_without_kind() -> None:
    cy = {"type": "legal", "established": "CY"}
    d = decide(req({**cy, "owners": [{"nationalities": ["RU"], "share": 60}]}, "deposit", "2023-03-01"))
    assert d.decision is Outcome.REVIEW and any("read as 60 %" in r for r in d.reasons)
    d = decide(req({**cy, "owners": [{"nationalities": ["RU"], "share": "50%"}]}, "deposit", "2023-03-01"))
    assert d.decision is Outcome.ALLOW
    d = decide(
        req(ru(residence_permits=[{"country": "DE", "valid_until": "2024-01-01"}]), "deposit", "2023-03-01")
    )
    assert (d.decision, d.rule_id) == (Outcome.ALLOW, "EU-833-5B3-PERMIT")
    d = decide(req({**DE, "login_country": "IR"}, "deposit", "2023-03-01"))
    assert (d.decision, d.rule_id) == (Outcome.DENY, "OFAC-IRAN")


def test_empty_residence_is_not_given() -> None:
    d = decide(req({"type": "natural", "nationalities": ["RU"], "residence": ""}, "deposit", "2023-03-01"))
    assert d.decision is Outcome.DENY
    d = decide(req({"type": "natural", "nationalities": ["FR"], "residence": ""}, "deposit", "2023-03-01"))
    assert d.decision is Outcome.ALLOW


def test_type_inferred_and_said() -> None:
    d = decide(req({"nationalities": ["RU"], "residence": "RU"}, "deposit", "2023-03-01"))
    assert d.decision is Outcome.DENY
    assert any("taken as natural" in r for r in d.reasons)
    d = decide(req({"established": "RU"}, "deposit", "2023-03-01"))
    assert d.decision is Outcome.DENY
    assert any("taken as legal" in r for r in d.reasons)


BAD: list[tuple[dict[str, Any], str]] = [
    (req(RU, "buy", "2023-03-01"), "action"),
    ({"customer": RU, "at": "2023-03-01"}, "action"),
    (req(RU, "deposit", "2023-3-1"), "at"),
    (req(RU, "deposit", "2023-02-30"), "at"),
    (req(RU, "deposit", "2023-03-01T10:00:00Z"), "at"),
    ({"customer": RU, "action": "deposit"}, "at"),
    (req({**RU, "residence": "UK"}, "deposit", "2023-03-01"), "customer.residence"),
    (req({**RU, "residence": "RUS"}, "deposit", "2023-03-01"), "customer.residence"),
    (req({**RU, "nationalities": ["XX"]}, "deposit", "2023-03-01"), "customer.nationalities[0]"),
    (req(RU, "deposit", "2023-03-01", login_country="Cuba"), "login_country"),
    (req({**RU, "type": "company"}, "deposit", "2023-03-01"), "customer.type"),
    (req({}, "deposit", "2023-03-01"), "customer.type"),
    ({"action": "deposit", "at": "2023-03-01"}, "customer"),
    (req(RU, "deposit", "2023-03-01", holdings="5"), "holdings"),
    (req({**RU, "nationalites": ["RU"]}, "deposit", "2023-03-01"), "customer.nationalites"),
    (req(RU, "deposit", "2023-03-01", flags=["urgent"]), "flags[0]"),
    (req(RU, "deposit", "2023-03-01", amount_eur="-1"), "amount_eur"),
    (req(RU, "deposit", "2023-03-01", amount_eur="ten"), "amount_eur"),
    (req(RU, "deposit", "2023-03-01", holdings_eur="NaN"), "holdings_eur"),
    (
        req(ru(residence_permits=[{"country": "DE", "kind": "visa"}]), "deposit", "2023-03-01"),
        "customer.residence_permits[0].kind",
    ),
    (
        req(
            ru(
                residence_permits=[
                    {
                        "country": "DE",
                        "kind": "temporary",
                        "valid_from": "2024-01-01",
                        "valid_until": "2023-01-01",
                    }
                ]
            ),
            "deposit",
            "2023-03-01",
        ),
        "customer.residence_permits[0].valid_until",
    ),
    (
        req(
            {"type": "legal", "established": "CY", "owners": [{"nationalities": ["RU"], "share": "151"}]},
            "deposit",
            "2023-03-01",
        ),
        "customer.owners[0].share",
    ),
    (
        req(
            {"type": "legal", "established": "CY", "owners": [{"nationalities": ["RU"], "share": "120%"}]},
            "deposit",
            "2023-03-01",
        ),
        "customer.owners[0].share",
    ),
    (req(RU, "spot_trade", "2022-05-01"), "holdings_eur"),
    (req(RU, "deposit", "2022-05-01", holdings_eur="100"), "amount_eur"),
    (req({"id": "C1"}, "deposit", "2022-05-01"), "customer.id"),
]


@pytest.mark.parametrize(("request_", "field"), BAD, ids=[b[1] + "-" + str(i) for i, b in enumerate(BAD)])
def test_bad_request_is_an_error_never_a_default(request_: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidRequest) as exc:
        decide(request_)
    assert exc.value.field == field
    assert exc.value.reason


def test_listed_address_source_normalises() -> None:
    source = StaticSource(
        listed_addresses=[
            ("ethereum", "0xAbCdEf0000000000000000000000000000000001"),
            (None, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
        ]
    )
    engine = Engine(builtin_packs(), facts_source=source)
    hit = engine.decide(
        req(
            DE,
            "deposit",
            "2024-01-01",
            counterparty={"chain": "ethereum", "address": "0xabcdef0000000000000000000000000000000001"},
        )
    )
    assert (hit.decision, hit.rule_id, hit.report) == (Outcome.DENY, "LISTED-ADDRESS", True)
    assert (
        engine.decide(
            req(
                DE,
                "withdrawal",
                "2024-01-01",
                counterparty={"chain": "bitcoin", "address": "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"},
            )
        ).decision
        is Outcome.DENY
    )
    # base58 is case-sensitive: another case is another address
    assert (
        engine.decide(
            req(
                DE,
                "withdrawal",
                "2024-01-01",
                counterparty={"chain": "bitcoin", "address": "1boatslrhtknngkdxeeobr76b53lettpyt"},
            )
        ).decision
        is Outcome.ALLOW
    )
    with pytest.raises(InvalidRequest) as exc:  # a mistyped EIP-55 checksum is refused, not guessed
        engine.decide(
            req(
                DE,
                "deposit",
                "2024-01-01",
                counterparty={"chain": "ethereum", "address": "0xAbCdEf0000000000000000000000000000000001"},
            )
        )
    assert exc.value.field == "counterparty.address"


def test_customer_by_id_from_a_source() -> None:
    source = StaticSource({"C9": {**RU, "holdings_eur": "12000"}})
    engine = Engine(builtin_packs(), facts_source=source)
    d = engine.decide(req({"id": "C9"}, "spot_trade", "2022-05-01"))
    assert (d.decision, d.customer_id) == (Outcome.DENY, "C9")
    d = engine.decide(req({"id": "C9"}, "spot_trade", "2022-05-01", holdings_eur="100"))
    assert d.decision is Outcome.ALLOW  # the request's own holdings figure is the more current one
