"""Country names and codes as publishers write them, mapped to ISO 3166-1 alpha-2.

Publishers write countries as English names in several styles ("Iran (Islamic Republic of)", "Korea,
North", "Burma"), sometimes with legacy codes (``CS`` for Serbia and Montenegro). ``country_code`` maps
all of them to one alpha-2 code, or ``None`` when the text names no single country (``UNKNOWN``, "Middle
East"): an unmapped value is never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import pycountry

# Legacy or reserved codes still found in lists, mapped to their present successor.
LEGACY_CODES = {
    "CS": "RS",  # Serbia and Montenegro (EU FSF still uses it)
    "YU": "RS",  # Yugoslavia
    "UK": "GB",
    "XK": "XK",  # Kosovo: user-assigned code, used by the EU, UK and OFAC
    "ZR": "CD",  # Zaire
    "BU": "MM",  # Burma
    "TP": "TL",  # East Timor
    "AN": "CW",  # Netherlands Antilles (largest successor)
    "SU": "RU",  # USSR (largest successor; publishers use it for birth places)
}

# Names publishers use that pycountry does not know (keys normalised by ``_norm``).
_ALIASES = {
    "burma": "MM",
    "iran": "IR",
    "iran islamic republic of": "IR",
    "syria": "SY",
    "russia": "RU",
    "russian federation": "RU",
    "north korea": "KP",
    "korea north": "KP",
    "korea democratic peoples republic of": "KP",
    "democratic peoples republic of korea": "KP",
    "dprk": "KP",
    "south korea": "KR",
    "korea south": "KR",
    "republic of korea": "KR",
    "korea republic of": "KR",
    "democratic republic of the congo": "CD",
    "congo democratic republic of the": "CD",
    "congo democratic republic": "CD",
    "drc": "CD",
    "republic of the congo": "CG",
    "congo republic of the": "CG",
    "congo": "CG",
    "cote divoire": "CI",
    "ivory coast": "CI",
    "laos": "LA",
    "lao peoples democratic republic": "LA",
    "vietnam": "VN",
    "viet nam": "VN",
    "tanzania": "TZ",
    "united republic of tanzania": "TZ",
    "bolivia": "BO",
    "venezuela": "VE",
    "bolivarian republic of venezuela": "VE",
    "moldova": "MD",
    "republic of moldova": "MD",
    "united kingdom": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "great britain": "GB",
    "england": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "kosovo": "XK",
    "palestinian": "PS",
    "palestine": "PS",
    "occupied palestinian territories": "PS",
    "occupied palestinian territory": "PS",
    "state of palestine": "PS",
    "gaza": "PS",
    "west bank": "PS",
    "turkey": "TR",
    "turkiye": "TR",
    "czech republic": "CZ",
    "macedonia": "MK",
    "north macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "serbia and montenegro": "RS",
    "yugoslavia": "RS",
    "federal republic of yugoslavia": "RS",
    "ussr": "RU",
    "soviet union": "RU",
    "zaire": "CD",
    "swaziland": "SZ",
    "cape verde": "CV",
    "east timor": "TL",
    "brunei": "BN",
    "micronesia": "FM",
    "st kitts and nevis": "KN",
    "st lucia": "LC",
    "st vincent and the grenadines": "VC",
    "vatican": "VA",
    "holy see": "VA",
    "taiwan": "TW",
    "hong kong": "HK",
    "macau": "MO",
    "macao": "MO",
    "the gambia": "GM",
    "gambia": "GM",
    "the bahamas": "BS",
    "bahamas": "BS",
    "netherlands antilles": "CW",
    "curacao": "CW",
    "sint maarten": "SX",
    "region kurdistan iraq": "IQ",
    "crimea": "UA",
    "crimea region of ukraine": "UA",
    "sudan south": "SS",
}

_PUNCT = re.compile(r"[^a-z0-9 ]+")


def _norm(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    folded = folded.replace("&", " and ").replace("'", "").replace("\u2019", "")
    return " ".join(_PUNCT.sub(" ", folded).split())


@cache
def _names() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                table.setdefault(_norm(value), c.alpha_2)
        table.setdefault(_norm(c.alpha_3), c.alpha_2)
    table.update(_ALIASES)
    return table


@lru_cache(maxsize=8192)
def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a country name or code as a publisher writes it; ``None`` when unknown."""
    if not text:
        return None
    raw = text.strip().strip(".")
    if not raw:
        return None
    if len(raw) == 2 and raw.isalpha():
        up = raw.upper()
        if up in LEGACY_CODES:
            return LEGACY_CODES[up]
        return up if pycountry.countries.get(alpha_2=up) is not None else None
    key = _norm(raw)
    if key.startswith("the "):
        key = key[4:]
    found = _names().get(key)
    if found is None and " " in key:
        # "Kabul, Afghanistan" style: the last comma-separated part often is the country.
        tail = _norm(raw.rsplit(",", 1)[-1]) if "," in raw else ""
        found = _names().get(tail) if tail else None
    return found
