# ruff: noqa: RUF002  # names in many scripts are this module's subject matter
"""Scoring two names, and a list entity against a query, with a breakdown a reviewer can read.

Name score (``compare_forms``), in [0, 1]:

- Query and candidate tokens are paired greedily by similarity, each token used at most once, only when
  the similarity reaches 0.8. A pair's similarity is 1 for equal tokens; 0.96 for spelling variants that
  fold together (``yuriy``/``iouri``); otherwise the mean of Jaro-Winkler and normalised OSA (a swap of
  neighbouring letters is one edit), the better of as written and folded, times 0.9 when their first
  letters differ and are not swapped (Fang/Wang), times 0.93 for tokens of up to six letters whose
  consonants differ (Karim/Qasim; Ahmad/Ahmed keep theirs), raised to 0.85 when their Metaphone
  codes agree and have three sounds or more (Moore/Mayer, both MR, do not); times 0.85 when one is a
  Slavic patronymic and the other not (a family name Mikhaylov is not the patronymic Mikhaylovna).
  For a name written in an abjad (Arabic, Persian, Hebrew) or Thai: 0.97 when one token's
  written letters appear in the other in order with short vowels free (``ly`` ~ ``ali``), else equal
  consonant skeletons count 0.96 (0.88 for two consonants; 0.93 when they differ only by d/z, the
  Arabic and Persian readings of ض ظ ذ). An initial against a token it begins: 0.8.
  Numbers match exactly or not at all (``11420 CORP`` is not ``CORP``). A particle (al, bin, abu) pairs
  only with a particle. When all but one part on each side pair and there are two pairs or more, the two
  parts left pair at their similarity if it reaches 0.75, 0.6 read from an abjad (``residual``: LOTEZ
  for LOPEZ in a four-part name).
- Each token has a weight: rare tokens 1, frequent ones down to 0.3 (from the list's own token frequencies,
  so ``mohammed``, ``bin``, ``trading`` weigh little), particles 0.3, initials 0.5.
- score = Σ pairs w·sim / (Σ pairs w + 0.5·Σ unmatched query w + 0.15·Σ unmatched candidate w): a query
  part the listed name does not explain costs more than a listed part the query omits (lists carry
  patronymics and second family names customers often leave out).
- Other schemes: a token is also read without a Latvian/Lithuanian nominative ending (Medvedevs) and as
  German spells Russian (Janukowytsch), at 0.96. In a two-part name whose other part is exact, a part
  one substituted letter off (not the first, five letters or more) pairs at 0.85 (Lavrov/Lavrob). A query
  part between parts that pair in order, when the listed name is all explained, is a middle name or
  patronymic and costs 0.2 instead of 0.5 (people's names only). A link of an Arabic naming chain read
  the other way round (ALI BIN OMAR / OMAR BIN ALI) multiplies the score by 0.8.
- Lost or extra spaces (``Abubakar``/``Abu Bakar``, ``Xi Jin Ping``/``Xi Jinping``): when the token counts
  differ (or for abjads) the joined tokens are compared too (normalised Levenshtein, both name orders;
  consonant skeletons for abjads), times 0.97; the higher score wins.
- Across scripts that lose Latin sounds (Hangul, kana, Hebrew, Thai, Devanagari, Greek), coarse sound-class
  skeletons of 6+ classes are compared too, capped at 0.88: enough to rank a candidate, never to alert.
  A name read from kana is also compared with the Latin side written as katakana writes it
  (``_japanise``), one read from Hangul with l/r, v/b, f/p, z/j merged on both sides (``_project``),
  at 0.97 of that comparison.

Entity score (``combine``): 0.9 × name score × alias quality (weak alias 0.85, former name 0.95),
then evidence: date of birth, nationality, country, gender, kind, identity documents and an agreeing
legal form add or subtract (see ``_FACTORS``), and so do the forms (``form_factors``: legal forms of two
kinds of company, bracketed qualifiers that differ), clamped to [0, 1]. ``pair_score`` also meets an
organisation's acronym written in capitals (FSB, IASC) at 0.93. An exact name with no other evidence
scores 0.9, so corroborated matches rank above it and contradicted ones below: scores do not saturate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from vaspguard.lists import BirthDate, EntityKind, ListEntity, NameKind
from vaspguard.screening._normalise import (
    _DOUBLE,
    NameForm,
    broad_skeleton,
    fold,
    legal_form_class,
    name_forms,
    skeleton,
    words,
)

__all__ = [
    "Factor",
    "NameComparison",
    "TokenPair",
    "compare_forms",
    "score_names",
    "token_similarity",
]

PARTICLES = words(
    """al el ul ud ad ar as ash at az bin ibn bint ben bar abu abou abd abdel abdul umm um de del della der
    den des di da do dos das du la le van von ter ten y e the of and und et
    bn abn bnt abw aby bd wld bt"""
)  # the last line: as read from Arabic and Hebrew script (بن bn, أبو abw, عبد bd, ولد wld, בת bt)

PAIR_MIN = 0.8  # below this two tokens are different tokens, not a poor pair
RESIDUAL_MIN = 0.75  # ... unless they are the one part left unpaired on each side (0.6 read from an abjad,
RESIDUAL_MIN_ABJAD = 0.6  # whose unwritten vowels make more spellings: Evergreen/Energy is 0.73)
INITIAL = 0.8  # an initial against a name it begins (weighs 0.5: see default_weight)
UNMATCHED_QUERY = 0.5
UNMATCHED_MIDDLE = 0.2  # ... between two parts that pair: a middle name or patronymic
UNMATCHED_CANDIDATE = 0.15
JOINED_DISCOUNT = 0.97
CROSS_CAP = 0.88  # sound classes are coarse: alone they rank a candidate but never reach the alert line
NAME_BASE = 0.9
ALIAS_QUALITY = {
    NameKind.PRIMARY: 1.0,
    NameKind.AKA: 1.0,
    NameKind.ORIGINAL_SCRIPT: 1.0,
    NameKind.FKA: 0.95,
    NameKind.WEAK: 0.85,
}


@dataclass(frozen=True, slots=True)
class TokenPair:
    query: str
    candidate: str
    similarity: float
    how: str  # exact | variant | fuzzy | phonetic | skeleton | initial | residual


@dataclass(frozen=True, slots=True)
class NameComparison:
    score: float
    method: str  # tokens | joined
    pairs: tuple[TokenPair, ...] = ()
    unmatched_query: tuple[str, ...] = ()
    unmatched_candidate: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Factor:
    """One piece of evidence beside the name: what it was, and what it did to the score."""

    name: str  # dob_exact, dob_year, dob_disjoint, nationality_match, ..., document_match
    delta: float
    detail: str = ""


def default_weight(token: str) -> float:
    if token in PARTICLES:
        return 0.3
    if len(token) == 1:
        return 0.5
    return 1.0


_metaphone = lru_cache(maxsize=1 << 16)(jellyfish.metaphone)


def _phonetic_equal(a: str, b: str) -> bool:
    """Equal Metaphone codes of three sounds or more: two (MR: Moore, Mayer, Maria) say too little; and
    words of like length (Granite and Grand are both KRNT)."""
    code = _metaphone(a)
    return len(code) >= 3 and code == _metaphone(b) and min(len(a), len(b)) >= 0.75 * max(len(a), len(b))


def _same_onset(a: str, b: str) -> bool:
    """Whether two tokens begin with one sound as written (the spelling fold writes w as v, and Metaphone
    v as f, so Wang and Fang would otherwise sound alike) and their first vowels are of one class (a;
    e i y; o u): Tarek and Turki, Hassan and Husayn are two names, Mohamed and Muhammad one."""
    onset = fold(a[0]) == fold(b[0]) or _metaphone(a)[:1] == _metaphone(b)[:1]
    return onset and _first_vowel(a) == _first_vowel(b)


_VOWEL_CLASS = str.maketrans("eiyou", "eeeoo")


def _first_vowel(token: str) -> str:
    m = re.search("[aeiouy]", token[1:])
    return m.group(0).translate(_VOWEL_CLASS) if m else ""


def _fuzzy(a: str, b: str) -> float:
    if not a or not b:  # a projection (a reading, a fold, a skeleton) can leave a token empty
        return 0.0
    sim = 0.5 * JaroWinkler.normalized_similarity(a, b) + 0.5 * OSA.normalized_similarity(a, b)
    # Names rarely differ in their first sound by a typo (Fang/Wang, Bin/Min); swapped first letters do.
    if a[0] != b[0] and not (len(a) > 1 and len(b) > 1 and a[0] == b[1] and a[1] == b[0]):
        sim *= 0.9
    return float(sim)


@lru_cache(maxsize=1 << 18)
def token_similarity(a: str, b: str, abjad: bool = False) -> tuple[float, str]:
    """Similarity of two Latin tokens in [0, 1], and how it was found: as written, and (not for an abjad's
    consonants) as another scheme spells it: a Latvian or Lithuanian nominative ending dropped
    (Medvedevs, Medvedevas), a German transliteration read as English (Janukowytsch)."""
    best = _similarity(a, b, abjad)
    # (another scheme moves a name's spelling a little: from 0.5, and never its first letter, Wang read
    # Vang is not Fang)
    if abjad or not SCHEME_FLOOR <= best[0] < SCHEME_VARIANT or a.isdigit() or b.isdigit():
        return best
    for x, y in ((a, b), (b, a)):
        for read, how in ((_baltic_stem(x), "ending"), (_german_read(x), "german")):
            if read and read != x and read[0] == y[0]:
                sim = round(SCHEME_VARIANT * _similarity(read, y.replace("zh", "sh"), abjad)[0], 6)
                if sim > best[0]:
                    best = (sim, how)
    return best


SCHEME_VARIANT = 0.96  # as a folded spelling variant
SCHEME_FLOOR = 0.5
_BALTIC_ENDING = re.compile(r"(?<=[a-z]{4})(?:as|is|ys|us)$|(?<=[a-z]{3}[^aeiouys])s$")
_GERMAN = (("tsch", "ch"), ("sch", "sh"), ("w", "v"), ("z", "ts"))
_GERMAN_J = re.compile(r"(?:^|(?<=[aeiou]))j(?=[aeiou])")


@lru_cache(maxsize=1 << 16)
def _baltic_stem(token: str) -> str:
    """The token without a Latvian or Lithuanian nominative ending (Medvedevs, Medvedevas, Dmitrijus,
    Sergejs, Olegs) on a stem of four letters or more (Elias is not Eli), a final j read y (sergey)."""
    stem = _BALTIC_ENDING.sub("", token)
    return stem[:-1] + "y" if stem != token and stem.endswith("j") else stem


@lru_cache(maxsize=1 << 16)
def _german_read(token: str) -> str:
    """A German transliteration read as English: tsch ch, sch sh, w v, z ts, j y before a vowel
    (Janukowytsch: yanukovych; Jewgeni: yevgeni). Empty when there is nothing German to read."""
    # (two marks at least, sch counting two: one j or z alone is as likely another romanisation, Jang)
    marks = 2 * token.count("sch") + token.count("w") + len(_GERMAN_J.findall(token)) + token.count("z")
    if marks < 2:
        return ""
    out = _GERMAN_J.sub("y", token)
    for x, y in _GERMAN:
        out = out.replace(x, y)
    return out


def _similarity(a: str, b: str, abjad: bool) -> tuple[float, str]:
    decided = _decided_at_once(a, b)
    if decided is not None:
        return decided
    fa, fb = fold(a), fold(b)
    if fa == fb or _same_name(fa, fb):
        return (
            0.96,
            "variant",
        )  # a folded spelling; one given name in its Russian, Ukrainian, Belarusian forms
    if (a in PARTICLES) != (b in PARTICLES):
        return 0.0, "particle"  # a particle pairs with a particle only (לוי, Levy, is not al)
    # As written and as folded (a typo can fold into another spelling): the better. OSA counts a swap of
    # two neighbouring letters as one edit (Ansari/Nasari).
    sim = max(_fuzzy(a, b), _fuzzy(fa, fb))
    if max(len(a), len(b)) <= 6 and skeleton(a) != skeleton(b):
        # in a short name a different consonant is usually a different name (Karim/Qasim), a different
        # vowel a spelling (Ahmad/Ahmed)
        sim *= SHORT_CONSONANT
    how = "fuzzy"
    # (not for a consonant string read from an abjad: Metaphone of hdad and hdayt says nothing)
    sounds_alike = not abjad and min(len(fa), len(fb)) >= 4 and _phonetic_equal(fa, fb)
    if sim < 0.85 and sounds_alike and _same_onset(a, b):
        sim, how = 0.85, "phonetic"
    if _is_patronymic(a) != _is_patronymic(b):
        # a family name against a patronymic (Mikhaylov / Mikhaylovna) is another name part, not a variant
        sim *= PATRONYMIC_CROSS
    if abjad:
        if _abjad_pattern(a).match(b) or _abjad_pattern(b).match(a):
            # every written letter of one is in the other, in order, short vowels aside (ly ~ ali)
            n = len(skeleton(a) if len(a) <= len(b) else skeleton(b))
            sk = 0.97 if n >= 2 else 0.93
            if sk > sim:
                return sk, "skeleton"
        sk = _skeleton_similarity(a, b)
        if sk > sim:
            sim, how = sk, "skeleton"
    return round(sim, 6), how


def _decided_at_once(a: str, b: str) -> tuple[float, str] | None:
    """Pairs decided without measuring: the same token, an empty one, a number, an initial."""
    if a == b:
        return 1.0, "exact"
    if not a or not b:
        return 0.0, "empty"
    if a.isdigit() or b.isdigit():
        return 0.0, "number"
    if len(a) == 1 or len(b) == 1:
        return (INITIAL, "initial") if a[0] == b[0] else (0.0, "initial")
    return None


def _skeleton_similarity(a: str, b: str) -> float:
    """Two tokens read from an abjad, by their consonants alone."""
    sa, sb = skeleton(a), skeleton(b)
    if sa == sb and sa:
        # unwritten vowels make short skeletons ambiguous (hd: Huda, Hadi, Ahd; l: Ali, Ely)
        return 0.96 if len(sa) >= 3 else 0.88 if len(sa) == 2 else 0.8
    if len(sa) >= 3 and sa.translate(_EMPHATIC) == sb.translate(_EMPHATIC):
        return 0.93  # ض ظ ذ read d/z/dh in Arabic, z in Persian and Urdu (Fadl, Fazal; Mazloom)
    if len(sa) >= 3 and _dialect_g(a, b):
        return 0.93  # ج read g in Egypt (Ragab), ق read g in the Maghreb and the Gulf (Gasmi)
    if min(len(sa), len(sb)) >= 3:
        sk = 0.9 * JaroWinkler.normalized_similarity(sa, sb)
        if min(len(sa), len(sb)) == 3:
            sk *= SHORT_CONSONANT  # three consonants, one other: Salma (slm) is not Soleimani (slmn)
        return sk
    return 0.0  # one or two consonants say nothing by themselves


# One given name as Russian, Ukrainian and Belarusian write it (BGN/PCGN and passport spellings): the
# lists name the same person Aleksandr in one snapshot and Oleksandr or Alyaksandr in another.
_SAME_NAME_TEXT = """
aleksandr alexander oleksandr olexandr alyaksandr aliaksandr; aleksandra oleksandra alyaksandra aliaksandra;
aleksey aleksei oleksii oleksiy alyaksey aliaksei; andrey andrei andriy andrii andrej;
vladimir volodymyr uladzimir uladzimer wladimir; nikolay nikolai mykola mikalay mikalai;
sergey sergei serhiy serhii siarhei siarhey; dmitriy dmitry dmitri dmytro dzmitry dzmitryi;
yuriy yuri yury yurii; mikhail mykhailo mykhaylo mikhas; pyotr petr petro piotr pyatro; pavel pavlo paval;
viktor victor viktar; grigoriy grigory hryhoriy hryhorii ryhor; yevgeniy evgeny yevhen yauhen yauheni;
anatoliy anatoly anatolii anatol; vasiliy vasily vasyl vasil; konstantin kostiantyn kostyantyn kanstantsin;
oleg oleh aleh; igor ihor ihar; vitaliy vitaly vitalii vitali; valeriy valery valerii; yelena elena olena
alena; natalya natalia nataliya natallia; tatyana tatiana tetiana tatsiana; olga olha volha; irina iryna;
svetlana svitlana sviatlana; yekaterina ekaterina kateryna katsiaryna; mariya maria mariia maryia;
yuliya yulia yuliia; lyudmila liudmyla ludmila; galina halyna; vyacheslav viacheslav viachaslau;
gennadiy gennady hennadiy henadz; fedor fyodor fedir fiodar; stepan stsiapan; semyon semen; denis denys;
maksim maxim maksym; kirill kyrylo kiryl; artem artyom; valentin valentyn valiantsin; leonid leanid;
boris barys; gleb hlib hleb; arkadiy arkady arkadii; nikita mykyta mikita; yevgeniya evgenia yevheniia;
"""
_SAME_NAME: dict[str, int] = {
    fold(spelling): group
    for group, names in enumerate(_SAME_NAME_TEXT.replace("\n", " ").split(";"))
    for spelling in names.split()
}
_PATRONYMIC = re.compile("(?:ovich|ovych|evich|yevich|avich|ovna|evna|ivna|auna)$")


def _same_name(fa: str, fb: str) -> bool:
    """Whether two folded tokens are one given name, or one patronymic (Aleksandrovich, Oleksandrovych)."""
    group = _SAME_NAME.get(fa)
    if group is not None:
        return group == _SAME_NAME.get(fb)
    sa, sb = _PATRONYMIC.sub("", fa), _PATRONYMIC.sub("", fb)
    if sa == fa or sb == fb:
        return False
    stem = _SAME_NAME.get(sa, _SAME_NAME.get(sa + "i"))  # Yuriyevich, Yurievna: the stem drops a letter
    return stem is not None and stem == _SAME_NAME.get(sb, _SAME_NAME.get(sb + "i"))


_EMPHATIC = str.maketrans("z", "d")
_BARE_G = re.compile("g(?!h)")


def _dialect_g(a: str, b: str) -> bool:
    """Whether one token has a bare g (not gh, which is غ) where the other has j or q, and the skeletons
    agree otherwise: the Egyptian reading of ج and the Maghrebi and Gulf reading of ق."""
    return any(
        _BARE_G.search(y)
        and ("j" in x or "q" in x)
        and skeleton(x.replace("j", "g").replace("q", "g")) == skeleton(y)
        for x, y in ((a, b), (b, a))
    )


# Russian, Ukrainian (-ovych, -ivna) and Belarusian (-avich, -auna) patronymic endings.
_PATRONYMIC_ENDINGS = (
    "ovich", "evich", "ovna", "evna", "ichna", "ovych", "ivna", "yevich", "yevna", "avich", "auna",
)  # fmt: skip
PATRONYMIC_CROSS = 0.85
SHORT_CONSONANT = 0.93


def _is_patronymic(token: str) -> bool:
    return len(token) >= 7 and token.endswith(_PATRONYMIC_ENDINGS)


_LONG_VOWELS = {"w": "(?:w|v|u|o|ou|oo)?", "y": "(?:y|i|e|ee|ie|ey|ai)?"}


@lru_cache(maxsize=1 << 16)
def _abjad_pattern(token: str) -> re.Pattern[str]:
    """A pattern for the Latin spellings of a token read from an abjad: its consonants in order (doubled
    or not), its written long vowels (w, y, alif) optional, short vowels anywhere, a final h optional."""
    parts = ["[aeiouy]*" if ch in "aeiou" else _LONG_VOWELS.get(ch, re.escape(ch) + "+") for ch in token]
    return re.compile("^[aeiou]*" + "[aeiou]*".join(parts) + "[aeiou]*h?$")


def _joined_similarity(q: Sequence[str], r: Sequence[str], abjad: bool) -> float:
    jq = "".join(q)
    best = 0.0
    for order in (r, tuple(reversed(r))):
        jr = "".join(order)
        if abjad:
            best = max(best, Levenshtein.normalized_similarity(skeleton(jq), skeleton(jr)))
        best = max(best, Levenshtein.normalized_similarity(fold(jq), fold(jr)))
    return best


def align(
    qt: Sequence[str],
    qw: Sequence[float],
    rt: Sequence[str],
    rw: Sequence[float],
    abjad: bool,
    cross: bool = False,
    project: str = "",
    *,
    person: bool = True,
) -> tuple[float, str, list[tuple[int, int, float, str]]]:
    """The name score of query tokens ``qt`` (weights ``qw``) against candidate tokens ``rt`` (``rw``):
    (score, method, [(query index, candidate index, similarity, how)]). With ``project`` (``query`` or
    ``candidate``: that side was read from kana or Hangul, the other is Latin) the two are also compared
    as Japanese or Korean hear them (``projection``). ``person``: the names may be people's (a query part
    between two paired parts is then a middle name; in a company's name it is a word of its own)."""
    if project:
        return _align_projected(qt, qw, rt, rw, abjad, cross, project, person)
    pairs, used_q, used_r, num, den = _pair_tokens(qt, qw, rt, rw, abjad)
    left_q = sum(w for w, used in zip(qw, used_q, strict=True) if not used)
    left_r = sum(w for w, used in zip(rw, used_r, strict=True) if not used)
    middle = _middle_weight(qt, qw, used_q, used_r, pairs) if person else 0.0
    den += UNMATCHED_QUERY * (left_q - middle) + UNMATCHED_MIDDLE * middle + UNMATCHED_CANDIDATE * left_r
    score = num / den if den else 0.0
    method = "tokens"
    # (only when a space was lost or added: equal token counts are compared token by token)
    if (left_q or left_r) and (len(qt) != len(rt) or abjad):
        score, method = _joined_fallback(qt, rt, abjad, cross, score, method)
    if cross and score < CROSS_CAP:
        broad = CROSS_CAP * _broad_similarity(qt, rt)
        if broad > score:
            score, method = broad, "sound-classes"
    if _chain_reversed(qt, rt, pairs):
        score, method = score * CHAIN_REVERSED, method + ", chain reversed"
    return round(score, 6), method, pairs


