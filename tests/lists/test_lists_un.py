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
    dobs = [b for e in persons for b in e.birth_dates]
    assert sum(1 for b in dobs if b.circa) > 0
    assert sum(1 for b in dobs if b.start.year != b.end.year) > 0  # BETWEEN ranges kept as ranges


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
