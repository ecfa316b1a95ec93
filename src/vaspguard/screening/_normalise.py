# ruff: noqa: RUF001, RUF002, RUF003  # names in many scripts are this module's subject matter
"""Name normalisation and transliteration: any script in, comparable Latin tokens out.

Pipeline for one name (``name_forms``), each step a function with its own tests:

1. ``clean``: Unicode NFKC; terminal escape sequences (``ESC[31m``), control characters (Cc) and
   zero-width and other format characters (Cf) removed; whitespace collapsed. Idempotent. A name with bidi
   overrides, embeddings or isolates gets a second form in its displayed order (``displayed``): a listed
   name stored backwards behind U+202E reads, and is scored, as it shows on screen.
2. Name order: ``"LAST, First"`` becomes ``"First LAST"`` (persons and unknown kinds only; an organisation's
   comma is punctuation).
3. Homoglyphs: inside a word that mixes Latin with Cyrillic or Greek letters, the look-alikes are folded to
   Latin (``"Ваnk"`` with a Cyrillic В is ``"bank"``). A word wholly in Cyrillic is Cyrillic and is
   transliterated, not folded.
4. Script-specific legal forms that are written without spaces (``有限公司``, ``株式会社``) are cut before
   transliteration.
5. Transliteration per word, by script, through ICU transforms (PyICU): Cyrillic by BGN/PCGN (``Щукин`` →
   ``shchukin``), Hangul syllable by syllable with the usual spelling of Korean family names and eo/eu
   written o/u as in passports (``김정은`` → ``kim jong un``), everything else by ICU ``Any-Latin``; then
   ``Latin-ASCII`` and lower case. Chinese characters read as Mandarin pinyin, one token per syllable.
6. Tokens: punctuation splits; titles and honorifics are dropped; organisation legal forms in many
   languages (``LLC``, ``OOO``/``ООО``, ``GmbH``, ``SARL``, ``شركة`` ...), also misspelt, abbreviated or
   glued to the name, are dropped for organisations and unknown kinds, and reported with their class.

Some names get more forms than one, each with candidates of its own: without a bracketed part; without
another spelling of a title (Maoulana); Arabic compounds joined; a second reading of Arabic letters;
an organisation's Arabic words in English (``_translate``); Han characters read in Korean and Japanese
besides Mandarin (``_han``); a Greek name without its nominative ending.

Abjads (Arabic, Persian, Hebrew) and Thai do not write most vowels, so their Latin form is a consonant
string (``محمد`` → ``mhmd``). Such forms are flagged ``abjad`` and compared by consonant skeleton
(``skeleton``), which both sides share: ``skeleton("mohammed") == skeleton("mhmd") == "mhmd"``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import icu
from rapidfuzz.distance import OSA

from vaspguard.screening._han import japanese_name_reading, japanese_readings, korean_readings
from vaspguard.screening._translate import translate_organisation, translate_russian

__all__ = [
    "NameForm",
    "arabic_compounds",
    "broad_skeleton",
    "clean",
    "displayed",
    "fold",
    "fold_homoglyphs",
    "name_forms",
    "reorder",
    "script_of",
    "skeleton",
    "transliterate",
]

# --- 1. clean ---------------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
# Terminal escape sequences (ECMA-48): CSI (ESC [ or the C1 byte U+009B, parameters, final byte) such as the
# colour code ESC[31m; OSC, DCS, SOS, PM and APC strings up to BEL or ST (ESC \\), such as a hyperlink (an
# unterminated one loses only its introducer: what follows must not vanish from screening); and the
# two-character escapes. A terminal shows none of them, so a name must read as if they were not there.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]?"
)


def clean(text: str) -> str:
    """NFKC, without terminal escape sequences, control characters (category Cc, whitespace aside) and
    format characters (zero-width space/joiners, BOM, bidi marks), whitespace collapsed."""
    text = unicodedata.normalize("NFKC", _ESCAPES.sub("", text))
    text = "".join(
        " " if ch in "\u00a0\u2007\u202f" else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in ("Cf", "Cc")
    )
    return _SPACE.sub(" ", text).strip()


# --- 1b. displayed order ----------------------------------------------------------------------------------

# Bidi controls (UAX #9): overrides force the direction of every character up to PDF; embeddings and
# isolates set the direction of the run up to PDF / PDI.
_OVERRIDES = frozenset("\u202d\u202e")  # LRO, RLO
_RTL_RUNS = frozenset("\u202b\u202e\u2067")  # RLE, RLO, RLI
_OPENERS = frozenset("\u202a\u202b\u202d\u202e\u2066\u2067\u2068")  # + LRE, LRI, FSI
_ISOLATES = frozenset("\u2066\u2067\u2068")
_PDF, _PDI = "\u202c", "\u2069"


def _clusters(text: str) -> list[str]:
    """``text`` cut into base characters, each with the combining marks after it."""
    out: list[str] = []
    for ch in text:
        if out and unicodedata.category(ch).startswith("M"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _close(opener: str, run: str) -> str:
    """A bidi run as it is displayed: an override's characters in reverse (a name stored backwards behind
    RLO reads forwards on screen), and the words of a right-to-left embedding or isolate in reverse."""
    if opener in _OVERRIDES:
        return "".join(reversed(_clusters(run)))
    if opener in _RTL_RUNS:
        return " ".join(reversed(run.split(" ")))
    return run


def displayed(text: str) -> str | None:
    """``text`` in the order it is displayed when it carries bidi overrides, embeddings or isolates, else
    None. An approximation of the UBA that covers the disguise: each overridden run reversed, innermost
    first, every run closed at the end of the text as a paragraph end closes it."""
    if not any(ch in _OPENERS for ch in text):
        return None
    stack: list[tuple[str, list[str]]] = [("", [])]
    for ch in text:
        if ch in _OPENERS:
            stack.append((ch, []))
        elif (ch == _PDF and len(stack) > 1 and stack[-1][0] not in _ISOLATES) or (
            ch == _PDI and any(o in _ISOLATES for o, _ in stack)
        ):
            while True:  # a PDI also closes the embeddings left open inside its isolate
                opener, run = stack.pop()
                stack[-1][1].append(_close(opener, "".join(run)))
                if ch == _PDF or opener in _ISOLATES:
                    break
        else:
            stack[-1][1].append(ch)
    while len(stack) > 1:
        opener, run = stack.pop()
        stack[-1][1].append(_close(opener, "".join(run)))
    return "".join(stack[0][1])


# --- 2. name order ----------------------------------------------------------------------------------------


def reorder(text: str) -> str:
    """``"LAST, First Middle"`` → ``"First Middle LAST"``; anything else is returned unchanged."""
    if text.count(",") != 1:
        return text
    last, first = (p.strip() for p in text.split(","))
    if not last or not first or len(last.split()) > 4:
        return text
    if _tokens_are_legal_form(first):
        return text
    return f"{first} {last}"


# --- 3. homoglyphs ----------------------------------------------------------------------------------------

# Cyrillic and Greek letters that look like Latin ones (Unicode confusables, restricted to letters that an
# attacker can mix into a Latin word unnoticed). Applied only inside words that also contain Latin letters.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ӏ": "l", "ү": "y",
        "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
        "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ү": "Y",
        "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
        "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)  # fmt: skip


def _letter_script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        return "Latn"
    if name.startswith("CYRILLIC"):
        return "Cyrl"
    if name.startswith("GREEK"):
        return "Grek"
    return "other"


def fold_homoglyphs(word: str) -> str:
    """Fold Cyrillic/Greek look-alikes to Latin inside a word that mixes them with Latin letters."""
    scripts = {_letter_script(ch) for ch in word if ch.isalpha()}
    if "Latn" in scripts and scripts & {"Cyrl", "Grek"}:
        return word.translate(_HOMOGLYPHS)
    return word


# --- 4/5. scripts and transliteration ---------------------------------------------------------------------

_SCRIPT_PREFIXES = (
    ("LATIN", "Latn"),
    ("CYRILLIC", "Cyrl"),
    ("GREEK", "Grek"),
    ("ARABIC", "Arab"),
    ("HEBREW", "Hebr"),
    ("CJK", "Hani"),
    ("HIRAGANA", "Jpan"),
    ("KATAKANA", "Jpan"),
    ("HANGUL", "Hang"),
    ("DEVANAGARI", "Deva"),
    ("THAI", "Thai"),
    ("ARMENIAN", "Armn"),
    ("GEORGIAN", "Geor"),
)
ABJADS = frozenset({"Arab", "Hebr", "Thai"})


@lru_cache(maxsize=4096)
def _char_script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    for prefix, code in _SCRIPT_PREFIXES:
        if name.startswith(prefix):
            return code
    return "Zyyy"


def script_of(text: str) -> str:
    """The ISO 15924 code of the script most letters of ``text`` are written in (``Zyyy`` if none)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            s = _char_script(ch)
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return "Zyyy"
    if "Jpan" in counts and "Hani" in counts:  # kanji with kana: Japanese
        counts["Jpan"] += counts.pop("Hani")
    return max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]