def _middle_weight(
    qt: Sequence[str],
    qw: Sequence[float],
    used_q: list[bool],
    used_r: list[bool],
    pairs: list[tuple[int, int, float, str]],
) -> float:
    """The weight of the query's middle names: parts (not particles) between two paired parts, when every
    part of the list's name pairs and in the same order (a middle name or patronymic the list leaves
    out; a part the list has of its own instead is a difference, and so is another order: Kang Ji Min is
    not Min Kang)."""
    if not pairs or not all(used_r):
        return 0.0
    order = [j for _, j, _, _ in sorted(pairs)]
    if order != sorted(order):
        return 0.0
    first, last = min(p[0] for p in pairs), max(p[0] for p in pairs)
    return sum(qw[i] for i in range(first + 1, last) if not used_q[i] and qt[i] not in PARTICLES)


CHAIN_REVERSED = 0.8
# "son of" / "daughter of" in an Arabic naming chain (as read from Arabic script too: bn, bnt, wld)
_CHAIN = frozenset({"bin", "ibn", "bint", "binti", "bn", "abn", "bnt", "ould", "wld"})


def _chain_reversed(qt: Sequence[str], rt: Sequence[str], pairs: list[tuple[int, int, float, str]]) -> bool:
    """Whether a link of a naming chain is read the other way round (ALI BIN OMAR against OMAR BIN ALI:
    father and son): the names either side of a connector in the query pair with names that stand in
    the opposite order in the candidate, which has a connector too."""
    if not _CHAIN.intersection(qt) or not _CHAIN.intersection(rt):
        return False
    to_r = {i: j for i, j, _, _ in pairs}
    for k in range(1, len(qt) - 1):
        if qt[k] in _CHAIN and k - 1 in to_r and k + 1 in to_r and to_r[k - 1] > to_r[k + 1]:
            return True
    return False


