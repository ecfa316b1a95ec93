"""The other readers (OFAC XML and Enhanced XML, EU, UK, OpenSanctions) on the genuine files, and format
detection from content."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.lists import DatePrecision, EntityKind, NameKind, Source, read_path

L = "lists/"
SDN_XML = L + "ofac_sdn_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sdn.xml"
CONS_ZIP = L + "ofac_consolidated_nonsdn_enhanced_xml/watchman_2025-01-10/CONS_ENHANCED.ZIP"
EU_OK = L + "eu_fsf_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sample_eu_sanctions.xml"
EU_DUP = L + "eu_fsf_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sample_eu.xml"
UK_XML = L + "uk_sanctions_list_xml/jaggeman_sanctions_excerpt_2026-08-14/uk_sample.xml"
OFSI = L + "uk_ofsi_conlist_csv/deriv_perl-Data-Validate-Sanctions_excerpt/sample_hmt.csv"
FTM = L + "opensanctions/yente_fixture_t1_eu_fsf_2024-06/entities.ftm.json"
DELTA = L + "opensanctions/yente_fixture_t1_eu_fsf_2024-06/t2_20240527194702-wnk_entities.delta.json"


def test_ofac_legacy_xml_excerpt(shared_data: Path) -> None:
    # The excerpt keeps the full list's header (Record_Count 8197) but holds 8 entries: refused as truncated
    # unless the caller knowingly reads an excerpt.
    with pytest.raises(InvalidFile, match="declares 8197 records but holds 8"):
        read_path(shared_data / SDN_XML)
    parsed = read_path(shared_data / SDN_XML, check_count=False)
    assert parsed.format == "ofac_xml"
    assert parsed.declared_count == 8197
    assert parsed.published_at is not None and parsed.published_at.date() == date(2020, 4, 22)
    assert len(parsed.entities) == 8
    saeed = {e.source_id: e for e in parsed.entities}["10689"]
    assert saeed.primary_name == "SAEED, Muhammad"
    assert ("HAFIZ SAHIB", NameKind.WEAK) in {(n.name, n.kind) for n in saeed.names}
    assert {d.number for d in saeed.documents if d.type == "passport"} >= {"BE5978421"}
    assert saeed.nationalities == ("PK",)
    khan = {e.source_id: e for e in parsed.entities}["18619"]
    # "01 Jan 1976 to 31 Dec 1978" covers whole years: year precision, not two exact days.
    assert [(b.start, b.end, b.precision) for b in khan.birth_dates] == [
        (date(1976, 1, 1), date(1978, 12, 31), DatePrecision.YEAR),
        (date(1977, 1, 1), date(1979, 12, 31), DatePrecision.YEAR),
    ]


def test_ofac_enhanced_zip(shared_data: Path) -> None:
    parsed = read_path(shared_data / CONS_ZIP)
    assert parsed.format == "ofac_enhanced_xml"
    assert parsed.source is Source.OFAC_CONS
    assert parsed.published_at is not None and parsed.published_at.date() == date(2025, 1, 10)
    assert len(parsed.entities) == 443
    assert Counter(e.kind for e in parsed.entities) == {EntityKind.ORGANISATION: 363, EntityKind.PERSON: 80}
    haniya = {e.source_id: e for e in parsed.entities}["9639"]
    assert haniya.primary_name == "HANIYA, Ismail Abdul Salah"
    assert haniya.programs == ("NS-PLC",)
    assert haniya.birth_dates[0].precision is DatePrecision.YEAR
    assert haniya.listed_on == date(2006, 4, 12)
    assert sum(len(e.links) for e in parsed.entities) == 283  # <relationship> elements


def test_ofac_enhanced_bare_equals_zip(shared_data: Path, tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(shared_data / CONS_ZIP) as zf:
        bare = tmp_path / "CONS_ENHANCED.XML"
        bare.write_bytes(zf.read("CONS_ENHANCED.XML"))
    assert read_path(bare).entities == read_path(shared_data / CONS_ZIP).entities


def test_eu_fsf(shared_data: Path) -> None:
    parsed = read_path(shared_data / EU_OK)
    assert parsed.source is Source.EU_FSF
    assert len(parsed.entities) == 7
    saddam = {e.source_id: e for e in parsed.entities}["13"]
    assert saddam.reference == "EU.27.28"
    assert saddam.nationalities == ("IQ",)
    assert saddam.gender == "male"
    assert "Saddam Hussein Al-Tikriti" in {n.name for n in saddam.names}


def test_eu_duplicate_logical_id_refused(shared_data: Path) -> None:
    # This excerpt (from a test suite) repeats sanctionEntity 5468 with an edited alias: two records with
    # one id cannot both be the publisher's, so the file is refused, naming the record.
    with pytest.raises(InvalidRow, match="5468 appears twice"):
        read_path(shared_data / EU_DUP)


EU_WEAK = """<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2024-01-02T10:00:00+01:00">
  <sanctionEntity euReferenceNumber="EU.1.1" logicalId="42" designationDate="2022-02-28">
    <regulation programme="RUS" numberTitle="2022/330 (OJ L53)"/>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias wholeName="Ivan PETROV" strong="true" nameLanguage="" gender="M"/>
    <nameAlias wholeName="Ваня" strong="false" nameLanguage="RU"/>
    <nameAlias wholeName="Иван ПЕТРОВ" strong="true" nameLanguage="RU"/>
    <nameAlias wholeName="Vanya" strong="false" nameLanguage=""/>
    <nameAlias wholeName="Ivan the Tall" strong="true"><remark>lo quality alias</remark></nameAlias>
    <citizenship countryIso2Code="CS" countryDescription="SERBIA AND MONTENEGRO"/>
    <birthdate circa="true" year="1970"/>
    <identification number="123" identificationTypeCode="passport" knownFalse="true" countryIso2Code="00"
      countryDescription="UNKNOWN"/>
  </sanctionEntity>
