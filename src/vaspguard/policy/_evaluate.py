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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Column, Connection, MetaData, String, Table, delete, insert, select, update

from vaspguard._iter import batched
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
    # Every change (customer, old and new state, rule), unless the caller asked for the counts only (a
    # whole-registry import of millions of changes): ``changed`` and ``by_change`` count them either way.
    changes: list[dict[str, Any]] = field(default_factory=list)
    profiles: int = 0
    changed: int = 0
    by_change: dict[str, int] = field(default_factory=dict)  # "old -> new": changes

    def tally(self, changes: list[dict[str, Any]], keep: bool) -> None:
        """Count (and keep, if ``keep``) one step's changes, as ``record_evaluation`` writes them."""
        self.changed += len(changes)
        for c in changes:
            kind = f"{c['old_state']} -> {c['new_state']}"
            self.by_change[kind] = self.by_change.get(kind, 0) + 1
            if keep:
                self.changes.append({k: c[k] for k in ("customer_id", "old_state", "new_state", "rule_id")})

    def summary(self) -> dict[str, Any]:
        return {
            "evaluation_id": self.evaluation_id,
            "at": self.at,
            "policy_version": self.policy_version,
            "customers": self.customers,
            "states": self.counts,
            "changed": self.changed,
            "changes": dict(sorted(self.by_change.items())),
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
    results: Iterable[tuple[str, Standing]],
    previous: Mapping[str, tuple[CustomerState, Any, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(notices of changed states, state rows to write) for restricted customers of this evaluation, against
    their ``previous`` (state, rule id, since) where they had one."""
    changes: list[dict[str, Any]] = []
    upserts: list[dict[str, Any]] = []
    for cid, st in results:
        old, old_rule, old_since = previous.get(cid, (CustomerState.UNRESTRICTED, None, None))
        if old is st.state:
            if old_rule == st.rule_id:
                continue  # nothing changed
            # Same state on another legal basis (e.g. the threshold removed by Reg 2022/1904): the stored
            # basis follows, the state keeps its start date, no notice (the state did not change).
            since = old_since
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


# Customers per step of ``record_evaluation``: what one step holds in memory (their states, notices and
# events), and the size of one ``IN`` list.
_STEP = 5000

# The customers an evaluation of the whole registry found restricted, as it records them: the stored states
# of everyone else are lifted. A temporary table of the transaction's own connection, dropped at the end.
_evaluated = Table(
    "vaspguard_evaluated",
    MetaData(),
    Column("customer_id", String, primary_key=True),
    prefixes=["TEMPORARY"],
)


def record_evaluation(
    store: Store,
    engine: Engine,
    at: date,
    results: Mapping[str, Standing] | Iterable[tuple[str, Standing]],
    *,
    counts: dict[str, int],
    customers: int,
    profiles: int,
    ids: Sequence[str] | None = None,
    keep_changes: bool = True,
) -> EvaluationResult:
    """Store an evaluation whose standings were computed elsewhere (``results``: the restricted customers'
    standings, as a mapping or as (customer, standing) pairs, each customer once; everyone else is
    unrestricted): the states, the diff against the stored states, a notice and its events for each change,
    in one transaction. ``evaluate`` computes the standings from the store; ``vaspguard.batch`` computes them
    from a registry export, on one machine or on Spark.

    Streamed: ``results`` is read and written ``_STEP`` customers at a time, each step looking up only its
    own customers' stored states, and the customers lifted (restricted before, not now) are found by the
    database, so memory does not grow with the registry (with ``keep_changes`` False, the change list is not
    kept either). Notices come in ``results``' order, then the lifted customers' in the database's order.
    """
    items: Iterable[tuple[str, Standing]] = results.items() if isinstance(results, Mapping) else results
    now = utcnow()
    result = EvaluationResult(0, at, engine.policy_version, customers, counts, profiles=profiles)
    seen: set[str] = set()
    with store.connect() as conn:
        result.evaluation_id = eval_id = conn.execute(
            insert(PolicyEvaluationRow)
            .values(
                at=at,
                policy_version=engine.policy_version,
                scope="registry" if ids is None else "customer:" + ",".join(ids)[:90],
                started_at=now,
                customers=customers,
                changed=0,
                counts=json.dumps(counts),
            )
            .returning(PolicyEvaluationRow.id)
        ).scalar_one()
        if ids is None:
            _evaluated.drop(conn, checkfirst=True)  # left by a connection whose DDL outlived its transaction
            _evaluated.create(conn)
        for step in batched(items, _STEP):
            chunk = [cid for cid, _ in step]
            previous = _stored(conn, chunk)
            if ids is None:
                conn.execute(insert(_evaluated), [{"customer_id": cid} for cid in chunk])
            else:
                seen.update(chunk)
            changes, upserts = _diff(engine, eval_id, at, step, previous)
            _write(
                conn,
                at,
                changes,
                upserts,
                [u["customer_id"] for u in upserts if u["customer_id"] in previous],
            )
            result.tally(changes, keep_changes)
        unrestricted = Standing(
            CustomerState.UNRESTRICTED, None, None, None, tuple(a.value for a in Action), (), ()
        )
        for page in _lifted(conn, ids, seen):
            changes = [_change(engine, eval_id, cid, at, old, unrestricted) for cid, old in page]
            _write(conn, at, changes, [], [cid for cid, _ in page])
            result.tally(changes, keep_changes)
        if ids is None:
            _evaluated.drop(conn)
        conn.execute(
            update(PolicyEvaluationRow)
            .where(PolicyEvaluationRow.id == eval_id)
            .values(finished_at=utcnow(), changed=result.changed)
        )
    return result


def _stored(conn: Connection, customers: list[str]) -> dict[str, tuple[CustomerState, Any, Any]]:
    """These customers' stored (state, rule id, since), where they have one."""
    rows = conn.execute(
        select(
            PolicyCustomerStateRow.customer_id,
            PolicyCustomerStateRow.state,
            PolicyCustomerStateRow.rule_id,
            PolicyCustomerStateRow.since,
        ).where(PolicyCustomerStateRow.customer_id.in_(customers))
    )
    return {r.customer_id: (CustomerState(r.state), r.rule_id, r.since) for r in rows}


def _lifted(
    conn: Connection, ids: Sequence[str] | None, seen: set[str]
) -> Iterator[list[tuple[str, CustomerState]]]:
    """Pages of the stored restricted customers this evaluation did not find restricted (of ``ids``, or of
    the registry: those not in the temporary table), as (customer, stored state). Keyset pages in the
    database's order; each page is deleted by the caller before the next is read, and only keys after the
    page are read next."""
    s = PolicyCustomerStateRow
    if ids is not None:
        for start in range(0, len(ids), _STEP):
            rows = conn.execute(
                select(s.customer_id, s.state).where(s.customer_id.in_(ids[start : start + _STEP]))
            )
            page = [(r.customer_id, CustomerState(r.state)) for r in rows if r.customer_id not in seen]
            if page:
                yield sorted(page)
        return
    e = _evaluated.c.customer_id
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {_evaluated.name}")  # a temporary table has no statistics until asked
    after: str | None = None
    while True:
        evaluated = select(e).where(e == s.customer_id)
        q = select(s.customer_id, s.state)
        if after is not None:
            # The bound on both sides: PostgreSQL then merges the two indexes from ``after`` on, instead of
            # reading the temporary table from its start for every page.
            q, evaluated = q.where(s.customer_id > after), evaluated.where(e > after)
        q = q.where(~evaluated.exists())
        page = [
            (r.customer_id, CustomerState(r.state))
            for r in conn.execute(q.order_by(s.customer_id).limit(_STEP))
        ]
        if not page:
            return
        yield page
        after = page[-1][0]


def _write(
    conn: Connection,
    at: date,
    changes: list[dict[str, Any]],
    upserts: list[dict[str, Any]],
    replaced: list[str],
) -> None:
    """One step's states (``replaced``: the stored ones they or a lifting replace), notices and events."""
    _chunked_delete(conn, replaced)
    if upserts:
        conn.execute(insert(PolicyCustomerStateRow), upserts)
    if changes:
        conn.execute(insert(PolicyNoticeRow), changes)
        emit_many(conn, _change_events(changes, at))


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
