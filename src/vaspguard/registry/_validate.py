"""Field checks for registry imports: one function per field type, each raising ``FieldError(field, reason)``.

Inputs come from three formats, so every check accepts either text (CSV), JSON values (JSON Lines, numbers
parsed as ``Decimal``) or native values (Parquet: ``date``, ``datetime``, ``Decimal``). Outputs are the
registry's canonical values: upper-case ISO codes, ``date``, aware UTC ``datetime``, exact ``Decimal``.
"""

from __future__ import annotations

import enum
import ipaddress
import json
import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar

E = TypeVar("E", bound=enum.Enum)


class FieldError(Exception):
    """A bad field value; the importer adds file and row."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@cache
def iso_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes as ICU knows them (includes XK, Kosovo, which sanctions lists use)."""
    import icu

    return frozenset(str(c) for c in icu.Locale.getISOCountries())


_SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")  # ISO 15924: Latn, Cyrl, Arab, Hani, ...
_ASSET = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,15}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,39}$")
_PHONE = re.compile(r"^\+[1-9][0-9]{5,14}$")  # E.164
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_BIRTH = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# NUMERIC(38, 18) holds 20 digits before the point and 18 after; PostgreSQL would round more fraction
# digits silently, so a longer value is refused rather than altered.
_INT_DIGITS, _FRAC_DIGITS = 20, 18


def is_blank(value: Any) -> bool:
    return value is None or (value.__class__ is str and (not value or value.isspace()))


def text(value: Any, field: str, *, required: bool = True, max_len: int = 1000) -> str | None:
    if value.__class__ is str:
        stripped: str = value.strip()
        if stripped:
            if len(stripped) > max_len:
                raise FieldError(field, f"longer than {max_len} characters")
            return stripped
        value = None
    if value is None:
        if required:
            raise FieldError(field, "missing")
        return None
    raise FieldError(field, f"expected text, got {type(value).__name__}")


def identifier(value: Any, field: str, *, required: bool = True) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    s = text(value, field, required=required, max_len=40)
    if s is not None and not _ID.match(s):
        raise FieldError(field, f"{s!r} is not an identifier (letters, digits, . _ : / -; at most 40)")
    return s


