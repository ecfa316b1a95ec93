"""One pagination envelope for every list endpoint: ``{"items": [...], "next_cursor": str | null}``.

A caller passes ``limit`` and, for the next page, the ``cursor`` the previous page returned; ``null`` means
there is no next page. A cursor is opaque to callers (URL-safe base64 of a small JSON object): most encode the
position after the last item returned (``{"o": offset}``); the audit events encode the next log index
(``{"i": index}``), so a page stays stable while the log grows. ``total`` is added where it is cheap.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from fastapi import Query

from vaspguard.api._limits import INT64_MAX
from vaspguard.api._wire import to_wire
from vaspguard.errors import InvalidRequest

CURSOR = Query(None, description="Opaque cursor from a previous page's next_cursor.")


def encode(key: str, value: int) -> str:
    raw = json.dumps({key: value}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, key: str = "o") -> int:
    """The position a cursor names (0 for none); a cursor that is not one of ours is a 400 on ``cursor``."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)[key]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidRequest("cursor", "not a cursor returned by this API") from None
    if type(value) is not int or not 0 <= value <= INT64_MAX:
        raise InvalidRequest("cursor", "not a cursor returned by this API")
    return value


def page(rows: Sequence[Any], *, offset: int, limit: int, **extra: Any) -> dict[str, Any]:
    """The envelope for ``rows`` read at ``offset`` with ``limit + 1`` asked for (one more tells whether a
    next page exists)."""
    more = len(rows) > limit
    return {
        "items": to_wire(list(rows[:limit])),
        "next_cursor": encode("o", offset + limit) if more else None,
        **extra,
    }


def window(rows: Sequence[Any], cursor: str | None, limit: int, **extra: Any) -> dict[str, Any]:
    """The envelope for one page of a list already read in full (short lists: snapshots, accounts, ...)."""
    offset = decode(cursor)
    return page(rows[offset : offset + limit + 1], offset=offset, limit=limit, total=len(rows), **extra)