def _align_projected(
    qt: Sequence[str],
    qw: Sequence[float],
    rt: Sequence[str],
    rw: Sequence[float],
    abjad: bool,
    cross: bool,
    project: str,
    person: bool,
) -> tuple[float, str, list[tuple[int, int, float, str]]]:
    best = align(qt, qw, rt, rw, abjad, cross, person=person)
    for old in (False, True) if project.startswith("kana-") else (False,):
        pq, pr = projection(qt, rt, project, old=old)
        projected = align(pq, qw, pr, rw, abjad, person=person)
        if PROJECTED_DISCOUNT * projected[0] > best[0]:
            best = (round(PROJECTED_DISCOUNT * projected[0], 6), "projected", projected[2])
    return best


def _pair_tokens(
    qt: Sequence[str], qw: Sequence[float], rt: Sequence[str], rw: Sequence[float], abjad: bool
) -> tuple[list[tuple[int, int, float, str]], list[bool], list[bool], float, float]:
    """Greedy pairing, most similar first: (pairs, used query parts, used candidate parts, weighted
    similarity, weight)."""
    cands: list[tuple[float, int, int, str]] = []
    for i, a in enumerate(qt):
        for j, b in enumerate(rt):
            sim, how = token_similarity(a, b, abjad)
            if sim >= PAIR_MIN:
                cands.append((sim, i, j, how))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_q = [False] * len(qt)
    used_r = [False] * len(rt)
    pairs: list[tuple[int, int, float, str]] = []
    num = den = 0.0
    for sim, i, j, how in cands:
        if used_q[i] or used_r[j]:
            continue
        used_q[i] = used_r[j] = True
        w = (qw[i] + rw[j]) / 2
        num += w * sim
        den += w
        pairs.append((i, j, sim, how))
    residual = _residual(qt, rt, pairs, used_q, used_r, abjad)
    if residual is not None:
        i, j, sim, how = residual
        used_q[i] = used_r[j] = True
        w = (qw[i] + rw[j]) / 2
        num += w * sim
        den += w
        pairs.append(residual)
    return pairs, used_q, used_r, num, den


