"""One entity model for every sanctions-list source (OFAC, EU, UN, UK, OpenSanctions FtM).

Values are kept as published where the publisher's form carries meaning (a year-only date of birth stays a
year; a circa date stays circa); codes are normalised (countries to ISO 3166-1 alpha-2).

Invariants: a ``ListEntity`` is immutable and fully described by its fields, so two snapshots of a list can
be compared entity by entity (``key``) and field by field (``to_dict``); ``from_dict(to_dict(e)) == e``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class Source(enum.StrEnum):
    OFAC_SDN = "ofac_sdn"
    OFAC_CONS = "ofac_cons"  # OFAC consolidated non-SDN
    EU_FSF = "eu_fsf"
    UN_SC = "un_sc"
    UK_FCDO = "uk_fcdo"  # UK Sanctions List (FCDO)
    UK_OFSI = "uk_ofsi"  # legacy OFSI ConList
    OPENSANCTIONS = "opensanctions"


class EntityKind(enum.StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    WALLET = "wallet"
    UNKNOWN = "unknown"


class NameKind(enum.StrEnum):
    PRIMARY = "primary"
    AKA = "aka"  # a.k.a. (strong alias)
    FKA = "fka"  # formerly known as
    NKA = "nka"  # now known as (OFAC)
    WEAK = "weak"  # weak / low-quality alias
    ORIGINAL_SCRIPT = "original_script"


class DatePrecision(enum.StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class ListName:
    name: str
    kind: NameKind = NameKind.PRIMARY
    script: str | None = None  # ISO 15924 when known or detected
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class BirthDate:
    """A published date of birth: exact (day), month or year precision, circa, or a range ``start..end``."""

    start: date
    end: date  # equal to start for an exact day; the last day covered otherwise
    precision: DatePrecision = DatePrecision.DAY
    circa: bool = False
    text: str = ""  # as published


@dataclass(frozen=True, slots=True)
class Document:
    type: str  # passport, national_id, tax_id, registration, ...
    number: str
    country: str | None = None
    known_false: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PostalAddress:
    text: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class CryptoAddress:
    address: str  # as published
    currency: str  # the publisher's tag, e.g. XBT, ETH, USDT
    chain: str | None = None  # the chain it lives on: bitcoin, ethereum, tron, ...
    possibly_truncated: bool = False  # cut off in a legacy file and not completed from its overflow file
    malformed: bool = False  # published without the shape of an address on its chain (a publisher error)


@dataclass(frozen=True, slots=True)
class Link:
    """A relation to another entity (owner, director, associate, vessel of, ...).

    ``target_source_id`` is the other entity's source id when the publisher gives one; OFAC's legacy
    "Linked To:" gives only a name, kept in ``target_name`` with an empty ``target_source_id``.
    """

    target_source_id: str
    relation: str
    target_name: str | None = None


@dataclass(frozen=True, slots=True)
class ListEntity:
    source: Source
    source_id: str  # OFAC ent_num / UID, EU logicalId, UN reference, UK Unique ID, FtM id
    kind: EntityKind
    names: tuple[ListName, ...]
    reference: str | None = None  # a second identifier (EU reference, UN reference number, ...)
    birth_dates: tuple[BirthDate, ...] = ()
    birth_places: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    citizenships: tuple[str, ...] = ()
    addresses: tuple[PostalAddress, ...] = ()
    documents: tuple[Document, ...] = ()
    gender: str | None = None  # male | female
    programs: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    listed_on: date | None = None
    remarks: str | None = None
    crypto_addresses: tuple[CryptoAddress, ...] = ()
    links: tuple[Link, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.source.value}:{self.source_id}"

    @property
    def primary_name(self) -> str:
        for n in self.names:
            if n.kind is NameKind.PRIMARY:
                return n.name
        return self.names[0].name if self.names else ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (dates as ISO strings); the inverse of ``from_dict``."""
        return _entity_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListEntity:
        return _entity_from_dict(data)


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    id: int
    source: Source
    published_at: datetime | None
    sha256: str
    counts: dict[str, int]
    imported_at: datetime
    files: tuple[str, ...] = ()
    active: bool = True
    format: str = ""
    declared_count: int | None = None
    entity_count: int = 0
    note: str | None = None  # e.g. "identical to snapshot 3: not stored again"


