"""OFAC XML: the legacy ``sdn.xml`` (``sdnList``) and the Enhanced XML (``sanctionsData``).

Legacy ``sdn.xml`` (namespace ``http://tempuri.org/sdnList.xsd``): ``publshInformation`` (sic) gives
``Publish_Date`` (MM/DD/YYYY) and ``Record_Count``, checked against the entries read. Each ``sdnEntry`` has
structured ids, a.k.a.s (``category`` strong|weak), addresses, nationalities, citizenships, dates and
places of birth; ``idType`` ``Digital Currency Address - XBT`` carries wallet addresses.

Enhanced XML (``SDN_ENHANCED.XML`` / ``CONS_ENHANCED.XML``): ``publicationInfo/dataAsOf``; each ``entity``
has ``names`` (``isPrimary``, ``aliasType``, ``isLowQuality`` = weak) with script ``translations``,
``features`` (Birthdate with a ``valueDate`` range, Place of Birth, Nationality/Citizenship Country,
Gender, ``Digital Currency Address - TAG``, ...), ``identityDocuments``, ``addresses`` and
``relationships``. A birth date range covering whole years/months is year/month precision, not exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.lists._countries import country_code
from vaspguard.lists._crypto import chain_for, looks_whole
from vaspguard.lists._dates import birth_date, parse_timestamp
from vaspguard.lists._model import (
    BirthDate,
    CryptoAddress,
    DatePrecision,
    Document,
    EntityKind,
    Link,
    ListEntity,
    ListName,
    NameKind,
    ParsedList,
    PostalAddress,
    Source,
)
from vaspguard.lists._ofac_remarks import DOC_TYPES as _OFAC_DOC_LABELS
from vaspguard.lists._ofac_remarks import parse_remarks
from vaspguard.lists._text import script_of, squash
from vaspguard.lists._xml import all_at, child, local, stream, text

_KINDS = {
    "individual": EntityKind.PERSON,
    "entity": EntityKind.ORGANISATION,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
}
_ALIAS = {"a.k.a.": NameKind.AKA, "f.k.a.": NameKind.FKA, "n.k.a.": NameKind.NKA}
_DCA = "Digital Currency Address - "


def _crypto(tag: str, address: str) -> CryptoAddress:
    chain = chain_for(tag, address)
    return CryptoAddress(address, tag, chain, False, not looks_whole(address, chain))


def _uniq(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


# -- legacy sdn.xml -----------------------------------------------------------------------------------


def read_ofac_xml(path: Path, data: bytes) -> ParsedList:
    entities: list[ListEntity] = []
    header: dict[str, str] = {}
    for _root, rec in stream(data, path, frozenset({"sdnEntry", "publshInformation"})):
        if local(rec.tag) == "publshInformation":
            header = {local(c.tag): (c.text or "").strip() for c in rec}
            continue
        entities.append(_sdn_entry(rec, path, len(entities) + 1))
    declared = header.get("Record_Count", "")
    if declared and not declared.isdigit():
        raise InvalidFile(path, f"Record_Count {declared!r} is not a number")
    source = Source.OFAC_CONS if "consolidated" in path.name.lower() else Source.OFAC_SDN
    return ParsedList(
        source=source,
        format="ofac_xml",
        published_at=parse_timestamp(header.get("Publish_Date")),
        entities=[e if e.source is source else _with_source(e, source) for e in entities],
        declared_count=int(declared) if declared else None,
    )


def _with_source(e: ListEntity, source: Source) -> ListEntity:
    return replace(e, source=source)


def _name(el: Element) -> str:
    last, first = text(el, "lastName"), text(el, "firstName")
    return f"{last}, {first}" if last and first else (last or first)


def _sdn_entry(rec: Element, path: Path, index: int) -> ListEntity:
    uid = text(rec, "uid")
    if not uid.isdigit():
        raise InvalidRow(path, index, "uid", f"{uid!r} is not an OFAC entity number")
    primary = _name(rec)
    if not primary:
        raise InvalidRow(path, index, "lastName", f"entry {uid} has no name")
    names = _sdn_names(rec, primary)
    ids = _SdnIds.of(rec)
    crypto = ids.crypto
    births: list[BirthDate] = []
    for item in all_at(rec, "dateOfBirthList", "dateOfBirthItem"):
        b = birth_date(text(item, "dateOfBirth"))
        if b is not None:
            births.append(b)
    places = [text(i, "placeOfBirth") for i in all_at(rec, "placeOfBirthList", "placeOfBirthItem")]
    nats = [country_code(text(i, "country")) or "" for i in all_at(rec, "nationalityList", "nationality")]
    cits = [country_code(text(i, "country")) or "" for i in all_at(rec, "citizenshipList", "citizenship")]
    remarks = text(rec, "remarks")
    parsed = parse_remarks(remarks) if remarks else None
    if parsed is not None:
        names.extend(n for n in parsed.names if n not in names)
        crypto.extend(c for c in parsed.crypto if c not in crypto)
        births.extend(b for b in parsed.birth_dates if b not in births)
    extra = dict(ids.other)
    vessel = child(rec, "vesselInfo")
    if vessel is not None:
        extra.update({local(c.tag): squash(c.text) for c in vessel if squash(c.text)})
    if text(rec, "title"):
        extra["title"] = text(rec, "title")
    entity_kind = _KINDS.get(text(rec, "sdnType").lower())
    if entity_kind is None:
        raise InvalidRow(path, index, "sdnType", f"{text(rec, 'sdnType')!r} is not a known entry type")
    return ListEntity(
        source=Source.OFAC_SDN,
        source_id=uid,
        kind=entity_kind,
        names=tuple(names),
        birth_dates=tuple(births),
        birth_places=_uniq(places),
        nationalities=_uniq(nats),
        citizenships=_uniq(cits),
        addresses=_sdn_addresses(rec),
        documents=tuple(ids.documents),
        gender=ids.gender or (parsed.gender if parsed else None),
        programs=_uniq([squash(p.text) for p in all_at(rec, "programList", "program")]),
        remarks=("; ".join(parsed.rest) or None) if parsed else None,
        crypto_addresses=tuple(crypto),
        links=tuple(parsed.links) if parsed else (),
        extra=extra,
    )


def _sdn_names(rec: Element, primary: str) -> list[ListName]:
    """The primary name, then the a.k.a.s (``category`` weak makes a weak alias)."""
    names = [ListName(primary, NameKind.PRIMARY)]
    for aka in all_at(rec, "akaList", "aka"):
        n = _name(aka)
        kind = _ALIAS.get(text(aka, "type").lower(), NameKind.AKA)
        if text(aka, "category").lower() == "weak":
            kind = NameKind.WEAK
        if n and ListName(n, kind) not in names:
            names.append(ListName(n, kind))
    return names


@dataclass
class _SdnIds:
    """What an entry's ``idList`` holds: documents, wallet addresses, gender and other facts by label."""

    documents: list[Document] = field(default_factory=list)
    crypto: list[CryptoAddress] = field(default_factory=list)
    other: dict[str, str] = field(default_factory=dict)
    gender: str | None = None

    @classmethod
    def of(cls, rec: Element) -> _SdnIds:
        ids = cls()
        for id_el in all_at(rec, "idList", "id"):
            id_type, number = text(id_el, "idType"), text(id_el, "idNumber")
            if id_type.startswith(_DCA):
                ids.crypto.append(_crypto(id_type[len(_DCA) :].strip(), number))
            elif id_type == "Gender":
                ids.gender = number.lower() or None
            elif number and not _is_document(id_type):
                key = id_type.rstrip(":- ").strip()
                ids.other[key] = f"{ids.other[key]}; {number}" if key in ids.other else number
            elif number:
                ids.documents.append(_sdn_document(id_el, id_type, number))
        return ids


