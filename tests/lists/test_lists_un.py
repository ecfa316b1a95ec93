"""UN Security Council consolidated XML read from the genuine publisher file."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from vaspguard.lists import DatePrecision, EntityKind, NameKind, Source, read_path

UN = "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml"


def test_un_counts(shared_data: Path) -> None:
    parsed = read_path(shared_data / UN)
    assert parsed.source is Source.UN_SC
    assert parsed.published_at is not None and parsed.published_at.date() == date(2026, 2, 27)
    kinds = Counter(e.kind for e in parsed.entities)
    assert kinds == {EntityKind.PERSON: 730, EntityKind.ORGANISATION: 273}
    persons = [e for e in parsed.entities if e.kind is EntityKind.PERSON]
    originals = [n for e in persons for n in e.names if n.kind is NameKind.ORIGINAL_SCRIPT]
    assert len(originals) == 336
    assert Counter(n.script for n in originals) == {"Arab": 327, "Cyrl": 9}
    entity_originals = [
        n
        for e in parsed.entities
        if e.kind is EntityKind.ORGANISATION
        for n in e.names
        if n.kind is NameKind.ORIGINAL_SCRIPT
    ]
    # 39 entities have Arabic originals (as the notes say); 2 more are Cyrillic and 1 is in Latin letters.
    assert Counter(n.script for n in entity_originals) == {"Arab": 39, "Cyrl": 2, "Latn": 1}
    # 2,308 alias elements: 615 QUALITY Low (weak), 1,524 Good; entities write a.k.a. (594) / f.k.a. (19).
    kinds = Counter(n.kind for e in parsed.entities for n in e.names)
    assert kinds[NameKind.WEAK] == 615
    assert kinds[NameKind.FKA] == 19
    # DOB elements: 722 EXACT, 117 APPROXIMATELY, 31 BETWEEN (870). Kept with their precision; the two
    # that are no date ("30-35 years old", a Hijri date) stay as published text, never guessed.
    dobs = Counter((b.circa, b.precision, b.start.year != b.end.year) for e in persons for b in e.birth_dates)
    assert dobs == {
        (False, DatePrecision.DAY, False): 454,  # EXACT with a DATE
        (False, DatePrecision.YEAR, False): 262,  # EXACT with only a YEAR
        (False, DatePrecision.MONTH, False): 5,  # EXACT given in NOTE as "Nov. 1973", "Between Aug. and Sep."
        (True, DatePrecision.YEAR, False): 116,  # APPROXIMATELY
        (False, DatePrecision.YEAR, True): 31,  # BETWEEN FROM_YEAR and TO_YEAR
    }
    texts = sorted(e.extra["birth_date_text"] for e in persons if "birth_date_text" in e.extra)
    assert texts == ["24/06/1402 (Hijri Calendar)", "30-35 years old"]


def test_un_record_fields(shared_data: Path) -> None:
    by_ref = {e.reference: e for e in read_path(shared_data / UN).entities}
    badege = by_ref["CDi.001"]
    assert badege.source_id == "6907993"
    assert badege.primary_name == "ERIC BADEGE"
    assert badege.nationalities == ("CD",)
    assert badege.gender == "male"
    assert badege.listed_on == date(2012, 12, 31)
    (dob,) = badege.birth_dates
    assert (dob.start, dob.end, dob.precision) == (date(1971, 1, 1), date(1971, 12, 31), DatePrecision.YEAR)
    assert badege.programs == ("DRC",)
