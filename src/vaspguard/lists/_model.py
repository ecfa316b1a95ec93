"""One entity model for every sanctions-list source (OFAC, EU, UN, UK, OpenSanctions FtM).

Values are kept as published where the publisher's form carries meaning (a year-only date of birth stays a
year; a circa date stays circa); codes are normalised (countries to ISO 3166-1 alpha-2).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


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


@dataclass(frozen=True, slots=True)
class Link:
    """A relation to another entity of the same source (owner, director, associate, vessel of, ...)."""

    target_source_id: str
    relation: str


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
