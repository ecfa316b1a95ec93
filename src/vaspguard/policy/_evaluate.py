"""Batch evaluation: every customer's state on a date, the diff against the previous evaluation, notices.

A customer's state comes from the engine's decisions on every action with the customer's facts (no login,
no counterparty, no asset, a deposit of zero):

- ``frozen``: a withdrawal is denied (asset freeze);
- ``withdraw-only``: some action is denied but withdrawals are not (allowed, or reviewed one by one);
- ``review``: nothing denied, something needs review;
- ``unrestricted``: every action allowed.

Speed: facts are bulk-loaded with one query per table (never one query per customer), and customers with
the same decision-relevant profile (type, nationalities, residence, establishment, permits valid on the
day, pending applications, authorisations, owners, listing, and which holdings thresholds in force they
exceed) share one computation. Only restricted customers have a row in ``policy_customer_states``, so the
diff reads and writes rows in proportion to restricted customers and changes, not to the registry.

Recording exemption evidence (``record_evidence``) re-evaluates that customer at once; an expiry is caught
by the next evaluation, because permits count only when valid on the evaluation date.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Connection, delete, insert, select, update

from vaspguard.errors import InvalidRequest
from vaspguard.events import EventType, emit_many
from vaspguard.policy._countries import check_code, location
from vaspguard.policy._engine import Engine
from vaspguard.policy._model import (
    Action,
    Authorisation,
    CustomerState,
    Decision,
    Facts,
    Outcome,
    OwnerFacts,
    Permit,
)
from vaspguard.policy._tables import (
    PolicyCustomerStateRow,
    PolicyEvaluationRow,
    PolicyEvidenceRow,
    PolicyNoticeRow,
)
from vaspguard.registry import Holdings, Registry, lookup
from vaspguard.store import Store, utcnow

RETURN_ACTIONS = (Action.WITHDRAWAL, Action.FIAT_WITHDRAWAL)


@dataclass(frozen=True, slots=True)
class Standing:
    """A customer's state with the decisions it comes from."""

    state: CustomerState
    rule_id: str | None
    citation: str | None
    reason: str | None
    allowed: tuple[str, ...]
    review: tuple[str, ...]
    denied: tuple[str, ...]


@dataclass
class EvaluationResult:
    evaluation_id: int
    at: date
    policy_version: str
    customers: int
    counts: dict[str, int]
    changes: list[dict[str, Any]] = field(default_factory=list)
    profiles: int = 0

    def summary(self) -> dict[str, Any]:
        by_kind: dict[str, int] = defaultdict(int)
        for c in self.changes:
            by_kind[f"{c['old_state']} -> {c['new_state']}"] += 1
        return {
            "evaluation_id": self.evaluation_id,
            "at": self.at,
            "policy_version": self.policy_version,
            "customers": self.customers,
            "states": self.counts,
            "changed": len(self.changes),
            "changes": dict(sorted(by_kind.items())),
            "distinct_profiles": self.profiles,
        }


def standing(engine: Engine, facts: Facts) -> Standing:
    """The state that the engine's decisions on every action give this customer."""
    decisions: dict[Action, Decision] = {}
    for action in Action:
        try:
            decisions[action] = engine.decide_facts(_with_action(facts, action))
        except InvalidRequest as exc:
            # A fact the rules need is missing (an asset with no price in the threshold period): the
            # customer is reviewed, never waved through.
            decisions[action] = Decision(
                decision=Outcome.REVIEW,
                rule_id=None,
                citation=None,
                policy_version=engine.policy_version,
                reasons=(f"review: {exc.reason}",),
            )
    denied = tuple(a.value for a, d in decisions.items() if d.decision is Outcome.DENY)
    review = tuple(a.value for a, d in decisions.items() if d.decision is Outcome.REVIEW)
    allowed = tuple(a.value for a, d in decisions.items() if d.decision is Outcome.ALLOW)
    if decisions[Action.WITHDRAWAL].decision is Outcome.DENY:
        state, basis = CustomerState.FROZEN, decisions[Action.WITHDRAWAL]
    elif denied:
        state, basis = CustomerState.WITHDRAW_ONLY, decisions[Action(denied[0])]
    elif review:
        state, basis = CustomerState.REVIEW, decisions[Action(review[0])]
    else:
        return Standing(CustomerState.UNRESTRICTED, None, None, None, allowed, review, denied)
    return Standing(state, basis.rule_id, basis.citation, basis.reasons[0], allowed, review, denied)


