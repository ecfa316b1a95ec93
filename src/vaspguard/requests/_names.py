"""The seam to name matching and sanctions screening: the screening capability's own scorer, normaliser and
index, so a name means the same thing to a lawful request as to screening (Щ is "shch" to both, and a
request target written "Иван Щукин" reaches the customer stored with that name). Which matcher ran is
recorded in every assessment (``checks.name_matcher``), so a reader can tell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vaspguard.screening import Screener, score_names, transliterate
from vaspguard.store import Store

NameScorer = Callable[[str, str], float]
NAME_MATCHER = "vaspguard.screening.score_names"


def normalise_name(name: str) -> str:
    """A name as lower-case ASCII words, read the way screening reads it (any script, transliterated)."""
    return transliterate(name)


def name_scorer() -> tuple[NameScorer, str]:
    """The name scorer and its name, as recorded in assessments."""
    return score_names, NAME_MATCHER


@dataclass(frozen=True, slots=True)
class SanctionsHit:
    name: str  # the agency name that matched
    entity_key: str
    listed_name: str
    score: float


class SanctionsScreen:
    """Agency names against the active sanctions lists, through the screening index (built once per
    instance)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._screener: Screener | None = None

    def hits(self, names: Iterable[str], *, min_score: float) -> tuple[list[SanctionsHit], str]:
        """Listed organisations matching any of ``names``, and which screening ran (or why none could)."""
        wanted = [n for n in dict.fromkeys(names) if n]
        try:
            if self._screener is None:
                self._screener = Screener.from_store(self.store)
            hits = [
                SanctionsHit(name, m.entity_key, m.matched_name, float(m.score))
                for name in wanted
                for m in self._screener.screen_name(name, kind="organisation", top=5)
                if float(m.score) >= min_score
            ]
        except Exception as exc:  # a screening failure must be visible, never read as "not listed"
            return [], f"unavailable: screening failed: {exc}"
        return hits, "vaspguard.screening.Screener"


__all__ = ["NAME_MATCHER", "NameScorer", "SanctionsHit", "SanctionsScreen", "name_scorer"]
