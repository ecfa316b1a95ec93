"""The one evaluation step both engines run: an Arrow batch of customers (the registry export's columns, with
their balances gathered from every account) in, an Arrow batch of restriction states out.

It builds each customer's ``Facts`` with ``vaspguard.policy.facts_of`` and decides with
``vaspguard.policy.Evaluator``, the code ``policy evaluate`` runs on the store. What a Python worker needs
beyond the batch travels in one ``Policy`` value (the rule packs, not a compiled engine: the engine's rules
are closures, so each worker compiles them once, on first use).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from vaspguard.policy import (
    CustomerFacts,
    Engine,
    Evaluator,
    Evidence,
    OwnerFacts,
    Permit,
    RulePack,
    facts_of,
    owner_facts,
)
from vaspguard.registry import FIAT

# The customer columns an evaluation reads from the registry export.
EVALUATE_COLUMNS = (
    "id",
    "type",
    "nationalities",
    "residence",
    "established",
    "residence_permits",
    "permit_applications",
    "owners",
)

# The states a job writes, in Spark's DDL (``states_schema`` in Arrow terms).
STATES_DDL = (
    "customer_id string, state string, rule_id string, citation string, reason string, "
    "allowed array<string>, review array<string>, denied array<string>, holdings_eur string, "
    "unpriced array<string>"
)


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything an evaluation needs besides the registry: built on the driver, shipped to every worker."""

    packs: tuple[RulePack, ...]
    at: date
    evidence: Mapping[str, list[Evidence]]  # exemption evidence recorded in the store, by customer
    listed: frozenset[str]  # customers screening confirmed as a listed person
    prices: Mapping[str, Decimal]  # each asset's latest EUR price on or before ``at``


def states_schema() -> Any:
    import pyarrow as pa

    s, texts = pa.string(), pa.list_(pa.string())
    return pa.schema(
        [
            ("customer_id", s),
            ("state", s),
            ("rule_id", s),
            ("citation", s),
            ("reason", s),
            ("allowed", texts),
            ("review", texts),
            ("denied", texts),
            ("holdings_eur", s),
            ("unpriced", texts),
        ]
    )


_evaluators: dict[tuple[str, date], Evaluator] = {}  # per Python worker: compiled once, profiles kept


def evaluator(policy: Policy) -> Evaluator:
    key = (policy.packs[0].sha256 + "".join(p.sha256 for p in policy.packs[1:]), policy.at)
    found = _evaluators.get(key)
    if found is None:
        found = _evaluators[key] = Evaluator(Engine(policy.packs), policy.at)
    return found


def valued(balances: Iterable[Mapping[str, Any]], prices: Mapping[str, Decimal]) -> tuple[Decimal, set[str]]:
    """Crypto holdings in EUR at ``prices`` and the assets with no price, as ``Registry.crypto_holdings``
    values them (fiat left out, an unpriced asset adds nothing); summed in one order, so both engines agree
    to the last digit."""
    total, unpriced = Decimal(0), set()
    for b in sorted(balances, key=lambda b: (b["asset"], b["amount"])):
        asset, amount = b["asset"], b["amount"]
        if asset in FIAT or not amount:
            continue
        price = prices.get(asset)
        if price is None:
            unpriced.add(asset)
        else:
            total += amount * price
    return total, unpriced


def customer_facts(
    r: Mapping[str, Any], at: date, owners: dict[tuple[Any, ...], OwnerFacts]
) -> CustomerFacts:
    """A registry export record's sanctions facts on ``at`` (``lookup.sanctions_facts`` for the store)."""
    return CustomerFacts(
        customer_id=r["id"],
        type=r["type"],
        residence=r["residence"],
        established=r["established"],
        nationalities=frozenset(r["nationalities"] or ()),
        permits=tuple(
            p
            for p in (
                Permit(x["country"], x["kind"], x["valid_from"], x["valid_until"])
                for x in r["residence_permits"] or ()
            )
            if p.valid_from is not None and p.valid_on(at)
        ),
        applications=frozenset(
            a["country"] for a in r["permit_applications"] or () if a["status"] not in (None, "refused")
        ),
        owners=tuple(
            owner_facts(
                owners,
                kind=o["type"],
                nationalities=o["nationalities"] or (),
                residence=o["residence"],
                established=o["established"],
                share=o["share"],
                control=o["control"],
            )
            for o in r["owners"] or ()
        ),
    )


def evaluate_batch(policy: Policy, batch: Any) -> Any:
    """Every customer's state in ``batch`` (``EVALUATE_COLUMNS`` and ``balances``), as ``states_schema``."""
    import pyarrow as pa

    ev = evaluator(policy)
    owners: dict[tuple[Any, ...], OwnerFacts] = {}
    rows = []
    for r in batch.to_pylist():
        held: Decimal | None = None
        unpriced: set[str] = set()
        if ev.thresholds:
            held, unpriced = valued(r["balances"] or (), policy.prices)
        cid = r["id"]
        facts = facts_of(
            customer_facts(r, policy.at, owners),
            policy.at,
            evidence=policy.evidence.get(cid, ()),
            listed=cid in policy.listed,
            holdings_eur=held,
            unpriced=unpriced,
        )
        st = ev.standing(facts)
        rows.append(
            {
                "customer_id": cid,
                "state": st.state.value,
                "rule_id": st.rule_id,
                "citation": st.citation,
                "reason": st.reason,
                "allowed": list(st.allowed),
                "review": list(st.review),
                "denied": list(st.denied),
                "holdings_eur": None if held is None else format(held, "f"),
                "unpriced": sorted(unpriced),
            }
        )
    return pa.RecordBatch.from_pylist(rows, schema=states_schema())


def evaluate_batches(policy: Policy, batches: Iterator[Any]) -> Iterator[Any]:
    for batch in batches:
        yield evaluate_batch(policy, batch)