def _with_action(f: Facts, action: Action) -> Facts:
    # Facts is frozen with slots; a copy per action is cheap next to the decision itself.
    return Facts(
        action=action,
        at=f.at,
        type=f.type,
        nationalities=f.nationalities,
        residence=f.residence,
        established=f.established,
        permits=f.permits,
        applications=f.applications,
        owners=f.owners,
        authorisations=f.authorisations,
        listed=f.listed,
        holdings_eur=f.holdings_eur,
        unpriced=f.unpriced,
        amount_eur=Decimal(0),
        customer_id=f.customer_id,
    )


# -- bulk loading --------------------------------------------------------------------------------------------


_EMPTY: frozenset[str] = frozenset()
_CODE_CACHE: dict[str, frozenset[str]] = {}


def _code(value: str | None) -> frozenset[str]:
    if not value:
        return _EMPTY
    where = _CODE_CACHE.get(value)
    if where is None:
        where = location(value) if check_code(value) is None else frozenset({value.upper()})
        _CODE_CACHE[value] = where
    return where


def _listed_ids(store: Store) -> frozenset[str]:
    from vaspguard.screening import listed_customer_ids

    return frozenset(listed_customer_ids(store))


class Evidence(NamedTuple):
    """One exemption evidence row, as ``evidence_facts`` reads it (a plain value: it pickles to executors)."""

    kind: str
    country: str | None
    permit_kind: str | None
    valid_from: date | None
    valid_until: date | None
    legal_basis: str | None
    scope: str | None


def _evidence_query(ids: Sequence[str] | None) -> Any:
    ev = PolicyEvidenceRow
    q = select(
        ev.customer_id,
        ev.kind,
        ev.country,
        ev.permit_kind,
        ev.valid_from,
        ev.valid_until,
        ev.legal_basis,
        ev.scope,
    )
    return q if ids is None else q.where(ev.customer_id.in_(ids))


def evidence_by_customer(store: Store) -> dict[str, list[Evidence]]:
    """Every customer's exemption evidence (all of it: validity is checked on the evaluation date)."""
    with store.connect() as conn:
        grouped = lookup.grouped(conn, _evidence_query(None))
    return {cid: [Evidence._make(row[1:]) for row in rows] for cid, rows in grouped.items()}


def _read_facts(store: Store, at: date, ids: Sequence[str] | None, with_holdings: bool) -> tuple[Any, ...]:
    """The rows ``load_facts`` combines: the registry's sanctions facts on ``at``, exemption evidence (by
    customer) and holdings."""
    evidence_q = _evidence_query(ids)
    with store.connect() as conn:
        rows = lookup.sanctions_facts(conn, at, ids)
        evidence = lookup.grouped(conn, evidence_q)
        valued = Registry(store).crypto_holdings(at, ids, conn=conn) if with_holdings else Holdings()
    return rows, evidence, valued


def evidence_facts(rows: Iterable[Any], at: date) -> tuple[tuple[Permit, ...], tuple[Authorisation, ...]]:
    """Exemption evidence rows (``policy_evidence``: kind, country, permit_kind, valid_from, valid_until,
    legal_basis, scope) as the permits valid on ``at`` and the authorisations they record."""
    permits: list[Permit] = []
    auths: list[Authorisation] = []
    for row in rows:
        if row.kind == "residence_permit":
            p = Permit(row.country, row.permit_kind or "temporary", row.valid_from, row.valid_until)
            if p.valid_on(at):
                permits.append(p)
        else:
            auths.append(Authorisation(row.legal_basis or "", row.scope or ""))
    return tuple(permits), tuple(auths)


