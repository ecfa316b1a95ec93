"""The decision engine: rule packs compiled into closures indexed by action, evaluated on ``Facts``.

Compilation happens once per set of packs. Each rule becomes (first day, last day, condition, exemptions)
as integers and closures, grouped per action, so a decision touches only the rules of its action and
costs a few dictionary lookups and comparisons: no parsing, no I/O, no SQL.

Precedence: every applicable rule is evaluated; deny beats review beats allow; among rules with the
winning outcome the first in pack order decides ``rule_id`` and ``citation``. A rule whose condition needs
a fact the request did not give (the EUR 10,000 threshold without ``holdings_eur``) is an error, unless
another rule denies anyway: the engine never guesses a missing fact.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from vaspguard.errors import InvalidFile, InvalidRequest
from vaspguard.policy._countries import check_code
from vaspguard.policy._model import Action, Decision, Facts, Flag, Outcome, RuleHit
from vaspguard.policy._packs import CitationSpec, RulePack, policy_version

Pred = Callable[[Any, Facts], bool]
"""A compiled condition: ``pred(subject, facts)``; the subject is the customer's facts or one owner."""

CONDITION_KEYS = {
    "all": "list of conditions, all must hold",
    "any": "list of conditions, one must hold",
    "not": "a condition that must not hold",
    "person": "name of a person condition defined under `persons`",
    "type": "natural | legal",
    "nationality_in": "set name or list of countries: the subject holds one of these nationalities",
    "residence_in": "countries/regions: the subject resides in one",
    "established_in": "countries/regions: the subject (legal person) is established in one",
    "login_in": "countries/regions: the action comes from a login located in one",
    "location_in": "countries/regions: residence or login location in one",
    "permit_valid_in": "countries: a temporary or permanent residence permit valid on the date",
    "application_in": "countries: a pending residence-permit application",
    "authorised": "true: the customer relies on a competent-authority authorisation",
    "listed": "true: the customer is a confirmed match on a sanctions list",
    "counterparty_listed": "true: the counterparty address is a listed address",
    "asset_in": "list of asset codes",
    "flags_any": "list of request flags",
    "action_in": "list of actions",
    "holdings_over": "EUR amount: crypto holdings (after the deposit, for a deposit) exceed it",
    "owned_or_controlled_by": "{owner: condition, share_over: fraction}: matching owners together hold "
    "more than share_over, or one of them controls",
}


class _MissingFact(Exception):
    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Exemption:
    id: str
    outcome: Outcome
    when: Pred
    citation: str
    reason: str
    title: str
    remedy: str | None


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    first: int  # date ordinals, inclusive
    last: int
    when: Pred
    outcome: Outcome
    report: bool
    citation: str
    reason: str
    allow: tuple[_Exemption, ...]
    review: tuple[_Exemption, ...]
    pack: str
    title: str
    remedy: str | None
    limits: tuple[Decimal, ...]  # the holdings thresholds its condition compares with


_FAR_PAST = date.min.toordinal()
_FAR_FUTURE = date.max.toordinal()


