"""The seam to name matching and sanctions screening.

Names are compared with ``vaspguard.screening.score_names`` when the screening capability provides it;
otherwise with a local fallback (ICU transliteration to Latin ASCII, case folding, token-sort ratio from
rapidfuzz). Agencies are screened against the active sanctions-list entities the same way. Which matcher
ran is recorded in every assessment (``checks.name_matcher``), so a reader can tell.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from rapidfuzz import fuzz

from vaspguard.store import Store

NameScorer = Callable[[str, str], float]


@lru_cache(maxsize=1)
def _transliterator() -> Any:
    try:
        import icu

        return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
    except Exception:  # pragma: no cover - pyicu is a dependency; defensive only
        return None


_PUNCT = re.compile(r"[^\w\s]+")


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    tr = _transliterator()
    text = str(tr.transliterate(name)) if tr is not None else name.lower()
    return " ".join(_PUNCT.sub(" ", text.casefold()).split())


def fallback_score(a: str, b: str) -> float:
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    return float(fuzz.token_sort_ratio(na, nb)) / 100.0


def name_scorer() -> tuple[NameScorer, str]:
    """The best available scorer and its name."""
    score_names = getattr(importlib.import_module("vaspguard.screening"), "score_names", None)
    if score_names is None:
        return fallback_score, "fallback:rapidfuzz-token-sort"
    return cast(NameScorer, score_names), "vaspguard.screening.score_names"


@dataclass(frozen=True, slots=True)
class SanctionsHit:
    name: str  # the agency name that matched
    entity_key: str
    listed_name: str
    score: float


class SanctionsScreen:
    """Agency names against the active sanctions lists, through the screening capability's index when it is
    installed (built once per instance), else the lists' entities and the name scorer."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._screener: Any = None
        self._entities: list[Any] | None = None

    def hits(self, names: Iterable[str], *, min_score: float) -> tuple[list[SanctionsHit], str]:
        """Listed organisations matching any of ``names``, and which screening ran (or why none could)."""
        wanted = [n for n in dict.fromkeys(names) if n]
        screener_type: Any = getattr(importlib.import_module("vaspguard.screening"), "Screener", None)
        if screener_type is not None:
            try:
                if self._screener is None:
                    self._screener = screener_type.from_store(self.store)
                hits = []
                for name in wanted:
                    for m in self._screener.screen_name(name, kind="organisation", top=5):
                        if float(m.score) >= min_score:
                            hits.append(
                                SanctionsHit(name, str(m.entity_key), str(m.matched_name), float(m.score))
                            )
            except Exception as exc:  # a screening failure must be visible, never read as "not listed"
                return [], f"unavailable: screening failed: {exc}"
            return hits, "vaspguard.screening.Screener"
        active_entities: Any = getattr(importlib.import_module("vaspguard.lists"), "active_entities", None)
        if active_entities is None:
            return [], "unavailable: no sanctions lists capability installed"
        score, _ = name_scorer()
        hits = []
        try:
            if self._entities is None:
                self._entities = [
                    e for e in active_entities(self.store) if str(e.kind) in ("organisation", "unknown")
                ]
            for entity in self._entities:
                for listed in entity.names:
                    for name in wanted:
                        s = score(name, listed.name)
                        if s >= min_score:
                            hits.append(SanctionsHit(name, entity.key, listed.name, s))
        except Exception as exc:
            return [], f"unavailable: sanctions lists could not be read: {exc}"
        return hits, "vaspguard.lists.active_entities + name scorer"