def owner_facts(
    cache: dict[tuple[Any, ...], OwnerFacts],
    *,
    kind: str,
    nationalities: Iterable[str],
    residence: str | None,
    established: str | None,
    share: Decimal | None,
    control: bool | None,
) -> OwnerFacts:
    """An owner's facts; owners described alike share one value (``cache``)."""
    nats = frozenset(nationalities)
    key = (kind, nats, residence, established, share, bool(control))
    of = cache.get(key)
    if of is None:
        of = OwnerFacts(
            type=kind,
            nationalities=nats,
            residence=_code(residence),
            established=_code(established),
            share=share,
            control=bool(control),
        )
        cache[key] = of
    return of


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """A customer's sanctions-relevant facts as the registry holds them, before evidence and listing are
    added: what ``load_facts`` reads from the store and ``vaspguard.batch`` from a registry export."""

    customer_id: str
    type: str
    residence: str | None
    established: str | None
    nationalities: frozenset[str]
    permits: tuple[Permit, ...]  # valid on the evaluation date
    applications: frozenset[str]  # countries of applications not refused
    owners: tuple[OwnerFacts, ...]


def facts_of(
    c: CustomerFacts,
    at: date,
    *,
    evidence: Iterable[Any],
    listed: bool,
    holdings_eur: Decimal | None,
    unpriced: Iterable[str] = (),
) -> Facts:
    """The ``Facts`` an evaluation decides on: the registry's, the exemption evidence recorded for the
    customer, whether screening confirmed a match, and the crypto holdings in EUR (None: not needed)."""
    ev_permits, auths = evidence_facts(evidence, at)
    return Facts(
        action=Action.DEPOSIT,
        at=at,
        type=c.type,
        nationalities=c.nationalities,
        residence=_code(c.residence),
        established=_code(c.established),
        permits=c.permits + ev_permits,
        applications=c.applications,
        owners=c.owners,
        authorisations=auths,
        listed=("screening: confirmed match",) if listed else (),
        holdings_eur=holdings_eur,
        unpriced=tuple(sorted(unpriced)),
        customer_id=c.customer_id,
    )


def load_facts(
    store: Store, at: date, *, ids: Sequence[str] | None = None, with_holdings: bool
) -> Iterable[Facts]:
    """Every customer's (or ``ids``') facts on ``at``, with one query per table."""

    rows, evidence, valued = _read_facts(store, at, ids, with_holdings)
    nats, permits, apps, owners = rows.nationalities, rows.permits, rows.applications, rows.owners
    holdings, unpriced = valued.eur, valued.unpriced
    listed = _listed_ids(store)
    owner_cache: dict[tuple[Any, ...], OwnerFacts] = {}
    for cid, kind, residence, established in rows.customers:
        own = tuple(
            owner_facts(
                owner_cache,
                kind=o.type,
                nationalities=o.nationalities.split(),
                residence=o.residence,
                established=o.established,
                share=o.share,
                control=o.control,
            )
            for o in owners.get(cid, ())
        )
        registry = CustomerFacts(
            customer_id=cid,
            type=kind,
            residence=residence,
            established=established,
            nationalities=frozenset(n[1] for n in nats.get(cid, ())),
            permits=tuple(Permit(p[1], p[2], p[3], p[4]) for p in permits.get(cid, ())),
            applications=frozenset(a[1] for a in apps.get(cid, ())),
            owners=own,
        )
        yield facts_of(
            registry,
            at,
            evidence=evidence.get(cid, ()),
            listed=cid in listed,
            holdings_eur=holdings.get(cid, Decimal(0)) if with_holdings else None,
            unpriced=unpriced.get(cid, ()),
        )


def _profile(f: Facts, thresholds: tuple[Decimal, ...]) -> tuple[Any, ...]:
    over: int | tuple[str, ...] = 0
    if thresholds and f.holdings_eur is not None:
        over = sum(1 for t in thresholds if f.holdings_eur > t)
        if f.unpriced and over < len(thresholds):
            over = f.unpriced  # undecidable below the top threshold: its own profile
    return (
        f.type,
        f.nationalities,
        f.residence,
        f.established,
        frozenset(p.country for p in f.permits if p.valid_on(f.at)),
        f.applications,
        f.owners,
        bool(f.authorisations),
        bool(f.listed),
        over,
    )


# -- notices -------------------------------------------------------------------------------------------------

