"""EU Consolidated Financial Sanctions File, XML 1.1 (``export`` / ``sanctionEntity``).

``@logicalId`` is the source id and ``@euReferenceNumber`` the reference; ``@unitedNationId`` links a UN
listing. ``nameAlias`` carries no primary flag: the first strong Latin alias is taken as primary (the
order the Commission publishes). ``strong="false"`` is a weak alias, and so is an alias whose remark calls
it low quality (the Commission also writes "lo quality"). A ``nameAlias`` in a non-Latin script (Cyrillic,
Greek, Arabic, ... with ``@nameLanguage``) is an original-script name. ``citizenship`` is the EU's only
nationality field and fills both nationalities and citizenships; ``countryIso2Code="00"`` means unknown
and legacy ``CS`` maps to ``RS``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

from vaspguard.errors import InvalidRow
from vaspguard.lists._countries import country_code
from vaspguard.lists._dates import birth_date, parse_day
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

_LOW_QUALITY = re.compile(r"\blow?\s+quality\b", re.IGNORECASE)
_KINDS = {"person": EntityKind.PERSON, "enterprise": EntityKind.ORGANISATION}


def read_eu_xml(path: Path, data: bytes) -> ParsedList:
    entities, published = read_entities(
        data, path, frozenset({"sanctionEntity"}), _entity, stamp="generationDate", id_field="logicalId"
    )
    return ParsedList(source=Source.EU_FSF, format="eu_xml", published_at=published, entities=entities)


def _country(el: Element) -> str | None:
    code = (el.get("countryIso2Code") or "").strip()
    if code and code != "00":
        return country_code(code)
    desc = (el.get("countryDescription") or "").strip()
    return country_code(desc) if desc and desc.upper() != "UNKNOWN" else None


def _entity(rec: Element, path: Path, index: int) -> ListEntity:
    logical = (rec.get("logicalId") or "").strip()
    if not logical:
        raise InvalidRow(path, index, "logicalId", "sanctionEntity without logicalId")
    subject = next(iter(children(rec, "subjectType")), None)
    code = (subject.get("code") if subject is not None else "") or ""
    kind = _KINDS.get(code.lower(), EntityKind.UNKNOWN)
    names, genders, functions = _names(rec)
    if not names:
        raise InvalidRow(path, index, "nameAlias", f"entity {logical} has no name")
    births, places = _births(rec)
    countries = [c for el in children(rec, "citizenship") if (c := _country(el))]
    regulations = children(rec, "regulation")
    programs = tuple(dict.fromkeys(p for r in regulations if (p := (r.get("programme") or "").strip())))
    legal = tuple(dict.fromkeys(t for r in regulations if (t := squash(r.get("numberTitle")))))
    extra: dict[str, str] = {}
    if un := (rec.get("unitedNationId") or "").strip():
        extra["un_reference"] = un
    if functions:
        extra["function"] = "; ".join(dict.fromkeys(functions))
    remarks = "; ".join(squash(r.text) for r in children(rec, "remark") if squash(r.text))
    return ListEntity(
        source=Source.EU_FSF,
        source_id=logical,
        kind=kind,
        names=tuple(names),
        reference=(rec.get("euReferenceNumber") or "").strip() or None,
        birth_dates=tuple(births),
        birth_places=tuple(places),
        nationalities=tuple(dict.fromkeys(countries)),
        citizenships=tuple(dict.fromkeys(countries)),
        addresses=_addresses(rec),
        documents=_documents(rec),
        gender=genders[0] if genders and genders[0] in ("male", "female") else None,
        programs=programs,
        legal_basis=legal,
        listed_on=parse_day(rec.get("designationDate")),
        remarks=remarks or None,
        extra=extra,
    )


def _names(rec: Element) -> tuple[list[ListName], list[str], list[str]]:
    """The entity's names (primary first), and the genders and functions its aliases state."""
    names: list[ListName] = []
    genders: list[str] = []
    functions: list[str] = []
    for alias in children(rec, "nameAlias"):
        whole = squash(alias.get("wholeName")) or squash(
            " ".join(alias.get(a) or "" for a in ("firstName", "middleName", "lastName"))
        )
        if not whole:
            continue
        lang = (alias.get("nameLanguage") or "").strip() or None
        script = script_of(whole)
        ln = ListName(whole, _alias_kind(alias, script, names), script, lang)
        if ln not in names:
            names.append(ln)
        if g := (alias.get("gender") or "").strip().upper():
            genders.append({"M": "male", "F": "female"}.get(g, g.lower()))
        if f := squash(alias.get("function")):
            functions.append(f)
    names.sort(key=lambda n: n.kind is not NameKind.PRIMARY)
    return names, genders, functions


