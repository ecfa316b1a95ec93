"""The alert queue read by the desk: filtered, highest score first, one page at a time by keyset.

A page continues after the last alert of the previous one, ``(score, id)``, never at an offset, so the
cost of a page does not grow with how deep into the queue a reader is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select

from vaspguard.errors import InvalidRequest
from vaspguard.screening._alerts import Alert, _alert
from vaspguard.screening._tables import ScreeningAlertRow
from vaspguard.store import Store

STATUSES = ("open", "true_match", "false_positive")
KINDS = ("name", "address")


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Which alerts a queue shows. ``source`` is a list source (the entity key's prefix, e.g. ``ofac_sdn``);
    ``created_before`` keeps alerts older than a moment (an age filter)."""

    status: str | None = None
    kind: str | None = None
    source: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    created_before: datetime | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        t = ScreeningAlertRow
        out: list[ColumnElement[bool]] = []
        if self.status is not None:
            if self.status not in STATUSES:
                raise InvalidRequest("status", f"{self.status!r} is not one of {', '.join(STATUSES)}")
            out.append(t.status == self.status)
        if self.kind is not None:
            if self.kind not in KINDS:
                raise InvalidRequest("kind", f"{self.kind!r} is not name or address")
            out.append(t.kind == self.kind)
        if self.source is not None:
            out.append(t.entity_key.startswith(self.source + ":", autoescape=True))
        if self.min_score is not None:
            out.append(t.score >= self.min_score)
        if self.max_score is not None:
            out.append(t.score < self.max_score)
        if self.created_before is not None:
            out.append(t.created_at < self.created_before)
        return out


def alert_page(
    store: Store, where: AlertFilter, *, after: tuple[float, int] | None = None, limit: int = 50
) -> list[Alert]:
    """Up to ``limit`` alerts matching ``where`` after the keyset ``after`` = (score, id) of the last alert
    already shown; highest score first, then oldest id."""
    t = ScreeningAlertRow
    q = select(t).where(*where.clauses())
    if after is not None:
        score, alert_id = after
        q = q.where(or_(t.score < score, and_(t.score == score, t.id > alert_id)))
    q = q.order_by(t.score.desc(), t.id).limit(limit)
    with store.connect() as conn:
        return [_alert(r) for r in conn.execute(q)]


def count_matching(store: Store, where: AlertFilter) -> int:
    with store.connect() as conn:
        q = select(func.count()).select_from(ScreeningAlertRow).where(*where.clauses())
        return int(conn.execute(q).scalar_one())


def alert_sources(store: Store) -> list[str]:
    """The list sources alerts were raised against (for a filter's choices)."""
    with store.connect() as conn:
        keys = conn.execute(select(ScreeningAlertRow.entity_key).distinct()).scalars()
        return sorted({k.split(":", 1)[0] for k in keys})