class _Compiler:
    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self.spec = pack.spec
        self.persons: dict[str, Pred] = {}
        self._building: set[str] = set()
        self.limits: list[Decimal] = []  # thresholds the rule being compiled compares holdings with
        self.assets: set[str] = set()  # asset codes the pack's rules name (disguised codes fold onto them)
        self._person_limits: dict[str, list[Decimal]] = {}
        for name, codes in self.spec.sets.items():
            for code in codes:
                if (why := check_code(code)) is not None:
                    self.fail(f"sets.{name}", why)

    def fail(self, where: str, reason: str) -> NoReturn:
        raise InvalidFile(self.pack.source, f"{where}: {reason}")

    def codes(self, value: Any, where: str) -> frozenset[str]:
        if isinstance(value, str):
            if value not in self.spec.sets:
                self.fail(where, f"unknown set {value!r}; sets: {', '.join(self.spec.sets) or 'none'}")
            return frozenset(c.upper() for c in self.spec.sets[value])
        if isinstance(value, list) and value:
            for code in value:
                if (why := check_code(code)) is not None:
                    self.fail(where, why)
            return frozenset(str(c).upper() for c in value)
        self.fail(where, "expected a set name or a non-empty list of codes")

    def words(self, value: Any, where: str, vocabulary: type[Action] | type[Flag] | None) -> frozenset[str]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.fail(where, "expected a non-empty list of strings")
        if vocabulary is not None:
            for v in value:
                if v not in vocabulary.__members__.values():
                    self.fail(where, f"unknown {vocabulary.__name__.lower()} {v!r}")
        return frozenset(str(v).upper() if vocabulary is None else v for v in value)

    def person(self, name: Any, where: str) -> Pred:
        if not isinstance(name, str) or name not in self.spec.persons:
            self.fail(where, f"unknown person condition {name!r}")
        if name not in self.persons:
            if name in self._building:
                self.fail(where, f"person condition {name!r} refers to itself")
            self._building.add(name)
            outer, self.limits = self.limits, []
            self.persons[name] = self.condition(self.spec.persons[name], f"persons.{name}")
            self._person_limits[name], self.limits = self.limits, outer
            self._building.discard(name)
        # a person compiled once is used by many rules: each of them compares with its thresholds
        self.limits.extend(self._person_limits[name])
        return self.persons[name]

    def condition(self, cond: Any, where: str) -> Pred:
        if not isinstance(cond, dict) or not cond:
            self.fail(where, "a condition is a non-empty mapping")
        return _all([self.key(k, v, f"{where}.{k}") for k, v in cond.items()])

    def key(self, key: str, v: Any, where: str) -> Pred:
        if key not in CONDITION_KEYS:
            self.fail(where, f"unknown condition key; known: {', '.join(CONDITION_KEYS)}")
        if key in _ON_CODES:
            return _ON_CODES[key](self.codes(v, where))
        if key in _ON_BOOL:
            if not isinstance(v, bool):
                self.fail(where, "expected true or false")
            return _ON_BOOL[key](v)
        return _KEY_COMPILERS[key](self, v, where)

    def all_or_any(self, v: Any, where: str, *, every: bool) -> Pred:
        if not isinstance(v, list) or not v:
            self.fail(where, "expected a non-empty list of conditions")
        subs = [self.condition(c, f"{where}[{i}]") for i, c in enumerate(v)]
        return _all(subs) if every else _any(subs)

    def negation(self, v: Any, where: str) -> Pred:
        sub = self.condition(v, where)
        return lambda s, f: not sub(s, f)

    def person_type(self, v: Any, where: str) -> Pred:
        if v not in ("natural", "legal"):
            self.fail(where, "expected natural or legal")
        return lambda s, f: bool(s.type == v)

    def asset_in(self, v: Any, where: str) -> Pred:
        assets = self.words(v, where, None)
        self.assets.update(assets)
        return lambda s, f: f.asset is not None and f.asset in assets

    def flags_any(self, v: Any, where: str) -> Pred:
        flags = self.words(v, where, Flag)
        return lambda s, f: not flags.isdisjoint(f.flags)

    def action_in(self, v: Any, where: str) -> Pred:
        actions = self.words(v, where, Action)
        return lambda s, f: f.action in actions

    def holdings_over(self, v: Any, where: str) -> Pred:
        limit = self.amount(v, where)
        self.limits.append(limit)
        return lambda s, f: _holdings_over(f, limit)

    def owned_or_controlled_by(self, v: Any, where: str) -> Pred:
        if not isinstance(v, dict) or set(v) - {"owner", "share_over"} or "owner" not in v:
            self.fail(where, "expected {owner: condition, share_over: fraction}")
        owner = self.condition(v["owner"], f"{where}.owner")
        share_over = self.amount(v.get("share_over", "0.5"), f"{where}.share_over")
        return lambda s, f: _owned_or_controlled(s, f, owner, share_over)

    def amount(self, v: Any, where: str) -> Decimal:
        try:
            amount = Decimal(str(v))
        except InvalidOperation:
            self.fail(where, f"not a decimal amount: {v!r}")
        if not amount.is_finite() or amount < 0:
            self.fail(where, f"not a non-negative amount: {v!r}")
        return amount

    def citation(self, spec: CitationSpec) -> str:
        return spec.render()

    def compile(self) -> list[tuple[frozenset[Action], _Rule]]:
        exemptions: dict[str, _Exemption] = {}
        for ex_id, ex in self.spec.exemptions.items():
            exemptions[ex_id] = _Exemption(
                id=ex_id,
                outcome=Outcome(ex.outcome),
                when=self.condition(ex.when, f"exemptions.{ex_id}.when"),
                citation=ex.citation.render(),
                reason=ex.reason.strip(),
                title=ex.title,
                remedy=ex.remedy,
            )
        for name in self.spec.persons:
            self.person(name, f"persons.{name}")
        out = []
        for i, r in enumerate(self.spec.rules):
            where = f"rules[{i}] ({r.id})"
            if r.actions == "all":
                actions = frozenset(Action)
            else:
                actions = frozenset(Action(a) for a in self.words(r.actions, f"{where}.actions", Action))
            self.limits = []
            when: Pred = self.condition(r.when, f"{where}.when") if r.when else (lambda s, f: True)
            exs = [exemptions[e] for e in r.exemptions]
            rule = _Rule(
                id=r.id,
                first=r.effective.from_.toordinal() if r.effective.from_ else _FAR_PAST,
                last=r.effective.until.toordinal() if r.effective.until else _FAR_FUTURE,
                when=when,
                outcome=Outcome(r.outcome),
                report=r.report,
                citation=r.citation.render(),
                reason=r.reason.strip(),
                allow=tuple(e for e in exs if e.outcome is Outcome.ALLOW),
                review=tuple(e for e in exs if e.outcome is Outcome.REVIEW),
                pack=self.spec.pack,
                title=r.title,
                remedy=r.remedy,
                limits=tuple(self.limits),
            )
            out.append((actions, rule))
        return out


