"""UK lists: the FCDO UK Sanctions List XML (``Designations``) and the legacy OFSI ``ConList.csv``.

FCDO XML: one ``Designation`` per listed person, entity or ship, keyed by ``UniqueID`` (``AFG0011``);
``OFSIGroupID`` and ``UNReferenceNumber`` are kept as references. ``NameType`` is written "Primary Name"
and "Primary name" alike; ``AliasStrength`` "Low quality a.k.a" is a weak alias. Dates are DD/MM/YYYY
with ``dd``/``mm`` standing for an unknown day or month (``dd/mm/1968`` is the year 1968).

OFSI ConList CSV (36 columns after a ``Last Updated`` line and a header): one row per *name*, so rows are
grouped by ``Group ID``; Name 1-5 are given names and Name 6 the surname. ``Alias Type`` "Prime Alias" is
the primary name. DOBs like ``10/00/1983`` carry ``00`` for an unknown day or month.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path
from xml.etree.ElementTree import Element

from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.lists._countries import country_code
from vaspguard.lists._dates import birth_date, parse_day, parse_timestamp
from vaspguard.lists._model import (
    BirthDate,
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
from vaspguard.lists._xml import all_at, child, read_entities, text

_KINDS = {"individual": EntityKind.PERSON, "entity": EntityKind.ORGANISATION, "ship": EntityKind.VESSEL}
_UNKNOWN_PART = re.compile(
    r"^(?:dd|\d\d)/(?:mm|00)/(\d{4})$|^(?:dd|00)/(\d{1,2})/(\d{4})$", re.IGNORECASE
)  # dd/mm/1968, 10/00/1983 (day without month means nothing): the year; dd/09/1958: the month


def uk_birth(raw: str) -> BirthDate | None:
    t = raw.strip()
    if m := _UNKNOWN_PART.match(t):
        if m[1]:
            return birth_date(m[1])
        if m[2] and m[2] not in ("00",):
            return birth_date(f"{int(m[2])}/{m[3]}")
        return birth_date(m[3])
    return birth_date(t)


def _alias_kind(name_type: str, strength: str) -> NameKind:
    nt = name_type.strip().lower()
    if nt.startswith("primary name variation"):
        return NameKind.AKA
    if nt.startswith("primary"):
        return NameKind.PRIMARY
    return NameKind.WEAK if "low" in strength.lower() or "weak" in strength.lower() else NameKind.AKA


def _full_name(parts: list[str]) -> str:
    """Name 1..5 (given names) then Name 6 (surname), as the UK publishes them."""
    given = " ".join(p for p in parts[:5] if p)
    return squash(f"{given} {parts[5]}" if len(parts) > 5 else given)


# -- FCDO XML ------------------------------------------------------------------------------------------


def read_uk_xml(path: Path, data: bytes) -> ParsedList:
    entities, published = read_entities(
        data, path, frozenset({"Designation"}), _designation, stamp="dateGenerated", id_field="UniqueID"
    )
    return ParsedList(source=Source.UK_FCDO, format="uk_xml", published_at=published, entities=entities)


def _designation(rec: Element, path: Path, index: int) -> ListEntity:
    uid = text(rec, "UniqueID")
    if not uid:
        raise InvalidRow(path, index, "UniqueID", f"Designation {index} has no UniqueID")
    names = _uk_names(rec)
    if not names:
        raise InvalidRow(path, index, "Names", f"{uid} has no name")
    kind = _KINDS.get(text(rec, "IndividualEntityShip").lower(), EntityKind.UNKNOWN)
    ind = child(rec, "IndividualDetails", "Individual")
    births: list[BirthDate] = []
    for d in all_at(ind, "DOBs", "DOB"):
        b = uk_birth(text(d))
        if b is not None and b not in births:
            births.append(b)
    places = []
    for loc in all_at(ind, "BirthDetails", "Location"):
        place = ", ".join(x for x in (text(loc, "TownOfBirth"), text(loc, "CountryOfBirth")) if x)
        if place and place not in places:
            places.append(place)
    nats = [c for n in all_at(ind, "Nationalities", "Nationality") if (c := country_code(text(n)))]
    extra = _uk_extra(rec, ind)
    ship_extra, imos = _uk_ship(child(rec, "ShipDetails", "Ship"))
    extra.update(ship_extra)
    gender = text(ind, "Gender").lower() if ind is not None else ""
    regime = squash(text(rec, "RegimeName"))
    return ListEntity(
        source=Source.UK_FCDO,
        source_id=uid,
        kind=kind,
        names=tuple(names),
        reference=text(rec, "UNReferenceNumber") or None,
        birth_dates=tuple(births),
        birth_places=tuple(places),
        nationalities=tuple(dict.fromkeys(nats)),
        addresses=_uk_addresses(rec),
        documents=(*_uk_documents(ind), *imos),
        gender=gender if gender in ("male", "female") else None,
        programs=(regime,) if regime else (),
        legal_basis=(regime,) if regime else (),
        listed_on=parse_day(text(rec, "DateDesignated")),
        remarks=squash(text(rec, "OtherInformation")) or None,
        extra=extra,
    )


def _uk_names(rec: Element) -> list[ListName]:
    """Latin names, then non-Latin ones; without a primary the first name is made primary; primary first."""
    names: list[ListName] = []
    for n in all_at(rec, "Names", "Name"):
        full = _full_name([text(n, f"Name{i}") for i in range(1, 7)])
        if full:
            ln = ListName(full, _alias_kind(text(n, "NameType"), text(n, "AliasStrength")), script_of(full))
            if ln not in names:
                names.append(ln)
    for n in all_at(rec, "NonLatinNames", "NonLatinName"):
        original = squash(text(n, "NameNonLatinScript"))
        if original:
            lang = text(n, "NonLatinScriptLanguage") or None
            names.append(ListName(original, NameKind.ORIGINAL_SCRIPT, script_of(original), lang))
    return _primary_first(names)


def _primary_first(names: list[ListName]) -> list[ListName]:
    if names and not any(n.kind is NameKind.PRIMARY for n in names):
        names[0] = ListName(names[0].name, NameKind.PRIMARY, names[0].script, names[0].lang)
    names.sort(key=lambda n: n.kind is not NameKind.PRIMARY)
    return names


def _uk_documents(ind: Element | None) -> list[Document]:
    documents = []
    for el in all_at(ind, "PassportDetails", "Passport"):
        if number := text(el, "PassportNumber"):
            documents.append(
                Document("passport", number, None, note=text(el, "PassportAdditionalInformation") or None)
            )
    for el in all_at(ind, "NationalIdentifierDetails", "NationalIdentifier"):
        if number := text(el, "NationalIdentifierNumber"):
            documents.append(
                Document(
                    "national_id",
                    number,
                    None,
                    note=text(el, "NationalIdentifierAdditionalInformation") or None,
                )
            )
    return documents


def _uk_addresses(rec: Element) -> tuple[PostalAddress, ...]:
    addresses = []
    for a in all_at(rec, "Addresses", "Address"):
        parts = [text(a, f"AddressLine{i}") for i in range(1, 7)] + [text(a, "AddressPostalCode")]
        country = text(a, "AddressCountry")
        label = ", ".join(x for x in [*parts, country] if x)
        if label:
            addresses.append(PostalAddress(label, country_code(country)))
    return tuple(addresses)


def _uk_extra(rec: Element, ind: Element | None) -> dict[str, str]:
    extra: dict[str, str] = {}
    for tag, key in (
        ("OFSIGroupID", "ofsi_group_id"),
        ("DesignationSource", "designation_source"),
        ("SanctionsImposed", "sanctions_imposed"),
    ):
        if v := text(rec, tag):
            extra[key] = v
    titles = [text(t) for t in all_at(rec, "Titles", "Title") if text(t)]
    if titles:
        extra["title"] = "; ".join(titles)
    positions = [squash(text(t)) for t in all_at(ind, "Positions", "Position") if text(t)]
    if positions:
        extra["position"] = "; ".join(positions)
    return extra


def _uk_ship(ship: Element | None) -> tuple[dict[str, str], list[Document]]:
    """A ship's details as extra fields (``ShipDetails`` tag in camelCase) and its IMO numbers."""
    extra: dict[str, str] = {}
    if ship is None:
        return extra, []
    for el in ship:
        values = [squash(v.text) for v in el.iter() if v is not el and squash(v.text)]
        if values:
            extra[el.tag[0].lower() + el.tag[1:]] = "; ".join(values)
    imos = [
        Document("imo", text(imo).removeprefix("IMO").strip())
        for imo in all_at(ship, "IMONumbers", "IMONumber")
    ]
    return extra, imos


