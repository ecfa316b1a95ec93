"""JSON for the wire: ``to_jsonable`` plus RFC 3339 times that always carry their zone.

The stores keep times in UTC, but SQLite (and some recorded strings) give them back without a zone
(``2024-05-01T12:00:00``), which a client cannot tell from local time. At this boundary every datetime,
and every string that is a date-time without an offset, is given the UTC offset (``+00:00``); an aware
datetime keeps its own offset. Dates (``YYYY-MM-DD``) carry no time and stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

from vaspguard._json import to_jsonable

_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?")


def to_wire(value: Any) -> Any:
    """``value`` as JSON-ready data with every time zoned (RFC 3339 section 5.6)."""
    return _zone(to_jsonable(value))  # a naive datetime becomes a naive string first, zoned below


def _zone(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + "+00:00" if _NAIVE.fullmatch(value) else value
    if isinstance(value, dict):
        return {k: _zone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_zone(v) for v in value]
    return value
