"""Name-pair decisions (issue 12, part 2): labelled pairs of the classes the issue lists, built from the
genuine lists' own names, scored as ``screen pairs`` scores them (``pair_score``: the ``score`` column, and
``match`` = the entity score at or above the threshold).

``python -m benchmarks bench_screen_pairs``. Every pair comes from one listed entity (or two, for the
shared-family-name negatives) and falls in the split of its first entity's key (``split_of``: 30% held
out, only its summary figures are read). Classes:

- positives: ``typo`` (one letter of a two-part name's family name substituted), ``middle`` (a middle name
  or patronymic on one side only, both directions), ``german``, ``french`` (the English spelling of a
  Russian name written as those languages write it), ``baltic`` (Latvian and Lithuanian nominative
  endings), ``org-number`` (a number as words), ``org-acronym`` (the capitals of an organisation's name),
  ``org-legal`` (a legal form glued, dotted or misspelt);
- negatives: ``branch`` (one name with two different bracketed places), ``legal-class`` (one name, legal
  forms of two classes: AG/GmbH), ``arabic-inner`` (a five-part name with its fourth part changed),
  ``bin-chain`` (the names either side of bin swapped), ``same-family`` (two listed people sharing a family
  name).

Prints each class's share of right decisions, then precision, recall and F1 of ``match`` and recall of
``score`` at a false-positive rate of 0.276 (logic-v2's on the issue's set), per split, for the shipped
threshold and for the threshold profiles.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from benchmarks.eval_screening import _display, load_entities, split_of
from vaspguard.lists import EntityKind, ListEntity
from vaspguard.screening import ALERT_THRESHOLD, PROFILES, name_forms, pair_score


@dataclass(frozen=True, slots=True)
class Pair:
    cls: str
    name1: str
    name2: str
    kind: str
    label: bool
    split: str


_LATIN = re.compile(r"^[A-Za-z][A-Za-z' -]+$")
_NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# a legal form as people write it wrongly, and as the list writes it
_LEGAL_SLIPS = [
    ("{n}AG", "AG"), ("{n} P.J.S.C.", "PJSC"), ("{n} Aktiengesellshaft", "AG"), ("{n} Limitd", "Ltd"),
    ("{n}GmbH", "GmbH"),
]  # fmt: skip
_PLACES = ["Europe", "Armenia", "Kazakhstan", "Cyprus", "Austria", "Belarus", "Georgia", "Dubai", "India"]
# a company limited by shares against one with limited liability
_FORMS = [("AG", "GmbH"), ("JSC", "LLC"), ("GmbH", "SA"), ("PJSC", "OOO"), ("SA", "SARL")]
_ARABIC = ["Yusuf", "Hamid", "Khalil", "Ibrahim", "Mahmud", "Salih", "Rashid", "Sulayman", "Tariq"]


def _people(entities: Sequence[ListEntity]) -> list[tuple[str, list[str], ListEntity]]:
    out = []
    for e in entities:
        name = _display(e)
        if e.kind is EntityKind.PERSON and _LATIN.match(name):
            out.append((name, name.replace("-", " ").split(), e))
    return out


def _orgs(entities: Sequence[ListEntity]) -> list[tuple[str, ListEntity]]:
    return [(e.primary_name, e) for e in entities if e.kind is EntityKind.ORGANISATION]


def _number_words(n: int) -> str:
    if n < 13:
        return _NUMBERS[n - 1]
    if n < 20 or n > 99:
        return ""
    return _TENS[n // 10 - 2] + ("" if n % 10 == 0 else "-" + _NUMBERS[n % 10 - 1])


_GERMAN = {
    "shch": "schtsch",
    "kh": "ch",
    "zh": "sch",
    "sh": "sch",
    "ch": "tsch",
    "ts": "z",
    "v": "w",
    "y": "j",
}
_GERMAN_SOUNDS = re.compile(r"shch|kh|zh|sh|ch|ts|v|(?:^|(?<=[aeiou ]))y(?=[aeiou])")


def _german(name: str) -> str:
    return _GERMAN_SOUNDS.sub(lambda m: _GERMAN[m.group(0)], name.lower()).title()


def _french(name: str) -> str:
    out = name.lower().replace("kh", "kh").replace("sh", "ch").replace("u", "ou").replace("ch", "tch")
    return out.replace("y", "i").title()


def _baltic(toks: list[str], lithuanian: bool) -> str:
    def end(t: str) -> str:
        if t.endswith("y"):
            return t[:-1] + ("ijus" if lithuanian else "ijs")
        if t[-1] in "aeiou":
            return t
        return t + ("as" if lithuanian else "s")

    return " ".join(end(t) for t in toks)


def _person_pairs(people: list[tuple[str, list[str], ListEntity]], rng: random.Random) -> Iterator[Pair]:
    for name, toks, e in people:
        split = split_of(e.key)
        slavic = bool(set(e.nationalities) & {"RU", "UA", "BY"})
        if len(toks) == 2 and len(toks[1]) >= 5:
            j = rng.randrange(2, len(toks[1]))
            sub = rng.choice([c for c in "bcdfgklmnprstv" if c != toks[1][j].lower()])
            yield Pair("typo", f"{toks[0]} {toks[1][:j]}{sub}{toks[1][j + 1 :]}", name, "person", True, split)
        if len(toks) >= 3 and all(len(t) > 1 for t in toks):
            short = f"{toks[0]} {toks[-1]}"
            yield Pair("middle", name, short, "person", True, split)
            yield Pair("middle", short, name, "person", True, split)
        if slavic and len(toks) in (2, 3):
            yield Pair("german", _german(name), name, "person", True, split)
            yield Pair("french", _french(name), name, "person", True, split)
            yield Pair("baltic", _baltic(toks, rng.random() < 0.5), name, "person", True, split)
        if len(toks) >= 5:
            other = rng.choice([a for a in _ARABIC if a.lower() != toks[3].lower()])
            changed = " ".join([*toks[:3], other, *toks[4:]])
            yield Pair("arabic-inner", changed, name, "person", False, split)
        low = [t.lower() for t in toks]
        for k in range(1, len(toks) - 1):
            if low[k] in ("bin", "ibn") and low[k - 1] != low[k + 1]:
                swapped = [*toks[: k - 1], toks[k + 1], toks[k], toks[k - 1], *toks[k + 2 :]]
                yield Pair("bin-chain", " ".join(swapped), name, "person", False, split)
                break


def _family_pairs(people: list[tuple[str, list[str], ListEntity]]) -> Iterator[Pair]:
    by_family: dict[str, list[tuple[str, list[str], ListEntity]]] = defaultdict(list)
    for p in people:
        if len(p[1]) == 2:
            by_family[p[1][-1].lower()].append(p)
    for group in by_family.values():
        for (a, ta, ea), (b, tb, _) in itertools.pairwise(group):
            if ta[0].lower() != tb[0].lower():
                yield Pair("same-family", a, b, "person", False, split_of(ea.key))


def _org_pairs(orgs: list[tuple[str, ListEntity]], rng: random.Random) -> Iterator[Pair]:
    for name, e in orgs:
        split = split_of(e.key)
        words = name.replace(",", " ").replace(".", " ").split()
        numbers = [w for w in words if w.isdigit() and _number_words(int(w))]
        if numbers:
            spelt = " ".join(_number_words(int(w)).title() if w in numbers else w for w in words)
            yield Pair("org-number", spelt, name, "organisation", True, split)
        significant = [w for w in words if w.isalpha() and w.lower() not in ("of", "the", "and", "for")]
        if 3 <= len(significant) <= 5 and "(" not in name and all(w.isalpha() for w in words):
            yield Pair("org-acronym", "".join(w[0] for w in significant).upper(), name, "organisation", True,
                       split)  # fmt: skip
        bare = (
            not name_forms(name, "organisation")[0].legal_forms if name_forms(name, "organisation") else False
        )
        if bare and "(" not in name and 1 <= len(words) <= 4 and all(w.isalpha() for w in words):
            a, b = rng.sample(_PLACES, 2)
            yield Pair("branch", f"{name} ({a})", f"{name} ({b})", "organisation", False, split)
            fa, fb = rng.choice(_FORMS)
            yield Pair("legal-class", f"{name} {fa}", f"{name} {fb}", "organisation", False, split)
            slip, proper = rng.choice(_LEGAL_SLIPS)
            brand = name.title().replace(" ", "")
            yield Pair("org-legal", slip.format(n=brand), f"{brand} {proper}", "organisation", True, split)


def build_pairs(entities: Sequence[ListEntity], *, per_class: int = 150, seed: int = 7) -> list[Pair]:
    rng = random.Random(seed)
    people, orgs = _people(entities), _orgs(entities)
    by_class: dict[str, list[Pair]] = defaultdict(list)
    for p in [*_person_pairs(people, rng), *_family_pairs(people), *_org_pairs(orgs, rng)]:
        by_class[p.cls].append(p)
    out: list[Pair] = []
    for cls in sorted(by_class):
        pairs = by_class[cls]
        out += rng.sample(pairs, min(per_class, len(pairs)))
    return out


def _figures(
    scored: Sequence[tuple[Pair, float, float]], threshold: float
) -> tuple[float, float, float, float]:
    """(precision, recall, F1 of match, recall of score at a false-positive rate of 0.276)."""
    tp = sum(1 for p, _, e in scored if p.label and e >= threshold)
    fp = sum(1 for p, _, e in scored if not p.label and e >= threshold)
    pos = sum(1 for p, _, _ in scored if p.label)
    neg = sorted((s for p, s, _ in scored if not p.label), reverse=True)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / pos if pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    cut = neg[int(0.276 * len(neg))] if neg else 0.0
    at_fpr = sum(1 for p, s, _ in scored if p.label and s > cut) / pos if pos else 0.0
    return precision, recall, f1, at_fpr


def main() -> None:
    pairs = build_pairs(load_entities())
    scored: list[tuple[Pair, float, float]] = []
    for p in pairs:
        score, as_entity = pair_score(p.name1, p.name2, p.kind)
        scored.append((p, score, as_entity))
    print(f"{len(pairs)} labelled pairs ({sum(p.label for p in pairs)} positive)")
    print("class          n   right (tune / held)")
    for cls in sorted({p.cls for p in pairs}):
        row = []
        for split in ("tune", "held"):
            part = [(p, e) for p, _, e in scored if p.cls == cls and p.split == split]
            right = sum(1 for p, e in part if (e >= ALERT_THRESHOLD) == p.label)
            row.append(f"{right / len(part):.3f}" if part else "-")
        n = sum(1 for p in pairs if p.cls == cls)
        print(f"{cls:13} {n:4}   {row[0]} / {row[1]}")
    for label, threshold in sorted(PROFILES.items(), key=lambda kv: -kv[1]):
        for split in ("tune", "held"):
            pr, rc, f1, at = _figures([x for x in scored if x[0].split == split], threshold)
            print(f"{label:8} {threshold:.2f} {split}: precision {pr:.3f} recall {rc:.3f} F1 {f1:.3f}"
                  f"  score recall at FPR 0.276: {at:.3f}")  # fmt: skip