TYPO = 0.85


def _residual(
    qt: Sequence[str],
    rt: Sequence[str],
    pairs: list[tuple[int, int, float, str]],
    used_q: list[bool],
    used_r: list[bool],
    abjad: bool,
) -> tuple[int, int, float, str] | None:
    """The one part left on each side, paired when the rest explains it:

    - of a name whose other two or more parts pair (LOTEZ OSPINA, Carlos Antonio): one part misspelt,
      counted at its similarity rather than as two unexplained parts;
    - of a two-part name whose other part is exact, when the two differ by one substituted letter, not
      the first, in five letters or more (Lavrov/Lavrob, Naman/Napan: a typo in a form), at 0.85. Any
      other difference says too little beside one matching part: Li Min is not Li Myint."""
    if used_q.count(False) != 1 or used_r.count(False) != 1:
        return None
    i, j = used_q.index(False), used_r.index(False)
    sim, _ = token_similarity(qt[i], rt[j], abjad)
    if len(pairs) >= 2 and sim >= (RESIDUAL_MIN_ABJAD if abjad else RESIDUAL_MIN):  # (numbers: 0)
        return i, j, sim, "residual"
    a, b = qt[i], rt[j]
    if (
        len(pairs) == 1
        and pairs[0][2] == 1.0
        and len(a) == len(b) >= 5
        and a[0] == b[0]
        and a.isalpha()
        and b.isalpha()
        and sum(x != y for x, y in zip(a, b, strict=True)) == 1
    ):
        return i, j, max(sim, TYPO), "typo"
    return None