# ICU transform ids, one reason each.
_TRANSFORMS = {
    # BGN/PCGN for Russian (shch, zh, kh): the romanisation used by OFAC, the UN and the EU lists. The
    # trailing Any-Latin catches Ukrainian and other letters the Russian table leaves alone.
    "Cyrl": "Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower",
    # Mandarin pinyin without tones; ``Han-Latin/Names`` reads family-name characters (单 as shan, not dan).
    "Hani": "Han-Latin/Names; Latin-ASCII; Lower",
    "Hang": "Hangul-Latin; Latin-ASCII; Lower",
    # Modern Greek (UN/ELOT): β v, μπ b at the start of a word, αυ ευ av ev; the classical default reads
    # Βίκτορ Μπουτ as biktor mpout.
    "Grek": "Greek-Latin/UNGEGN; Latin-ASCII; Lower",
    # ISO 15919 with diacritics kept: ``_devanagari_word`` writes ś ṣ as sh and c as ch before ASCII.
    "Deva": "Any-Latin",
    "any": "Any-Latin; Latin-ASCII; Lower",
}


class _Transliterator:
    """An ICU transliterator that never raises on a name. ICU 72 can cut a surrogate pair in two (the kana
    iteration mark ゝ after an emoji repeats half of it) and then fails to hand the text back: such a word
    is read again with only its letters, marks and digits, and then with only those of the BMP."""

    __slots__ = ("_icu",)

    def __init__(self, transform: str) -> None:
        self._icu = icu.Transliterator.createInstance(transform)

    def transliterate(self, text: str) -> str:
        for attempt in (text, _name_characters(text), _name_characters(text, bmp=True)):
            try:
                return str(self._icu.transliterate(attempt))
            except icu.ICUError:
                continue
        return ""


def _name_characters(text: str, *, bmp: bool = False) -> str:
    return "".join(
        ch for ch in text if unicodedata.category(ch)[0] in "LMN" or ch == " " if not bmp or ord(ch) <= 0xFFFF
    )


@lru_cache(maxsize=8)
def _transliterator(script: str) -> _Transliterator:
    return _Transliterator(_TRANSFORMS.get(script, _TRANSFORMS["any"]))


# Family names of Korea in their usual passport spelling (Revised Romanisation gives gim, i, bak ...).
_KOREAN_FAMILY = {
    "김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang", "조": "cho",
    "윤": "yoon", "장": "jang", "임": "lim", "한": "han", "오": "oh", "서": "seo", "신": "shin",
    "권": "kwon", "황": "hwang", "안": "ahn", "송": "song", "류": "ryu", "유": "yoo", "홍": "hong",
    "전": "jeon", "고": "ko", "문": "moon", "양": "yang", "손": "son", "배": "bae", "백": "baek",
    "허": "heo", "노": "noh", "심": "shim", "하": "ha", "곽": "kwak", "성": "sung", "차": "cha",
    "주": "joo", "우": "woo", "구": "koo", "리": "ri", "로": "ro",
}  # fmt: skip

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_HANGUL_FINAL = re.compile(r"(?<=[aeiouy])([gdb])$")
_HANGUL_FINALS = {"g": "k", "d": "t", "b": "p"}


def _hangul_word(word: str) -> list[str]:
    tr = _transliterator("Hang")
    syllables = [ch for ch in word if "\uac00" <= ch <= "\ud7a3"]
    if not syllables:
        return _ascii_tokens(tr.transliterate(word))
    out: list[str] = []
    for i, syl in enumerate(syllables):
        if i == 0 and len(syllables) in (2, 3, 4) and syl in _KOREAN_FAMILY:
            out.append(_KOREAN_FAMILY[syl])
        else:
            # Revised Romanisation eo/eu are written o/u in most passports and on the lists (Jong Un); a
            # final ㄱ ㄷ ㅂ is k t p, as the Revised Romanisation writes it (Myung-bak), not ICU's g d b.
            latin = _NON_ALNUM.sub("", tr.transliterate(syl)).replace("eo", "o").replace("eu", "u")
            out.append(_HANGUL_FINAL.sub(lambda m: _HANGUL_FINALS[m.group(1)], latin))
    return [t for t in out if t]


_APOSTROPHES = str.maketrans("", "", "'’‘`ʿʾʼʹʺ\"")  # ʺ: BGN/PCGN's hard sign (Obʺyedinënnaya)


