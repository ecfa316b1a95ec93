"""The in-memory name index and the ``Screener`` built on it.

Every name of every active list entity is normalised once (``name_forms``) and filed under keys:

- ``t:`` the token itself;
- ``p:`` the Metaphone code of its spelling fold (sound-alikes: Mohamed/Muhammad);
- ``s:`` its consonant skeleton (abjad scripts, whose vowels are unwritten);
- ``g:`` the character trigrams of its fold (typos: ``Obamt`` still shares ``oba``, ``bam``);
- ``j:`` all tokens joined (missing spaces: ``Abubakar``).

A query looks up its own keys, adds up key weights per listed name (numpy ``bincount`` over the posting
arrays; a key counts as much as the query token it comes from weighs, and among equal sums the shorter
name comes first), and scores only the best ``CANDIDATES`` names in full: the whole list is never
scored. Token weights for scoring come from how many listed names carry a token, so frequent tokens
(``mohammed``, ``company``) explain less than rare ones. A new snapshot means a new index
(``Screener.from_store``); building one from all the genuine lists takes seconds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import jellyfish
import numpy as np
import numpy.typing as npt

from vaspguard.errors import InvalidRequest
from vaspguard.lists import EntityKind, ListEntity, NameKind
from vaspguard.screening._normalise import NameForm, broad_skeleton, fold, name_forms, skeleton
from vaspguard.screening._score import (
    ACRONYM,
    ALIAS_QUALITY,
    NAME_BASE,
    PARTICLES,
    Evidence,
    Factor,
    TokenPair,
    acronym_of,
    acronyms,
    align,
    combine,
    evidence_ceiling,
    evidence_factors,
    explain,
    form_factors,
    is_cross_script,
    needs_projection,
    parse_dob,
)

if TYPE_CHECKING:
    from vaspguard.store import Store

__all__ = [
    "ALERT_THRESHOLD",
    "PROFILES",
    "Breakdown",
    "Match",
    "Screener",
    "entity_kind_hint",
    "threshold_for",
]

# The one alert threshold, set from the evaluation in benchmarks/eval_screening.py (docs/benchmarks.md): the
# lowest at which <= 0.1% of generated customers with KYC data and <= 1% of the same names given bare alert
# (tune split; bare names that are a listed person's name less some parts are namesakes, not counted).
ALERT_THRESHOLD = 0.80
# Named thresholds (figures for each in docs/benchmarks.md): strict alerts less (fewer false alerts, lower
# recall), broad more; balanced is the default.
PROFILES = {"strict": 0.84, "balanced": ALERT_THRESHOLD, "broad": 0.76}


def threshold_for(threshold: float | None = None, profile: str | None = None) -> float:
    """The alert threshold a caller asks for: a number in (0, 1], or a profile's, else the default."""
    if threshold is not None and profile is not None:
        raise InvalidRequest("threshold", "give a threshold or a profile, not both")
    if profile is not None:
        if profile not in PROFILES:
            raise InvalidRequest("profile", f"{profile!r} is not {', '.join(PROFILES)}")
        return PROFILES[profile]
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise InvalidRequest("threshold", f"{threshold} is not in (0, 1]")
    return ALERT_THRESHOLD if threshold is None else threshold


# Names scored in full per query, best first by key overlap.
CANDIDATES = 32
CANDIDATE_FLOOR = 0.4