def _joined_fallback(
    qt: Sequence[str], rt: Sequence[str], abjad: bool, cross: bool, score: float, method: str
) -> tuple[float, str]:
    """The names compared joined up, when a space was lost or added (or an abjad's skeletons)."""
    lq = sum(map(len, qt))
    lr = sum(map(len, rt))
    # unless the joined score cannot win (abjad skeletons are compared whatever the lengths)
    if abjad or JOINED_DISCOUNT * min(lq, lr) / max(lq, lr) > score:
        joined = JOINED_DISCOUNT * _joined_similarity(qt, rt, abjad)
        if abjad and cross:  # joined consonants of Hebrew or Thai: as coarse as sound classes
            joined = min(joined, CROSS_CAP)
        if joined > score:
            return joined, "joined"
    return score, method


def _broad_similarity(q: Sequence[str], r: Sequence[str]) -> float:
    """Sound-class skeletons of the joined names, compared when long enough to be specific (coarse
    classes make short skeletons collide: Chinese or Arabic two-part names would meet strangers)."""
    bq = broad_skeleton("".join(q))
    if len(bq) < BROAD_MIN:
        return 0.0
    best = 0.0
    for order in (r, tuple(reversed(r))):
        br = broad_skeleton("".join(order))
        if len(br) >= BROAD_MIN:
            best = max(best, Levenshtein.normalized_similarity(bq, br))
    return best if best >= 0.85 else 0.0


# Japanese and Korean have no l/r, v/b, f/p (Korean), z/j (Korean) or th distinctions: written in kana or
# Hangul, Donald Trump and Vladimir are heard as donarudo toranpu and beulladimireu. Projected, both sides
# lose the distinctions those scripts cannot write.
PROJECTED_DISCOUNT = 0.97
_PROJECTION = str.maketrans("lvfz", "rbpj")


def _c_as_s_or_k(token: str, soft: str) -> str:
    """c as s before the letters in ``soft`` (``[ei]``) and k elsewhere; ch stays ch."""
    t = re.sub(f"c(?={soft})", "s", token)
    return t.replace("ch", "\0").replace("c", "k").replace("\0", "ch")


@lru_cache(maxsize=1 << 16)
def _project(token: str) -> str:
    t = fold(token).replace("th", "s")
    t = _c_as_s_or_k(t, "[ei]")
    return t.translate(_PROJECTION)


_VOWEL = frozenset("aeiou")
# ti di as chi ji: the older katakana spelling (プーチン Putin), beside the newer ティ ディ (カディロフ)
_KANA_OLD = {"si": "shi", "ti": "chi", "tu": "tsu", "hu": "fu", "zi": "ji", "di": "ji", "du": "zu"}
_KANA_NEW = {"si": "shi", "tu": "tsu", "hu": "fu", "zi": "ji", "du": "zu"}