# Condition keys on a set of countries/regions: the predicate for the compiled codes.
_ON_CODES: dict[str, Callable[[frozenset[str]], Pred]] = {
    "nationality_in": lambda codes: lambda s, f: not codes.isdisjoint(s.nationalities),
    "residence_in": lambda codes: lambda s, f: not codes.isdisjoint(s.residence),
    "established_in": lambda codes: lambda s, f: not codes.isdisjoint(s.established),
    "login_in": lambda codes: lambda s, f: not codes.isdisjoint(f.login),
    "location_in": lambda codes: (
        lambda s, f: not codes.isdisjoint(s.residence) or not codes.isdisjoint(f.login)
    ),
    "permit_valid_in": lambda codes: (
        lambda s, f: any(p.country in codes and p.valid_on(f.at) for p in s.permits)
    ),
    "application_in": lambda codes: lambda s, f: not codes.isdisjoint(s.applications),
}

# Condition keys taking true or false: the predicate for the value.
_ON_BOOL: dict[str, Callable[[bool], Pred]] = {
    "authorised": lambda v: lambda s, f: bool(f.authorisations) is v,
    "listed": lambda v: lambda s, f: bool(f.listed) is v,
    "counterparty_listed": lambda v: lambda s, f: f.counterparty_listed is v,
}

# The other condition keys: the compiler step that checks the value and builds the predicate.
_KEY_COMPILERS: dict[str, Callable[[_Compiler, Any, str], Pred]] = {
    "all": lambda c, v, where: c.all_or_any(v, where, every=True),
    "any": lambda c, v, where: c.all_or_any(v, where, every=False),
    "not": _Compiler.negation,
    # Compiled on first reference, so persons may be declared in any order.
    "person": _Compiler.person,
    "type": _Compiler.person_type,
    "asset_in": _Compiler.asset_in,
    "flags_any": _Compiler.flags_any,
    "action_in": _Compiler.action_in,
    "holdings_over": _Compiler.holdings_over,
    "owned_or_controlled_by": _Compiler.owned_or_controlled_by,
}


def _all(preds: list[Pred]) -> Pred:
    """Conjunction, unrolled for the common small cases (a generator per call costs more than the test)."""
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda s, f: a(s, f) and b(s, f)
    if len(preds) == 3:
        a, b, c = preds
        return lambda s, f: a(s, f) and b(s, f) and c(s, f)
    t = tuple(preds)
    return lambda s, f: all(p(s, f) for p in t)


def _any(preds: list[Pred]) -> Pred:
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda s, f: a(s, f) or b(s, f)
    if len(preds) == 3:
        a, b, c = preds
        return lambda s, f: a(s, f) or b(s, f) or c(s, f)
    t = tuple(preds)
    return lambda s, f: any(p(s, f) for p in t)


