"""The registry's values: what every later capability reads about a customer and their activity.

Frozen dataclasses, independent of the database; ``vaspguard.registry.Registry`` loads and stores them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


class PersonType(enum.StrEnum):
    NATURAL = "natural"
    LEGAL = "legal"


class NameKind(enum.StrEnum):
    PRIMARY = "primary"
    ALIAS = "alias"
    FORMER = "former"
    ORIGINAL_SCRIPT = "original_script"


class PermitKind(enum.StrEnum):
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


class KycStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    EXPIRED = "expired"


class Product(enum.StrEnum):
    SPOT = "spot"
    FUNDING = "funding"
    FUTURES = "futures"
    MARGIN = "margin"
    CUSTODY = "custody"
    EARN = "earn"


class TransactionKind(enum.StrEnum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    TRADE = "trade"
    INTERNAL_TRANSFER = "internal_transfer"
    EARN_SUBSCRIBE = "earn_subscribe"
    EARN_REDEEM = "earn_redeem"
    FIAT_DEPOSIT = "fiat_deposit"
    FIAT_WITHDRAWAL = "fiat_withdrawal"


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    script: str = "Latn"  # ISO 15924
    kind: NameKind = NameKind.PRIMARY


@dataclass(frozen=True, slots=True)
class ResidencePermit:
    country: str
    kind: PermitKind
    valid_from: date
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True, slots=True)
class Visa:
    country: str
    kind: str = "other"
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass(frozen=True, slots=True)
class PermitApplication:
    country: str
    filed_on: date | None = None
    status: str = "pending"


@dataclass(frozen=True, slots=True)
class Owner:
    name: str
    type: PersonType = PersonType.NATURAL
    customer_id: str | None = None
    nationalities: tuple[str, ...] = ()
    residence: str | None = None
    established: str | None = None
    share: Decimal | None = None  # fraction of ownership, 0..1
    control: bool = False


@dataclass(frozen=True, slots=True)
class Contact:
    kind: str  # email | phone
    value: str


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    type: PersonType
    names: tuple[Name, ...]
    nationalities: tuple[str, ...] = ()
    residence: str | None = None
    established: str | None = None
    birth_date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    gender: str | None = None
    residence_permits: tuple[ResidencePermit, ...] = ()
    visas: tuple[Visa, ...] = ()
    permit_applications: tuple[PermitApplication, ...] = ()
    owners: tuple[Owner, ...] = ()
    contacts: tuple[Contact, ...] = ()
    kyc_status: KycStatus = KycStatus.VERIFIED
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def primary_name(self) -> str:
        for n in self.names:
            if n.kind is NameKind.PRIMARY:
                return n.name
        return self.names[0].name if self.names else ""


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    customer_id: str
    product: Product
    opened_at: datetime
    status: str = "open"
    balances: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Transaction:
    id: str
    customer_id: str
    kind: TransactionKind
    occurred_at: datetime
    asset: str
    amount: Decimal
    account_id: str | None = None
    chain: str | None = None
    address: str | None = None
    tx_hash: str | None = None
    counter_asset: str | None = None
    counter_amount: Decimal | None = None
    counterparty_customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class Login:
    customer_id: str
    occurred_at: datetime
    ip: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Price:
    asset: str
    day: date
    eur: Decimal
