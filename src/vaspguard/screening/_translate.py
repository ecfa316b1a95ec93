# ruff: noqa: RUF001  # Arabic words are this module's subject matter
"""The common words of organisation names in Arabic and Persian script, and in Russian, in English.

The lists write an organisation named in Arabic by translating it (الجماعة التونسية المقاتلة is TUNISIAN
COMBATANT GROUP, شبكة محمد جمال is MUHAMMAD JAMAL NETWORK), not only by transliterating it. Translating
the words that say what kind of body it is (group, movement, network, office, front...) and the places and
adjectives that qualify it (Tunisian, Islamic, Levant...) gives the name a form that can meet the English
one; the other words (names of people and places the lists transliterate) are left for the transliterator.

Only names that carry one of the ``_MARKERS`` (what makes a name an organisation's) or two words of the
vocabulary are translated, and never a name given as a person's: جمال is a name, Jamal, not "beauty", and
المصري in a person's name is the family name Al-Masri. A word with two usual translations (المقاتلة:
fighting, combatant) gives a second text.
"""

from __future__ import annotations

import re

__all__ = ["translate_organisation", "translate_russian"]

# word (without the article, hamza forms as bare alif, ta marbuta as heh) -> English, alternatives "|".
# "" drops the word (بلاد in "the Islamic Maghreb", written "bilad al-maghrib").
_TERMS_TEXT = """
جماعه group|jamaat; مجموعه group; حركه movement; تنظيم organization; منظمه organization; شبكه network;
مكتب office; شركه company; شرکت company; موسسه foundation|establishment; جمعيه society|association;
جبهه front; كتيبه battalion|katibat; كتائب brigades; لواء brigade; مجلس council; دوله state; جيش army;
حزب party; اتحاد union; هيئه authority|commission; بنك bank; مصرف bank; صرافه exchange; صرافي exchange;
مركز center; معهد institute; جامعه university; مصنع factory; مجمع complex; وكاله agency; وزاره ministry;
صندوق fund; مستشفي hospital; مدرسه school; اذاعه radio; قناه channel; جريده newspaper; لجنه committee;
خيريه charitable|charity; اسلاميه islamic; اسلامي islamic; عربيه arab|arabian; عربي arab;
عرب arab|arabian; دوليه international; دولي international; عامه general; وطنيه national; وطني national;
تجاريه trading|commercial; تجاره trading; محدوده limited; متحده united; مقاتله fighting|combatant;
مسلحه armed; ثوريه revolutionary; شعبيه popular; انصار ansar|supporters; شباب shabaab|youth;
مصري egyptian; مصريه egyptian; مصر egypt; تونسي tunisian; تونسيه tunisian; تونس tunisia; ليبي libyan;
ليبيه libyan; ليبيا libya; مغربي moroccan; مغربيه moroccan; مغرب maghreb|morocco; جزائري algerian;
جزائريه algerian; جزائر algeria; عراق iraq; عراقي iraqi; عراقيه iraqi; شام levant|sham; سوريا syria;
سوري syrian; سوريه syrian; يمن yemen; يمني yemeni; يمنيه yemeni; لبنان lebanon; لبناني lebanese;
لبنانيه lebanese; فلسطين palestine; فلسطيني palestinian; فلسطينيه palestinian; صومال somalia;
سودان sudan; افغانستان afghanistan; باكستان pakistan; ايران iran; ايراني iranian; ايرانيه iranian;
افريقيا africa; سعوديه saudi; كويت kuwait; قطر qatar; اردن jordan; خليج gulf; جزيره peninsula|island;
غرب west; شرق east; شمال north; جنوب south; بلاد ; في in; من of
"""
_TERMS: dict[str, tuple[str, ...]] = {}
for _entry in _TERMS_TEXT.replace("\n", " ").split(";"):
    if _entry.strip():
        _word, _, _english = _entry.strip().partition(" ")
        _TERMS[_word] = tuple(_english.split("|")) if _english else ("",)

_MARKERS = frozenset(
    """جماعه مجموعه حركه تنظيم منظمه شبكه مكتب شركه شرکت موسسه جمعيه جبهه كتيبه كتائب مجلس دوله جيش حزب
    اتحاد هيئه بنك مصرف صرافه مركز معهد جامعه مصنع وكاله وزاره صندوق لجنه""".split()  # noqa: SIM905
)

# Hamza seats as bare alif, alif maqsura as yeh, ta marbuta as heh, Persian yeh and kaf as Arabic; tatweel
# and vowel marks dropped.
_SPELLING = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك",
     "ـ": None}
)  # fmt: skip
_MARKS = re.compile("[\u064b-\u065f\u0670]")
# Clitics written joined to the word: wa- (and), bi- (in), li- (for), ka- (as), fa-, then the article.
_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل")


def _lookup(word: str) -> tuple[str, ...] | None:
    w = _MARKS.sub("", word.translate(_SPELLING))
    if w in _TERMS:
        return _TERMS[w]
    for prefix in _PREFIXES:
        if w.startswith(prefix) and len(w) - len(prefix) >= 2 and w[len(prefix) :] in _TERMS:
            return _TERMS[w[len(prefix) :]]
    return None


