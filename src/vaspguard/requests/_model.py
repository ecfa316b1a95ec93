"""The values of lawful requests: agencies, protected parties, operators, requests, assessments, approvals.

Frozen dataclasses and closed vocabularies (``StrEnum``), independent of the database. Dates with legal
meaning (a non-disclosure order's end, a deadline, a date range) are ``date`` in UTC; instants are aware
``datetime`` in UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


class AgencyClass(enum.StrEnum):
    POLICE = "police"
    PROSECUTOR = "prosecutor"
    COURT = "court"
    FINANCIAL_INTELLIGENCE_UNIT = "financial_intelligence_unit"
    TAX = "tax"
    REGULATOR = "regulator"
    SECURITY_SERVICE = "security_service"
    INTELLIGENCE = "intelligence"
    MILITARY = "military"
    OTHER = "other"


class VerificationStatus(enum.StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    SUSPENDED = "suspended"  # e.g. a compromised requester mailbox: nothing from it is trusted
    REVOKED = "revoked"


class PartyKind(enum.StrEnum):
    POLITICAL_PARTY = "political_party"
    OPPOSITION_FIGURE = "opposition_figure"
    NGO = "ngo"
    JOURNALIST = "journalist"
    HUMAN_RIGHTS_DEFENDER = "human_rights_defender"
    RELIGIOUS_GROUP = "religious_group"
    FOUNDATION = "foundation"
    OTHER = "other"


class OperatorRole(enum.StrEnum):
    INTAKE = "intake"
    LEGAL = "legal"
    PRIVACY = "privacy"
    SECURITY = "security"
    REGIONAL_LEAD = "regional_lead"
    EXECUTIVE = "executive"


class Channel(enum.StrEnum):
    PORTAL = "portal"
    EMAIL = "email"
    POST = "post"
    IN_PERSON = "in_person"
    API = "api"


class InstrumentType(enum.StrEnum):
    SUBPOENA = "subpoena"
    COURT_ORDER = "court_order"
    SEARCH_WARRANT = "search_warrant"
    PRODUCTION_ORDER = "production_order"
    MLAT_REQUEST = "mlat_request"
    LETTER_ROGATORY = "letter_rogatory"
    PRESERVATION_REQUEST = "preservation_request"
    EMERGENCY_DISCLOSURE_REQUEST = "emergency_disclosure_request"
    FREEZE_ORDER = "freeze_order"
    SEIZURE_ORDER = "seizure_order"
    INFORMAL_REQUEST = "informal_request"


class TargetType(enum.StrEnum):
    CUSTOMER_ID = "customer_id"
    ACCOUNT_ID = "account_id"  # one account of a customer: the narrowest target there is
    EMAIL = "email"
    PHONE = "phone"
    WALLET_ADDRESS = "wallet_address"
    TX_HASH = "tx_hash"
    NAME = "name"
    COUNTERPARTY_ADDRESS = "counterparty_address"


class DataCategory(enum.StrEnum):
    SUBSCRIBER_INFO = "subscriber_info"
    KYC_DOCUMENTS = "kyc_documents"
    TRANSACTION_HISTORY = "transaction_history"
    IP_LOGS = "ip_logs"
    DEVICE_INFO = "device_info"
    COUNTERPARTIES = "counterparties"
    BALANCES = "balances"


class Tier(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    BLOCKED = "blocked"

    @property
    def rank(self) -> int:
        return _TIER_RANK[self]


_TIER_RANK = {Tier.LOW: 0, Tier.MEDIUM: 1, Tier.HIGH: 2, Tier.BLOCKED: 3}


class RequestState(enum.StrEnum):
    ASSESSED = "assessed"  # filed and assessed; waiting for approvals
    APPROVED = "approved"  # quorum reached on the current scope
    DISCLOSED = "disclosed"  # a package left
    PRESERVED = "preserved"  # preservation: data held, nothing disclosed
    REJECTED = "rejected"
    EXPIRED = "expired"  # a preservation that ran out


class ReasonCode(enum.StrEnum):
    """Stable risk reason codes. Every assessment lists the codes that apply, each with a detail."""

    REQUESTER_UNVERIFIED = "REQUESTER_UNVERIFIED"
    REQUESTER_SECURITY_SERVICE = "REQUESTER_SECURITY_SERVICE"
    REQUESTER_SANCTIONED = "REQUESTER_SANCTIONED"
    JURISDICTION_RISK = "JURISDICTION_RISK"
    INSTRUMENT_INSUFFICIENT = "INSTRUMENT_INSUFFICIENT"
    INSTRUMENT_SIGNATURE_INVALID = "INSTRUMENT_SIGNATURE_INVALID"
    FOREIGN_WITHOUT_MLAT = "FOREIGN_WITHOUT_MLAT"
    OUT_OF_BAND_CHANNEL = "OUT_OF_BAND_CHANNEL"
    DRAGNET = "DRAGNET"
    PROTECTED_TARGET = "PROTECTED_TARGET"
    POLITICAL_OFFENCE = "POLITICAL_OFFENCE"
    OVERBROAD_CATEGORIES = "OVERBROAD_CATEGORIES"
    EMERGENCY_UNVERIFIED = "EMERGENCY_UNVERIFIED"
    NDO_WITHOUT_END = "NDO_WITHOUT_END"


# -- registries ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Agency:
    """A requesting authority. ``callback_numbers`` are sourced independently of any request (a published
    directory, a supervisor), with where they came from; a number taken from a request proves nothing."""

    id: str
    name: str
    country: str
    agency_class: AgencyClass
    parent_id: str | None = None
    linked_ids: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    callback_numbers: tuple[CallbackNumber, ...] = ()
    public_keys: tuple[str, ...] = ()  # Ed25519 public keys (hex) that sign its instruments
    verification_status: VerificationStatus = VerificationStatus.UNVERIFIED
    verified_on: date | None = None
    aliases: tuple[str, ...] = ()
    notes: str | None = None
    # age X25519 recipients ("age1..."): disclosure packages for this agency are encrypted to them
    encryption_recipients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CallbackNumber:
    number: str
    source: str  # where it was sourced, e.g. "ministry website 2026-01-10", never "the request"


@dataclass(frozen=True, slots=True)
class ProtectedAddress:
    address: str
    chain: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class ProtectedParty:
    id: str
    name: str
    kind: PartyKind
    country: str | None = None
    aliases: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()  # registration numbers, customer ids, emails, ...
    addresses: tuple[ProtectedAddress, ...] = ()
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    role: OperatorRole
    region: str
    public_key: str  # Ed25519, 32 bytes hex
    active: bool = True


# -- a request ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instrument:
    type: InstrumentType
    reference: str
    issued_by: str
    issued_at: date
    legal_basis: str
    document_sha256: str
    signature: str | None = None  # hex Ed25519 signature by the issuer over the document's SHA-256


@dataclass(frozen=True, slots=True)
class Target:
    type: TargetType
    value: str
    chain: str | None = None

    def sort_key(self) -> tuple[str, str, str]:
        return (self.type.value, self.value, self.chain or "")


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date | None  # None: open-ended
    end: date | None  # inclusive; None: open-ended


@dataclass(frozen=True, slots=True)
class NonDisclosure:
    basis: str
    until: date | None  # None: no end given


@dataclass(frozen=True, slots=True)
class Emergency:
    nature: str
    persons_at_risk: str
    why_normal_process_insufficient: str


@dataclass(frozen=True, slots=True)
class Offence:
    description: str
    statute: str | None = None


@dataclass(frozen=True, slots=True)
class CallbackVerification:
    """An out-of-band confirmation: who called which number when, and what they learnt."""

    number: str
    by: str
    at: datetime
    outcome: str  # confirmed | not_confirmed


@dataclass(frozen=True, slots=True)
class LawfulRequest:
    received_at: datetime
    channel: Channel
    agency_id: str | None  # the registered agency, when it is one
    agency_name: str
    agency_country: str
    officer: str
    instrument: Instrument
    targets: tuple[Target, ...]
    data_categories: tuple[DataCategory, ...]
    date_range: DateRange
    deadline: date | None = None
    non_disclosure: NonDisclosure | None = None
    emergency: Emergency | None = None
    offence: Offence | None = None
    callback: CallbackVerification | None = None
    follow_up_of: str | None = None  # the emergency request this legal process ratifies
    sender_email: str | None = None  # the address an emailed request came from


@dataclass(frozen=True, slots=True)
class Scope:
    """What may be disclosed: the exact thing every approval signs."""

    targets: tuple[Target, ...]
    data_categories: tuple[DataCategory, ...]
    date_range: DateRange

    def normalised(self) -> Scope:
        return Scope(
            tuple(sorted(set(self.targets), key=Target.sort_key)),
            tuple(sorted(set(self.data_categories))),
            self.date_range,
        )


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    detail: str
    tier: Tier = Tier.HIGH


@dataclass(frozen=True, slots=True)
class Assessment:
    request_id: str
    tier: Tier
    reasons: tuple[Reason, ...]
    required_approvals: tuple[str, ...]  # human-readable quorum slots, e.g. "legal", "privacy|security"
    policy_version: str
    reach: dict[str, int] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)

    def codes(self) -> set[ReasonCode]:
        return {r.code for r in self.reasons}

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "tier": self.tier.value,
            "reasons": [
                {"code": r.code.value, "detail": r.detail, "tier": r.tier.value} for r in self.reasons
            ],
            "required_approvals": list(self.required_approvals),
            "policy_version": self.policy_version,
            "reach": dict(self.reach),
            "checks": dict(self.checks),
        }