def _sdn_document(id_el: Element, id_type: str, number: str) -> Document:
    note = ", ".join(
        f"{label} {v}"
        for label, v in (("issued", text(id_el, "issueDate")), ("expires", text(id_el, "expirationDate")))
        if v
    )
    return Document(_doc_type(id_type), number, country_code(text(id_el, "idCountry")), note=note or None)


def _sdn_addresses(rec: Element) -> tuple[PostalAddress, ...]:
    addresses = []
    for a in all_at(rec, "addressList", "address"):
        fields = ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode", "country")
        label = ", ".join(v for f in fields if (v := text(a, f)))
        if label:
            addresses.append(PostalAddress(label, country_code(text(a, "country"))))
    return tuple(addresses)


_DOC_WORDS = re.compile(
    r"passport|number|\bno\.|#|\bid\b|cedula|c\.u\.r\.p|r\.f\.c|\brfc\b|d\.n\.i|identification|license|licence|"
    r"registration|\bssn\b|swift|mmsi|\bimo\b|\blei\b|credencial|matricula|folio|bik",
    re.IGNORECASE,
)


def _is_document(id_type: str) -> bool:
    """Whether an ``idType`` names an identity or registration document (not a website, risk note, ...)."""
    return id_type in _OFAC_DOC_LABELS or (bool(_DOC_WORDS.search(id_type)) and "Information" not in id_type)


