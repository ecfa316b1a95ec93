"""Restrictions: sanctions regimes as versioned policy-as-code, one decision engine behind every interface.

``decide(request) -> Decision`` answers "may this customer do this now?" with the rule, its legal citation,
the ``policy_version`` (content hash of the rule packs) and the reasons. Rule packs are YAML data
(``vaspguard/policy/packs``), validated on load; deny beats review beats allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from vaspguard.policy._countries import check_code
from vaspguard.policy._engine import CONDITION_KEYS, Engine
from vaspguard.policy._model import (
    Action,
    CustomerState,
    Decision,
    Facts,
    Flag,
    Outcome,
    OwnerFacts,
    Permit,
    RuleHit,
)
from vaspguard.policy._packs import BUILTIN, RulePack, builtin_packs, load_pack, parse_pack, policy_version
from vaspguard.policy._request import FactSource, parse_date, parse_request

_EVALUATE = (
    "CustomerFacts",
    "Evaluator",
    "Evidence",
    "Standing",
    "evaluate",
    "evidence_by_customer",
    "facts_of",
    "owner_facts",
    "record_evaluation",
    "record_evaluation",
    "record_evidence",
)


def __getattr__(name: str) -> Any:
    # The database-bound parts import the registry and store; loaded on first use only.
    if name in ("PolicyService", "load_packs", "open_audit"):
        from vaspguard.policy import _service

        return getattr(_service, "_open_audit" if name == "open_audit" else name)
    if name in _EVALUATE:
        from vaspguard.policy import _evaluate

        return getattr(_evaluate, name)
    if name in ("customer_state", "decision_log", "notices", "restricted", "restriction_counts"):
        from vaspguard.policy import _records

        return getattr(_records, name)
    raise AttributeError(name)


__all__ = [
    "BUILTIN",
    "CONDITION_KEYS",
    "Action",
    "CustomerFacts",
    "CustomerState",
    "Decision",
    "Engine",
    "Evaluator",
    "Evidence",
    "FactSource",
    "Facts",
    "Flag",
    "Outcome",
    "OwnerFacts",
    "Permit",
    "PolicyService",
    "RuleHit",
    "RulePack",
    "Standing",
    "builtin_packs",
    "check_code",
    "customer_state",
    "decide",
    "decision_log",
    "default_engine",
    "evaluate",
    "evidence_by_customer",
    "facts_of",
    "load_pack",
    "load_packs",
    "notices",
    "open_audit",
    "owner_facts",
    "parse_date",
    "parse_pack",
    "parse_request",
    "policy_version",
    "record_evaluation",
    "record_evidence",
    "restricted",
    "restriction_counts",
]


@cache
def default_engine() -> Engine:
    """The engine over the built-in packs, with no registry (inline customers only)."""
    return Engine(builtin_packs())


def decide(request: Mapping[str, Any] | Facts, *, engine: Engine | None = None) -> Decision:
    """Decide one request with the built-in packs (or ``engine``)."""
    return (engine or default_engine()).decide(request)
