"""The assessment policy: versioned policy-as-code (``policy.yaml`` in this package, or an installed version).

``Policy.version`` is ``sha256:`` + the SHA-256 of the exact bytes of the YAML text, recorded on every
assessment. ``weakenings(old, new)`` lists every safeguard a new version relaxes, so an installation can
refuse it or record it visibly; ``floor_violations(new)`` lists what no policy may ever do (these are
refused whatever the operator says).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from vaspguard.errors import InvalidFile
from vaspguard.requests._model import DataCategory, InstrumentType, OperatorRole, ReasonCode, Tier


@dataclass(frozen=True, slots=True)
class QuorumSlot:
    roles: frozenset[OperatorRole]
    other_region: bool = False

    def describe(self) -> str:
        text = "|".join(sorted(self.roles))
        return f"{text} (other region)" if self.other_region else text


@dataclass(frozen=True)
class Policy:
    text: str
    data: dict[str, Any]

    @property
    def version(self) -> str:
        return "sha256:" + hashlib.sha256(self.text.encode()).hexdigest()

    # -- typed views -----------------------------------------------------------------------------------

    @property
    def home_countries(self) -> frozenset[str]:
        return frozenset(self.data["home_countries"])

    def region_of(self, country: str) -> str:
        for region, countries in self.data["regions"].items():
            if country in countries:
                return str(region)
        return f"country:{country}"

    @property
    def risk_jurisdictions(self) -> frozenset[str]:
        return frozenset(self.data["risk_jurisdictions"])

    def instrument_categories(self, kind: InstrumentType) -> frozenset[DataCategory]:
        return frozenset(DataCategory(c) for c in self.data["instruments"].get(kind.value, []))

    def reason_tier(self, code: ReasonCode) -> Tier:
        return Tier(self.data["reason_tiers"].get(code.value, "high"))

    def blocked_when(self) -> list[frozenset[ReasonCode]]:
        return [frozenset(ReasonCode(c) for c in combo) for combo in self.data.get("blocked_when", [])]

    def quorum(self, tier: Tier) -> tuple[QuorumSlot, ...]:
        if tier is Tier.BLOCKED:
            return ()
        return tuple(
            QuorumSlot(frozenset(OperatorRole(r) for r in slot["roles"]), bool(slot.get("other_region")))
            for slot in self.data["quorum"][tier.value]
        )

    def category_tier(self, category: DataCategory) -> Tier:
        return Tier(self.data["categories"]["tier"].get(category.value, "medium"))

    def section(self, name: str) -> dict[str, Any]:
        value: dict[str, Any] = self.data[name]
        return value


_REQUIRED = (
    "home_countries",
    "regions",
    "risk_jurisdictions",
    "instruments",
    "foreign",
    "channels",
    "requester",
    "dragnet",
    "protected",
    "political_offence",
    "categories",
    "emergency",
    "non_disclosure",
    "preservation",
    "reason_tiers",
    "quorum",
)


def parse_policy(text: str, *, origin: str = "policy") -> Policy:
    """Parse and check a policy text; a malformed one is refused with the key that is wrong."""
    return _parse_policy(text, origin)


@lru_cache(maxsize=32)
def _parse_policy(text: str, origin: str) -> Policy:  # noqa: C901
    # Cached by text: a policy version is immutable, and the assessment of every request reads it.
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise InvalidFile(origin, f"not valid YAML: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise InvalidFile(origin, "a policy is a YAML mapping")
    for key in _REQUIRED:
        if key not in data:
            raise InvalidFile(origin, f"missing key {key!r}")
    try:
        for kind, cats in data["instruments"].items():
            InstrumentType(kind)
            for c in cats:
                DataCategory(c)
        for code, tier in data["reason_tiers"].items():
            ReasonCode(code)
            Tier(tier)
        for combo in data.get("blocked_when", []):
            for code in combo:
                ReasonCode(code)
        for tier_name in ("low", "medium", "high"):
            slots = data["quorum"][tier_name]
            if not slots:
                raise ValueError(f"quorum.{tier_name} has no approvers")
            for slot in slots:
                for role in slot["roles"]:
                    OperatorRole(role)
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidFile(origin, f"invalid policy: {exc}") from None
    return Policy(text, data)


def default_policy() -> Policy:
    text = resources.files("vaspguard.requests").joinpath("policy.yaml").read_text(encoding="utf-8")
    return parse_policy(text, origin="vaspguard/requests/policy.yaml")


# -- weakening and floors ---------------------------------------------------------------------------------


def _quorum_strength(policy: Policy, tier: Tier) -> tuple[int, int]:
    slots = policy.quorum(tier)
    return len(slots), sum(1 for s in slots if s.other_region)


def weakenings(old: Policy, new: Policy) -> list[str]:  # noqa: C901
    """Every way ``new`` relaxes a safeguard of ``old``, one line each (empty: not weaker anywhere)."""
    out: list[str] = []
    for code in ReasonCode:
        if new.reason_tier(code).rank < old.reason_tier(code).rank:
            out.append(f"reason {code}: tier {old.reason_tier(code)} -> {new.reason_tier(code)}")
    old_combos, new_combos = set(old.blocked_when()), set(new.blocked_when())
    for combo in sorted(old_combos - new_combos, key=sorted):
        out.append(f"blocked_when {sorted(c.value for c in combo)} removed")
    for tier in (Tier.LOW, Tier.MEDIUM, Tier.HIGH):
        (on, oo), (nn, no) = _quorum_strength(old, tier), _quorum_strength(new, tier)
        if nn < on or no < oo:
            out.append(f"quorum {tier}: {on} approvers ({oo} other-region) -> {nn} ({no})")
        old_roles = [s.roles for s in old.quorum(tier)]
        new_roles = [s.roles for s in new.quorum(tier)]
        if len(old_roles) == len(new_roles) and any(n > o for o, n in zip(old_roles, new_roles, strict=True)):
            out.append(f"quorum {tier}: a slot accepts more roles")
    for country in sorted(old.risk_jurisdictions - new.risk_jurisdictions):
        out.append(f"risk_jurisdictions: {country} removed")
    for kind in InstrumentType:
        extra = new.instrument_categories(kind) - old.instrument_categories(kind)
        if extra:
            out.append(f"instrument {kind}: now suffices for {sorted(c.value for c in extra)}")
    for section, key in (
        ("dragnet", "max_identifiers"),
        ("dragnet", "max_customers_reached"),
        ("dragnet", "max_days"),
        ("non_disclosure", "max_days"),
        ("emergency", "follow_up_days"),
        ("emergency", "notice_within_days"),
        ("categories", "max_without_justification"),
        ("requester", "reverify_after_days"),
        ("preservation", "max_extensions"),
    ):
        if new.section(section)[key] > old.section(section)[key]:
            out.append(f"{section}.{key}: {old.section(section)[key]} -> {new.section(section)[key]}")
    for section, key in (("requester", "sanctions_min_score"), ("protected", "min_name_score")):
        if new.section(section)[key] > old.section(section)[key]:
            out.append(f"{section}.{key}: {old.section(section)[key]} -> {new.section(section)[key]}")
    for key in ("terms", "designation_terms", "statutes"):
        removed = set(old.section("political_offence")[key]) - set(new.section("political_offence")[key])
        if removed:
            out.append(f"political_offence.{key}: removed {sorted(removed)}")
    for key in ("out_of_band", "callback_required"):
        removed = set(old.section("channels")[key]) - set(new.section("channels")[key])
        if removed:
            out.append(f"channels.{key}: removed {sorted(removed)}")
    removed = set(old.section("requester")["security_classes"]) - set(
        new.section("requester")["security_classes"]
    )
    if removed:
        out.append(f"requester.security_classes: removed {sorted(removed)}")
    if set(new.home_countries) - set(old.home_countries):
        out.append(f"home_countries: added {sorted(new.home_countries - old.home_countries)}")
    return out


def floor_violations(policy: Policy) -> list[str]:
    """What no policy version may do, whoever signs it."""
    out: list[str] = []
    for code in (
        ReasonCode.REQUESTER_SANCTIONED,
        ReasonCode.FOREIGN_WITHOUT_MLAT,
        ReasonCode.INSTRUMENT_SIGNATURE_INVALID,
    ):
        if policy.reason_tier(code) is not Tier.BLOCKED:
            out.append(f"reason {code} must stay blocked")
    for code in (ReasonCode.PROTECTED_TARGET, ReasonCode.DRAGNET, ReasonCode.REQUESTER_SECURITY_SERVICE):
        if policy.reason_tier(code).rank < Tier.HIGH.rank:
            out.append(f"reason {code} must stay at least high")
    if frozenset({ReasonCode.PROTECTED_TARGET, ReasonCode.POLITICAL_OFFENCE}) not in policy.blocked_when():
        out.append("PROTECTED_TARGET with POLITICAL_OFFENCE must stay blocked")
    high = policy.quorum(Tier.HIGH)
    if len(high) < 3 or not any(s.other_region for s in high):
        out.append("the high tier needs at least three approvers, one from another region")
    if InstrumentType.INFORMAL_REQUEST.value in policy.data["instruments"] and policy.instrument_categories(
        InstrumentType.INFORMAL_REQUEST
    ):
        out.append("an informal request can never suffice for any data category")
    if policy.instrument_categories(InstrumentType.PRESERVATION_REQUEST):
        out.append("a preservation request can never disclose data")
    if "in_person" not in policy.section("channels")["out_of_band"]:
        out.append("in-person intake must stay out of band")
    return out