def country(value: Any, field: str, *, required: bool = False) -> str | None:
    s = text(value, field, required=required, max_len=2)
    if s is None:
        return None
    code = s.upper()
    if code not in iso_countries():
        raise FieldError(field, f"{s!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def countries(value: Any, field: str) -> tuple[str, ...]:
    """Several codes: a list, or text separated by spaces, commas or semicolons. Order kept, no repeats."""
    if is_blank(value):
        return ()
    items = re.split(r"[\s,;]+", value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise FieldError(field, "expected a list of country codes")
    out: list[str] = []
    for item in items:
        if is_blank(item):
            continue
        code = country(item, field, required=True)
        assert code is not None
        if code in out:
            raise FieldError(field, f"{code} given twice")
        out.append(code)
    return tuple(out)


def enum_value(value: Any, field: str, kind: type[E], *, default: E | None = None) -> E:
    if is_blank(value):
        if default is not None:
            return default
        raise FieldError(field, f"missing; one of {', '.join(str(m.value) for m in kind)}")
    try:
        return kind(str(value).strip().lower())
    except ValueError:
        raise FieldError(field, f"{value!r} is not one of {', '.join(str(m.value) for m in kind)}") from None


def choice(value: Any, field: str, allowed: tuple[str, ...], *, default: str | None = None) -> str:
    if is_blank(value):
        if default is not None:
            return default
        raise FieldError(field, f"missing; one of {', '.join(allowed)}")
    s = str(value).strip().lower()
    if s not in allowed:
        raise FieldError(field, f"{value!r} is not one of {', '.join(allowed)}")
    return s


def day(value: Any, field: str, *, required: bool = False) -> date | None:
    if is_blank(value):
        if required:
            raise FieldError(field, "missing")
        return None
    if isinstance(value, datetime):
        raise FieldError(field, "expected a date, got a date and time")
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise FieldError(field, f"expected a date YYYY-MM-DD, got {type(value).__name__}")
    try:
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(field, f"{value!r} is not a date YYYY-MM-DD") from None


def instant(value: Any, field: str, *, required: bool = True) -> datetime | None:
    """A moment in time with an explicit UTC offset, returned in UTC. A time without offset is refused:
    guessing the zone of a transaction or a login is how evidence goes wrong by hours."""
    if is_blank(value):
        if required:
            raise FieldError(field, "missing")
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        s = value.strip()
        try:
            dt = datetime.fromisoformat(s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s)
        except ValueError:
            raise FieldError(field, f"{value!r} is not an ISO 8601 date and time") from None
        if len(s) < 16:
            raise FieldError(field, f"{value!r} is not an ISO 8601 date and time")
    else:
        raise FieldError(field, f"expected an ISO 8601 date and time, got {type(value).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise FieldError(field, f"{value!s} has no UTC offset; write e.g. 2025-01-31T12:00:00Z")
    return dt.astimezone(UTC)


def birth_date(value: Any, field: str) -> str | None:
    """Full or partial: YYYY, YYYY-MM or YYYY-MM-DD, each part a real calendar value."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    s = text(value, field, required=False, max_len=10)
    if s is None:
        return None
    m = _BIRTH.match(s)
    try:
        if m is None:
            raise ValueError
        year, month, dd = int(m[1]), int(m[2] or 1), int(m[3] or 1)
        date(year, month, dd)
        if not 1850 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise FieldError(field, f"{s!r} is not a date of birth YYYY, YYYY-MM or YYYY-MM-DD") from None
    return s


def amount(value: Any, field: str, *, required: bool = True, positive: bool = False) -> Decimal | None:
    """An exact decimal. Binary floats are refused (a Parquet double cannot carry 0.1 exactly)."""
    if is_blank(value):
        if required:
            raise FieldError(field, "missing")
        return None
    if isinstance(value, float):
        raise FieldError(field, "binary floating point number; give a decimal (text or decimal column)")
    if isinstance(value, bool):
        raise FieldError(field, "expected a decimal number")
    try:
        d = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise FieldError(field, f"{value!r} is not a decimal number") from None
    if not d.is_finite():
        raise FieldError(field, f"{value!r} is not a finite number")
    # before ``canonical``: 1E+308 has no integral form within the context's precision
    if d.adjusted() >= _INT_DIGITS:
        raise FieldError(field, f"{value!s} has more than {_INT_DIGITS} digits before the point")
    d = canonical(d)
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent < -_FRAC_DIGITS:
        raise FieldError(field, f"{value!s} has more than {_FRAC_DIGITS} decimal places")
    if positive and d <= 0:
        raise FieldError(field, f"{value!s} must be greater than zero")
    return d


def canonical(d: Decimal) -> Decimal:
    """``1.500`` → ``1.5``, ``1E+2`` → ``100``: one spelling per value, so files compare byte for byte."""
    n = d.normalize()
    return n.quantize(Decimal(1)) if n == n.to_integral_value() else n


# The ISO 15924 code of a letter's script, by the first word of its Unicode name.
_SCRIPTS = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "ARABIC": "Arab", "CJK": "Hani", "GREEK": "Grek", "HEBREW": "Hebr",
    "HANGUL": "Hang", "HIRAGANA": "Jpan", "KATAKANA": "Jpan", "DEVANAGARI": "Deva", "THAI": "Thai",
    "GEORGIAN": "Geor", "ARMENIAN": "Armn",
}  # fmt: skip


def script_of(name: str) -> str:
    """The script of a name's first letter (``Latn`` when none is recognised): for a name given without
    its script, as a plain CSV cell."""
    for ch in name:
        if ch.isalpha():
            return _SCRIPTS.get(unicodedata.name(ch, "").split(" ")[0], "Latn")
    return "Latn"


def script(value: Any, field: str) -> str:
    s = text(value, field, required=False, max_len=20) or "Latn"
    if not _SCRIPT.match(s):
        raise FieldError(field, f"{s!r} is not an ISO 15924 script code (Latn, Cyrl, Arab, Hani, ...)")
    return s


def asset(value: Any, field: str, *, required: bool = True) -> str | None:
    s = text(value, field, required=required, max_len=16)
    if s is None:
        return None
    if not _ASSET.match(s):
        raise FieldError(field, f"{s!r} is not an asset code (upper-case letters and digits, e.g. BTC)")
    return s


def ip(value: Any, field: str) -> str:
    s = text(value, field, max_len=45)
    assert s is not None
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        raise FieldError(field, f"{s!r} is not an IPv4 or IPv6 address") from None


def contact_value(kind: str, value: Any, field: str) -> str:
    s = text(value, field, max_len=320)
    assert s is not None
    if kind == "email" and not _EMAIL.match(s):
        raise FieldError(field, f"{s!r} is not an email address")
    if kind == "phone" and not _PHONE.match(s):
        raise FieldError(field, f"{s!r} is not an E.164 phone number (+ and 6 to 15 digits)")
    return s


def boolean(value: Any, field: str) -> bool:
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("true", "1", "yes"):
        return True
    if s in ("false", "0", "no"):
        return False
    raise FieldError(field, f"{value!r} is not true or false")


def nested(value: Any, field: str, *, mapping: bool = False, shape: str = "") -> Any:
    """A list (or, with ``mapping``, an object) given natively or, in CSV, as JSON text in the cell;
    ``shape`` is an example of the expected value, quoted in the error."""
    expect = f"; expected {shape}" if shape else ""
    if is_blank(value):
        return {} if mapping else []
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise FieldError(field, f"not valid JSON: {exc.msg} at character {exc.pos}{expect}") from None
    if mapping and isinstance(value, list):
        # Parquet carries a map as a list of {key, value} or (key, value) pairs
        pairs: dict[str, Any] = {}
        for item in value:
            key, val = (item.get("asset"), item.get("amount")) if isinstance(item, dict) else item
            pairs[str(key)] = val
        value = pairs
    expected = dict if mapping else list
    if not isinstance(value, expected):
        raise FieldError(
            field, f"expected {shape}" if shape else f"expected a JSON {'object' if mapping else 'array'}"
        )
    return value
