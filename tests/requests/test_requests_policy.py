"""The assessment policy as versioned code: floors, weakening detection, audited installation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from lr_helpers import Desk, court_order

from vaspguard.errors import InvalidFile, QuorumRefused
from vaspguard.requests import default_policy, floor_violations, parse_policy, weakenings
from vaspguard.store import Store


def _variant(change: Any) -> str:
    data = yaml.safe_load(default_policy().text)
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def test_default_policy_is_above_every_floor() -> None:
    policy = default_policy()
    assert floor_violations(policy) == []
    assert policy.version.startswith("sha256:") and len(policy.version) == 71


def test_weakenings_are_listed() -> None:
    def weaken(d: dict[str, Any]) -> None:
        d["risk_jurisdictions"].remove("RU")
        d["reason_tiers"]["DRAGNET"] = "high"  # unchanged
        d["reason_tiers"]["OVERBROAD_CATEGORIES"] = "low"
        d["dragnet"]["max_customers_reached"] = 500
        d["quorum"]["medium"] = [{"roles": ["legal"]}]
        d["instruments"]["subpoena"].append("transaction_history")
        d["blocked_when"] = d["blocked_when"][1:]

    weaker = weakenings(default_policy(), parse_policy(_variant(weaken)))
    assert weaker == [
        "reason OVERBROAD_CATEGORIES: tier medium -> low",
        "blocked_when ['DRAGNET', 'PROTECTED_TARGET'] removed",
        "quorum medium: 2 approvers (0 other-region) -> 1 (0)",
        "risk_jurisdictions: RU removed",
        "instrument subpoena: now suffices for ['transaction_history']",
        "dragnet.max_customers_reached: 5 -> 500",
    ]
    stricter = parse_policy(_variant(lambda d: d["risk_jurisdictions"].append("XX")))
    assert weakenings(default_policy(), stricter) == []


def test_floors() -> None:
    def below(d: dict[str, Any]) -> None:
        d["reason_tiers"]["REQUESTER_SANCTIONED"] = "high"
        d["quorum"]["high"] = d["quorum"]["high"][:2]
        d["instruments"]["informal_request"] = ["subscriber_info"]

    assert floor_violations(parse_policy(_variant(below))) == [
        "reason REQUESTER_SANCTIONED must stay blocked",
        "the high tier needs at least three approvers, one from another region",
        "an informal request can never suffice for any data category",
    ]


def test_malformed_policy() -> None:
    with pytest.raises(InvalidFile, match="missing key 'quorum'"):
        parse_policy(_variant(lambda d: d.pop("quorum")))
    with pytest.raises(InvalidFile, match="invalid policy"):
        parse_policy(_variant(lambda d: d["reason_tiers"].update({"NOT_A_CODE": "low"})))


def test_install_is_refused_logged_and_visible(store: Store, tmp_path: Path) -> None:

    desk = Desk(store)
    key = desk.keys["legal1"]
    weak = _variant(lambda d: d["risk_jurisdictions"].remove("RU"))
    with pytest.raises(QuorumRefused, match="weakens 1 safeguard"):
        desk.svc.install_policy(weak, operator="legal1", key=key)
    with pytest.raises(QuorumRefused, match="weakens"):
        desk.svc.install_policy(weak, operator="legal1", key=key, accept_weakening=True)  # no reason
    floor = _variant(lambda d: d["reason_tiers"].update({"FOREIGN_WITHOUT_MLAT": "low"}))
    with pytest.raises(QuorumRefused, match="below the floor"):
        desk.svc.install_policy(floor, operator="legal1", key=key, accept_weakening=True, reason="pressure")
    with pytest.raises(Exception, match="only legal or executive"):
        desk.svc.install_policy(weak, operator="privacy1", key=desk.keys["privacy1"])
    assert desk.svc.policy().version == default_policy().version

    policy, weaker = desk.svc.install_policy(
        weak, operator="legal1", key=key, accept_weakening=True, reason="board resolution 2026-14"
    )
    assert weaker == ["risk_jurisdictions: RU removed"]
    history = desk.svc.policy_history()
    assert history[-1]["version"] == policy.version and history[-1]["weakenings"] == weaker
    logged = desk.svc.audit.events("requests.policy")
    assert [e.type for e in logged] == [
        "requests.policy.refused",
        "requests.policy.refused",
        "requests.policy.refused",
        "requests.policy.install",
    ]
    assert logged[-1].payload["weakenings"] == weaker
    # New assessments run under (and record) the new version; old ones keep theirs.
    rid = desk.file(court_order())
    assert desk.svc.assessment(rid).policy_version == policy.version
    assert json.loads(json.dumps(desk.svc.show(rid)["assessment"]))["policy_version"] == policy.version
