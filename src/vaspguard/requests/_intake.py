"""Intake validation: a request, agency or protected party as JSON in; typed values or every bad field out.

Each document is a pydantic model (unknown keys refused, every field checked); every problem is collected,
not only the first, and raised together as ``InvalidFields``, each with the dotted path of the field
(``instrument.type``, ``targets[2].value``) and the reason in the project's words. The few rules that span
two objects (an emergency request needs its emergency part; an instrument cannot be issued after it was
received) are checked on the document as sent, beside the model, so they are reported with the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from vaspguard.errors import InvalidFields, InvalidFile, InvalidRequest
from vaspguard.requests._model import (
    Agency,
    AgencyClass,
    CallbackNumber,
    CallbackVerification,
    Channel,
    DataCategory,
    DateRange,
    Emergency,
    Instrument,
    InstrumentType,
    LawfulRequest,
    NonDisclosure,
    Offence,
    PartyKind,
    ProtectedAddress,
    ProtectedParty,
    Target,
    TargetType,
    VerificationStatus,
)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX128 = re.compile(r"^[0-9a-f]{128}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PHONE = re.compile(r"^\+[1-9][0-9 ()-]{5,20}$")
MAX_TEXT = 4000

E = TypeVar("E", bound=StrEnum)


def load_json(path: Path | str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidFile(path, f"cannot read: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFile(
            path, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


# -- problems in the project's words ------------------------------------------------------------------------


def _fail(reason: str) -> PydanticCustomError:
    """A problem with the field being validated."""
    return PydanticCustomError("vaspguard", "{reason}", {"reason": reason})


def _fields(problems: list[tuple[str, str]]) -> PydanticCustomError:
    """Problems with named fields of the object being validated (rules across its fields)."""
    return PydanticCustomError("vaspguard_fields", "{problems}", {"problems": problems})


_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "string_type": "must be a string",
}


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f"{'.' if out else ''}{part}"
    return out


def _problems(exc: ValidationError, root: str, missing: dict[str, str]) -> list[InvalidRequest]:
    """Each error as a field and a reason; ``missing`` words what some absent fields should hold."""
    out: list[InvalidRequest] = []
    for error in exc.errors(include_url=False):
        path = _path(error["loc"])
        if error["type"] == "vaspguard_fields":
            for field, reason in error["ctx"]["problems"]:
                out.append(
                    InvalidRequest(f"{path}.{field}" if path and field else path or field or root, reason)
                )
        elif error["type"] == "missing" and path in missing:
            out.append(InvalidRequest(path, missing[path]))
        elif error["type"] in ("model_type", "dict_type") and error["input"] is None:
            out.append(InvalidRequest(path or root, "is required"))
        else:
            out.append(InvalidRequest(path or root, _MESSAGES.get(error["type"], error["msg"])))
    return out


# -- field types --------------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _stripped(value: Any) -> str | None:
    """A text value as read (stripped), or None for anything else: for rules read from a part as sent."""
    return value.strip() if isinstance(value, str) else None


def _text(value: Any) -> str:
    if _blank(value):
        raise _fail("is required")
    if not isinstance(value, str):
        raise _fail("must be a string")
    if len(value) > MAX_TEXT:
        raise _fail(f"is longer than {MAX_TEXT} characters")
    return value.strip()


def _optional(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``read``, with an absent, null or blank value read as None."""
    return lambda value: None if _blank(value) else read(value)