# -- OFSI ConList CSV ----------------------------------------------------------------------------------

_OFSI_COLUMNS = 36


def read_ofsi_csv(path: Path, data: bytes) -> ParsedList:
    try:
        textdata = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        textdata = data.decode("cp1252", errors="strict")
    reader = csv.reader(io.StringIO(textdata), strict=True)
    try:
        first = next(reader)
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise InvalidFile(path, f"no OFSI ConList header: {exc}") from None
    published = parse_timestamp(first[1]) if len(first) > 1 else None
    if len(header) != _OFSI_COLUMNS or header[0] != "Name 6" or header[-1] != "Group ID":
        raise InvalidFile(path, f"header has {len(header)} columns, not the OFSI ConList's {_OFSI_COLUMNS}")
    col = {name: i for i, name in enumerate(header)}
    groups: dict[str, list[list[str]]] = defaultdict(list)
    try:
        for row in reader:
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != _OFSI_COLUMNS:
                raise InvalidRow(
                    path, reader.line_num, "*", f"{len(row)} fields, not {_OFSI_COLUMNS} (truncated?)"
                )
            gid = row[col["Group ID"]].strip()
            if not gid.isdigit():
                raise InvalidRow(path, reader.line_num, "Group ID", f"{gid!r} is not a group id")
            groups[gid].append(row)
    except csv.Error as exc:
        raise InvalidRow(path, reader.line_num, "*", f"malformed CSV: {exc}") from None
    entities = [_ofsi_group(gid, rows, col) for gid, rows in groups.items()]
    return ParsedList(source=Source.UK_OFSI, format="uk_ofsi_csv", published_at=published, entities=entities)