def _is_marker(word: str) -> bool:
    w = _MARKS.sub("", word.translate(_SPELLING))
    return w in _MARKERS or any(
        w.startswith(p) and w[len(p) :] in _MARKERS for p in _PREFIXES if len(w) - len(p) >= 2
    )


def translate_organisation(text: str) -> tuple[str, ...]:
    """``text`` (a name in Arabic script) with its common words in English: every word's first translation,
    then, for each word with two, a text with that word's second (at most three texts in all); () when the
    name has neither a word that marks an organisation nor two words to translate, or one with في (in):
    a person's name."""
    words = text.split()
    found = [_lookup(w) for w in words]
    translatable = {t[0] for t in found if t is not None and t[0] not in ("", "in", "of")}
    phrased = any(f is not None and f[0] == "in" for f in found)  # "X in Y" names a body, not a person
    if not any(_is_marker(w) for w in words) and len(translatable) < (1 if phrased else 2):
        return ()
    first = [w if t is None else t[0] for w, t in zip(words, found, strict=True)]
    texts = [first]
    for i, t in enumerate(found):
        if t is not None and len(t) > 1 and len(texts) < 3:
            texts.append([*first[:i], t[1], *first[i + 1 :]])
    return tuple(dict.fromkeys(" ".join(p for p in parts if p) for parts in texts if any(parts)))


# --- Russian ------------------------------------------------------------------------------------------------

# Word stems of Russian organisation names as BGN/PCGN transliterates them, and their English: the lists
# name ФЕДЕРАЛЬНАЯ СЛУЖБА БЕЗОПАСНОСТИ as FEDERAL SECURITY SERVICE and ПАО СБЕРБАНК РОССИИ as SBERBANK OF
# RUSSIA. A stem matches a word it begins that is at most four letters longer (the case endings).
_RUSSIAN_TEXT = """
federaln federal; sluzhb service; bezopasnost security; ministerstv ministry; oboron defense;
rossiysk russian; rossii russia; rossiya russia; federatsi federation; gosudarstvenn state;
korporatsi corporation; kontsern concern; obyedinenn united; aviastroiteln aircraft;
sudostroiteln shipbuilding; mashinostroiteln machine_building; priborostroiteln instrument_making;
zavod plant; kombinat plant; predpriyati enterprise; unitarn unitary; nauchn scientific;
issledovatelsk research; proizvodstvenn production; konstruktorsk design; byuro bureau; institut institute;
tsentraln central; tsentr center; upravleni directorate; departament department; agentstv agency;
komitet committee; sovet council; investitsionn investment; kompaniya company; kompanii company;
gruppa group; gruppy group; kholding holding; natsionaln national; mezhdunarodn international;
torgov trading; neftyan oil; gazov gas; energetichesk energy; elektronn electronic; sistem systems;
tekhnologi technologies; voyenn military; glavn main; razvedyvateln intelligence; generaln general;
shtab staff; armiya army; armii army; flot fleet; voysk troops; vnutrennikh internal; inostrannykh foreign;
svyaz communications; transportn transport; morsk maritime; universitet university; akademiya academy;
akademii academy; fond fund; obshchestvenn public; partiya party; bank bank; birzh exchange;
"""
_RUSSIAN: list[tuple[str, tuple[str, ...]]] = sorted(
    (
        (stem, tuple(english.replace("_", " ").split()))
        for stem, english in (e.split() for e in _RUSSIAN_TEXT.replace("\n", " ").split(";") if e.strip())
    ),
    key=lambda item: -len(item[0]),
)
_RUSSIAN_MARKERS = frozenset(
    """sluzhb ministerstv korporatsi kontsern zavod kombinat predpriyati byuro institut upravleni departament
    agentstv komitet kompaniya kompanii gruppa gruppy kholding fond partiya birzh""".split()  # noqa: SIM905
)


def _russian_word(token: str) -> tuple[tuple[str, ...], str] | None:
    """(English words, the stem) for a transliterated Russian word of the vocabulary, else None."""
    for stem, english in _RUSSIAN:
        if token.startswith(stem) and len(token) - len(stem) <= 4:
            return english, stem
    return None


def translate_russian(tokens: tuple[str, ...], *, organisation: bool = False) -> tuple[str, ...] | None:
    """Tokens of an organisation's name transliterated from Russian with its common words in English
    (``federalnaya sluzhba bezopasnosti`` → ``federal service security``); None when the name has no word
    of the vocabulary, or only one and nothing else says it is an organisation's (a word that marks one,
    or ``organisation``: the kind given, or a legal form found)."""
    found = [_russian_word(t) for t in tokens]
    stems = {f[1] for f in found if f is not None}
    if not stems or (not stems & _RUSSIAN_MARKERS and not organisation and len(stems) < 2):
        return None
    out: list[str] = []
    for token, f in zip(tokens, found, strict=True):
        out.extend(f[0] if f is not None else (token,))
    return tuple(out)