_STATE_TEXT = {
    CustomerState.UNRESTRICTED: "unrestricted: every service is available",
    CustomerState.REVIEW: "under review: some actions are checked by compliance before they go ahead",
    CustomerState.WITHDRAW_ONLY: "withdraw-only: new deposits, trading and other services are suspended",
    CustomerState.FROZEN: "frozen: no funds or crypto-assets can be moved, withdrawals included",
}


def notice(engine: Engine, customer_id: str, at: date, old: CustomerState, new: Standing) -> dict[str, Any]:
    """The notice for one state change: what changed, the legal basis, what the customer can still do,
    how to prove an exemption."""
    rule = engine.rule(new.rule_id) if new.rule_id else None
    remedy = getattr(rule, "remedy", None)
    if new.state is CustomerState.UNRESTRICTED:
        remedy = None
    return {
        "customer_id": customer_id,
        "effective": at,
        "what_changed": (
            f"From {at.isoformat()} your account is {_STATE_TEXT[new.state]} (it was {old.value})."
        ),
        "legal_basis": None
        if rule is None
        else {"rule_id": new.rule_id, "title": getattr(rule, "title", None), "citation": new.citation},
        "reason": new.reason,
        "can_still_do": list(new.allowed),
        "subject_to_review": list(new.review),
        "not_available": list(new.denied),
        "how_to_prove_exemption": remedy,
        "policy_version": engine.policy_version,
    }


# -- the evaluation ---------------------------------------------------------------------------------------


class Evaluator:
    """Customers' standings on one date; customers with one profile of facts share one computation.

    A restricted standing's reason may quote the customer's own holdings ("crypto-assets at the provider
    total EUR 12,345.67"); a customer whose holdings differ from those of the profile's first customer is
    decided afresh, so a notice never quotes another customer's figure, and the answer does not depend on
    the order customers come in (one process, or Spark partitions)."""

    def __init__(self, engine: Engine, at: date) -> None:
        self.engine = engine
        self.at = at
        self.thresholds = engine.thresholds_on(at)
        self._cache: dict[tuple[Any, ...], tuple[Standing, Decimal | None]] = {}

    @property
    def profiles(self) -> int:
        return len(self._cache)

    def standing(self, f: Facts) -> Standing:
        key = _profile(f, self.thresholds)
        hit = self._cache.get(key)
        if hit is None:
            st = standing(self.engine, f)
            self._cache[key] = (st, f.holdings_eur)
            return st
        st, held = hit
        if st.state is not CustomerState.UNRESTRICTED and held != f.holdings_eur:
            return standing(self.engine, f)
        return st


def _standings(
    store: Store,
    engine: Engine,
    at: date,
    ids: Sequence[str] | None,
    progress: Callable[[int], None] | None,
) -> tuple[dict[str, Standing], dict[str, int], int, int]:
    """(restricted customers' standings, customers per state, customers evaluated, distinct profiles)."""
    evaluator = Evaluator(engine, at)
    results: dict[str, Standing] = {}
    counts: dict[str, int] = dict.fromkeys((s.value for s in CustomerState), 0)
    n = 0
    for f in load_facts(store, at, ids=ids, with_holdings=bool(evaluator.thresholds)):
        st = evaluator.standing(f)
        counts[st.state.value] += 1
        if st.state is not CustomerState.UNRESTRICTED:
            results[f.customer_id or ""] = st
        n += 1
        if progress is not None and n % 10000 == 0:
            progress(10000)
    return results, counts, n, evaluator.profiles