_KEY_WEIGHT = {"t": 3.0, "p": 1.5, "s": 1.0, "j": 6.0, "b": 2.0}
_GRAM_WEIGHT = 2.0  # shared among a token's trigrams


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Why a candidate scored what it did, for a reviewer."""

    name_score: float
    method: str  # tokens | joined
    query_form: str
    candidate_form: str
    query_reading: str  # how the query form reads the name ("" as written; "translated from Arabic" ...)
    candidate_reading: str
    alias_kind: str  # primary, aka, fka, weak, original_script
    alias_quality: float
    pairs: tuple[TokenPair, ...] = ()
    unmatched_query: tuple[str, ...] = ()
    unmatched_candidate: tuple[str, ...] = ()
    factors: tuple[Factor, ...] = ()
    threshold: float = ALERT_THRESHOLD


@dataclass(frozen=True, slots=True)
class Match:
    entity_key: str  # "<source>:<source_id>"
    source: str
    source_id: str
    entity_name: str  # the entity's primary name
    matched_name: str  # the listed name (as published) that matched best
    kind: str
    score: float
    alert: bool
    breakdown: Breakdown
    programs: tuple[str, ...] = field(default_factory=tuple)


def entity_kind_hint(kind: EntityKind) -> str | None:
    """The ``kind`` argument of ``name_forms`` for a list entity."""
    if kind is EntityKind.PERSON:
        return "person"
    if kind is EntityKind.UNKNOWN:
        return None
    return "organisation"


def _trigrams(token: str) -> list[str]:
    t = f"^{fold(token)}$"
    return [t[i : i + 3] for i in range(len(t) - 2)] if len(t) >= 3 else [t]


@lru_cache(maxsize=1 << 16)
def _token_keys(token: str) -> tuple[tuple[str, float], ...]:
    keys = [("t:" + token, _KEY_WEIGHT["t"])]
    if token.isdigit():
        return tuple(keys)
    f = fold(token)
    if len(f) >= 3:
        keys.append(("p:" + jellyfish.metaphone(f), _KEY_WEIGHT["p"]))
    sk = skeleton(token)
    if len(sk) >= 2:
        keys.append(("s:" + sk, _KEY_WEIGHT["s"]))
    grams = _trigrams(token)
    keys.extend(("g:" + g, _GRAM_WEIGHT / len(grams)) for g in grams)
    return tuple(keys)


def _form_keys(form: NameForm, weight: Callable[[str], float] | None = None) -> dict[str, float]:
    """The index keys of a form, each with its weight; with ``weight`` (a query's), a token's keys count
    as much as the token does (``de``, an initial or ``mohammed`` select less than a rare name)."""
    keys: dict[str, float] = {}
    for token in form.tokens:
        scale = 1.0 if weight is None else weight(token)
        for k, w in _token_keys(token):
            keys[k] = max(keys.get(k, 0.0), w * scale)
    keys["j:" + "".join(form.tokens)] = _KEY_WEIGHT["j"]
    broad = broad_skeleton("".join(form.tokens))
    if len(broad) >= 4:
        keys["b:" + broad] = _KEY_WEIGHT["b"]
    return keys


@dataclass(slots=True)
class _Name:
    entity: int
    kind: NameKind
    text: str
    form: NameForm
    weights: tuple[float, ...] = ()


def _check_query(
    kind: str | None,
    dob: str | None,
    countries: list[tuple[str, str | None]],
    nationalities: Sequence[str],
    top: int,
) -> None:
    """Refuse a screening query's bad fields (``InvalidRequest`` names the field)."""
    if kind not in (None, "person", "organisation"):
        raise InvalidRequest("kind", f"{kind!r} is not person or organisation")
    if dob:
        try:
            parse_dob(dob)
        except ValueError as exc:
            raise InvalidRequest("dob", str(exc)) from None
    for cc_field, cc in [*countries, *(("nationalities", n) for n in nationalities)]:
        if cc is not None and not (len(cc) == 2 and cc.isalpha()):
            raise InvalidRequest(cc_field, f"{cc!r} is not an ISO 3166-1 alpha-2 code")
    if top < 1:
        raise InvalidRequest("top", "must be at least 1")


class Screener:
    """Screens names against list entities held in memory. Thread-safe for queries once built."""

    def __init__(self, entities: Iterable[ListEntity], *, snapshots: dict[str, int] | None = None) -> None:
        # The list snapshot each source's entities come from (source -> snapshot id), when from a store.
        self.snapshots: dict[str, int] = dict(snapshots or {})
        self.entities: list[ListEntity] = []
        self._by_key: dict[str, int] = {}
        self._names: list[_Name] = []
        postings: dict[str, list[int]] = defaultdict(list)
        token_df: dict[str, int] = defaultdict(int)
        for entity in entities:
            if entity.key in self._by_key:
                continue
            e = len(self.entities)
            self.entities.append(entity)
            self._by_key[entity.key] = e
            hint = entity_kind_hint(entity.kind)
            seen: set[tuple[str, ...]] = set()
            for ln in entity.names:
                for form in name_forms(ln.name, hint):
                    if form.tokens in seen:
                        continue
                    seen.add(form.tokens)
                    n = len(self._names)
                    self._names.append(_Name(e, ln.kind, ln.name, form))
                    for key in _form_keys(form):
                        postings[key].append(n)
                    for token in set(form.tokens):
                        token_df[token] += 1
        self._acronyms = self._acronym_index()
        # A trigram shared by very many names selects nothing; its tokens are found by their other keys.
        gram_cap = max(1000, len(self._names) // 20)
        # Among names sharing as much with a query, the shorter first: the extra parts cost in scoring
        # (RAHAT LTD before Rahat Trading Company when a query says "Rahat").
        self._length_tiebreak = np.asarray([1e-3 * len(n.form.tokens) for n in self._names], dtype=np.float64)
        self._postings: dict[str, npt.NDArray[np.int32]] = {
            k: np.asarray(v, dtype=np.int32)
            for k, v in postings.items()
            if not (k.startswith("g:") and len(v) > gram_cap)
        }
        total = max(len(self._names), 2)
        # A token in 5 names or fewer weighs 1; one in every name weighs 0.3.
        scale = math.log(total / 5) if total > 5 else 1.0
        self._weights: dict[str, float] = {}
        for token, df in token_df.items():
            w = 1.0 if df <= 5 else max(0.3, min(1.0, 0.3 + 0.7 * math.log(total / df) / scale))
            if token in PARTICLES:
                w = min(w, 0.3)
            elif len(token) == 1:
                w = min(w, 0.5)
            self._weights[token] = w
        self._set_weights(self._weights)

    def _acronym_index(self) -> dict[str, list[int]]:
        """Organisations' names by the acronyms that stand for them (FSB: Federal Security Service)."""
        index: dict[str, list[int]] = defaultdict(list)
        for n, listed in enumerate(self._names):
            if self.entities[listed.entity].kind is EntityKind.ORGANISATION:
                for acronym in acronyms(listed.form):
                    index[acronym].append(n)
        return index

    def _set_weights(self, weights: dict[str, float]) -> None:
        self._weights = weights
        for listed in self._names:
            listed.weights = tuple(self.weight(t) for t in listed.form.tokens)

    # --- construction ---------------------------------------------------------------------------------

    @classmethod
    def from_entities(cls, entities: Iterable[ListEntity]) -> Screener:
        return cls(entities)

    @classmethod
    def from_store(cls, store: Store) -> Screener:
        """An index over the entities of the store's active list snapshots."""
        from vaspguard.screening._source import active_list

        entities, snapshots = active_list(store)
        return cls(entities, snapshots=snapshots)

    def subset(self, keys: Iterable[str]) -> Screener:
        """An index over some of these entities that scores exactly as this one (same token weights): for
        rescreening only what a list diff touched."""
        wanted = set(keys)
        sub = Screener((e for e in self.entities if e.key in wanted), snapshots=self.snapshots)
        sub._set_weights(self._weights)
        return sub

    def snapshot_of(self, entity_key: str) -> int:
        entity = self.entity(entity_key)
        return 0 if entity is None else self.snapshots.get(entity.source.value, 0)

    def __len__(self) -> int:
        return len(self.entities)

    @property
    def name_count(self) -> int:
        return len(self._names)

    def entity(self, key: str) -> ListEntity | None:
        i = self._by_key.get(key)
        return None if i is None else self.entities[i]

    def weight(self, token: str) -> float:
        w = self._weights.get(token)
        if w is not None:
            return w
        return 0.3 if token in PARTICLES else 0.5 if len(token) == 1 else 1.0

    # --- queries --------------------------------------------------------------------------------------

    def _candidates(self, forms: Sequence[NameForm], limit: int) -> npt.NDArray[np.int64]:
        """The listed names worth scoring in full: per query form, the best ``limit`` by key overlap (a
        second form, such as Arabic compounds joined, brings its own candidates)."""
        if len(forms) == 1:
            return self._form_candidates(forms[0], limit)
        found = [self._form_candidates(form, limit) for form in forms]
        return np.unique(np.concatenate(found))

    def _form_candidates(self, form: NameForm, limit: int) -> npt.NDArray[np.int64]:
        keys: dict[str, float] = {}
        for k, w in _form_keys(form, self.weight).items():
            if k.startswith("s:"):
                # for a name read from an abjad the skeleton is what was written: as strong as a token
                w = w if form.abjad else 0.5 * w
            if k.startswith("b:") and form.script in ("Latn", "Zyyy"):
                continue  # sound classes are for names from other scripts
            keys[k] = w
        if form.script not in ("Latn", "Zyyy") and len(form.tokens) > 1:
            keys["b:" + broad_skeleton("".join(reversed(form.tokens)))] = _KEY_WEIGHT["b"]
        arrays: list[npt.NDArray[np.int32]] = []
        weights: list[float] = []
        for k, w in keys.items():
            p = self._postings.get(k)
            if p is not None:
                arrays.append(p)
                weights.append(w)
        if not arrays:
            return np.empty(0, dtype=np.int64)
        ids = np.concatenate(arrays)
        each = np.repeat(np.asarray(weights), [len(p) for p in arrays])  # every posting its key's weight
        acc = np.bincount(ids, weights=each, minlength=len(self._names)) - self._length_tiebreak
        # Names sharing well under half of the best name's key weight cannot win: not scored.
        hit = np.flatnonzero((acc > 0) & (acc >= CANDIDATE_FLOOR * acc.max()))
        if len(hit) > limit:
            hit = hit[np.argpartition(-acc[hit], limit)[:limit]]
        return hit[np.argsort(-acc[hit], kind="stable")]

    def screen_name(
        self,
        name: str,
        *,
        dob: str | None = None,
        nationality: str | None = None,
        country: str | None = None,
        kind: str | None = None,
        gender: str | None = None,
        documents: Sequence[str] = (),
        nationalities: Sequence[str] = (),
        top: int = 5,
        min_score: float = 0.0,
        threshold: float = ALERT_THRESHOLD,
    ) -> list[Match]:
        """The ``top`` best-scoring list entities for a name, best first; those scoring ``threshold`` or
        more alert."""
        _check_query(kind, dob, [("nationality", nationality), ("country", country)], nationalities, top)
        forms = name_forms(name, kind)
        if not forms:
            return []
        evidence = Evidence(
            dob=dob,
            nationalities=tuple(n.upper() for n in (nationality, *nationalities) if n),
            country=country,
            gender=gender,
            kind=kind,
            documents=tuple(documents),
        )
        query_weights = [[self.weight(t) for t in q.tokens] for q in forms]
        # entity -> (name score * alias quality, name score, method, pairs, listed name, query form)
        best: dict[int, tuple[float, float, str, list[tuple[int, int, float, str]], _Name, NameForm]] = {}
        for n in self._candidates(forms, CANDIDATES):
            listed = self._names[int(n)]
            quality = ALIAS_QUALITY.get(listed.kind, 1.0)
            person = (
                kind != "organisation" and self.entities[listed.entity].kind is not EntityKind.ORGANISATION
            )
            for q, qw in zip(forms, query_weights, strict=True):
                score, method, pairs = align(
                    q.tokens,
                    qw,
                    listed.form.tokens,
                    listed.weights,
                    q.abjad or listed.form.abjad,
                    is_cross_script(q, listed.form),
                    needs_projection(q, listed.form),
                    person=person and not (q.legal_forms or listed.form.legal_forms),
                )
                prev = best.get(listed.entity)
                if prev is None or score * quality > prev[0]:
                    best[listed.entity] = (score * quality, score, method, pairs, listed, q)
        if kind != "person":
            self._acronym_matches(name, forms[0], best)
        ranked: list[tuple[float, str, int, tuple[Factor, ...]]] = []
        # (a name that cannot reach min_score with every factor in its favour is not weighed further)
        floor = (min_score - evidence_ceiling(evidence)) / NAME_BASE - 1e-6  # (combine rounds to 6 places)
        for e, (weighed, name_score, _m, _p, listed, q) in best.items():
            if weighed < floor:
                continue
            entity = self.entities[e]
            factors = (*evidence_factors(evidence, entity), *form_factors(q, listed.form))
            score = combine(name_score, ALIAS_QUALITY.get(listed.kind, 1.0), factors)
            if score >= min_score:
                ranked.append((score, entity.key, e, factors))
        ranked.sort(key=lambda r: (-r[0], r[1]))
        return [self._match(score, e, factors, best[e], threshold) for score, _, e, factors in ranked[:top]]

    def _acronym_matches(
        self,
        name: str,
        q: NameForm,
        best: dict[int, tuple[float, float, str, list[tuple[int, int, float, str]], _Name, NameForm]],
    ) -> None:
        """Organisations a query written as an acronym in capitals stands for, at 0.93 (``acronym_of``)."""
        for n in self._acronyms.get(acronym_of(name), ()) if acronym_of(name) else ():
            listed = self._names[n]
            quality = ALIAS_QUALITY.get(listed.kind, 1.0)
            prev = best.get(listed.entity)
            if prev is None or ACRONYM * quality > prev[0]:
                best[listed.entity] = (ACRONYM * quality, ACRONYM, "acronym", [], listed, q)

    def _match(
        self,
        score: float,
        e: int,
        factors: tuple[Factor, ...],
        found: tuple[float, float, str, list[tuple[int, int, float, str]], _Name, NameForm],
        threshold: float,
    ) -> Match:
        _, name_score, method, pairs, listed, q = found
        entity = self.entities[e]
        c = explain(q.tokens, listed.form.tokens, name_score, method, pairs)
        return Match(
            entity_key=entity.key,
            source=entity.source.value,
            source_id=entity.source_id,
            entity_name=entity.primary_name,
            matched_name=listed.text,
            kind=entity.kind.value,
            score=score,
            alert=score >= threshold,
            breakdown=Breakdown(
                name_score=c.score,
                method=c.method,
                query_form=q.text,
                candidate_form=listed.form.text,
                query_reading=q.reading,
                candidate_reading=listed.form.reading,
                alias_kind=listed.kind.value,
                alias_quality=ALIAS_QUALITY.get(listed.kind, 1.0),
                pairs=c.pairs,
                unmatched_query=c.unmatched_query,
                unmatched_candidate=c.unmatched_candidate,
                factors=factors,
                threshold=threshold,
            ),
            programs=entity.programs,
        )