def _ascii_tokens(text: str) -> list[str]:
    # Apostrophes join (O'Brien, Sa'id, the ayn of a transliteration); other punctuation splits.
    return [t for t in _NON_ALNUM.split(text.translate(_APOSTROPHES)) if t]


def _arabic_article(word: str) -> str:
    # The article al- is written joined to the noun (القذافي); separate it, as Latin spellings do.
    if word.startswith("ال") and len(word) > 3 and word != "الله":
        return "ال " + word[2:]
    return word


_KANA_V = re.compile("[ヴウ][ァィェォ]?")
_KANA_V_READ = {
    "ヴァ": "バ", "ヴィ": "ビ", "ヴェ": "ベ", "ヴォ": "ボ", "ヴ": "ブ",
    "ウィ": "ウイ", "ウェ": "ウエ", "ウォ": "ウオ",
}  # fmt: skip


def _kana_v(m: re.Match[str]) -> str:
    return _KANA_V_READ.get(m.group(0), m.group(0))


def _devanagari_word(word: str) -> str:
    """A Devanagari word as Indian names are spelt in Latin: श ष sh, च ch, छ chh (ISO 15919 writes ś ṣ c
    ch, which ASCII would make s, s, c, ch), and the inherent vowel of a final consonant not written (the
    Hindi schwa deletion: राहुल शर्मा is Rahul Sharma, not rahula sarma; a final cluster keeps it: चंद्र,
    chandra)."""
    latin = unicodedata.normalize("NFC", _transliterator("Deva").transliterate(word))
    latin = _ascii(latin.replace("ch", "chh").replace("c", "ch").replace("ś", "sh").replace("ṣ", "sh"))
    letters = [ch for ch in word if unicodedata.category(ch)[0] in "LM"]
    conjunct = len(letters) >= 2 and letters[-2] == _VIRAMA
    if letters and _DEVANAGARI_CONSONANT.match(letters[-1]) and not conjunct and latin.endswith("a"):
        latin = latin[:-1] if len(latin) > 2 else latin
    return latin


_DEVANAGARI_CONSONANT = re.compile("[\u0915-\u0939\u0958-\u095f]")
_VIRAMA = "\u094d"


@lru_cache(maxsize=1)
def _ascii_transliterator() -> _Transliterator:
    return _Transliterator("Latin-ASCII; Lower")


def _ascii(text: str) -> str:
    return str(_ascii_transliterator().transliterate(text))


def transliterate(text: str) -> str:
    """Any-script text as lower-case ASCII words separated by single spaces (idempotent)."""
    return " ".join(t for t, _ in _words_to_tokens(clean(text).split(" "))[0])


# Tatweel (a stretching stroke) and ta marbuta, which Latin spellings write as a vowel or not at all; the
# Persian and Urdu forms of yeh, kaf and heh (ی ک ہ ھ ە) read as their Arabic letters (ICU leaves some as is).
_ARABIC_DROP = str.maketrans(
    {"\u0640": None, "\u0629": None, "\u06cc": "\u064a", "\u06a9": "\u0643", "\u06c1": "\u0647",
     "\u06be": "\u0647", "\u06d5": "\u0647", "\u0649": "\u064a"}
)  # fmt: skip


def _words_to_tokens(words: list[str]) -> tuple[list[tuple[str, str]], set[str]]:
    """(token, script of the word it came from) for each token, and the scripts seen."""
    tokens: list[tuple[str, str]] = []
    scripts: set[str] = set()
    for raw in words:
        word = fold_homoglyphs(raw)
        script = script_of(word)
        scripts.add(script)
        if script == "Hang":
            out = _hangul_word(word)
        elif script in ("Latn", "Zyyy") and word.isascii():
            out = _ascii_tokens(word.lower())
        elif script == "Deva":
            out = _ascii_tokens(_devanagari_word(word))
        elif script == "Jpan":
            # ヴ is said b, and ICU writes ヴィ ウィ as vu~i u~i: as Japanese say them
            out = _ascii_tokens(_transliterator(script).transliterate(_KANA_V.sub(_kana_v, word)))
        else:
            if script == "Arab":
                word = _arabic_article(word.translate(_ARABIC_DROP))
            out = _ascii_tokens(_transliterator(script).transliterate(word))
        tokens.extend((t, script) for t in out)
    return tokens, scripts


# --- 6. titles and legal forms ----------------------------------------------------------------------------


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TITLES = words(
    """mr mrs ms miss mister madam dr doctor prof professor sir dame lord lady rev reverend fr father
    sheikh shaikh sheik shaykh haji hajji hadji alhaji alhaj mullah mulla molla maulvi maulana mawlawi
    maulawi mawlavi mowlawi moulvi moulavi molvi mawlana moulana mowlana mufti ustad ustadh qari hafiz
    imam general gen colonel col major maj captain capt lieutenant lt admiral adm
    brigadier commander cmdr sergeant sgt president minister ambassador senator judge hon honourable
    honorable herr frau monsieur mme mlle senor senora don dona gospodin"""
)

# Titles as read from Arabic script (حاجی, حجي Haji; شيخ Sheikh), whose Latin spellings are titles too.
ARABIC_TITLES = words("hajy hjy haji shykh")


def _is_title(token: str, script: str) -> bool:
    if script in ("Latn", "Zyyy"):
        return token in TITLES
    return script == "Arab" and token in ARABIC_TITLES


def _is_title_variant(token: str, script: str) -> bool:
    """Another spelling of a religious or honorific title (Maoulana, Kari, Shaykh, Hadji): maybe the title,
    maybe a name (Kari is a Finnish given name), so a name with one gets a second form without it."""
    return (
        script in ("Latn", "Zyyy")
        and len(token) >= 4
        and token not in TITLES
        and fold(token) in _FOLDED_TITLES
    )