def _holdings_over(f: Facts, limit: Decimal) -> bool:
    """Art 5b(2) as amended by Reg 2022/576: 'exceeds EUR 10 000'; for a deposit, the total after it."""
    held = f.holdings_eur
    if f.action is Action.DEPOSIT:
        if held is not None and f.amount_eur is not None:
            return _over(f, held + f.amount_eur, limit)
        # Either part alone already above the limit settles it (both are non-negative).
        if (held is not None and held > limit) or (f.amount_eur is not None and f.amount_eur > limit):
            return True
        missing = "holdings_eur" if held is None else "amount_eur"
        raise _MissingFact(
            missing, f"needed to compare the total after the deposit with EUR {limit} on {f.at.isoformat()}"
        )
    if held is None:
        raise _MissingFact("holdings_eur", f"needed to compare crypto holdings with EUR {limit} on {f.at}")
    return _over(f, held, limit)


def _over(f: Facts, total: Decimal, limit: Decimal) -> bool:
    """``total > limit``, where a total missing unpriced assets is only a lower bound: above the limit it
    settles the question, at or below it does not (never under-block for want of a price)."""
    if total > limit:
        return True
    if f.unpriced:
        raise _MissingFact(
            "holdings_eur",
            f"no EUR price on {f.at} for {', '.join(f.unpriced)}: "
            f"cannot tell whether EUR {limit} is exceeded",
        )
    return False


def _owned_or_controlled(s: Any, f: Facts, owner: Pred, share_over: Decimal) -> bool:
    """Aggregated ownership above ``share_over`` or control by owners matching ``owner`` (EU Best
    Practices 8519/18 para 62: 'more than 50 %' or control, aggregated)."""
    total = Decimal(0)
    for o in s.owners if hasattr(s, "owners") else ():
        if owner(o, f):
            if o.control:
                return True
            total += o.share or 0
    return total > share_over


class _Fields(dict[str, str]):
    """The values a reason template may name, computed only when a template names them."""

    def __init__(self, f: Facts) -> None:
        super().__init__()
        self.f = f

    def __missing__(self, key: str) -> str:
        f = self.f
        if key == "action":
            return f.action.value
        if key == "at":
            return f.at.isoformat()
        if key == "holdings":
            return "unknown" if f.holdings_eur is None else f"{f.holdings_eur:,.2f}"
        if key == "total":
            total = f.holdings_eur
            if f.action is Action.DEPOSIT and f.amount_eur is not None and total is not None:
                total += f.amount_eur
            return "unknown" if total is None else f"{total:,.2f}"
        if key == "asset":
            return f.asset or ""
        if key == "address":
            return f"{f.counterparty_chain or '?'}:{f.counterparty_address or '?'}"
        if key == "lists":
            return ", ".join(f.listed)
        if key == "location":
            return ", ".join(sorted(f.residence | f.login))
        raise KeyError(key)


def _render(template: str, f: Facts) -> str:
    return template.format_map(_Fields(f)) if "{" in template else template


_NO_RULE = "no rule of this policy restricts this action on this date"


