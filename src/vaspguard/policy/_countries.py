"""Country and region codes: ISO 3166-1 alpha-2 for countries, ISO 3166-2 for regions (``UA-43``).

A code that is not one of these is an error, never a guess: ``UK`` is refused with a pointer to ``GB``,
an alpha-3 code with a pointer to its alpha-2 form. ``XK`` (Kosovo, user-assigned but universal in KYC)
is accepted.
"""

from __future__ import annotations

from functools import cache

import pycountry

_EXTRA = frozenset({"XK"})
_HINTS = {"UK": "GB", "EL": "GR"}


@cache
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | _EXTRA


@cache
def _alpha3() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


@cache
def _regions() -> frozenset[str]:
    return frozenset(s.code for s in pycountry.subdivisions)


def check_code(value: object) -> str | None:
    """Return why ``value`` is not a country or region code, or ``None`` when it is one."""
    if not isinstance(value, str):
        return f"expected a country code string, got {type(value).__name__}"
    code = value.strip().upper()
    if code in _alpha2() or code in _regions():
        return None
    if code in _HINTS:
        return f"{value!r} is not an ISO 3166-1 alpha-2 code (use {_HINTS[code]!r})"
    if code in _alpha3():
        return f"{value!r} is alpha-3; use the ISO 3166-1 alpha-2 code {_alpha3()[code]!r}"
    return f"{value!r} is not an ISO 3166-1 alpha-2 country or ISO 3166-2 region code"


def location(code: str) -> frozenset[str]:
    """A checked code as the set a rule matches on: a region brings its country (``UA-43`` → UA, UA-43)."""
    code = code.strip().upper()
    if "-" in code:
        return frozenset({code, code.split("-", 1)[0]})
    return frozenset({code})