# Organisation legal forms, as token sequences after transliteration (longest first when matched), in
# classes: forms of one class are the same kind of company in different languages or spellings (ООО, LLC,
# LIMITED LIABILITY COMPANY), so a query and a listed name that both carry one agree on it.
_LEGAL_FORM_CLASSES = {
    "llc": """llc; l l c; ooo; obshchestvo s ogranichennoy otvetstvennostyu; limited liability company;
        tov; tovarystvo z obmezhenoyu vidpovidalnistyu; fzllc; fz llc; dh m m; sh m m; ltd sti;
        limited sirketi; sti; sp z o o; spzoo; doo; d o o; sro; s r o; spol s r o; srl; s r l; srls; sarl;
        s a r l; sl; slu; ltda; eireli; uab; sia; kft; eood; ood""",
    "jsc": """jsc; ojsc; cjsc; pjsc; ao; oao; zao; pao; pat; prat; vat; zat; joint stock company;
        joint stock; open joint stock company; closed joint stock company; public joint stock company;
        private joint stock company; aktsionernoye obshchestvo; publichnoye aktsionernoye obshchestvo;
        zakrytoye aktsionernoye obshchestvo; otkrytoye aktsionernoye obshchestvo; ad; as; a s; anonim sirketi;
        nyrt; zrt; dd; ag; a g; aktiengesellschaft""",
    "ltd": """ltd; limited; l t d; co ltd; company limited; pte; pte ltd; pvt; pvt ltd; private limited;
        pty; pty ltd; lmtd; lymtd; limitd; private limited company""",
    "plc": "plc; p l c; public limited company; public company limited; pcl",
    "inc": "inc; incorporated; corp; corporation",
    "co": "co; company",
    "gmbh": "gmbh; mbh; g m b h; gesellschaft mit beschrankter haftung; gmbh co kg; kg; ug",
    "sa": """sa; s a; sas; sasu; s a s; sca; snc; spa; s p a; sapa; societe anonyme; sociedad anonima""",
    "sa de cv": """sa de cv; s a de c v; s a c v; sa cv; de c v; de cv; s de rl; s de r l; s a de; sa de;
        sapi de cv; s a p i de c v; s a b de c v; sab de cv; de r l; de rl; s de r l de c v;
        s de rl de cv; s c de r l; s c de r l de c v; s p r de r l; s p r de r l de c v;
        s de p r de r l; s de p r de r l de c v; s c; s p r""",
    "bv": "bv; b v; nv; n v; vof; cv",
    "llp": "llp; lp; pllc; limited liability partnership; limited partnership",
    "ev": "ev; se; me; oy; oyj; ab; asa; aps; bt; ou; ip; chp; too",
    "gulf": "fze; fzco; fzc; dmcc; wll; w l l; spc; saoc; saog; bsc; psc; qsc; qpsc; kscc; ksc",
    "asia": "sdn bhd; bhd; berhad; tbk; pt; kk; kabushiki kaisha; yk; yugen kaisha; godo kaisha; gk",
    "shrk": "shrk; shrkt; shrkh; sherkat; shirkat",  # شركة (company), read from Arabic or Persian
    "mwss": "mwss; mwsst; mwssst; muassasat; muassasa",  # مؤسسة (establishment)
    "holding": "holding company",
}
LEGAL_FORM_CLASS: dict[tuple[str, ...], str] = {
    tuple(part.split()): cls
    for cls, text in _LEGAL_FORM_CLASSES.items()
    for part in text.replace("\n", " ").split(";")
    if part.strip()
}
LEGAL_FORMS: frozenset[tuple[str, ...]] = frozenset(LEGAL_FORM_CLASS)
_LEGAL_MAX = max(len(f) for f in LEGAL_FORMS)

# Legal forms written without spaces in their own script, cut before transliteration.
_NATIVE_LEGAL = (
    "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "公司", "集团", "集團",
    "株式会社", "有限会社", "合同会社", "주식회사", "(주)", "유한회사",
    "общество с ограниченной ответственностью", "акционерное общество",
)  # fmt: skip


# Long legal-form words: a one-letter typo in them is still the legal form, and one glued to the
# name before it (SHIPPINGCOMPANY, AGORDMCC) is split off.
_LEGAL_WORDS = (
    "company", "limited", "liability", "corporation", "incorporated", "gesellschaft", "partnership",
    "obshchestvo", "ogranichennoy", "otvetstvennostyu", "aktsionernoye", "publichnoye", "zakrytoye",
    "otkrytoye", "aktiengesellschaft",
)  # fmt: skip
_GLUED = (
    "company", "limited", "corporation", "incorporated", "ltd", "llc", "gmbh", "dmcc", "plc", "jsc", "ooo",
    "zao", "oao", "joint",
)  # fmt: skip
# ... and legal-form words glued to the name after them (OOOROMASHKA, LIMITEDLIABILITY, LTDNISSA); not zao
# or oao, which begin ordinary words (Zaozerny).
_GLUED_BEFORE = (
    "company", "limited", "liability", "corporation", "ooo", "ojsc", "cjsc", "pjsc", "llc", "ltd", "joint",
)  # fmt: skip


