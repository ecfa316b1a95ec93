"""Agency names against the sanctions lists, through the screening capability's index. Requests read names
as screening does (its ``score_names`` and ``transliterate``: Щ is "shch" to both, so a target written
"Иван Щукин" reaches the customer stored with that name); ``NAME_MATCHER`` is what every assessment records
as ``checks.name_matcher``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vaspguard.screening import Screener
from vaspguard.store import Store

NAME_MATCHER = "vaspguard.screening.score_names"


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


__all__ = ["NAME_MATCHER", "SanctionsHit", "SanctionsScreen"]