@lru_cache(maxsize=1 << 16)
def _japanise(token: str, old: bool = False) -> str:
    """A Latin name as Japanese writes it in katakana, read back (Hepburn): l r, v b (a final v f), a vowel
    after every consonant not before one (o after t and d), si shi, h before a consonant silent, mm nm ...
    ``donald`` → ``donarudo``, ``trump`` → ``toranpu``, ``smith`` → ``sumisu``, ``kadyrov`` →
    ``kadirofu``; with ``old``, ti and di as chi and ji (``putin`` → ``puchin``). Compared with the
    reading of a name in kana."""
    row = _KANA_OLD if old else _KANA_NEW
    t = token.replace("ph", "f").replace("th", "s").replace("ck", "k").replace("x", "ks").replace("q", "k")
    t = t.replace("kh", "k").replace("dzh", "j").replace("sch", "sh").replace("mm", "nm")
    t = _c_as_s_or_k(t, "[eiy]")
    t = re.sub("v$", "f", t).replace("l", "r").replace("v", "b").replace("w", "u")
    t = re.sub("y(?![aeiou])", "i", _DOUBLE.sub(r"\1", t))
    t = re.sub("(?<![cs])h(?![aeiou])", "", t)
    out: list[str] = []
    i = 0
    while i < len(t):
        ch = t[i]
        if ch in _VOWEL:
            out.append(ch)
            i += 1
            continue
        cons = t[i : i + 2] if t[i : i + 2] in ("sh", "ch") else ch
        i += len(cons)
        nxt = t[i] if i < len(t) else ""
        if nxt in _VOWEL:
            out.append(row.get(cons + nxt, cons + nxt))
            i += 1
        elif cons == "n" or (cons == "m" and nxt in ("b", "p")):
            out.append("n")  # ン
        elif cons in ("t", "d"):
            out.append(cons + "o")
        elif cons in ("sh", "ch", "j"):
            out.append(cons + "i")
        else:
            out.append(row.get(cons + "u", cons + "u"))
    return "".join(out)


@lru_cache(maxsize=1 << 16)
def _russify(token: str) -> str:
    """A Latin (mostly English) name as Russian writes it in Cyrillic, read back by BGN/PCGN: j and a soft
    g dzh, w u, an initial h kh, c s or k, a final silent e dropped: ``george`` → ``dzhordzh``, ``joe`` →
    ``dzho``, ``william`` → ``uiliam``, ``hillary`` → ``khilari``. Compared with a name read from
    Cyrillic (Джордж Буш)."""
    t = token.replace("ph", "f").replace("th", "t").replace("ck", "k").replace("x", "ks").replace("qu", "kv")
    t = re.sub("g(?=[eiy])", "dzh", t).replace("j", "dzh")
    t = re.sub("dzhe(?=[aou])", "dzh", t)  # George, Georgina: the e only softens the g
    t = _c_as_s_or_k(t, "[eiy]")
    t = re.sub("^h", "kh", t).replace("w", "u").replace("oo", "u").replace("ee", "i")
    t = re.sub("(?<=[aeiou])h(?![aeiou])", "", t)  # John
    t = re.sub("(?<=[bdfghklmnprstvz])e$", "", t)  # a final silent e (George, Mike)
    t = re.sub("oe$", "o", t)
    return _DOUBLE.sub(r"\1", t)


def projection(
    qt: Sequence[str], rt: Sequence[str], side: str, *, old: bool = False
) -> tuple[list[str], list[str]]:
    """Tokens of both sides as the script of ``side`` (``query``/``candidate`` read from kana: ``kana-``
    prefixed; from Cyrillic: ``cyrl-``; from Hangul: the rest) hears them: a Latin side japanised against
    kana (``old``: the older katakana spellings) or russified against Cyrillic, both sides with l/r, v/b,
    f/p, z/j merged against Hangul."""
    if side == "kana-candidate":
        return [_japanise(t, old) for t in qt], list(rt)
    if side == "kana-query":
        return list(qt), [_japanise(t, old) for t in rt]
    if side == "cyrl-candidate":
        return [_russify(t) for t in qt], list(rt)
    if side == "cyrl-query":
        return list(qt), [_russify(t) for t in rt]
    return [_project(t) for t in qt], [_project(t) for t in rt]


def needs_projection(q: NameForm, r: NameForm) -> str:
    """Whether one form was read from kana, Hangul or Cyrillic and the other is Latin: how to project them
    (see ``projection``), else ''."""
    if q.script in _LATIN and r.script in _LATIN:
        return ""
    for form, side in ((q, "query"), (r, "candidate")):
        other = r if form is q else q
        if form.script in _PROJECTED_SCRIPTS and other.script in _LATIN:
            return _PROJECTED_SCRIPTS[form.script] + side
    return ""


_PROJECTED_SCRIPTS = {"Jpan": "kana-", "Hang": "", "Cyrl": "cyrl-"}
_LATIN = frozenset({"Latn", "Zyyy"})


def is_cross_script(q: NameForm, r: NameForm) -> bool:
    """Whether one form comes from a script whose readings lose Latin sounds (Hangul, kana, Hebrew, Thai,
    Devanagari, Greek) and the other does not share it: there sound classes are compared too."""
    return q.script != r.script and (q.script in _SOUND_LOSSY or r.script in _SOUND_LOSSY)


_SOUND_LOSSY = frozenset({"Hang", "Jpan", "Hebr", "Thai", "Deva", "Grek"})
BROAD_MIN = 6


def explain(
    qt: Sequence[str], rt: Sequence[str], score: float, method: str, pairs: list[tuple[int, int, float, str]]
) -> NameComparison:
    """The readable form of an ``align`` result."""
    used_q = {p[0] for p in pairs}
    used_r = {p[1] for p in pairs}
    return NameComparison(
        score,
        method,
        tuple(TokenPair(qt[i], rt[j], sim, how) for i, j, sim, how in pairs),
        tuple(t for i, t in enumerate(qt) if i not in used_q),
        tuple(t for j, t in enumerate(rt) if j not in used_r),
    )


def compare_forms(
    q: NameForm,
    r: NameForm,
    weight: Callable[[str], float] = default_weight,
    *,
    person: bool = True,
) -> NameComparison:
    """Compare a query form with a candidate form (the matcher is asymmetric, see the module doc)."""
    qw = [weight(t) for t in q.tokens]
    rw = [weight(t) for t in r.tokens]
    score, method, pairs = align(
        q.tokens,
        qw,
        r.tokens,
        rw,
        q.abjad or r.abjad,
        is_cross_script(q, r),
        needs_projection(q, r),
        person=person and not (q.legal_forms or r.legal_forms),
    )
    return explain(q.tokens, r.tokens, score, method, pairs)


def _best_forms(
    query: Sequence[NameForm], candidate: Sequence[NameForm], kind: str | None
) -> tuple[float, NameForm, NameForm] | None:
    """The best-scoring (name score, query form, candidate form), None when a side has no form."""
    best: tuple[float, NameForm, NameForm] | None = None
    for q in query:
        for r in candidate:
            c = compare_forms(q, r, person=kind != "organisation")
            if best is None or c.score > best[0]:
                best = (c.score, q, r)
    return best