def _mend_legal_forms(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for t in tokens:
        if len(t) >= 6 and not t.isdigit():
            near = [w for w in _LEGAL_WORDS if w != t and abs(len(w) - len(t)) <= 1 and _one_edit(t, w)]
            if near:
                out.append(near[0])
                continue
            glued = next((g for g in _GLUED if t.endswith(g) and len(t) - len(g) >= 3), None)
            if glued:
                out.extend([*_mend_legal_forms([t[: -len(glued)]]), glued])
                continue
        if len(t) >= 5 and not t.isdigit():
            head = next((g for g in _GLUED_BEFORE if t.startswith(g) and len(t) - len(g) >= 2), None)
            if head is None and t[:2] == "co" and (t[2:],) in LEGAL_FORMS:
                head = "co"  # COLTD, COLIMITED
            if head:
                out.extend([head, *_mend_legal_forms([t[len(head) :]])])
                continue
        out.append(t)
    return out


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b are one substitution, insertion, deletion or adjacent swap apart."""
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _tokens_are_legal_form(text: str) -> bool:
    return tuple(_ascii_tokens(text.lower())) in LEGAL_FORMS


def _legal_form_at(tokens: Sequence[str], i: int, n: int) -> tuple[str, ...] | None:
    """The legal form spelled by ``tokens[i:i+n]``: as written or, for forms of several words, as people
    misspell them: each word of four letters or more within one edit of its spelling fold (``s a de c w``,
    ``joit stock company``, ``zakrytoe aktsyonernoe obshchestvo``), one word given as its initial
    (``closed j. stock company``) or one long word of a form of three or more left out (``limited
    liability``, ``obshchestvo s ogranichennoi``)."""
    part = tuple(tokens[i : i + n])
    if part in LEGAL_FORMS:
        return part
    if n < 2:
        return None
    folded = tuple(fold(t) for t in part)
    exact = _FOLDED_LEGAL_FORMS.get(folded)
    if exact is not None:
        return exact
    # (only forms whose first word begins with the same letter: a typo rarely changes the first letter)
    key = (n, folded[0][:1])
    for form, form_folded in _LEGAL_FORMS_BY_START.get(key, ()):
        if _spells(folded, form_folded):
            return form
    for form, shorter in _LEGAL_FORMS_SHORTER.get(key, ()):
        if _spells(folded, shorter, initials=0):
            return form
    return None


def _spells(words_: Sequence[str], form: Sequence[str], initials: int = 1) -> bool:
    """Whether folded ``words_`` spell the folded legal ``form`` word by word, with typos in long words
    and up to ``initials`` words given as their initial (when another word of four letters or more is
    spelled out)."""
    used = 0
    spelled_long = False
    for a, b in zip(words_, form, strict=True):
        if a == b or (len(b) >= 4 and len(a) >= 3 and _one_edit(a, b)):
            spelled_long = spelled_long or len(b) >= 4
        elif len(a) == 1 and len(b) >= 4 and a == b[0]:
            used += 1
        else:
            return False
    return used <= initials and (used == 0 or spelled_long)


def legal_form_class(form: str) -> str:
    """The class of a dropped legal form (``NameForm.legal_forms``): ``ooo`` and ``llc`` are both llc."""
    return LEGAL_FORM_CLASS.get(tuple(form.split()), form)


def _strip_legal_forms(tokens: list[str], *, unknown: bool = False) -> tuple[list[str], list[str]]:
    """(the name's tokens, the legal forms cut from them). A run of legal-form words at the start or end
    of the name that is no listed form (``LIMITED LIABILITY ENTEP``, ``PUBLIC STOCK COMPANY VYBORG``) is
    cut too when it touches a form that was cut or has two words or more, one of them long. When the kind
    of name is ``unknown``, a legal form of one or two letters (AG, OU, IP, AS) is one only as the last word
    of a longer name: IP MAN and OU MEI may be people."""
    segments: list[tuple[bool, list[str]]] = []  # (is a legal form, tokens)
    i = 0
    while i < len(tokens):
        for n in range(min(_LEGAL_MAX, len(tokens) - i), 0, -1):
            found = _legal_form_at(tokens, i, n)
            if (
                found is not None
                and unknown
                and n == 1
                and len(found[0]) <= 2
                and (i != len(tokens) - 1 or len(tokens) < 2)
            ):
                found = None
            if found is not None:
                segments.append((True, list(found)))
                i += n
                break
        else:
            segments.append((False, [tokens[i]]))
            i += 1
    for order in (range(len(segments)), range(len(segments) - 1, -1, -1)):
        words_run: list[int] = []
        touches = False
        for k in order:
            legal, part = segments[k]
            if legal:
                touches = True
            elif fold(part[0]) in _LEGAL_VOCABULARY:
                words_run.append(k)
            else:
                break
        long_words = sum(len(segments[k][1][0]) >= 4 for k in words_run)
        if words_run and (touches or (len(words_run) >= 2 and long_words)):
            for k in words_run:
                segments[k] = (True, segments[k][1])
    kept = [t for legal, part in segments if not legal for t in part]
    if not kept:  # a name that is nothing but a legal form keeps it: "Company" is still a name
        return tokens, []
    return kept, [" ".join(part) for legal, part in segments if legal]


# --- the whole pipeline -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameForm:
    """One comparable form of a name: Latin tokens, and how they were obtained."""

    tokens: tuple[str, ...]
    script: str  # ISO 15924 of the original
    abjad: bool = False  # vowels mostly unwritten in the original: compare by skeleton
    legal_forms: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    # how this form reads the name, for a reviewer: "" as written and transliterated, else e.g.
    # "translated from Arabic", "Korean reading", "without the bracketed part"
    reading: str = ""
    # the name's bracketed part, transliterated (VTB Bank (Europe): "europe"), on every form of the name
    qualifier: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _read(forms: Sequence[NameForm], label: str) -> tuple[NameForm, ...]:
    """``forms`` marked as read by ``label`` (after any reading they already carry)."""
    return tuple(replace(f, reading=", ".join(x for x in (label, f.reading) if x)) for f in forms)


@lru_cache(maxsize=65536)
def name_forms(name: str, kind: str | None = None) -> tuple[NameForm, ...]:
    """The comparable forms of ``name``; ``kind`` is ``person``, ``organisation`` or None (unknown).

    Usually one form; empty when the name has no letters or digits. A name with a bracketed part
    (``MUHAMMAD JAMAL NETWORK (MJN)``, ``HANIFA MONEY EXCHANGE OFFICE (BRANCH LOCATED IN ...)``) has a
    second form without it.
    """
    text = clean(name)
    forms = _bracket_forms(text, kind)
    visual = displayed(name)
    if visual is not None and clean(visual) != text:
        forms += _read(_new_forms(_bracket_forms(clean(visual), kind), forms), "in displayed order")
    return forms


def _bracket_forms(text: str, kind: str | None) -> tuple[NameForm, ...]:
    forms = _text_forms(text, kind)
    bare = _SPACE.sub(" ", _BRACKETED.sub(" ", text)).strip()
    if bare != text and bare:
        forms += _read(_new_forms(_text_forms(bare, kind), forms), "without the bracketed part")
        qualifier = transliterate(" ".join(m[1:-1] for m in _BRACKETED.findall(text)))
        forms = tuple(replace(f, qualifier=qualifier) for f in forms)
    return forms


_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# A legal form glued to the name, told by its capitals after a lower-case word (GazpromAG, AcmeGmbH,
# SberbankPJSC; lower case it is part of a word, Haag; after one lower-case letter a typo, ETTEeAD).
_CAMEL_FORM = re.compile(r"(?<=[a-z]{2})([A-Z][A-Za-z]{1,4})\b")


def _unglue_form(m: re.Match[str]) -> str:
    form = m.group(1)
    return " " + form if (form.lower(),) in LEGAL_FORMS and form[-1].isupper() else form


# A legal form of three letters or more written with dots (P.J.S.C., O.O.O.) as one word: letter by letter
# its tail may spell another form (S.C.). Two letters stay letters (S.C. DE R.L. DE C.V. is one form).
_DOTTED = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){3,}(?:[A-Za-z](?![\w.]))?")


def _undot_form(m: re.Match[str]) -> str:
    letters = m.group(0).replace(".", "")
    return letters if (letters.lower(),) in LEGAL_FORMS else m.group(0)


# Numbers written as words (Battalion Twenty-One) as digits, as lists mostly write them (Battalion 21).
_UNITS = {
    w: i
    for i, w in enumerate((
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ))
}  # fmt: skip
_TENS = {
    w: 10 * i
    for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"), 2)
}
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, *_SCALES])
_NUMBER_RUN = re.compile(
    rf"\b(?:(?:{_NUMBER_WORD})(?:[\s-]+(?:and[\s-]+)?(?=(?:{_NUMBER_WORD})\b))?)+\b", re.IGNORECASE
)


def _number_value(run: str) -> str:
    total = current = 0
    for w in re.findall(r"[a-z]+", run.lower()):
        if w in _UNITS or w in _TENS:
            current += _UNITS.get(w, 0) + _TENS.get(w, 0)
        elif w in _SCALES:
            current = max(current, 1) * _SCALES[w]
            if w == "thousand":
                total, current = total + current, 0
    return str(total + current)


def _number_words(text: str) -> str:
    """English number words as digits: ``Twenty-One`` → ``21``, ``One Hundred`` → ``100``."""
    return _NUMBER_RUN.sub(lambda m: _number_value(m.group(0)), text)


def _text_forms(text: str, kind: str | None) -> tuple[NameForm, ...]:
    is_person = kind == "person"
    is_org = kind not in (None, "person")
    if not is_org:
        text = reorder(text)
    if not is_person:
        for form in _NATIVE_LEGAL:
            text = text.replace(form, " ")
        text = _DOTTED.sub(_undot_form, _CAMEL_FORM.sub(_unglue_form, text))
        text = _number_words(text)
    forms = _arabic_script_forms(text, is_person=is_person, unknown=kind is None)
    if not is_person:
        forms += _translated_organisation_forms(text, forms, is_org=is_org)
    return forms + _script_forms(text, forms, is_person=is_person, unknown=kind is None)


def _arabic_script_forms(text: str, *, is_person: bool, unknown: bool) -> tuple[NameForm, ...]:
    """The name's forms, read as Persian where its letters say so, else with the Persian/Urdu reading of the
    letters those languages read otherwise as one more form."""
    if _PERSIAN_LETTERS.search(text):
        return _forms(text.translate(_PERSIAN_READING), is_person=is_person, unknown=unknown)
    forms = _forms(text, is_person=is_person, unknown=unknown)
    if _PERSIAN_READABLE.search(text):
        # Arabic letters that Persian, Urdu, Pashto and Turkish spellings read otherwise (نور محمد ثاقب
        # is Noor Mohammad Saqib in the lists): that reading is one more form, with candidates of its own.
        other = _forms(text.translate(_OTHER_READING), is_person=is_person, unknown=unknown)
        forms += _read(_new_forms(other, forms), "Persian/Urdu reading of ث ذ ض, Gulf reading of ظ")
    return forms


def _translated_organisation_forms(
    text: str, forms: tuple[NameForm, ...], *, is_org: bool
) -> tuple[NameForm, ...]:
    """An organisation named in Arabic or Russian: its common words in English too."""
    out: tuple[NameForm, ...] = ()
    if _ARABIC_LETTER.search(text):
        # (شبكة محمد جمال, MUHAMMAD JAMAL NETWORK)
        for translated in translate_organisation(text):
            from_arabic = _forms(translated.translate(_PERSIAN_READING), is_person=False)
            out += _read(_new_forms(from_arabic, forms + out), "common words translated from Arabic")
    if script_of(text) in ("Cyrl", "Latn") and forms:
        # in Cyrillic or transliterated (ФЕДЕРАЛЬНАЯ СЛУЖБА БЕЗОПАСНОСТИ, FEDERAL SECURITY SERVICE)
        main = forms[0]
        english = translate_russian(main.tokens, organisation=is_org or bool(main.legal_forms))
        if english is not None:
            kept, cut = _strip_legal_forms(list(english))  # (КОРПОРАЦИЯ is CORPORATION, a legal form)
            russian = replace(main, tokens=tuple(kept), legal_forms=(*main.legal_forms, *cut))
            out += _read(_new_forms((russian,), forms + out), "common words translated from Russian")
    return out


def _script_forms(
    text: str, forms: tuple[NameForm, ...], *, is_person: bool, unknown: bool
) -> tuple[NameForm, ...]:
    """Readings particular to Han, Greek and Hangul text."""
    script = script_of(text)
    if script == "Hani":
        return _han_forms(text, forms, is_person=is_person, unknown=unknown)
    if script == "Grek" and forms:
        return _read(
            _new_forms(_greek_forms(forms[0]), forms), "a foreign name in Greek, or without its ending"
        )
    if script == "Hang":
        words_ = text.split(" ")
        if any(_looks_foreign(w) for w in words_):
            read = " ".join(_hangul_foreign(w) or w for w in words_)
            read_forms = _forms(read, is_person=is_person, unknown=unknown)
            hangul = tuple(replace(f, script="Hang") for f in read_forms)
            return _read(_new_forms(hangul, forms), "a foreign name in Hangul")
    return ()


def _greek_forms(main: NameForm) -> tuple[NameForm, ...]:
    """More readings of a name in Greek: foreign names write d b g as ντ μπ γκ inside a word too
    (Λάντεν, Laden; Καντίροφ, Kadyrov), and Greek men's names carry a nominative ending other languages
    drop (Αλέξανδρος, Alexander; Γεώργιος, George)."""
    foreign = tuple(_GREEK_CLUSTERS.sub(lambda m: _GREEK_STOPS[m.group(0)], t) for t in main.tokens)
    out: list[NameForm] = []
    for tokens in dict.fromkeys((main.tokens, foreign)):
        stem = tuple(_GREEK_ENDING.sub("", t) if len(t) >= 6 else t for t in tokens)
        out.extend(replace(main, tokens=t) for t in dict.fromkeys((tokens, stem)) if t != main.tokens)
    return tuple(out)


_GREEK_CLUSTERS = re.compile("nt|mp|gk")
_GREEK_STOPS = {"nt": "d", "mp": "b", "gk": "g"}
_GREEK_ENDING = re.compile(r"(?:os|is|as)$")

# Hangul jamo as foreign names are written in Latin: the initial, medial and final of a syllable.
_JAMO_INITIAL = (
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "-", "j", "jj", "ch", "k", "t", "p", "h",
)  # fmt: skip
_JAMO_MEDIAL = (
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu",
    "eu", "ui", "i",
)  # fmt: skip
_JAMO_FINAL = (
    "-", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "s", "t",
    "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip
_EU = 18  # ㅡ, the vowel Korean adds to write a consonant cluster or a final consonant of a foreign word
_SILENT = 11  # ㅇ as an initial
_RIEUL_FINAL = 8  # ㄹ as a final


def _jamo(word: str) -> list[tuple[int, int, int]] | None:
    """(initial, medial, final) of each syllable of a word written in Hangul syllables only, else None."""
    if not word or not all("\uac00" <= ch <= "\ud7a3" for ch in word):
        return None
    out = []
    for ch in word:
        v, final = divmod(ord(ch) - 0xAC00, 28)
        initial, medial = divmod(v, 21)
        out.append((initial, medial, final))
    return out


def _looks_foreign(word: str) -> bool:
    """A Hangul word that writes a foreign name: four syllables or more, or a syllable of a consonant and
    the added vowel ㅡ alone (르 트 프 스 ...), which Korean names do not have."""
    jamo = _jamo(word)
    if jamo is None:
        return False
    return len(jamo) >= 4 or any(i != _SILENT and m == _EU and f == 0 for i, m, f in jamo)


def _hangul_foreign(word: str) -> str | None:
    """A Hangul word of two syllables or more read as a foreign name written in Hangul: one Latin word,
    without the vowel ㅡ that Korean adds after a consonant (블라디미르 → bladimir, 트럼프 → tromp)."""
    jamo = _jamo(word)
    if jamo is None or len(jamo) < 2:
        return None
    out: list[str] = []
    previous_final = 0
    for initial, medial, final in jamo:
        lead = "" if initial == _SILENT else _JAMO_INITIAL[initial]
        if lead == "r" and previous_final == _RIEUL_FINAL:  # ㄹㄹ is one l
            lead = ""
        vowel = "" if medial == _EU and lead else _JAMO_MEDIAL[medial]
        tail = _JAMO_FINAL[final]
        out.append(lead + vowel + ("" if tail == "-" else tail))
        previous_final = final
    return "".join(out)


def _new_forms(forms: Sequence[NameForm], seen: Sequence[NameForm]) -> tuple[NameForm, ...]:
    known = {f.tokens for f in seen}
    return tuple(f for f in forms if f.tokens not in known)


_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def _han_forms(
    text: str, seen: Sequence[NameForm], *, is_person: bool, unknown: bool
) -> tuple[NameForm, ...]:
    """The Korean and Japanese readings of a name in Han characters (Mandarin is the transliteration's):
    金正恩 is also 김정은, Kim Jong Un; 田中花子 is also Tanaka Hanako. Each is a form with candidates of
    its own; Japanese readings are the characters' common ones, which names often do not use."""
    known = {f.tokens for f in seen}
    out: list[NameForm] = []
    name = japanese_name_reading(text)
    readings = [(k, "Hang", "Korean reading") for k in korean_readings(text)]
    readings += [(name, "Jpan", "Japanese name reading")] if name else []
    readings += [(j, "Jpan", "Japanese reading of the characters") for j in japanese_readings(text)]
    for reading, script, label in readings:
        for f in _forms(reading, is_person=is_person, unknown=unknown):
            if f.tokens not in known:
                known.add(f.tokens)
                out.append(replace(f, script=script, reading=label))
    return tuple(out)


def _forms(text: str, *, is_person: bool, unknown: bool = False) -> tuple[NameForm, ...]:
    """The forms of ``text`` as read; ``unknown``: the kind of name is not known (see
    ``_strip_legal_forms``)."""
    pairs, scripts = _words_to_tokens(text.split(" "))
    scripts.discard("Zyyy")
    script = script_of(text)
    # Titles are Latin words (and a few read from Arabic); "mr" from Arabic عمر is the name Omar, not Mister.
    titles = [t for t, sc in pairs if _is_title(t, sc)]
    if titles and len(titles) < len(pairs):
        pairs = [(t, sc) for t, sc in pairs if not _is_title(t, sc)]
    tokens = [t for t, _ in pairs]
    dropped: list[str] = []
    if not is_person:
        tokens, dropped = _strip_legal_forms(_mend_legal_forms(tokens), unknown=unknown)
    if not tokens:
        return ()
    main = NameForm(
        tokens=tuple(tokens),
        script=script,
        abjad=bool(scripts & ABJADS),
        legal_forms=tuple(dropped),
        titles=tuple(titles),
    )
    if "Arab" in scripts:
        joined = arabic_compounds(main.tokens)
        if joined != main.tokens:
            return main, NameForm(joined, script, True, main.legal_forms, main.titles, "compounds joined")
    variants = {t for t, sc in pairs if _is_title_variant(t, sc)}
    glued = {t: _glued_title(t) for t, sc in pairs if sc in ("Latn", "Zyyy") and _glued_title(t)}
    if (variants or glued) and len(variants) < len(tokens):
        untitled = tuple(glued.get(t, t) for t in tokens if t not in variants)
        found = (*titles, *sorted(variants), *sorted(t[: -len(rest)] for t, rest in glued.items()))
        return main, NameForm(untitled, script, main.abjad, main.legal_forms, found, "without the title")
    return (main,)


def _glued_title(token: str) -> str:
    """The name after a religious title glued to it (HAFIZABDUL, MULLAHHUWAYSH), else ''."""
    for title in _LONG_TITLES:
        if token.startswith(title) and len(token) - len(title) >= 3:
            return token[len(title) :]
    return ""


# A name with letters only Persian, Urdu and Pashto use (ی ک گ پ چ ژ ہ ھ) is read as they read it: ث as s,
# ذ ض ظ as z (Saqib, Zakir, Fazal, Zia), not as the Arabic th, dh, d, z.
_PERSIAN_LETTERS = re.compile("[\u06cc\u06a9\u06af\u067e\u0686\u0698\u06c1\u06be]")
_PERSIAN_READING = str.maketrans(
    {"\u062b": "\u0633", "\u0630": "\u0632", "\u0636": "\u0632", "\u0638": "\u0632"}
)
_PERSIAN_READABLE = re.compile("[\u062b\u0630\u0636\u0638]")
# The second reading of an Arabic name: Persian/Urdu/Turkish for ث ذ ض, and ظ as th, as Iraqi and Gulf
# spellings write it (Kathim) since ظ is already read z (Kazim) by the first.
_OTHER_READING = str.maketrans(
    {"\u062b": "\u0633", "\u0630": "\u0632", "\u0636": "\u0632", "\u0638": "\u062b"}
)

# Arabic letters whose sound the article's l takes (al-din is said ad-din, written uddin in Latin).
_SUN = ("t", "th", "d", "dh", "r", "z", "s", "sh", "n")
_COMPOUND_HEADS = frozenset({"abd", "bd", "abw", "abu", "ab"})  # bd: abd with its ayn unwritten
_COMPOUND_TAILS = frozenset({"dyn", "din", "allh", "alh", "llh"})
# Pashto tribal suffixes written apart in Arabic script, joined in Latin (شهيد خيل, SHAHIDKHEL; اسحاق زی,
# ISHAKZAI).
_PASHTO_TAILS = frozenset({"khyl", "zy", "zay"})


def _article(noun: str) -> str:
    """How Latin spellings join the article to ``noun``: assimilated before sun letters (ud-din)."""
    return "" if noun.startswith(_SUN) and not noun.startswith("ll") else "al"


def arabic_compounds(tokens: Sequence[str]) -> tuple[str, ...]:
    """Tokens read from Arabic with its compound names joined as Latin spellings write them:
    ``abd al qadr`` → ``abdalqadr`` (Abdelkader), ``shms al dyn`` → ``shmsdyn`` (Shamsuddin),
    ``mty allh`` → ``mtyallh`` (Matiullah), ``abw bkr`` → ``abwbkr`` (Abubakar); a free-standing article
    is left out (``al hrzy`` → ``hrzy``, as in HARZI)."""
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        if t in _COMPOUND_HEADS and i + 1 < n:
            if tokens[i + 1] == "al" and i + 2 < n:
                out.append(t + _article(tokens[i + 2]) + tokens[i + 2])
                i += 3
            else:
                out.append(t + tokens[i + 1])
                i += 2
            continue
        if out and t == "al" and i + 1 < n and tokens[i + 1] in _COMPOUND_TAILS:
            out[-1] += _article(tokens[i + 1]) + tokens[i + 1]
            i += 2
            continue
        if out and t in _PASHTO_TAILS and len(out[-1]) >= 3:
            out[-1] += t
            i += 1
            continue
        if out and t in ("allh", "llh") and out[-1] not in _COMPOUND_HEADS:
            out[-1] += t
            i += 1
            continue
        if t != "al" or i + 1 == n:  # a free-standing article: Latin spellings mostly leave it out
            out.append(t)
        i += 1
    return tuple(out)


# --- comparison keys ---------------------------------------------------------------------------------------

_FOLD_RULES = (
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("ck", "k"),
    ("ph", "f"),
    ("kh", "h"),
    ("ou", "u"),
    ("ee", "i"),
    ("oo", "u"),
    ("x", "ks"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
)
_DOUBLE = re.compile(r"([a-z])\1+")


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """A spelling-variant fold of one Latin token: romanisations of one sound meet (``yuriy``/``iouri``
    → ``iurii``/``iuri``; ``aleksandr``/``alexandr``). Doubled letters are single."""
    out = token
    for a, b in _FOLD_RULES:
        out = out.replace(a, b)
    return _DOUBLE.sub(r"\1", out)


# Multi-word legal forms by spelling fold, and the words they are made of (read by ``_legal_form_at`` and
# ``_strip_legal_forms`` at call time).
_FOLDED_LEGAL_FORMS = {tuple(fold(t) for t in f): f for f in LEGAL_FORMS if len(f) >= 2}
# (number of words, first letter) -> (form, its folded words), and the same for each form of three words
# or more less one long word
_LEGAL_FORMS_BY_START: dict[tuple[int, str], list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
_LEGAL_FORMS_SHORTER: dict[tuple[int, str], list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
for _form in sorted(LEGAL_FORMS):
    if len(_form) >= 2:
        _folded = tuple(fold(t) for t in _form)
        _LEGAL_FORMS_BY_START.setdefault((len(_form), _folded[0][:1]), []).append((_form, _folded))
        for _k, _left_out in enumerate(_folded):
            if len(_folded) >= 3 and len(_left_out) >= 4:
                _shorter = _folded[:_k] + _folded[_k + 1 :]
                _LEGAL_FORMS_SHORTER.setdefault((len(_shorter), _shorter[0][:1]), []).append(
                    (_form, _shorter)
                )
_LEGAL_VOCABULARY = frozenset(
    fold(t) for f in LEGAL_FORMS if len(f) >= 2 for t in f if len(t) >= 2 and t != "holding"
) | frozenset(fold(t) for t in ("company", "limited", "public"))  # (a lone letter may be an initial)
# Religious titles found glued to the name after them (longest first).
_GLUED_TITLES = words(
    "sheikh shaikh shaykh mullah mulla maulvi maulana mawlawi molvi hafiz hajji hadji haji qari"
)
_LONG_TITLES = tuple(sorted(_GLUED_TITLES, key=lambda t: (-len(t), t)))
# The religious and honorific titles whose spellings vary (read by ``_is_title_variant`` at call time).
_FOLDED_TITLES = frozenset(
    fold(t) for t in words("sheikh mullah maulvi maulana mawlawi molvi qari hafiz haji imam")
)


_SKELETON_DIGRAPHS = (
    ("dj", "j"),  # Maghreb French spelling of jim (Djamel / Jamal)
    ("kh", "x"),
    ("gh", "g"),
    ("sh", "s"),
    ("ch", "c"),
    ("th", "t"),
    ("dh", "d"),
    ("zh", "j"),
)
_VOWELS = re.compile(r"[aeiouyw]")


@lru_cache(maxsize=65536)
def skeleton(token: str) -> str:
    """The consonant skeleton of a Latin token, for comparing with abjad scripts whose vowels are unwritten:
    ``mohammed``, ``muhammad`` and ``mhmd`` (from محمد) all give ``mhmd``."""
    # Doubled letters are one sound (Mohammed), but consonants either side of a vowel are two (Aziz: zz).
    out = _DOUBLE.sub(r"\1", token).replace("ph", "f").replace("ck", "k").replace("q", "k")
    for a, b in _SKELETON_DIGRAPHS:
        out = out.replace(a, b)
    # French spellings of Arabic names write shin as ch and sin as c (Akkacha, Lounici): one class s.
    return _VOWELS.sub("", out.replace("c", "s"))


_BROAD_DIGRAPHS = (
    ("ph", "f"), ("th", "t"), ("dh", "d"), ("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "s"),
    ("zh", "s"), ("ts", "s"), ("dz", "s"), ("dj", "j"), ("ck", "k"), ("x", "ks"),
)  # fmt: skip
_BROAD = str.maketrans(
    {**dict.fromkeys("pbfv", "P"), **dict.fromkeys("td", "T"), **dict.fromkeys("kgqc", "K"),
     **dict.fromkeys("szj", "S"), **dict.fromkeys("lr", "R"), "m": "M", "n": "N",
     **dict.fromkeys("aeiouyhw", None)}
)  # fmt: skip


@lru_cache(maxsize=65536)
def broad_skeleton(text: str) -> str:
    """A coarse consonant-class skeleton for names that went through a script with a different sound
    inventory (Korean and Japanese merge l/r and have no v; Hebrew and Arabic leave vowels out): classes
    P (p b f v), T (t d), K (k g q c), S (s z j sh ch), R (l r), M, N; vowels, h, w and y dropped.
    ``vladimir`` and ``beuladimil`` (블라디미르 read back) are both ``PRTMR``."""
    out = text.replace(" ", "")
    for a, b in _BROAD_DIGRAPHS:
        out = out.replace(a, b)
    return _DOUBLE_UPPER.sub(r"\1", out.translate(_BROAD))


_DOUBLE_UPPER = re.compile(r"([A-Z])\1+")