def _doc_type(label: str) -> str:
    low = label.lower()
    if "passport" in low:
        return "passport"
    if "tax" in low or "v.a.t" in low or low in ("r.f.c.", "rfc", "nit #", "ruc #", "rif #"):
        return "tax_id"
    if "registration" in low or "company" in low or "commercial" in low:
        return "registration"
    if "national" in low or "identification" in low or "cedula" in low or "c.u.r.p" in low or "d.n.i" in low:
        return "national_id"
    return low.replace(" ", "_").strip("_.#:") or "document"


# -- Enhanced XML -------------------------------------------------------------------------------------


def read_ofac_enhanced(path: Path, data: bytes) -> ParsedList:
    entities: list[ListEntity] = []
    published: datetime | None = None
    lists_named: list[str] = []
    for _root, rec in stream(data, path, frozenset({"entity", "publicationInfo"})):
        if local(rec.tag) == "publicationInfo":
            published = parse_timestamp(text(rec, "dataAsOf"))
            lists_named = [squash(e.text) for e in rec.iter() if local(e.tag) == "sanctionsList"]
            continue
        entities.append(_enhanced_entity(rec, path, len(entities) + 1))
    source = Source.OFAC_CONS if any("consolidated" in n.lower() for n in lists_named) else Source.OFAC_SDN
    if source is not Source.OFAC_SDN:
        entities = [_with_source(e, source) for e in entities]
    return ParsedList(source=source, format="ofac_enhanced_xml", published_at=published, entities=entities)


def _range(vd: Element) -> BirthDate | None:
    try:
        start = date.fromisoformat(text(vd, "fromDateBegin")[:10])
        end = date.fromisoformat(
            (text(vd, "toDateEnd") or text(vd, "fromDateEnd") or text(vd, "fromDateBegin"))[:10]
        )
    except ValueError:
        return None
    circa = text(vd, "isApproximate").lower() == "true"
    if start == end:
        precision = DatePrecision.DAY
        label = start.isoformat()
    elif start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        precision = DatePrecision.YEAR  # a range covering whole years is "year only", not exact
        label = str(start.year) if start.year == end.year else f"{start.year} to {end.year}"
    elif start.day == 1 and (end.replace(day=28) if end.month != 2 else end).day >= 28:
        precision = DatePrecision.MONTH
        label = (
            start.strftime("%b %Y")
            if (start.year, start.month) == (end.year, end.month)
            else f"{start} to {end}"
        )
    else:
        precision = DatePrecision.DAY
        label = f"{start} to {end}"
    return BirthDate(start, end, precision, circa, label)


def _enhanced_entity(rec: Element, path: Path, index: int) -> ListEntity:
    uid = rec.get("id", "")
    if not uid.isdigit():
        raise InvalidRow(path, index, "entity/@id", f"{uid!r} is not an OFAC entity number")
    info = child(rec, "generalInfo")
    kind_text = text(info, "entityType").lower()
    kind = _KINDS.get(kind_text)
    if kind is None:
        raise InvalidRow(path, index, "entityType", f"entity {uid}: {kind_text!r} is not a known type")
    names = _enhanced_names(rec)
    if not names:
        raise InvalidRow(path, index, "names", f"entity {uid} has no name")
    features = _Features.of(rec)
    listed = [el.get("datePublished", "") for el in all_at(rec, "sanctionsLists", "sanctionsList")]
    listed_days = sorted(date.fromisoformat(d[:10]) for d in listed if d)
    return ListEntity(
        source=Source.OFAC_SDN,
        source_id=uid,
        kind=kind,
        names=tuple(names),
        birth_dates=tuple(features.births),
        birth_places=_uniq(features.places),
        nationalities=_uniq(features.nats),
        citizenships=_uniq(features.cits),
        addresses=_enhanced_addresses(rec),
        documents=_enhanced_documents(rec),
        gender=features.gender,
        programs=_uniq([squash(p.text) for p in all_at(rec, "sanctionsPrograms", "sanctionsProgram")]),
        legal_basis=_uniq([squash(p.text) for p in all_at(rec, "legalAuthorities", "legalAuthority")]),
        listed_on=listed_days[0] if listed_days else None,
        remarks=text(info, "remarks") or None,
        crypto_addresses=tuple(features.crypto),
        links=_enhanced_links(rec),
        extra=features.extra,
    )