def score_names(a: str, b: str, kind: str | None = None) -> float:
    """Score two names against each other directly, in any scripts: 1.0 for the same name, 0.0 for
    nothing in common. ``a`` is the query side (see the module doc for the asymmetry)."""
    best = _best_forms(name_forms(a, kind), name_forms(b, kind), kind)
    return 0.0 if best is None else best[0]


def pair_score(a: str, b: str, kind: str | None = None) -> tuple[float, float]:
    """(name score, the score a listed entity named ``b`` would get for the query ``a`` with no other
    evidence: 0.9 × name score, plus or minus what the legal forms and qualifiers say). The second
    decides an alert."""
    qf, rf = name_forms(a, kind), name_forms(b, kind)
    best = _best_forms(qf, rf, kind)
    if best is None:
        return 0.0, 0.0
    if kind != "person":
        acronym = acronym_match(a, qf, b, rf)
        if acronym is not None and acronym[0] > best[0]:
            best = acronym
    name, q, r = best
    factors = form_factors(q, r)
    # the score column carries what the forms say against the pair too, so that it ranks branches and
    # companies of other legal forms below the names they share
    against = sum(f.delta for f in factors if f.delta < 0) / NAME_BASE
    return round(max(0.0, name + against), 6), combine(name, 1.0, factors)


ACRONYM = 0.93
_ACRONYM_TEXT = re.compile(r"^(?:[A-Z]\.?){2,6}$")
# Acronyms of the native name that lists give in English (FSB: Federalnaya Sluzhba Bezopasnosti)
_NATIVE_ACRONYMS = {
    "fsb": "federal security service",
    "fso": "federal protective service",
    "svr": "foreign intelligence service",
    "gru": "main intelligence directorate",
    "gu": "main directorate",
    "mvd": "ministry of internal affairs",
    "kgb": "committee for state security",
    "mgb": "ministry of state security",
    "vks": "aerospace forces",
}


def acronym_of(text: str) -> str:
    """The letters of a name written as an acronym in capitals (FSB, F.S.B.), lower case; else ''."""
    if not _ACRONYM_TEXT.match(text.replace(" ", "")):
        return ""
    return "".join(text.replace(".", "").split()).lower()


def acronyms(form: NameForm) -> set[str]:
    """The acronyms that stand for a form of two words or more: the initials of its words (particles such
    as of and the aside), a legal form's initials before or after them (IASC: Iran Alloy Steel Company),
    and a native name's acronym given in English (FSB: Federal Security Service)."""
    words_ = [t for t in form.tokens if t not in PARTICLES]
    if len(words_) < 2:
        return set()
    initials = "".join(t[0] for t in words_)
    legal = "".join(w[0] for f in form.legal_forms for w in f.split())
    out = {initials, legal + initials, initials + legal}
    out.update(acr for acr, native in _NATIVE_ACRONYMS.items() if native == form.text)
    return out


def acronym_match(
    a: str, qf: Sequence[NameForm], b: str, rf: Sequence[NameForm]
) -> tuple[float, NameForm, NameForm] | None:
    """(0.93, query form, listed form) when one name is an acronym of the other (``acronym_of``,
    ``acronyms``); for organisations and names of unknown kind. Else None."""
    for text, acr_forms, other_forms, query_side in ((a, qf, rf, True), (b, rf, qf, False)):
        letters = acronym_of(text)
        other = next((f for f in other_forms if letters and letters in acronyms(f)), None)
        if other is not None:
            acr = next(iter(acr_forms), other)
            return (ACRONYM, acr, other) if query_side else (ACRONYM, other, acr)
    return None


# --- evidence beside the name ------------------------------------------------------------------------------