class Engine:
    """Decides on ``Facts`` with compiled packs; ``decide`` also parses a request (see ``_request``)."""

    def __init__(self, packs: Sequence[RulePack], *, facts_source: Any = None) -> None:
        if not packs:
            raise InvalidRequest("packs", "at least one rule pack is needed")
        ids = [p.id for p in packs]
        if len(set(ids)) != len(ids):
            raise InvalidRequest("packs", f"a pack is loaded twice: {', '.join(ids)}")
        self.packs = tuple(packs)
        self.policy_version = policy_version(packs)
        by_action: dict[Action, list[_Rule]] = {a: [] for a in Action}
        seen: dict[str, str] = {}
        assets: set[str] = set()
        for pack in packs:
            compiler = _Compiler(pack)
            for actions, rule in compiler.compile():
                if rule.id in seen:
                    raise InvalidFile(pack.source, f"rule id {rule.id} also defined in pack {seen[rule.id]}")
                seen[rule.id] = pack.id
                for a in actions:
                    by_action[a].append(rule)
            assets |= compiler.assets
        # The asset codes the rules name: a request's disguised code is folded onto one of them.
        self.assets = frozenset(assets)
        self._by_action = {a: tuple(rules) for a, rules in by_action.items()}
        # Rules in force change only on the days some rule starts or ends: split time into segments at
        # those days and keep, per action, the rules in force in each segment (found by bisection).
        self._starts = sorted(
            {_FAR_PAST}
            | {r.first for rs in by_action.values() for r in rs}
            | {r.last + 1 for rs in by_action.values() for r in rs if r.last < _FAR_FUTURE}
        )
        self._segments = {
            a: [tuple(r for r in rules if r.first <= start <= r.last) for start in self._starts]
            for a, rules in by_action.items()
        }
        self._rules: dict[str, Any] = {}
        for rules in self._by_action.values():
            for r in rules:
                self._rules[r.id] = r
                for ex in (*r.allow, *r.review):
                    self._rules.setdefault(ex.id, ex)
        self.rule_ids = tuple(seen)
        self.facts_source = facts_source
        self._no_rule = Decision(
            decision=Outcome.ALLOW,
            rule_id=None,
            citation=None,
            policy_version=self.policy_version,
            reasons=(_NO_RULE,),
        )

    def rules_for(self, action: Action) -> tuple[Any, ...]:
        return self._by_action[action]

    def rule(self, rule_id: str) -> Any:
        """The compiled rule (or exemption) with this id, or ``None``."""
        return self._rules.get(rule_id)

    def thresholds_on(self, day: date) -> tuple[Decimal, ...]:
        """The holdings thresholds rules in force on ``day`` compare with (sorted; empty: holdings do not
        matter on that day)."""
        d = day.toordinal()
        return tuple(
            sorted(
                {
                    lim
                    for rules in self._by_action.values()
                    for r in rules
                    if r.first <= d <= r.last
                    for lim in r.limits
                }
            )
        )

    def decide(self, request: Mapping[str, Any] | Facts) -> Decision:
        """Decide one request (a JSON-shaped mapping, or ``Facts`` already parsed)."""
        if isinstance(request, Facts):
            return self.decide_facts(request)
        from vaspguard.policy._request import parse_request

        return self.decide_facts(parse_request(request, source=self.facts_source, assets=self.assets))

    def decide_facts(self, f: Facts) -> Decision:
        hits: list[RuleHit] = []
        missing: _MissingFact | None = None
        best = -1
        for r in self._segments[f.action][bisect_right(self._starts, f.at.toordinal()) - 1]:
            try:
                if not r.when(f, f):
                    continue
                hit = None
                for ex in r.allow:
                    if ex.when(f, f):
                        hit = RuleHit(ex.id, Outcome.ALLOW, ex.citation, _exempt(r, ex, f))
                        break
                else:
                    for ex in r.review:
                        if ex.when(f, f):
                            hit = RuleHit(ex.id, Outcome.REVIEW, ex.citation, _exempt(r, ex, f))
                            break
                if hit is None:
                    hit = RuleHit(r.id, r.outcome, r.citation, _render(r.reason, f), r.report)
            except _MissingFact as exc:
                # The rule cannot be settled without the fact, unless an allow exemption lifts it anyway.
                lifted = next((e for e in r.allow if e.when(f, f)), None)
                if lifted is None:
                    missing = missing or exc
                    continue
                hit = RuleHit(lifted.id, Outcome.ALLOW, lifted.citation, _exempt(r, lifted, f))
            hits.append(hit)
            best = max(best, hit.outcome.severity)
        if missing is not None and best < Outcome.DENY.severity:
            raise InvalidRequest(missing.field, missing.reason)
        if not hits:
            return self._allow_without_rule(f)
        winner = next(h for h in hits if h.outcome.severity == best)
        reasons = [winner.reason, *(h.reason for h in hits if h is not winner), *f.notes]
        return Decision(
            decision=winner.outcome,
            rule_id=winner.rule_id,
            citation=winner.citation,
            policy_version=self.policy_version,
            reasons=tuple(reasons),
            report=any(h.report for h in hits if h.outcome is Outcome.DENY),
            hits=tuple(hits),
            request_id=f.request_id,
            customer_id=f.customer_id,
        )

    def _allow_without_rule(self, f: Facts) -> Decision:
        """No rule applies: allowed (the shared decision when the request carries nothing of its own)."""
        if f.request_id is None and f.customer_id is None and not f.notes:
            return self._no_rule
        return Decision(
            decision=Outcome.ALLOW,
            rule_id=None,
            citation=None,
            policy_version=self.policy_version,
            reasons=(_NO_RULE, *f.notes),
            request_id=f.request_id,
            customer_id=f.customer_id,
        )


def _exempt(rule: _Rule, ex: _Exemption, f: Facts) -> str:
    return f"{_render(ex.reason, f)} (rule {rule.id}: {_render(rule.reason, f)})"
