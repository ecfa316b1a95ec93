"""Publisher date texts to ``BirthDate`` values that keep their precision (day, month, year, circa, range)."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from vaspguard.lists._model import BirthDate, DatePrecision

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})
_MONTHS["sept"] = 9

_DAY_MON_YEAR = re.compile(r"^(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4})$")
_MON_YEAR = re.compile(r"^([A-Za-z]+)\.?[ -](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DMY_NUM = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_MY_NUM = re.compile(r"^(\d{1,2})[/.](\d{4})$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def span(text: str) -> tuple[date, date, DatePrecision] | None:
    """The days a single published date covers: ``"12 Jan 1960"``, ``"Jan 1960"``, ``"1960"``,
    ``"1960-01-12"``, ``"12/01/1960"`` (day first, as European and UK publishers write it)."""
    t = text.strip().rstrip(".")
    result = _span(t)
    # No one listed today was born before 1800: an earlier year is another calendar (a Hijri 1402) or a typo.
    if result is not None and result[0].year < 1800:
        return None
    return result


def _span(t: str) -> tuple[date, date, DatePrecision] | None:
    try:
        if m := _ISO.match(t):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return d, d, DatePrecision.DAY
        if m := _DAY_MON_YEAR.match(t):
            month = _MONTHS.get(m[2].lower())
            if month is None:
                return None
            d = date(int(m[3]), month, int(m[1]))
            return d, d, DatePrecision.DAY
        if m := _MON_YEAR.match(t):
            month = _MONTHS.get(m[1].lower())
            if month is None:
                return None
            year = int(m[2])
            return date(year, month, 1), _month_end(year, month), DatePrecision.MONTH
        if m := _YEAR.match(t):
            year = int(m[1])
            return date(year, 1, 1), date(year, 12, 31), DatePrecision.YEAR
        if m := _DMY_NUM.match(t):
            d = date(int(m[3]), int(m[2]), int(m[1]))
            return d, d, DatePrecision.DAY
        if m := _MY_NUM.match(t):
            year, month = int(m[2]), int(m[1])
            return date(year, month, 1), _month_end(year, month), DatePrecision.MONTH
    except ValueError:
        return None
    return None


_COARSER = {DatePrecision.DAY: 0, DatePrecision.MONTH: 1, DatePrecision.YEAR: 2}


def covered_precision(start: date, end: date, given: DatePrecision = DatePrecision.DAY) -> DatePrecision:
    """The precision a range really carries: 1 Jan..31 Dec covers whole years ("year only", not exact);
    the 1st..last day of months covers whole months."""
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return DatePrecision.YEAR
    if start.day == 1 and end == _month_end(end.year, end.month) and given is DatePrecision.DAY:
        return DatePrecision.MONTH
    return given


def birth_date(text: str, *, circa: bool = False) -> BirthDate | None:
    """A published date of birth, a range ``A to B`` / ``A - B`` (coarser precision of the two ends), or
    ``circa A``/``approximately A``; ``None`` when the text is no date."""
    raw = " ".join(text.split())
    t = raw
    for prefix in ("circa ", "approximately ", "approx. ", "ca. ", "c. "):
        if t.lower().startswith(prefix):
            t, circa = t[len(prefix) :], True
    parts = re.split(r"\s+(?:to|-)\s+", t, maxsplit=1)
    if len(parts) == 2:
        a, b = span(parts[0]), span(parts[1])
        if a is None or b is None or b[1] < a[0]:
            return None
        return BirthDate(
            a[0], b[1], covered_precision(a[0], b[1], max(a[2], b[2], key=_COARSER.__getitem__)), circa, raw
        )
    one = span(t)
    if one is None:
        return None
    return BirthDate(one[0], one[1], one[2], circa, raw)


def parse_day(text: str | None) -> date | None:
    """A day (ISO, ``12 Jan 1960`` or ``12/01/1960``); ``None`` unless the text is one exact day."""
    if not text:
        return None
    s = span(text)
    return s[0] if s is not None and s[2] is DatePrecision.DAY else None


def parse_timestamp(text: str | None) -> datetime | None:
    if not text:
        return None
    t = text.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(t)
    except ValueError:
        pass
    for fmt in ("%m/%d/%Y", "%d/%m/%Y", "%d-%b-%Y", "%d %B %Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(t, fmt)
        except ValueError:
            continue
    return None
