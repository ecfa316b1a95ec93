"""JSON for people and scripts: decimals as strings (never floats), enums as values, dates in ISO 8601."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, enums, decimals (as strings, never floats), dates and paths for JSON output."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"))
    return value


# --- canonical JSON: the one byte form that vaspguard hashes and signs -------------------------------------


def _default(value: Any) -> Any:
    converted = to_jsonable(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return converted


# Built once: ``json.dumps`` with options builds a new encoder per call, which dominates the cost of hashing a
# million audit entries or a decision on the hot path. ``default`` is only called for values JSON has no form
# for (decimals, dates, enums, dataclasses), so JSON-native values cost nothing extra.
_OPTIONS: dict[str, Any] = {
    "sort_keys": True,
    "separators": (",", ":"),
    "ensure_ascii": False,
    "allow_nan": False,
}
_STRICT = json.JSONEncoder(**_OPTIONS)
_CONVERTING = json.JSONEncoder(**_OPTIONS, default=_default)
# Screening's fingerprints have used Python's default spacing and ASCII escapes since their first release;
# they are stored beside every alert and disposition, so their form stays (a new form would re-raise every
# decided alert). Same keys, same values; only the spelling differs.
_SPACED_ASCII = json.JSONEncoder(sort_keys=True, allow_nan=False, default=_default)


def canonical_json(value: Any, *, convert: bool = False) -> bytes:
    """The one byte form of a value that is hashed or signed: sorted keys, no whitespace, UTF-8 (not escaped),
    no NaN. Only JSON values are accepted (``TypeError`` otherwise), unless ``convert``: then decimals become
    strings, dates ISO 8601, enums their values and dataclasses objects (``to_jsonable``)."""
    return (_CONVERTING if convert else _STRICT).encode(value).encode("utf-8")


def canonical_text(value: Any) -> str:
    """``canonical_json`` of a JSON value, as text (for a database column)."""
    return _STRICT.encode(value)


def fingerprint_json(value: Any) -> bytes:
    """The form screening fingerprints are hashed in: sorted keys, Python's default spacing, ASCII escapes."""
    return _SPACED_ASCII.encode(value).encode("ascii")
