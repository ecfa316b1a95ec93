"""UN Security Council Consolidated List XML (``CONSOLIDATED_LIST``, no namespace).

``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY``. ``FIRST_NAME``..``FOURTH_NAME`` are in list order, not
given/family semantics, so the primary name is their concatenation as published. ``DATAID`` is the
source id and ``REFERENCE_NUMBER`` (``QDi.001``; the prefix names the committee) the reference. Aliases
carry ``QUALITY`` Good (a.k.a.) or Low (weak); empty alias elements are skipped. Dates of birth are
``EXACT`` (a ``DATE`` or only a ``YEAR``), ``APPROXIMATELY`` (circa) or ``BETWEEN`` (``FROM_YEAR``..
``TO_YEAR``). Nationalities are English country names, mapped to ISO codes.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

from vaspguard.errors import InvalidRow
from vaspguard.lists._countries import country_code
from vaspguard.lists._dates import birth_date, parse_day, span
from vaspguard.lists._model import (
    BirthDate,
    DatePrecision,
    Document,
    EntityKind,
    ListEntity,
    ListName,
    NameKind,
    ParsedList,
    PostalAddress,
    Source,
)
from vaspguard.lists._text import script_of, squash
from vaspguard.lists._xml import children, read_entities, text

_RECORDS = frozenset({"INDIVIDUAL", "ENTITY"})
_BETWEEN_MONTHS = re.compile(r"^Between ([A-Za-z]+)\.? and ([A-Za-z]+)\.? (\d{4})$", re.IGNORECASE)


def read_un_xml(path: Path, data: bytes) -> ParsedList:
    entities, published = read_entities(
        data, path, _RECORDS, _entity, stamp="dateGenerated", id_field="DATAID"
    )
    return ParsedList(source=Source.UN_SC, format="un_xml", published_at=published, entities=entities)


def _values(rec: Element, name: str) -> list[str]:
    return [squash(v.text) for el in children(rec, name) for v in el if squash(v.text)]


def _join(*parts: str) -> str:
    return ", ".join(p for p in (squash(x) for x in parts) if p)


_ALIAS_QUALITY = {"low": NameKind.WEAK, "very low": NameKind.WEAK, "f.k.a.": NameKind.FKA}


def _entity(rec: Element, path: Path, index: int) -> ListEntity:
    individual = rec.tag == "INDIVIDUAL"
    dataid = text(rec, "DATAID")
    if not dataid:
        raise InvalidRow(path, index, "DATAID", "record without DATAID")
    primary = squash(
        " ".join(text(rec, f) for f in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"))
    )
    if not primary:
        raise InvalidRow(path, index, "FIRST_NAME", f"record {dataid} has no name")
    names = _names(rec, primary, individual=individual)
    births, unparsed = _births(rec)
    places = [
        p
        for pob in children(rec, "INDIVIDUAL_PLACE_OF_BIRTH")
        if (p := _join(text(pob, "CITY"), text(pob, "STATE_PROVINCE"), text(pob, "COUNTRY")))
    ]
    nationalities: list[str] = []
    unmapped: list[str] = []
    for value in _values(rec, "NATIONALITY"):
        code = country_code(value)
        if code and code not in nationalities:
            nationalities.append(code)
        elif code is None:
            unmapped.append(value)
    extra: dict[str, str] = {}
    for field_name, key in (("DESIGNATION", "designation"), ("TITLE", "title")):
        vals = _values(rec, field_name)
        if vals:
            extra[key] = "; ".join(vals)
    if unmapped:
        extra["nationality_text"] = "; ".join(unmapped)
    if unparsed:
        extra["birth_date_text"] = "; ".join(unparsed)
    list_type = text(rec, "UN_LIST_TYPE")
    gender = text(rec, "GENDER").lower() or None
    return ListEntity(
        source=Source.UN_SC,
        source_id=dataid,
        kind=EntityKind.PERSON if individual else EntityKind.ORGANISATION,
        names=tuple(names),
        reference=text(rec, "REFERENCE_NUMBER") or None,
        birth_dates=tuple(births),
        birth_places=tuple(places),
        nationalities=tuple(nationalities),
        addresses=_addresses(rec, individual=individual),
        documents=_documents(rec),
        gender=gender if gender in ("male", "female") else None,
        programs=(list_type,) if list_type else (),
        listed_on=parse_day(text(rec, "LISTED_ON")),
        remarks=squash(text(rec, "COMMENTS1")) or None,
        extra=extra,
    )


def _names(rec: Element, primary: str, *, individual: bool) -> list[ListName]:
    """The primary, the original-script name, then the aliases by ``QUALITY``: Good | Low | Very Low for
    individuals, a.k.a. | f.k.a. for entities."""
    names = [ListName(primary, NameKind.PRIMARY, script_of(primary))]
    original = squash(text(rec, "NAME_ORIGINAL_SCRIPT"))
    if original:
        names.append(ListName(original, NameKind.ORIGINAL_SCRIPT, script_of(original)))
    for alias in children(rec, "INDIVIDUAL_ALIAS" if individual else "ENTITY_ALIAS"):
        name = squash(text(alias, "ALIAS_NAME"))
        if not name:
            continue
        kind = _ALIAS_QUALITY.get(text(alias, "QUALITY").lower(), NameKind.AKA)
        ln = ListName(name, kind, script_of(name))
        if ln not in names:
            names.append(ln)
    return names


def _births(rec: Element) -> tuple[list[BirthDate], list[str]]:
    """The dates of birth read, and the notes of those that are no date ("30-35 years old", a Hijri date):
    kept as published, not guessed."""
    births: list[BirthDate] = []
    unparsed: list[str] = []
    for dob in children(rec, "INDIVIDUAL_DATE_OF_BIRTH"):
        b = _birth(dob)
        if b is not None and b not in births:
            births.append(b)
        elif b is None and (note := squash(text(dob, "NOTE"))):
            unparsed.append(note)
    return births, unparsed


def _addresses(rec: Element, *, individual: bool) -> tuple[PostalAddress, ...]:
    addresses = []
    for a in children(rec, "INDIVIDUAL_ADDRESS" if individual else "ENTITY_ADDRESS"):
        label = _join(
            text(a, "STREET"),
            text(a, "CITY"),
            text(a, "STATE_PROVINCE"),
            text(a, "ZIP_CODE"),
            text(a, "COUNTRY"),
        )
        note = squash(text(a, "NOTE"))
        if note:
            label = f"{label} ({note})" if label else note
        if label:
            addresses.append(PostalAddress(label, country_code(text(a, "COUNTRY"))))
    return tuple(addresses)


def _documents(rec: Element) -> tuple[Document, ...]:
    documents = []
    for d in children(rec, "INDIVIDUAL_DOCUMENT"):
        number = squash(text(d, "NUMBER"))
        doc_type = squash(text(d, "TYPE_OF_DOCUMENT"))
        if not number and not doc_type:
            continue
        country = text(d, "ISSUING_COUNTRY") or text(d, "COUNTRY_OF_ISSUE")
        note = _join(
            text(d, "TYPE_OF_DOCUMENT2"), text(d, "DATE_OF_ISSUE"), text(d, "CITY_OF_ISSUE"), text(d, "NOTE")
        )
        documents.append(
            Document(
                type=_doc_type(doc_type),
                number=number,
                country=country_code(country),
                note=_join(doc_type, note) or None,
            )
        )
    return tuple(documents)


def _birth(dob: Element) -> BirthDate | None:
    kind = text(dob, "TYPE_OF_DATE").upper()
    day, year = text(dob, "DATE"), text(dob, "YEAR")
    if kind == "BETWEEN":
        lo, hi = text(dob, "FROM_YEAR"), text(dob, "TO_YEAR")
        if lo.isdigit() and hi.isdigit():
            return BirthDate(
                date(int(lo), 1, 1), date(int(hi), 12, 31), DatePrecision.YEAR, False, f"{lo} to {hi}"
            )
        return None
    raw = day or year
    if not raw:
        note = squash(text(dob, "NOTE"))
        if m := _BETWEEN_MONTHS.match(note):  # "Between Aug. and Sep. 1977"
            a, b = birth_date(f"{m[1]} {m[3]}"), birth_date(f"{m[2]} {m[3]}")
            if a is not None and b is not None:
                return BirthDate(a.start, b.end, DatePrecision.MONTH, kind == "APPROXIMATELY", note)
        return birth_date(note, circa=kind == "APPROXIMATELY") if note else None
    b = birth_date(raw, circa=kind == "APPROXIMATELY")
    if b is None and span(raw[:10]) is not None:
        b = birth_date(raw[:10], circa=kind == "APPROXIMATELY")
    return b


def _doc_type(label: str) -> str:
    low = label.lower()
    if "passport" in low:
        return "passport"
    if "national" in low or "identi" in low:
        return "national_id"
    if "tax" in low:
        return "tax_id"
    return low.replace(" ", "_") or "document"