def _enhanced_names(rec: Element) -> list[ListName]:
    """Each name's translations: the primary translation has the name's kind, the others are
    original-script names; primary first, the order otherwise kept."""
    names: list[ListName] = []
    for name in all_at(rec, "names", "name"):
        is_primary = text(name, "isPrimary") == "true"
        kind_of = (
            NameKind.PRIMARY if is_primary else _ALIAS.get(text(name, "aliasType").lower(), NameKind.AKA)
        )
        if text(name, "isLowQuality") == "true":
            kind_of = NameKind.WEAK
        for tr in all_at(name, "translations", "translation"):
            full = squash(text(tr, "formattedFullName"))
            if not full:
                continue
            script = script_of(full)
            this_kind = kind_of if text(tr, "isPrimary") == "true" else NameKind.ORIGINAL_SCRIPT
            ln = ListName(full, this_kind, script)
            if ln not in names:
                names.append(ln)
    names.sort(key=lambda n: n.kind is not NameKind.PRIMARY)
    return names


@dataclass
class _Features:
    """An entity's ``features`` by type; a type not read into a field goes to ``extra`` under its label."""

    births: list[BirthDate] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    nats: list[str] = field(default_factory=list)
    cits: list[str] = field(default_factory=list)
    crypto: list[CryptoAddress] = field(default_factory=list)
    gender: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rec: Element) -> _Features:
        out = cls()
        for f in all_at(rec, "features", "feature"):
            out.add(f, text(f, "type"), squash(text(f, "value")))
        return out

    def add(self, f: Element, ftype: str, value: str) -> None:
        if ftype == "Birthdate":
            vd = child(f, "valueDate")
            b = _range(vd) if vd is not None else birth_date(value)
            if b is not None and b not in self.births:
                self.births.append(b)
        elif ftype == "Place of Birth":
            self.places.append(value)
        elif ftype == "Nationality Country":
            self.nats.append(country_code(value) or "")
        elif ftype == "Citizenship Country":
            self.cits.append(country_code(value) or "")
        elif ftype == "Gender":
            self.gender = value.lower() or None
        elif ftype.startswith(_DCA):
            self.crypto.append(_crypto(ftype[len(_DCA) :].strip(), value))
        elif value:
            key = ftype.rstrip(":- ").strip()
            self.extra[key] = f"{self.extra[key]}; {value}" if key in self.extra else value


def _enhanced_documents(rec: Element) -> tuple[Document, ...]:
    documents = []
    for d in all_at(rec, "identityDocuments", "identityDocument"):
        number = text(d, "documentNumber")
        if number:
            documents.append(
                Document(
                    _doc_type(text(d, "type")),
                    number,
                    country_code(text(d, "issuingCountry")),
                    known_false=text(d, "isValid").lower() == "false",
                    note=text(d, "type") or None,
                )
            )
    return tuple(documents)


def _enhanced_addresses(rec: Element) -> tuple[PostalAddress, ...]:
    """The primary translation of each address; an address with no translations is its country."""
    addresses = []
    for a in all_at(rec, "addresses", "address"):
        country = text(a, "country")
        for tr in all_at(a, "translations", "translation"):
            parts = [squash(text(p, "value")) for p in all_at(tr, "addressParts", "addressPart")]
            label = ", ".join(x for x in [*parts, country] if x)
            if label and text(tr, "isPrimary") == "true":
                addresses.append(PostalAddress(label, country_code(country)))
        if not all_at(a, "translations", "translation") and country:
            addresses.append(PostalAddress(country, country_code(country)))
    return tuple(addresses)


def _enhanced_links(rec: Element) -> tuple[Link, ...]:
    links = []
    for r in all_at(rec, "relationships", "relationship"):
        target = child(r, "relatedEntity")
        if target is not None:
            links.append(Link(target.get("entityId", ""), text(r, "type"), squash(target.text) or None))
    return tuple(links)