def _day(value: Any) -> date:
    raw = _text(value)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _fail(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _instant(value: Any) -> datetime:
    raw = _text(value)
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(f"{raw!r} is not a timestamp (ISO 8601 with time zone)") from None
    if at.tzinfo is None:
        raise _fail(f"{raw!r} has no time zone (write Z or +HH:MM)")
    return at.astimezone(UTC)


def _country(value: Any) -> str:
    raw = _text(value)
    if not _COUNTRY.match(raw.upper()):
        raise _fail(f"{raw!r} is not an ISO 3166-1 alpha-2 country code")
    return raw.upper()


def _member(kind: type[E]) -> Callable[[Any], E]:
    def read(value: Any) -> E:
        raw = _text(value)
        try:
            return kind(raw)
        except ValueError:
            raise _fail(f"unknown value {raw!r}; one of {', '.join(kind)}") from None

    return read


def _matching(pattern: re.Pattern[str], reason: str, *, lower: bool = False) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not pattern.match(value.lower() if lower else value):
            raise _fail(reason.format(value=value))
        return value.lower() if lower else value

    return check


def _listed(reason: str) -> Callable[[Any], Any]:
    """A list field: absent or null is empty; anything else but a list is refused with ``reason``."""

    def read(value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            raise _fail(reason)
        return value

    return read


def _strings(value: Any) -> Any:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail("must be a list of strings")
    return value


def _checked(check: Callable[[str], str | None]) -> Callable[[str], str]:
    def read(value: str) -> str:
        if problem := check(value):
            raise _fail(problem)
        return value.strip()

    return read


def _check_id(value: str) -> str | None:
    return None if _ID.match(value) else "must be 1-64 letters, digits, '.', '_', ':' or '-'"


def _check_domain(value: str) -> str | None:
    return None if _DOMAIN.match(value.lower()) else f"{value!r} is not a domain name"


def _check_key(value: str) -> str | None:
    return None if _HEX64.match(value.lower()) else "must be an Ed25519 public key, 64 hex digits"


def _check_recipient(value: str) -> str | None:
    from pyrage import x25519

    try:
        x25519.Recipient.from_str(value.strip())
    except Exception:
        return f"{value[:24]!r} is not an age X25519 recipient (age1...)"
    return None


Text = Annotated[str, BeforeValidator(_text)]
OptText = Annotated[str | None, BeforeValidator(_optional(_text))]
Day = Annotated[date, BeforeValidator(_day)]
OptDay = Annotated[date | None, BeforeValidator(_optional(_day))]
Instant = Annotated[datetime, BeforeValidator(_instant)]
Country = Annotated[str, BeforeValidator(_country)]
OptCountry = Annotated[str | None, BeforeValidator(_optional(_country))]
Strings = Annotated[list[Annotated[str, AfterValidator(str.strip)]], BeforeValidator(_strings)]
Id = Annotated[str, BeforeValidator(_text), AfterValidator(_checked(_check_id))]
Ids = Annotated[list[Annotated[str, AfterValidator(_checked(_check_id))]], BeforeValidator(_strings)]
Phone = Annotated[
    str,
    BeforeValidator(_text),
    AfterValidator(_matching(_PHONE, "{value!r} is not in international form (+...)")),
]


class _Doc(BaseModel):
    """A document part: unknown keys refused; ``rules`` across its fields are read from the part as sent,
    so that they are reported beside its fields' own problems, not only once those are fixed."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @classmethod
    def rules(cls, doc: dict[str, Any]) -> list[tuple[str, str]]:
        """(field, reason) for each rule across fields that ``doc`` breaks; field "" is the part itself."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _with_rules(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        problems = cls.rules(data) if isinstance(data, dict) else []
        try:
            doc = handler(data)
        except ValidationError as exc:
            if not problems:
                raise
            errors: list[InitErrorDetails] = [
                {
                    "type": PydanticCustomError(
                        e["type"], "{message}", {**e.get("ctx", {}), "message": e["msg"]}
                    ),
                    "loc": e["loc"],
                    "input": e["input"],
                }
                for e in exc.errors(include_url=False)
            ]
            errors.append({"type": _fields(problems), "loc": (), "input": data})
            raise ValidationError.from_exception_data(cls.__name__, errors) from None
        if problems:
            raise _fields(problems)
        return doc


M = TypeVar("M", bound=_Doc)


# -- requests ---------------------------------------------------------------------------------------------

_AGENCY = "is required: a registered agency id, or an object with name and country"
_TARGETS = "is required: a non-empty list of {type, value, chain}"
_CATEGORIES = f"is required: a non-empty list of {', '.join(DataCategory)}"
_REQUEST_MISSING = {"agency": _AGENCY, "targets": _TARGETS, "data_categories": _CATEGORIES}


class _AgencyRef(_Doc):
    id: OptText = None
    name: OptText = None
    country: OptCountry = None

    @classmethod
    def rules(cls, doc: dict[str, Any]) -> list[tuple[str, str]]:
        # an agency not registered yet is named: its name and country
        if not _blank(doc.get("id")):
            return []
        return [(k, "is required") for k in ("name", "country") if _blank(doc.get(k))]


def _agency_ref(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return {"id": value}
    if isinstance(value, dict):
        return value
    raise _fail(_AGENCY)


_INFORMALLY_ABSENT = ("reference", "issued_by", "issued_at", "legal_basis", "document_sha256")


class _Instrument(_Doc):
    type: Annotated[InstrumentType, BeforeValidator(_member(InstrumentType))]
    reference: OptText = None
    issued_by: OptText = None
    issued_at: OptDay = None
    legal_basis: OptText = None
    document_sha256: Annotated[
        str | None,
        BeforeValidator(_optional(_text)),
        AfterValidator(
            _optional(_matching(_HEX64, "must be 64 hex digits (SHA-256 of the document)", lower=True))
        ),
    ] = None
    signature: Annotated[
        str | None,
        BeforeValidator(_optional(_text)),
        AfterValidator(
            _optional(_matching(_HEX128, "must be an Ed25519 signature, 128 hex digits", lower=True))
        ),
    ] = None

    @classmethod
    def rules(cls, doc: dict[str, Any]) -> list[tuple[str, str]]:
        # An informal request has no reference or document by nature; it is still recorded.
        if _stripped(doc.get("type")) == InstrumentType.INFORMAL_REQUEST:
            return []
        return [(k, "is required") for k in _INFORMALLY_ABSENT if _blank(doc.get(k))]


class _Target(_Doc):
    type: Annotated[TargetType, BeforeValidator(_member(TargetType))]
    value: Text
    chain: OptText = None

    @classmethod
    def rules(cls, doc: dict[str, Any]) -> list[tuple[str, str]]:
        kind, value = _stripped(doc.get("type")), _stripped(doc.get("value"))
        on_chain = (TargetType.WALLET_ADDRESS, TargetType.COUNTERPARTY_ADDRESS, TargetType.TX_HASH)
        if kind == TargetType.EMAIL and value and "@" not in value:
            return [("value", f"{value!r} is not an email address")]
        if kind == TargetType.PHONE and value and not _PHONE.match(value):
            return [("value", f"{value!r} is not a phone number in international form (+...)")]
        if kind in on_chain and _blank(doc.get("chain")):
            return [("chain", f"is required for a {kind} target")]
        return []

    def target(self) -> Target:
        value = self.value.lower() if self.type is TargetType.EMAIL else self.value
        return Target(self.type, value, self.chain.lower() if self.chain else None)


def _non_empty(reason: str) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise _fail(reason)
        return value

    return read


def _category(value: Any) -> DataCategory:
    try:
        return DataCategory(value)
    except ValueError:
        raise _fail(f"unknown category {value!r}; one of {', '.join(DataCategory)}") from None


def _distinct(what: str) -> Callable[[list[Any]], list[Any]]:
    def check(items: list[Any]) -> list[Any]:
        keys = [i.target() if isinstance(i, _Target) else i for i in items]
        if len(set(keys)) != len(keys):
            raise _fail(f"lists the same {what} twice")
        return items

    return check


class _DateRange(_Doc):
    start: OptDay = Field(None, alias="from")
    end: OptDay = Field(None, alias="to")

    @classmethod
    def rules(cls, doc: dict[str, Any]) -> list[tuple[str, str]]:
        try:
            start, end = _day(doc.get("from")), _day(doc.get("to"))
        except PydanticCustomError:
            return []  # open-ended or malformed (reported by its field)
        return [("", f"from {start} is after to {end}")] if start > end else []


class _NonDisclosure(_Doc):
    basis: Text
    until: OptDay = None


class _Emergency(_Doc):
    nature: Text
    persons_at_risk: Text
    why_normal_process_insufficient: Text


class _Offence(_Doc):
    description: Text
    statute: OptText = None


def _outcome(value: str) -> str:
    if value not in ("confirmed", "not_confirmed"):
        raise _fail("must be confirmed or not_confirmed")
    return value


def _email(value: str) -> str:
    if value.count("@") != 1 or not value.split("@")[1]:
        raise _fail(f"{value!r} is not an email address")
    return value.lower()


class _Callback(_Doc):
    number: Text
    by: Text
    at: Instant
    outcome: Annotated[str, BeforeValidator(_text), AfterValidator(_outcome)]


class _Request(_Doc):
    received_at: Instant
    channel: Annotated[Channel, BeforeValidator(_member(Channel))]
    agency: Annotated[_AgencyRef, BeforeValidator(_agency_ref)]
    officer: Text
    instrument: _Instrument
    targets: Annotated[
        list[_Target], BeforeValidator(_non_empty(_TARGETS)), AfterValidator(_distinct("target"))
    ]
    data_categories: Annotated[
        list[Annotated[DataCategory, BeforeValidator(_category)]],
        BeforeValidator(_non_empty(_CATEGORIES)),
        AfterValidator(_distinct("category")),
    ]
    date_range: _DateRange | None = None
    non_disclosure: _NonDisclosure | None = None
    deadline: OptDay = None
    emergency: _Emergency | None = None
    offence: _Offence | None = None
    callback: _Callback | None = None
    follow_up_of: OptText = None
    sender_email: Annotated[
        str | None, BeforeValidator(_optional(_text)), AfterValidator(_optional(_email))
    ] = None

    @classmethod
    def rules(cls, doc: dict[str, Any]) -> list[tuple[str, str]]:
        """The rules spanning its parts: what an emergency or preservation request must carry, and an
        instrument issued before it was received."""
        inst = doc.get("instrument")
        if not isinstance(inst, dict):
            return []  # reported by the model
        out = []
        kind = _stripped(inst.get("type"))
        if kind == InstrumentType.EMERGENCY_DISCLOSURE_REQUEST and doc.get("emergency") is None:
            out.append(
                (
                    "emergency",
                    "is required for an emergency_disclosure_request (nature, persons at risk, why)",
                )
            )
        if kind == InstrumentType.PRESERVATION_REQUEST and doc.get("offence") is None:
            # Budapest Convention Art. 29(2)(b): the offence and a summary of the facts.
            out.append(
                ("offence", "is required for a preservation request (Budapest Convention Art. 29(2)(b))")
            )
        try:
            issued, received = _day(inst.get("issued_at")), _instant(doc.get("received_at"))
        except PydanticCustomError:
            return out  # either is absent or malformed: reported as such by its field
        if issued > received.date():
            out.append(("instrument.issued_at", "is after received_at"))
        return out

    def request(self) -> LawfulRequest:
        i, dr = self.instrument, self.date_range
        return LawfulRequest(
            received_at=self.received_at,
            channel=self.channel,
            agency_id=self.agency.id,
            agency_name=self.agency.name or "",
            agency_country=self.agency.country or "",
            officer=self.officer,
            instrument=Instrument(
                i.type,
                i.reference or "",
                i.issued_by or "",
                i.issued_at or self.received_at.date(),
                i.legal_basis or "",
                i.document_sha256 or "",
                i.signature,
            ),
            targets=tuple(t.target() for t in self.targets),
            data_categories=tuple(self.data_categories),
            date_range=DateRange(dr.start, dr.end) if dr else DateRange(None, None),
            deadline=self.deadline,
            non_disclosure=NonDisclosure(self.non_disclosure.basis, self.non_disclosure.until)
            if self.non_disclosure
            else None,
            emergency=Emergency(**self.emergency.model_dump()) if self.emergency else None,
            offence=Offence(self.offence.description, self.offence.statute) if self.offence else None,
            callback=CallbackVerification(**self.callback.model_dump()) if self.callback else None,
            follow_up_of=self.follow_up_of,
            sender_email=self.sender_email,
        )


def _validated(
    model: type[M],
    data: Any,
    origin: str | None,
    root: str,
    missing: dict[str, str] | None = None,
) -> M:
    """``data`` read as ``model``, or ``InvalidFields`` with every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidFields(origin, tuple(_problems(exc, root, missing or {}))) from None


def parse_request(data: Any, *, origin: str | None = None) -> LawfulRequest:
    """Validate a request as filed. Raises ``InvalidFields`` naming every bad field."""
    return _validated(_Request, data, origin, "(request)", _REQUEST_MISSING).request()


# -- registries ---------------------------------------------------------------------------------------------


class _CallbackNumber(_Doc):
    number: Phone
    source: Text

    @classmethod
    def rules(cls, doc: dict[str, Any]) -> list[tuple[str, str]]:
        source = _stripped(doc.get("source"))
        if source and "request" in source.lower() and _PHONE.match(_stripped(doc.get("number")) or ""):
            return [("source", "a callback number must be sourced independently of any request")]
        return []


class _Agency(_Doc):
    id: Id
    name: Text
    country: Country
    agency_class: Annotated[AgencyClass, BeforeValidator(_member(AgencyClass))] = Field(alias="class")
    parent: OptText = None
    linked: Ids = []
    domains: Annotated[
        list[Annotated[str, AfterValidator(_checked(_check_domain))]], BeforeValidator(_strings)
    ] = []
    callback_numbers: Annotated[
        list[_CallbackNumber], BeforeValidator(_listed("must be a list of {number, source}"))
    ] = []
    public_keys: Annotated[
        list[Annotated[str, AfterValidator(_checked(_check_key))]], BeforeValidator(_strings)
    ] = []
    verification_status: Annotated[
        VerificationStatus | None, BeforeValidator(_optional(_member(VerificationStatus)))
    ] = None
    verified_on: OptDay = None
    aliases: Strings = []
    notes: OptText = None
    encryption_recipients: Annotated[
        list[Annotated[str, AfterValidator(_checked(_check_recipient))]], BeforeValidator(_strings)
    ] = []

    @classmethod
    def rules(cls, doc: dict[str, Any]) -> list[tuple[str, str]]:
        verified = _stripped(doc.get("verification_status")) == VerificationStatus.VERIFIED
        if verified and _blank(doc.get("verified_on")):
            return [("verified_on", "is required when verification_status is verified")]
        return []


def parse_agency(data: Any, *, origin: str | None = None) -> Agency:
    doc = _validated(_Agency, data, origin, "(agency)")
    return Agency(
        id=doc.id,
        name=doc.name,
        country=doc.country,
        agency_class=doc.agency_class,
        parent_id=doc.parent,
        linked_ids=tuple(doc.linked),
        domains=tuple(d.lower() for d in doc.domains),
        callback_numbers=tuple(CallbackNumber(n.number, n.source) for n in doc.callback_numbers),
        public_keys=tuple(k.lower() for k in doc.public_keys),
        verification_status=doc.verification_status or VerificationStatus.UNVERIFIED,
        verified_on=doc.verified_on,
        aliases=tuple(doc.aliases),
        notes=doc.notes,
        encryption_recipients=tuple(doc.encryption_recipients),
    )


class _Address(_Doc):
    address: Text
    chain: OptText = None
    label: OptText = None


class _Party(_Doc):
    id: Id
    name: Text
    kind: Annotated[PartyKind, BeforeValidator(_member(PartyKind))]
    country: OptCountry = None
    aliases: Strings = []
    identifiers: Strings = []
    addresses: Annotated[
        list[_Address], BeforeValidator(_listed("must be a list of {address, chain, label}"))
    ] = []
    notes: OptText = None


def parse_party(data: Any, *, origin: str | None = None) -> ProtectedParty:
    doc = _validated(_Party, data, origin, "(party)")
    return ProtectedParty(
        doc.id,
        doc.name,
        doc.kind,
        doc.country,
        tuple(doc.aliases),
        tuple(doc.identifiers),
        tuple(
            ProtectedAddress(a.address, a.chain.lower() if a.chain else None, a.label) for a in doc.addresses
        ),
        doc.notes,
    )