_FACTORS = {
    "dob_exact": 0.06,  # the same day
    "dob_year": 0.03,  # the same year (or the query's date inside a published range)
    "dob_near": 0.0,  # within a year of a year-only or circa date: neither for nor against
    "dob_day_mismatch": -0.06,  # same year, different day
    "dob_disjoint": -0.15,  # more than a year apart
    "nationality_match": 0.03,
    "nationality_mismatch": -0.08,
    "country_match": 0.02,
    "gender_mismatch": -0.10,
    "kind_mismatch": -0.10,  # a person against an organisation
    "document_match": 0.30,  # an identity document number published for the entity
    # the query and the matched listed name carry a legal form of one class (OOO / LLC): weak, as a
    # country is, but it ranks NEVSKIY NEWS LLC above NEVSKIY PROSPECT for "Nevskiy LLC"
    "legal_form_match": 0.02,
    # one carries the legal form of a company limited by shares (AG, JSC, SA, PLC), the other of one with
    # limited liability (GmbH, LLC, OOO, SARL), and neither both: an AG is not a GmbH
    "legal_form_conflict": -0.12,
    # both carry a bracketed qualifier, and they differ (VTB Bank (Europe), VTB Bank (Armenia)): branches
    "qualifier_differs": -0.15,
}
# Legal-form classes by the kind of company: limited by shares, or with limited liability. Other classes
# (Ltd, Inc, Co, the Mexican and Gulf families, words of a form left over) are used loosely: no conflict.
_LEGAL_KINDS = {"jsc": "shares", "sa": "shares", "plc": "shares", "llc": "limited", "gmbh": "limited"}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_dob(text: str) -> tuple[date, date, str]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` → (first day, last day, precision). Raises ValueError."""
    m = _DATE.match(text.strip())
    if not m:
        raise ValueError(f"date of birth {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    y = int(m.group(1))
    if m.group(3):
        d = date(y, int(m.group(2)), int(m.group(3)))
        return d, d, "day"
    if m.group(2):
        mo = int(m.group(2))
        start = date(y, mo, 1)
        end = date(y + (mo == 12), mo % 12 + 1, 1)
        return start, date.fromordinal(end.toordinal() - 1), "month"
    return date(y, 1, 1), date(y, 12, 31), "year"


def _dob_factor(dob: str, published: Sequence[BirthDate]) -> Factor | None:
    if not published:
        return None
    start, end, precision = parse_dob(dob)
    best: Factor | None = None
    order = ["dob_exact", "dob_year", "dob_near", "dob_day_mismatch", "dob_disjoint"]
    for bd in published:
        if precision == "day" and bd.precision.value == "day" and bd.start == start:
            f = Factor("dob_exact", _FACTORS["dob_exact"], bd.text or bd.start.isoformat())
        elif start <= bd.end and bd.start <= end:
            f = Factor("dob_year", _FACTORS["dob_year"], bd.text or f"{bd.start}..{bd.end}")
        elif bd.start.year <= start.year <= bd.end.year:
            f = Factor("dob_day_mismatch", _FACTORS["dob_day_mismatch"], bd.text or bd.start.isoformat())
        elif (bd.circa or bd.precision.value == "year") and (
            bd.start.year - 1 <= start.year <= bd.end.year + 1
        ):
            f = Factor("dob_near", _FACTORS["dob_near"], bd.text or f"{bd.start.year}")
        elif abs(start.year - bd.start.year) <= 1 or abs(start.year - bd.end.year) <= 1:
            f = Factor("dob_day_mismatch", _FACTORS["dob_day_mismatch"], bd.text or bd.start.isoformat())
        else:
            f = Factor("dob_disjoint", _FACTORS["dob_disjoint"], bd.text or bd.start.isoformat())
        if best is None or order.index(f.name) < order.index(best.name):
            best = f
    return best


def _norm_doc(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper())


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a query says about the person or organisation beside the name."""

    dob: str | None = None
    nationalities: tuple[str, ...] = ()
    country: str | None = None
    gender: str | None = None
    kind: str | None = None
    documents: tuple[str, ...] = field(default_factory=tuple)


def evidence_factors(ev: Evidence, entity: ListEntity) -> list[Factor]:
    factors: list[Factor] = []
    if ev.dob and entity.birth_dates:
        f = _dob_factor(ev.dob, entity.birth_dates)
        if f:
            factors.append(f)
    nats = set(entity.nationalities) | set(entity.citizenships)
    if ev.nationalities and nats:
        factors.append(_nationality_factor(ev.nationalities, nats))
    if ev.country:
        cc = ev.country.upper()
        countries = {a.country for a in entity.addresses if a.country} | nats
        if cc in countries:
            factors.append(Factor("country_match", _FACTORS["country_match"], cc))
    if ev.gender and entity.gender and ev.gender.lower() != entity.gender.lower():
        factors.append(
            Factor("gender_mismatch", _FACTORS["gender_mismatch"], f"{ev.gender.lower()} vs {entity.gender}")
        )
    if ev.kind:
        person_q = ev.kind == "person"
        person_e = entity.kind is EntityKind.PERSON
        if entity.kind is not EntityKind.UNKNOWN and person_q != person_e:
            factors.append(Factor("kind_mismatch", _FACTORS["kind_mismatch"], f"{ev.kind} vs {entity.kind}"))
    if ev.documents and entity.documents:
        doc_factor = _document_factor(ev.documents, entity)
        if doc_factor is not None:
            factors.append(doc_factor)
    return factors


def _nationality_factor(given: Sequence[str], nats: set[str]) -> Factor:
    shared = sorted(set(given) & nats)
    if shared:
        return Factor("nationality_match", _FACTORS["nationality_match"], ",".join(shared))
    listed = sorted(nats)
    return Factor(
        "nationality_mismatch", _FACTORS["nationality_mismatch"], f"{','.join(given)} not in {listed}"
    )


def _document_factor(documents: Sequence[str], entity: ListEntity) -> Factor | None:
    published = {_norm_doc(d.number): d for d in entity.documents if not d.known_false}
    for number in documents:
        doc = published.get(_norm_doc(number))
        if doc is not None and len(_norm_doc(number)) >= 5:
            return Factor("document_match", _FACTORS["document_match"], f"{doc.type} {doc.number}")
    return None


def form_factors(query: NameForm, listed: NameForm) -> tuple[Factor, ...]:
    """What the forms say beside their tokens: legal forms of one class (``legal_form_match``) or of two
    kinds of company (``legal_form_conflict``), and bracketed qualifiers that differ
    (``qualifier_differs``)."""
    out: tuple[Factor, ...] = ()
    if query.legal_forms and listed.legal_forms:
        theirs = {legal_form_class(f): f for f in listed.legal_forms}
        ours = {legal_form_class(f): f for f in query.legal_forms}
        agree = next((c for c in ours if c in theirs), None)
        kinds_ours = {_LEGAL_KINDS[c] for c in ours if c in _LEGAL_KINDS}
        kinds_theirs = {_LEGAL_KINDS[c] for c in theirs if c in _LEGAL_KINDS}
        if kinds_ours and kinds_theirs and not kinds_ours & kinds_theirs:
            detail = f"{'/'.join(query.legal_forms)} ≠ {'/'.join(listed.legal_forms)}"
            out += (Factor("legal_form_conflict", _FACTORS["legal_form_conflict"], detail),)
        elif agree is not None:
            detail = f"{ours[agree]} ~ {theirs[agree]}"
            out += (Factor("legal_form_match", _FACTORS["legal_form_match"], detail),)
    if query.qualifier and listed.qualifier and _qualifiers_differ(query.qualifier, listed.qualifier):
        detail = f"({query.qualifier}) ≠ ({listed.qualifier})"
        out += (Factor("qualifier_differs", _FACTORS["qualifier_differs"], detail),)
    return out


def _qualifiers_differ(a: str, b: str) -> bool:
    """Whether two bracketed qualifiers name different things: neither's words all found in the other."""
    fa, fb = {fold(t) for t in a.split()}, {fold(t) for t in b.split()}
    return not (fa <= fb or fb <= fa)


def evidence_ceiling(ev: Evidence) -> float:
    """The most the factors can add to a name's score for this query: each positive factor its evidence
    can earn (a date of birth, nationalities, a country, documents), and a legal form's. A listed name
    whose ``NAME_BASE * name score * quality`` plus this is below a floor cannot reach the floor."""
    lifts = [
        (ev.dob, max(_FACTORS["dob_exact"], _FACTORS["dob_year"], _FACTORS["dob_near"])),  # one of them
        (ev.nationalities, _FACTORS["nationality_match"]),
        (ev.country, _FACTORS["country_match"]),
        (ev.documents, _FACTORS["document_match"]),
        (True, _FACTORS["legal_form_match"]),  # (from the forms, whatever the evidence)
    ]
    return sum(delta for given, delta in lifts if given)


def combine(name_score: float, quality: float, factors: Sequence[Factor]) -> float:
    score = NAME_BASE * name_score * quality + sum(f.delta for f in factors)
    return round(min(1.0, max(0.0, score)), 6)