@dataclass(frozen=True, slots=True)
class ParsedList:
    """One publisher file (or OFAC file set) read into entities, before it touches any database.

    ``declared_count`` is the record count the file itself states (OFAC ``Record_Count``, ...), checked
    against ``entities`` by the reader. A delta (OpenSanctions ``entities.delta.json``) carries the entities
    to add or replace in ``entities`` and the source ids to drop in ``removed``.
    """

    source: Source
    format: str
    published_at: datetime | None
    entities: list[ListEntity]
    declared_count: int | None = None
    files: tuple[str, ...] = ()
    hashes: tuple[str, ...] = ()  # SHA-256 of each file in ``files``
    sha256: str = ""  # of the one file, or of the file set (see ``_read.combined_sha256``)
    is_delta: bool = False
    removed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


# -- serialisation ------------------------------------------------------------------------------------


def _entity_to_dict(e: ListEntity) -> dict[str, Any]:
    return {
        "source": e.source.value,
        "source_id": e.source_id,
        "kind": e.kind.value,
        "names": [
            {"name": n.name, "kind": n.kind.value, "script": n.script, "lang": n.lang} for n in e.names
        ],
        "reference": e.reference,
        "birth_dates": [
            {
                "start": b.start.isoformat(),
                "end": b.end.isoformat(),
                "precision": b.precision.value,
                "circa": b.circa,
                "text": b.text,
            }
            for b in e.birth_dates
        ],
        "birth_places": list(e.birth_places),
        "nationalities": list(e.nationalities),
        "citizenships": list(e.citizenships),
        "addresses": [{"text": a.text, "country": a.country} for a in e.addresses],
        "documents": [
            {
                "type": d.type,
                "number": d.number,
                "country": d.country,
                "known_false": d.known_false,
                "note": d.note,
            }
            for d in e.documents
        ],
        "gender": e.gender,
        "programs": list(e.programs),
        "legal_basis": list(e.legal_basis),
        "listed_on": e.listed_on.isoformat() if e.listed_on else None,
        "remarks": e.remarks,
        "crypto_addresses": [
            {
                "address": c.address,
                "currency": c.currency,
                "chain": c.chain,
                "possibly_truncated": c.possibly_truncated,
                "malformed": c.malformed,
            }
            for c in e.crypto_addresses
        ],
        "links": [
            {"target_source_id": lk.target_source_id, "relation": lk.relation, "target_name": lk.target_name}
            for lk in e.links
        ],
        "extra": dict(sorted(e.extra.items())),
    }


def _entity_from_dict(d: dict[str, Any]) -> ListEntity:
    return ListEntity(
        source=Source(d["source"]),
        source_id=d["source_id"],
        kind=EntityKind(d["kind"]),
        names=tuple(
            ListName(n["name"], NameKind(n["kind"]), n.get("script"), n.get("lang")) for n in d["names"]
        ),
        reference=d.get("reference"),
        birth_dates=tuple(
            BirthDate(
                date.fromisoformat(b["start"]),
                date.fromisoformat(b["end"]),
                DatePrecision(b["precision"]),
                b["circa"],
                b["text"],
            )
            for b in d.get("birth_dates", ())
        ),
        birth_places=tuple(d.get("birth_places", ())),
        nationalities=tuple(d.get("nationalities", ())),
        citizenships=tuple(d.get("citizenships", ())),
        addresses=tuple(PostalAddress(a["text"], a.get("country")) for a in d.get("addresses", ())),
        documents=tuple(
            Document(x["type"], x["number"], x.get("country"), x.get("known_false", False), x.get("note"))
            for x in d.get("documents", ())
        ),
        gender=d.get("gender"),
        programs=tuple(d.get("programs", ())),
        legal_basis=tuple(d.get("legal_basis", ())),
        listed_on=date.fromisoformat(d["listed_on"]) if d.get("listed_on") else None,
        remarks=d.get("remarks"),
        crypto_addresses=tuple(
            CryptoAddress(
                c["address"],
                c["currency"],
                c.get("chain"),
                c.get("possibly_truncated", False),
                c.get("malformed", False),
            )
            for c in d.get("crypto_addresses", ())
        ),
        links=tuple(
            Link(lk["target_source_id"], lk["relation"], lk.get("target_name")) for lk in d.get("links", ())
        ),
        extra=dict(d.get("extra", {})),
    )