def _ofsi_group(gid: str, rows: list[list[str]], col: dict[str, int]) -> ListEntity:
    def v(row: list[str], name: str) -> str:
        return squash(row[col[name]])

    def uniq(values: list[str]) -> list[str]:
        return list(dict.fromkeys(x for x in values if x))

    names: list[ListName] = []
    for ln in (n for row in rows for n in _ofsi_names(row, col)):
        if ln not in names:
            names.append(ln)
    names = _primary_first(names)
    births = []
    for raw in uniq([v(r, "DOB") for r in rows]):
        b = uk_birth(raw)
        if b is not None and b not in births:
            births.append(b)
    places = uniq(
        [", ".join(x for x in (v(r, "Town of Birth"), v(r, "Country of Birth")) if x) for r in rows]
    )
    nats = uniq([country_code(v(r, "Nationality")) or "" for r in rows])
    addresses = []
    for r in rows:
        parts = [v(r, f"Address {i}") for i in range(1, 7)] + [v(r, "Post/Zip Code"), v(r, "Country")]
        label = ", ".join(x for x in parts if x)
        pa = PostalAddress(label, country_code(v(r, "Country")))
        if label and pa not in addresses:
            addresses.append(pa)
    first = rows[0]
    group_type = v(first, "Group Type").lower()
    extra = {k: x for k, x in (("position", v(first, "Position")), ("title", v(first, "Title"))) if x}
    regime = v(first, "Regime")
    return ListEntity(
        source=Source.UK_OFSI,
        source_id=gid,
        kind=_KINDS.get(group_type, EntityKind.UNKNOWN),
        names=tuple(names),
        birth_dates=tuple(births),
        birth_places=tuple(places),
        nationalities=tuple(nats),
        addresses=tuple(addresses),
        documents=_ofsi_documents(rows, col),
        programs=(regime,) if regime else (),
        listed_on=parse_day(v(first, "Listed On")),
        remarks=v(first, "Other Information") or None,
        extra=extra,
    )


def _ofsi_names(row: list[str], col: dict[str, int]) -> list[ListName]:
    """A row's name ("Prime Alias" is primary, a low "Alias Quality" weak) and its non-Latin form."""
    names = []
    full = _full_name([squash(row[col[f"Name {i}"]]) for i in (1, 2, 3, 4, 5, 6)])
    if full:
        if squash(row[col["Alias Type"]]).lower() == "prime alias":
            name_kind = NameKind.PRIMARY
        elif "low" in squash(row[col["Alias Quality"]]).lower():
            name_kind = NameKind.WEAK
        else:
            name_kind = NameKind.AKA
        names.append(ListName(full, name_kind, script_of(full)))
    if original := squash(row[col["Name Non-Latin Script"]]):
        lang = squash(row[col["Non-Latin Script Language"]]) or None
        names.append(ListName(original, NameKind.ORIGINAL_SCRIPT, script_of(original), lang))
    return names


def _ofsi_documents(rows: list[list[str]], col: dict[str, int]) -> tuple[Document, ...]:
    documents = []
    for r in rows:
        for number_col, details_col, doc_type in (
            ("Passport Number", "Passport Details", "passport"),
            ("National Identification Number", "NI Details", "national_id"),
        ):
            if number := squash(r[col[number_col]]):
                d = Document(doc_type, number, None, note=squash(r[col[details_col]]) or None)
                if d not in documents:
                    documents.append(d)
    return tuple(documents)