def _alias_kind(alias: Element, script: str | None, names: list[ListName]) -> NameKind:
    """Original script, weak (``strong="false"`` or a low-quality remark), first strong primary, or AKA."""
    weak = (alias.get("strong") or "true").lower() == "false" or bool(
        _LOW_QUALITY.search(text(alias, "remark"))
    )
    if script not in (None, "Latn"):
        return NameKind.ORIGINAL_SCRIPT
    if weak:
        return NameKind.WEAK
    if not any(n.kind is NameKind.PRIMARY for n in names):
        return NameKind.PRIMARY
    return NameKind.AKA


def _births(rec: Element) -> tuple[list[BirthDate], list[str]]:
    births: list[BirthDate] = []
    places: list[str] = []
    for b in children(rec, "birthdate"):
        bd = _birth(b)
        if bd is not None and bd not in births:
            births.append(bd)
        place = ", ".join(x for x in (squash(b.get(a)) for a in ("city", "place", "region")) if x)
        cdesc = squash(b.get("countryDescription"))
        place = ", ".join(x for x in (place, cdesc if cdesc.upper() != "UNKNOWN" else "") if x)
        if place and place not in places:
            places.append(place)
    return births, places


def _documents(rec: Element) -> tuple[Document, ...]:
    documents = []
    for d in children(rec, "identification"):
        number = squash(d.get("number")) or squash(d.get("latinNumber"))
        if not number:
            continue
        flags = [
            f for f in ("knownExpired", "reportedLost", "revokedByIssuer", "diplomatic") if d.get(f) == "true"
        ]
        note = "; ".join(
            x for x in (squash(d.get("identificationTypeDescription")), *flags, text(d, "remark")) if x
        )
        documents.append(
            Document(
                type=_doc_type(d.get("identificationTypeCode") or ""),
                number=number,
                country=_country(d),
                known_false=d.get("knownFalse") == "true",
                note=note or None,
            )
        )
    return tuple(documents)


def _addresses(rec: Element) -> tuple[PostalAddress, ...]:
    addresses = []
    for a in children(rec, "address"):
        parts = [squash(a.get(x)) for x in ("street", "poBox", "zipCode", "city", "place", "region")]
        desc = squash(a.get("countryDescription"))
        label = ", ".join(x for x in [*parts, desc if desc.upper() != "UNKNOWN" else ""] if x)
        if not label:
            label = squash(text(a, "remark"))
        if label:
            addresses.append(PostalAddress(label, _country(a)))
    return tuple(addresses)


def _birth(b: Element) -> BirthDate | None:
    circa = (b.get("circa") or "").lower() == "true"
    exact = (b.get("birthdate") or "").strip()
    if exact:
        return birth_date(exact, circa=circa)
    year, month, day = (
        (b.get("year") or "").strip(),
        (b.get("monthOfYear") or "").strip(),
        (b.get("dayOfMonth") or "").strip(),
    )
    lo, hi = (b.get("yearRangeFrom") or "").strip(), (b.get("yearRangeTo") or "").strip()
    if lo.isdigit() and hi.isdigit():
        return BirthDate(
            date(int(lo), 1, 1), date(int(hi), 12, 31), DatePrecision.YEAR, circa, f"{lo} to {hi}"
        )
    if year.isdigit():
        if month.isdigit() and day.isdigit():
            return birth_date(f"{year}-{int(month):02d}-{int(day):02d}", circa=circa)
        if month.isdigit():
            return birth_date(f"{int(month)}/{year}", circa=circa)
        return birth_date(year, circa=circa)
    return None


def _doc_type(code: str) -> str:
    low = code.lower()
    return {
        "passport": "passport",
        "id": "national_id",
        "fiscalcode": "tax_id",
        "regnumber": "registration",
    }.get(low, low or "document")
