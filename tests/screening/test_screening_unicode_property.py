"""No name may crash screening (issue 12, part 1): arbitrary Unicode through ``score_names``,
``Screener.screen_name``, ``screen pairs``, ``screen batch`` and ``POST /v1/screen``. Drawn from every script
the index reads, plus combining marks, format and bidi controls, emoji, terminal escapes and control
characters, digits only, punctuation only and strings that are empty after normalisation.

Two crashes these found: a token a projection left empty (``_fuzzy`` read ``a[0]``), and ICU cutting a
surrogate pair in two (the kana iteration mark ゝ after an emoji)."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaspguard.cli import run
from vaspguard.screening import Screener, read_lists, score_names
from vaspguard.store import Store

# A few letters of each script the index handles, and what trips text handling up.
_SCRIPTS = (
    "AbcÆßøłñçğ",  # Latin with diacritics and ligatures
    "ИванЩукинЁёЪъЫыЬьІіЇїЄєЎўҐґ",  # Cyrillic, Ukrainian and Belarusian letters
    "ΑλέξηςΓιώργος",  # Greek
    "محمدعبداللهبنةءئؤّْـیکہھە",  # Arabic with tashkeel, tatweel and Persian/Urdu letters
    "אברהםלוי",  # Hebrew
    "直子阿部安倍晋三習近平金正恩",  # Han
    "ナオコアベヴィーゝゞ々〆ヽ・",  # kana with iteration and prolonged-sound marks
    "김정은박근혜한국",  # Hangul
    "नरेंद्रमोदी",  # Devanagari
    "สมชายქართულიԱրմեն",  # Thai, Georgian, Armenian
)
_TROUBLE = [
    *["\u0301", "\u0308", "\u0651"],  # combining marks
    *["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"],  # zero-width and soft hyphen
    *["\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"],  # bidi controls
    *["😀", "👨\u200d👩\u200d👧", "🇷🇺", "\U00020000", "\U0001d400"],  # emoji, astral letters
    *"0123456789\u0660\u0661\u0662-.,'()/&_  \t",  # digits (Latin and Arabic-Indic), punctuation, spaces
    *["\x1b[31m", "\x1b]8;;http://x\x07", "\x00", "\r", "\n", "\x7f", "\x85"],  # escapes and controls
]
_ALPHABET = st.sampled_from([ch for s in _SCRIPTS for ch in s] + _TROUBLE)
NAMES = st.one_of(
    st.lists(_ALPHABET, min_size=1, max_size=40).map("".join),
    st.lists(_ALPHABET, min_size=1, max_size=500).map("".join),
    st.text(min_size=1, max_size=60),  # anything Unicode has
    st.text(alphabet=st.sampled_from(list("0123456789")), min_size=1, max_size=20),
    st.text(alphabet=st.sampled_from(list("-.,'()/&_ \u200b\u200f")), min_size=1, max_size=20),
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(a=NAMES, b=NAMES)
def test_score_names_never_raises(a: str, b: str) -> None:
    for kind in (None, "person", "organisation"):
        score = score_names(a, b, kind)
        assert 0.0 <= score <= 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ア", "H"),
        ("コ", "H"),
        ("😀ゝ", ""),
        ("a😀ゝ", "Abe"),
        ("直子 阿部", "ABE, Naoko"),
        ("\u200b", "\u200f"),
    ],
)
def test_names_that_crashed(a: str, b: str) -> None:
    assert 0.0 <= score_names(a, b) <= 1.0


@pytest.fixture(scope="module")
def screener(shared_data: Path) -> Screener:
    return Screener.from_entities(
        read_lists([shared_data / "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"])
    )


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=NAMES)
def test_screen_name_never_raises(screener: Screener, name: str) -> None:
    for m in screener.screen_name(name, top=5):
        assert 0.0 <= m.score <= 1.0


# --- the same names through the CLI and the API ----------------------------------------------------------

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"
# JSON escapes reach what a UTF-8 file cannot hold: a lone surrogate
JSON_NAMES = st.one_of(NAMES, st.text(alphabet=st.characters(categories=["Cs", "Lo", "Zs"]), max_size=8))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st.lists(st.tuples(NAMES, NAMES, st.sampled_from(["", "person", "organisation"])), max_size=12))
def test_screen_pairs_never_crashes(rows: list[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "pairs.csv", Path(tmp) / "scores.csv"
        with src.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([("name1", "name2", "kind"), *rows])
        code = run(["screen", "pairs", "--input", str(src), "--output", str(out)])
        # 0, or 2 for a name that is empty once stripped (a bad row, named in one line): never a crash
        blank = any(not a.strip() or not b.strip() for a, b, _ in rows)
        assert code == (2 if blank else 0)
        if code == 0:
            with out.open(encoding="utf-8", newline="") as fh:
                scored = list(csv.DictReader(fh))
            assert len(scored) == len(rows)
            assert all(0.0 <= float(r["score"]) <= 1.0 for r in scored)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(names=st.lists(JSON_NAMES, min_size=1, max_size=8))
def test_screen_batch_never_crashes(shared_data: Path, names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "people.jsonl", Path(tmp) / "hits.jsonl"
        src.write_text("".join(json.dumps({"id": i, "name": n}) + "\n" for i, n in enumerate(names)))
        code = run(
            [
                "screen",
                "batch",
                "--input",
                str(src),
                "--output",
                str(out),
                "--list",
                str(shared_data / EXCERPT),
            ]
        )
        # 0, or 2 for a bad row (a blank name, a lone surrogate): never 3 (a row crashed) or 70
        bad = any(not n.strip() or any("\ud800" <= ch <= "\udfff" for ch in n) for n in names)
        assert code == (2 if bad else 0)
        if code == 0:
            # JSON Lines are split on "\n" only (a name may hold U+0085 or U+2028, which splitlines cuts at)
            lines = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n")[:-1]]
            assert [line["name"] for line in lines] == names
            assert all("error" not in line for line in lines)


def test_post_screen_never_answers_5xx(sqlite_store: Store) -> None:
    from fastapi.testclient import TestClient

    from vaspguard.api import Role, create_app, create_token
    from vaspguard.lists import EntityKind, ListEntity, ListName, Source

    app = create_app(sqlite_store)
    app.state.screener = Screener.from_entities(
        [
            ListEntity(Source.OFAC_SDN, "1", EntityKind.PERSON, (ListName("KHOROSHEV, Dmitry Yuryevich"),)),
            ListEntity(Source.OFAC_SDN, "2", EntityKind.PERSON, (ListName("直子 阿部"),)),
        ]
    )
    headers = {
        "Authorization": f"Bearer {create_token(sqlite_store, name='svc', role=Role.SERVICE)}",
        "Content-Type": "application/json",
    }
    client = TestClient(app, raise_server_exceptions=False)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(name=JSON_NAMES, batch=st.lists(JSON_NAMES, max_size=5))
    def post(name: str, batch: list[str]) -> None:
        for body in ({"name": name}, {"queries": [{"id": str(i), "name": n} for i, n in enumerate(batch)]}):
            r = client.post("/v1/screen", content=json.dumps(body).encode(), headers=headers)
            assert r.status_code < 500, (body, r.text)
            assert r.status_code in (200, 400, 422), (body, r.text)

    post()
