"""Asset codes and chain names: ASCII identifiers, with disguised variants folded onto the code they imitate.

An asset code (``A7A5``) or chain name (``ethereum``) is an ASCII identifier. A request may carry a
variant that displays the same but compares different: ``A7A5`` with its A's Cyrillic (U+0410), followed
by a zero-width space (U+200B), or in fullwidth forms (U+FF21 ...). Such a variant is folded onto the
known code it imitates and decided as that code, with a reason saying so; one that imitates no known code
is refused.

Two strings are confusable when their skeletons are equal (Unicode Technical Standard #39, section 4,
"Confusable Detection": ``X`` and ``Y`` are confusable iff ``skeleton(X) = skeleton(Y)``). The skeleton is
ICU's ``SpoofChecker.getSkeleton`` (ICU is already vaspguard's Unicode library through PyICU, and is the
reference implementation of UTS #39, with the Unicode confusables data it ships). Before it:

- default-ignorable code points (zero-width spaces and joiners, bidi controls, variation selectors) are
  removed, as UTS #39 since Unicode 15.1 prescribes (step 2 of the skeleton; the ICU in use may predate it);
- NFKC folds compatibility variants (fullwidth, mathematical alphanumerics), which the confusables data
  leaves to normalisation;
- the text is upper-cased, so ``a7a5`` in Cyrillic small letters (U+0430) meets ``A7A5`` as the ASCII
  ``a7a5`` would.

Plain ASCII identifiers are taken as they are: tickers that merely look alike (``IOTA``, ``L0TA``) are
different codes, and an exchange's own code is never rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from vaspguard.errors import InvalidRequest

_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


@cache
def _checker() -> Any:
    import icu  # loaded only when a request carries a non-ASCII code

    return icu.SpoofChecker()


def _ignorable(ch: str) -> bool:
    import icu

    return bool(icu.Char.hasBinaryProperty(ch, icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT))


def skeleton_key(text: str) -> str:
    """The UTS #39 skeleton of ``text`` after removing default-ignorables, NFKC and upper-casing."""
    visible = "".join(ch for ch in text if not _ignorable(ch))
    folded: str = _checker().getSkeleton(0, unicodedata.normalize("NFKC", visible).upper())
    return folded


@cache
def _keys(known: frozenset[str]) -> dict[str, str]:
    """Skeleton key -> known code (a key two known codes share stays with neither: no guessing)."""
    found: dict[str, set[str]] = {}
    for code in known:
        found.setdefault(skeleton_key(code), set()).add(code)
    return {key: next(iter(codes)) for key, codes in found.items() if len(codes) == 1}


def _describe(text: str) -> str:
    """The code points of ``text`` that are not printable ASCII, by name (``U+0410 CYRILLIC CAPITAL ...``)."""
    odd = dict.fromkeys(ch for ch in text if not (ch.isascii() and ch.isprintable()))
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')}" for ch in odd)


def fold_code(
    value: str, known: Callable[[], Iterable[str]], *, field: str, what: str
) -> tuple[str, str | None]:
    """``value`` as an ASCII identifier, and the reason when it was folded from a disguised variant.

    An ASCII identifier is returned as it is. Anything else is folded onto the one code of ``known()``
    with the same skeleton (asked only then); if there is none, ``InvalidRequest`` names ``field``.
    """
    if _IDENTIFIER.match(value):
        return value, None
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise InvalidRequest(field, f"{what} holds a lone surrogate: not text")
    code = _keys(frozenset(known())).get(skeleton_key(value))
    if code is None:
        raise InvalidRequest(
            field,
            f"{what} {value!r} is not an ASCII identifier ({_describe(value)}) and imitates no {what} "
            "vaspguard knows",
        )
    return code, (
        f"{what} {value!r} ({_describe(value)}) imitates {code}: decided as {code} (Unicode confusable, "
        "UTS #39 skeleton)"
    )
