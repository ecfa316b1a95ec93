"""The values of the policy capability: actions, outcomes, the facts one decision is made on, the decision.

Invariants: countries are ISO 3166-1 alpha-2 (upper case) and regions ISO 3166-2 (``UA-43``); money is
``Decimal`` in EUR; dates are UTC calendar dates. ``Facts`` is what a request becomes once parsed and
validated; the engine decides on ``Facts`` only, so every fact a rule reads is visible in one place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


class Action(enum.StrEnum):
    """What a customer asks to do (the closed vocabulary of the decision request)."""

    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    SPOT_TRADE = "spot_trade"
    MARGIN_TRADE = "margin_trade"
    FUTURES_OPEN = "futures_open"
    FUTURES_CLOSE = "futures_close"
    CUSTODY = "custody"
    SAVINGS_SUBSCRIBE = "savings_subscribe"
    SAVINGS_REDEEM = "savings_redeem"
    P2P_TRADE = "p2p_trade"
    FIAT_DEPOSIT = "fiat_deposit"
    FIAT_WITHDRAWAL = "fiat_withdrawal"
    INTERNAL_TRANSFER = "internal_transfer"


class Outcome(enum.StrEnum):
    """A decision; ``severity`` orders them: deny beats review beats allow."""

    ALLOW = "allow"
    REVIEW = "review"
    DENY = "deny"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {Outcome.ALLOW: 0, Outcome.REVIEW: 1, Outcome.DENY: 2}


class Flag(enum.StrEnum):
    """Request flags. ``closure`` and ``liquidation`` both mean: liquidating on account closure."""

    REDUCE_ONLY = "reduce_only"
    CLOSURE = "closure"
    LIQUIDATION = "liquidation"


class CustomerState(enum.StrEnum):
    """A customer's standing from a batch evaluation (``unrestricted`` is the state of no restriction)."""

    UNRESTRICTED = "unrestricted"
    REVIEW = "review"
    WITHDRAW_ONLY = "withdraw-only"
    FROZEN = "frozen"


@dataclass(frozen=True, slots=True)
class Permit:
    """A residence permit: valid on ``day`` when ``valid_from <= day <= valid_until`` (open ends allowed)."""

    country: str
    kind: str  # temporary | permanent
    valid_from: date | None = None
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True, slots=True)
class Authorisation:
    """A competent-authority authorisation (EU Reg 833/2014 Art 5c) the customer relies on."""

    legal_basis: str
    scope: str = ""


@dataclass(frozen=True, slots=True)
class OwnerFacts:
    """An owner or controller of a legal person; ``share`` is a fraction 0..1."""

    type: str
    nationalities: frozenset[str] = frozenset()
    residence: frozenset[str] = frozenset()
    established: frozenset[str] = frozenset()
    share: Decimal | None = None
    control: bool = False
    # An owner's facts are read by the same person conditions as a customer's; these have no source for
    # owners and stay empty (so a permit or application never exempts an owner by accident).
    permits: tuple[Permit, ...] = ()
    applications: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Facts:
    """One decision's inputs, validated. ``residence``/``login`` hold the country and, when given, the region
    (``{"UA", "UA-43"}``), so a rule may name either."""

    action: Action
    at: date
    type: str  # natural | legal
    nationalities: frozenset[str] = frozenset()
    residence: frozenset[str] = frozenset()
    established: frozenset[str] = frozenset()
    login: frozenset[str] = frozenset()
    permits: tuple[Permit, ...] = ()
    visas: tuple[str, ...] = ()  # countries; never an exemption, kept for the reasons
    applications: frozenset[str] = frozenset()  # countries of pending residence-permit applications
    owners: tuple[OwnerFacts, ...] = ()
    authorisations: tuple[Authorisation, ...] = ()
    listed: tuple[str, ...] = ()  # the lists the customer is a confirmed match on ("listed" if unknown)
    holdings_eur: Decimal | None = None
    unpriced: tuple[str, ...] = ()  # assets held with no EUR price on the date: holdings_eur is a lower bound
    amount_eur: Decimal | None = None
    asset: str | None = None
    counterparty_chain: str | None = None
    counterparty_address: str | None = None
    counterparty_listed: bool = False
    flags: frozenset[str] = frozenset()
    customer_id: str | None = None
    request_id: str | None = None
    notes: tuple[str, ...] = ()  # what parsing inferred, repeated in the decision's reasons


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One rule that applied, with the outcome it gave (after its exemptions)."""

    rule_id: str
    outcome: Outcome
    citation: str
    reason: str
    report: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer: ``decision`` with the deciding ``rule_id`` and ``citation``, the ``policy_version`` that
    decided, human ``reasons`` (deciding rule first), ``report`` when a report must be raised (asset
    freeze, listed address), and every rule that applied in ``hits``."""

    decision: Outcome
    rule_id: str | None
    citation: str | None
    policy_version: str
    reasons: tuple[str, ...]
    report: bool = False
    hits: tuple[RuleHit, ...] = ()
    request_id: str | None = None
    customer_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "decision": self.decision.value,
            "rule_id": self.rule_id,
            "citation": self.citation,
            "policy_version": self.policy_version,
            "reasons": list(self.reasons),
            "report": self.report,
            "rules": [
                {"rule_id": h.rule_id, "outcome": h.outcome.value, "citation": h.citation} for h in self.hits
            ],
        }
        if self.request_id is not None:
            out["request_id"] = self.request_id
        if self.customer_id is not None:
            out["customer_id"] = self.customer_id
        out.update(self.extra)
        return out