</export>
"""


def test_eu_weak_alias_original_script_and_legacy_code(tmp_path: Path) -> None:
    # A minimal file in the FSF 1.1 shape exercising what the genuine excerpts lack (weak aliases,
    # Cyrillic originals, CS, knownFalse).
    path = tmp_path / "eu.xml"
    path.write_text(EU_WEAK, encoding="utf-8")
    (e,) = read_path(path).entities
    kinds = {n.name: n.kind for n in e.names}
    assert kinds == {
        "Ivan PETROV": NameKind.PRIMARY,
        "Ваня": NameKind.ORIGINAL_SCRIPT,
        "Иван ПЕТРОВ": NameKind.ORIGINAL_SCRIPT,
        "Vanya": NameKind.WEAK,
        "Ivan the Tall": NameKind.WEAK,
    }
    assert {n.lang for n in e.names if n.script == "Cyrl"} == {"RU"}
    assert e.nationalities == ("RS",)
    assert e.documents[0].known_false and e.documents[0].country is None
    assert e.birth_dates[0].circa and e.birth_dates[0].precision is DatePrecision.YEAR
    assert e.legal_basis == ("2022/330 (OJ L53)",)


def test_uk_fcdo_xml(shared_data: Path, tmp_path: Path) -> None:
    # The excerpt ends with one synthetic record without UniqueID: a record that cannot be identified makes
    # the file unimportable, and says which record.
    with pytest.raises(InvalidRow, match="Designation 5 has no UniqueID"):
        read_path(shared_data / UK_XML)
    text = (shared_data / UK_XML).read_text(encoding="utf-8")
    cut = text.index("  <!-- Synthetic edge case")
    real = tmp_path / "uk_real.xml"
    real.write_text(text[:cut] + "</Designations>\n", encoding="utf-8")
    parsed = read_path(real)
    assert parsed.source is Source.UK_FCDO
    assert parsed.published_at is not None and parsed.published_at.date() == date(2026, 8, 14)
    by_id = {e.source_id: e for e in parsed.entities}
    assert set(by_id) == {"AFG0011", "AQD0128", "AQD0377", "DPR0075"}
    assert by_id["DPR0075"].kind is EntityKind.VESSEL
    assert by_id["AQD0377"].kind is EntityKind.ORGANISATION
    afg = by_id["AFG0011"]
    assert afg.reference == "TAi.007"
    assert afg.primary_name == "ABDUL LATIF MANSUR"
    assert [(b.start.year, b.precision) for b in afg.birth_dates] == [
        (1968, DatePrecision.YEAR),
        (1967, DatePrecision.DAY),
    ]  # "dd/mm/1968" is a year; "12/11/1967" twice is one date
    assert {n.script for n in afg.names if n.kind is NameKind.ORIGINAL_SCRIPT} == {"Arab"}
    aqd = by_id["AQD0128"]
    assert aqd.primary_name == "AKRAM TURKI HISHAN AL-MAZIDIH"  # "Primary name", lower-case n
    assert {n.name for n in aqd.names if n.kind is NameKind.WEAK} == {"Abu Akram", "Abu Jarrah"}
    assert ("national_id", "0075258") in {(d.type, d.number) for d in aqd.documents}  # leading zero kept


def test_uk_ofsi_conlist_grouped_by_id(shared_data: Path) -> None:
    parsed = read_path(shared_data / OFSI)
    assert parsed.source is Source.UK_OFSI
    assert parsed.published_at is not None and parsed.published_at.date() == date(2020, 4, 27)
    assert len(parsed.entities) == 6  # 23 alias rows, 6 Group IDs
    hojati = {e.source_id: e for e in parsed.entities}["9053"]
    assert hojati.primary_name == "Mohsen HOJATI"
    assert {n.script for n in hojati.names if n.kind is NameKind.ORIGINAL_SCRIPT} == {"Arab"}


def test_opensanctions_entities_and_delta(shared_data: Path) -> None:
    parsed = read_path(shared_data / FTM)
    assert parsed.format == "ftm_json"
    assert len(parsed.entities) == 6  # 7 lines; the Address entity folds into its organisation
    assert Counter(e.kind for e in parsed.entities) == {EntityKind.PERSON: 4, EntityKind.ORGANISATION: 2}
    # The fixture is a slice: its one Address entity is referenced by neither organisation (their
    # addressEntity ids are not its id nor among its referents), so no address is invented.
    assert sum(len(e.addresses) for e in parsed.entities) == 0
    delta = read_path(shared_data / DELTA)
    assert delta.is_delta and delta.format == "ftm_delta"
    assert {e.primary_name for e in delta.entities} >= {"AL-QAIDA IN IRAQ"}


def test_format_forced_must_match_content(shared_data: Path) -> None:
    with pytest.raises(InvalidFile, match="content is un_xml, not the eu_xml"):
        read_path(shared_data / L / "un_consolidated_xml/watchman_2026-02-27/consolidated.xml", "eu_xml")


def test_detection_ignores_file_names(shared_data: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "download.bin"
    shutil.copyfile(shared_data / OFSI, renamed)
    assert read_path(renamed).format == "uk_ofsi_csv"