def _diff(
    engine: Engine,
    eval_id: int,
    at: date,
    results: dict[str, Standing],
    previous: dict[str, CustomerState],
    previous_rule: dict[str, tuple[Any, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(notices of changed states, state rows to write) for the restricted customers of this evaluation."""
    changes: list[dict[str, Any]] = []
    upserts: list[dict[str, Any]] = []
    for cid, st in results.items():
        old = previous.get(cid, CustomerState.UNRESTRICTED)
        if old is st.state:
            if previous_rule[cid][0] == st.rule_id:
                continue  # nothing changed
            # Same state on another legal basis (e.g. the threshold removed by Reg 2022/1904): the stored
            # basis follows, the state keeps its start date, no notice (the state did not change).
            since = previous_rule[cid][1]
        else:
            changes.append(_change(engine, eval_id, cid, at, old, st))
            since = at
        upserts.append(
            {
                "customer_id": cid,
                "state": st.state.value,
                "rule_id": st.rule_id,
                "citation": st.citation,
                "evaluation_id": eval_id,
                "since": since,
            }
        )
    return changes, upserts


def evaluate(
    store: Store,
    engine: Engine,
    at: date,
    *,
    ids: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> EvaluationResult:
    """Evaluate every customer (or ``ids``) on ``at``; store states, the diff and notices in one
    transaction."""
    results, counts, n, profiles = _standings(store, engine, at, ids, progress)
    if ids is not None:
        missing = set(ids) - _existing(store, ids)
        if missing:
            raise InvalidRequest("customer", f"not in the registry: {', '.join(sorted(missing))}")
    return record_evaluation(
        store, engine, at, results, counts=counts, customers=n, profiles=profiles, ids=ids
    )


def record_evaluation(
    store: Store,
    engine: Engine,
    at: date,
    results: dict[str, Standing],
    *,
    counts: dict[str, int],
    customers: int,
    profiles: int,
    ids: Sequence[str] | None = None,
) -> EvaluationResult:
    """Store an evaluation whose standings were computed elsewhere (``results``: the restricted customers'
    standings; everyone else is unrestricted): the states, the diff against the stored states, a notice
    and its events for each change, in one transaction. ``evaluate`` computes the standings from the store;
    ``vaspguard.batch`` computes them from a registry export, on one machine or on Spark."""
    n = customers
    now = utcnow()
    with store.connect() as conn:
        q = select(
            PolicyCustomerStateRow.customer_id,
            PolicyCustomerStateRow.state,
            PolicyCustomerStateRow.rule_id,
            PolicyCustomerStateRow.since,
        )
        if ids is not None:
            q = q.where(PolicyCustomerStateRow.customer_id.in_(ids))
        rows = conn.execute(q).all()
        previous = {r.customer_id: CustomerState(r.state) for r in rows}
        previous_rule = {r.customer_id: (r.rule_id, r.since) for r in rows}
        eval_id = conn.execute(
            insert(PolicyEvaluationRow)
            .values(
                at=at,
                policy_version=engine.policy_version,
                scope="registry" if ids is None else "customer:" + ",".join(ids)[:90],
                started_at=now,
                customers=n,
                changed=0,
                counts=json.dumps(counts),
            )
            .returning(PolicyEvaluationRow.id)
        ).scalar_one()
        changes, upserts = _diff(engine, eval_id, at, results, previous, previous_rule)
        lifted = [cid for cid in previous if cid not in results]
        unrestricted = Standing(
            CustomerState.UNRESTRICTED, None, None, None, tuple(a.value for a in Action), (), ()
        )
        for cid in lifted:
            changes.append(_change(engine, eval_id, cid, at, previous[cid], unrestricted))
        _chunked_delete(conn, [u["customer_id"] for u in upserts if u["customer_id"] in previous] + lifted)
        if upserts:
            conn.execute(insert(PolicyCustomerStateRow), upserts)
        if changes:
            conn.execute(insert(PolicyNoticeRow), changes)
            emit_many(conn, _change_events(changes, at))
        conn.execute(
            update(PolicyEvaluationRow)
            .where(PolicyEvaluationRow.id == eval_id)
            .values(finished_at=utcnow(), changed=len(changes))
        )
    return EvaluationResult(
        evaluation_id=eval_id,
        at=at,
        policy_version=engine.policy_version,
        customers=n,
        counts=counts,
        changes=[{k: c[k] for k in ("customer_id", "old_state", "new_state", "rule_id")} for c in changes],
        profiles=profiles,
    )


def _change_events(
    changes: list[dict[str, Any]], at: date
) -> Iterator[tuple[EventType, tuple[str], dict[str, Any], None]]:
    """Per change: the state changed, and its notice is due (both in the evaluation's transaction)."""
    for c in changes:
        subjects = (f"customer:{c['customer_id']}",)
        base = {"customer_id": c["customer_id"], "effective": at, "evaluation_id": c["evaluation_id"]}
        yield (
            EventType.RESTRICTION_CHANGED,
            subjects,
            {**base, "old_state": c["old_state"], "new_state": c["new_state"], "rule_id": c["rule_id"]},
            None,
        )
        yield EventType.RESTRICTION_NOTICE_DUE, subjects, {**base, "new_state": c["new_state"]}, None


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _existing(store: Store, ids: Sequence[str]) -> set[str]:
    with store.connect() as conn:
        return lookup.existing(conn, ids)


def _chunked_delete(conn: Connection, ids: list[str]) -> None:
    for i in range(0, len(ids), 5000):
        conn.execute(
            delete(PolicyCustomerStateRow).where(PolicyCustomerStateRow.customer_id.in_(ids[i : i + 5000]))
        )


def _change(
    engine: Engine, eval_id: int, cid: str, at: date, old: CustomerState, new: Standing
) -> dict[str, Any]:
    body = notice(engine, cid, at, old, new)
    return {
        "evaluation_id": eval_id,
        "customer_id": cid,
        "old_state": old.value,
        "new_state": new.state.value,
        "rule_id": new.rule_id,
        "citation": new.citation,
        "body": json.dumps(body, ensure_ascii=False, default=_json_default),
        "created_at": utcnow(),
    }


def record_evidence(
    store: Store,
    engine: Engine,
    customer_id: str,
    *,
    kind: str,
    document: str,
    recorded_by: str,
    at: date,
    country: str | None = None,
    permit_kind: str | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    legal_basis: str | None = None,
    scope: str | None = None,
    audit: Callable[[Store], Any] | None = None,
) -> tuple[int, EvaluationResult]:
    """Record exemption evidence (a residence permit with its validity, or an Art 5c authorisation), log it
    to the audit log and re-evaluate that customer on ``at``. Returns (evidence id, the evaluation)."""
    from vaspguard.errors import NotFound

    if kind == "residence_permit":
        why = (
            "a residence permit needs its issuing country (alpha-2)"
            if country is None
            else check_code(country)
        )
        if why is not None or country is None or "-" in country:
            raise InvalidRequest("country", why or f"{country!r} is a region; the issuing country is alpha-2")
        country = country.upper()
        if permit_kind not in ("temporary", "permanent"):
            raise InvalidRequest("permit_kind", f"expected temporary or permanent, got {permit_kind!r}")
        if valid_from is None:
            raise InvalidRequest("valid_from", "a residence permit is evidence only with its validity dates")
        if valid_until is not None and valid_until < valid_from:
            raise InvalidRequest("valid_until", "ends before valid_from")
    elif kind == "authorisation":
        if not legal_basis:
            raise InvalidRequest("legal_basis", "an authorisation needs its legal basis (e.g. Art 5c(1)(a))")
    else:
        raise InvalidRequest("kind", f"expected residence_permit or authorisation, got {kind!r}")
    if not document.strip():
        raise InvalidRequest("document", "name the document seen (number, file reference)")
    if not recorded_by.strip():
        raise InvalidRequest("recorded_by", "who recorded the evidence")
    if not _existing(store, [customer_id]):
        raise NotFound("customer", customer_id)
    row = {
        "customer_id": customer_id,
        "kind": kind,
        "country": country,
        "permit_kind": permit_kind,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "legal_basis": legal_basis,
        "scope": scope,
        "document": document.strip(),
        "recorded_by": recorded_by.strip(),
        "recorded_at": utcnow(),
    }
    if audit is not None:
        from vaspguard._json import to_jsonable
        from vaspguard.audit import Event

        audit(store).append(
            Event(
                type="policy.evidence",
                actor=recorded_by,
                actor_role="compliance",
                subjects=(f"customer:{customer_id}",),
                policy_version=engine.policy_version,
                payload=to_jsonable({k: v for k, v in row.items() if k != "recorded_at"}),
            )
        )
    with store.connect() as conn:
        evidence_id = conn.execute(
            insert(PolicyEvidenceRow).values(**row).returning(PolicyEvidenceRow.id)
        ).scalar_one()
    return evidence_id, evaluate(store, engine, at, ids=[customer_id])
