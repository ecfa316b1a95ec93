"""Disguised asset codes and chain names (issue 11, finding 7): a confusable or invisible-character variant
of a code the rules name is decided as that code, with a reason saying so; one that imitates nothing known
is refused. Through the decision function and through ``POST /v1/decisions``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from vaspguard.api import Role, create_app, create_token
from vaspguard.errors import InvalidRequest
from vaspguard.policy import decide
from vaspguard.policy._fold import skeleton_key
from vaspguard.policy._sources import StaticSource
from vaspguard.store import Store

DE = {"type": "natural", "nationalities": ["DE"], "residence": "DE"}
CYRILLIC_A7A5 = "\u0410\u0037\u0410\u0035"  # A7A5 with CYRILLIC CAPITAL LETTER A
DISGUISES = {
    "cyrillic": CYRILLIC_A7A5,
    "cyrillic lower": "\u0430\u0037\u0430\u0035",  # CYRILLIC SMALL LETTER A
    "zero-width space": "A7A5\u200b",
    "zero-width joiner inside": "A7\u200dA5",
    "soft hyphen": "A7\u00adA5",
    "fullwidth": "\uff21\uff17\uff21\uff15",
    "mathematical bold": "\U0001d400\U0001d7d5\U0001d400\U0001d7d3",
    "greek alpha": "\u0391\u0037\u0391\u0035",  # GREEK CAPITAL LETTER ALPHA
}
EVM = "0x" + "ab" * 20


def _a7a5(asset: str) -> dict[str, Any]:
    return {"customer": DE, "action": "spot_trade", "at": "2026-01-01", "asset": asset}


def test_plain_code_denied_and_reason_unchanged() -> None:
    d = decide(_a7a5("A7A5"))
    assert (d.decision.value, d.rule_id) == ("deny", "EU-833-ASSET-A7A5")
    assert not any("imitates" in r for r in d.reasons)


@pytest.mark.parametrize("asset", list(DISGUISES.values()), ids=list(DISGUISES))
def test_disguised_code_decided_as_the_code_it_imitates(asset: str) -> None:
    d = decide(_a7a5(asset))
    assert (d.decision.value, d.rule_id) == ("deny", "EU-833-ASSET-A7A5")
    (said,) = [r for r in d.reasons if "imitates" in r]
    assert said.startswith(f"asset {asset!r} (U+")
    assert said.endswith("imitates A7A5: decided as A7A5 (Unicode confusable, UTS #39 skeleton)")


def test_reason_names_the_disguising_characters() -> None:
    (said,) = [r for r in decide(_a7a5(CYRILLIC_A7A5)).reasons if "imitates" in r]
    assert "U+0410 CYRILLIC CAPITAL LETTER A" in said
    (said,) = [r for r in decide(_a7a5("A7A5\u200b")).reasons if "imitates" in r]
    assert "U+200B ZERO WIDTH SPACE" in said and "\u200b" not in said  # shown escaped, never raw


def test_disguise_of_a_later_packs_code_folds_too() -> None:
    d = decide({**_a7a5("RUB.\u0044\u200b"), "at": "2026-05-01"})  # RUB.D + zero-width space
    assert d.rule_id == "EU-833-ASSET-RUBX-DRUB"


@pytest.mark.parametrize(
    "asset",
    [
        "\u0411\u0422\u0426",  # Cyrillic letters imitating no code the rules name
        "\u200b",  # nothing visible at all
        "A7A5\ud800",  # a lone surrogate
        "A7A5 X",  # ASCII, but not an identifier
    ],
)
def test_non_ascii_code_imitating_nothing_known_refused(asset: str) -> None:
    with pytest.raises(InvalidRequest) as err:
        decide(_a7a5(asset))
    assert err.value.field == "asset"
    assert "\n" not in str(err.value)


def test_ascii_lookalikes_stay_distinct_codes() -> None:
    # Only non-ASCII input is folded: ASCII tickers are the exchange's own and are never rewritten.
    for asset in ("A7AS", "BTC", "IOTA", "L0TA"):
        assert decide(_a7a5(asset)).decision.value == "allow"


def test_disguised_chain_folded_onto_the_listed_chain() -> None:
    source = StaticSource(listed_addresses=[("ethereum", EVM)])
    base = {"customer": DE, "action": "withdrawal", "at": "2026-01-01"}
    from vaspguard.policy import Engine, builtin_packs

    engine = Engine(builtin_packs(), facts_source=source)
    plain = engine.decide({**base, "counterparty": {"chain": "ethereum", "address": EVM}})
    assert plain.decision.value == "deny"
    disguised = engine.decide({**base, "counterparty": {"chain": "\u0435thereum", "address": EVM}})
    assert (disguised.decision.value, disguised.rule_id) == (plain.decision.value, plain.rule_id)
    assert any("imitates ethereum: decided as ethereum" in r for r in disguised.reasons)
    with pytest.raises(InvalidRequest) as err:
        engine.decide({**base, "counterparty": {"chain": "\u0436\u0436", "address": EVM}})
    assert err.value.field == "counterparty.chain"


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\ufe0f"]


@given(
    st.from_regex(r"[A-Z0-9][A-Z0-9._-]{0,10}", fullmatch=True),
    st.lists(st.tuples(st.integers(0, 12), st.sampled_from(INVISIBLE)), max_size=4),
)
def test_invisible_characters_never_change_the_key(code: str, inserts: list[tuple[int, str]]) -> None:
    disguised = code
    for at, ch in inserts:
        disguised = disguised[:at] + ch + disguised[at:]
    assert skeleton_key(disguised) == skeleton_key(code)


def test_api_decides_a_disguised_code_as_the_code_it_imitates(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "var"))
    client = TestClient(create_app(store))
    headers = {"Authorization": f"Bearer {create_token(store, name='engine', role=Role.SERVICE)}"}
    for asset in (CYRILLIC_A7A5, "A7A5\u200b"):
        answer = client.post("/v1/decisions", json=_a7a5(asset), headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["decision"], body["rule_id"]) == ("deny", "EU-833-ASSET-A7A5")
        assert any("imitates A7A5" in r for r in body["reasons"])
    refused = client.post("/v1/decisions", json=_a7a5("\u0411\u0422\u0426"), headers=headers)
    assert refused.status_code == 400
    assert "asset" in refused.json()["detail"]


def test_a_refused_value_is_quoted_short_never_echoed_whole() -> None:
    """An error names the field and quotes at most 40 characters of what was sent."""
    from vaspguard.errors import InvalidRequest
    from vaspguard.policy import parse_request

    huge = "9" * 5000 + "x"
    request = {
        "customer": {"type": "natural", "nationalities": ["DE"]},
        "action": "deposit",
        "at": "2024-01-01",
        "amount_eur": huge,
    }
    with pytest.raises(InvalidRequest) as info:
        parse_request(request)
    assert info.value.field == "amount_eur"
    assert huge not in str(info.value) and len(str(info.value)) < 120
