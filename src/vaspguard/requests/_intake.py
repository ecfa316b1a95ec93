"""Intake validation: a request, agency or protected party as JSON in; typed values or every bad field out.

Every problem is collected (not only the first) and raised together as ``InvalidFields``, each with the
dotted path of the field (``instrument.type``, ``targets[2].value``) and the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

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

E = TypeVar("E", bound=StrEnum)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX128 = re.compile(r"^[0-9a-f]{128}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PHONE = re.compile(r"^\+[1-9][0-9 ()-]{5,20}$")


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


class _Reader:
    """Reads fields of a JSON object, collecting every problem instead of stopping at the first."""

    def __init__(self, origin: str | None = None) -> None:
        self.problems: list[InvalidRequest] = []
        self.origin = origin

    def fail(self, field: str, reason: str) -> None:
        self.problems.append(InvalidRequest(field, reason))

    def obj(self, data: Any, field: str, *, required: bool = True) -> dict[str, Any] | None:
        if data is None:
            if required:
                self.fail(field, "is required")
            return None
        if not isinstance(data, dict):
            self.fail(field, "must be an object")
            return None
        return data

    def text(self, data: dict[str, Any], key: str, prefix: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        field = f"{prefix}{key}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field, "is required")
            return None
        if not isinstance(value, str):
            self.fail(field, "must be a string")
            return None
        if len(value) > 4000:
            self.fail(field, "is longer than 4000 characters")
            return None
        return value.strip()

    def enum(
        self, data: dict[str, Any], key: str, prefix: str, kind: type[E], *, required: bool = True
    ) -> E | None:
        raw = self.text(data, key, prefix, required=required)
        if raw is None:
            return None
        try:
            return kind(raw)
        except ValueError:
            self.fail(f"{prefix}{key}", f"unknown value {raw!r}; one of {', '.join(kind)}")
            return None

    def day(self, data: dict[str, Any], key: str, prefix: str, *, required: bool = True) -> date | None:
        raw = self.text(data, key, prefix, required=required)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.fail(f"{prefix}{key}", f"{raw!r} is not a date (YYYY-MM-DD)")
            return None

    def instant(
        self, data: dict[str, Any], key: str, prefix: str, *, required: bool = True
    ) -> datetime | None:
        raw = self.text(data, key, prefix, required=required)
        if raw is None:
            return None
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{prefix}{key}", f"{raw!r} is not a timestamp (ISO 8601 with time zone)")
            return None
        if value.tzinfo is None:
            self.fail(f"{prefix}{key}", f"{raw!r} has no time zone (write Z or +HH:MM)")
            return None
        return value.astimezone(UTC)

    def country(self, data: dict[str, Any], key: str, prefix: str, *, required: bool = True) -> str | None:
        raw = self.text(data, key, prefix, required=required)
        if raw is None:
            return None
        if not _COUNTRY.match(raw.upper()):
            self.fail(f"{prefix}{key}", f"{raw!r} is not an ISO 3166-1 alpha-2 country code")
            return None
        return raw.upper()

    def strings(
        self, data: dict[str, Any], key: str, prefix: str, check: Callable[[str], str | None] | None = None
    ) -> tuple[str, ...]:
        value = data.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{prefix}{key}", "must be a list of strings")
            return ()
        out = []
        for i, v in enumerate(value):
            problem = check(v) if check else None
            if problem:
                self.fail(f"{prefix}{key}[{i}]", problem)
            else:
                out.append(v.strip())
        return tuple(out)

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], prefix: str) -> None:
        for key in sorted(set(data) - allowed):
            self.fail(f"{prefix}{key}", "is not a known field")

    def done(self) -> None:
        if self.problems:
            raise InvalidFields(self.origin, tuple(self.problems))


def _check_id(value: str) -> str | None:
    return None if _ID.match(value) else "must be 1-64 letters, digits, '.', '_', ':' or '-'"


def _check_domain(value: str) -> str | None:
    return None if _DOMAIN.match(value.lower()) else f"{value!r} is not a domain name"


def _check_key(value: str) -> str | None:
    return None if _HEX64.match(value.lower()) else "must be an Ed25519 public key, 64 hex digits"


# -- requests ---------------------------------------------------------------------------------------------

_REQUEST_KEYS = {
    "received_at",
    "channel",
    "agency",
    "officer",
    "instrument",
    "targets",
    "data_categories",
    "date_range",
    "non_disclosure",
    "deadline",
    "emergency",
    "offence",
    "callback",
    "follow_up_of",
    "sender_email",
}


def parse_request(data: Any, *, origin: str | None = None) -> LawfulRequest:  # noqa: C901, PLR0915
    """Validate a request as filed. Raises ``InvalidFields`` naming every bad field."""
    r = _Reader(origin)
    doc = r.obj(data, "(request)")
    if doc is None:
        r.done()
        raise AssertionError  # pragma: no cover - done() raised
    r.unknown_keys(doc, _REQUEST_KEYS, "")
    received_at = r.instant(doc, "received_at", "")
    channel = r.enum(doc, "channel", "", Channel)
    officer = r.text(doc, "officer", "")

    agency_id: str | None = None
    agency_name: str | None = None
    agency_country: str | None = None
    raw_agency = doc.get("agency")
    if isinstance(raw_agency, str) and raw_agency.strip():
        agency_id = raw_agency.strip()
    elif isinstance(raw_agency, dict):
        r.unknown_keys(raw_agency, {"id", "name", "country"}, "agency.")
        agency_id = r.text(raw_agency, "id", "agency.", required=False)
        agency_name = r.text(raw_agency, "name", "agency.", required=agency_id is None)
        agency_country = r.country(raw_agency, "country", "agency.", required=agency_id is None)
    else:
        r.fail("agency", "is required: a registered agency id, or an object with name and country")

    instrument: Instrument | None = None
    inst = r.obj(doc.get("instrument"), "instrument")
    if inst is not None:
        r.unknown_keys(
            inst,
            {"type", "reference", "issued_by", "issued_at", "legal_basis", "document_sha256", "signature"},
            "instrument.",
        )
        kind = r.enum(inst, "type", "instrument.", InstrumentType)
        informal = kind is InstrumentType.INFORMAL_REQUEST
        # An informal request has no reference or document by nature; it is still recorded.
        reference = r.text(inst, "reference", "instrument.", required=not informal)
        issued_by = r.text(inst, "issued_by", "instrument.", required=not informal)
        issued_at = r.day(inst, "issued_at", "instrument.", required=not informal)
        legal_basis = r.text(inst, "legal_basis", "instrument.", required=not informal)
        sha = r.text(inst, "document_sha256", "instrument.", required=not informal)
        if sha is not None and not _HEX64.match(sha.lower()):
            r.fail("instrument.document_sha256", "must be 64 hex digits (SHA-256 of the document)")
            sha = None
        signature = r.text(inst, "signature", "instrument.", required=False)
        if signature is not None and not _HEX128.match(signature.lower()):
            r.fail("instrument.signature", "must be an Ed25519 signature, 128 hex digits")
            signature = None
        if issued_at is not None and received_at is not None and issued_at > received_at.date():
            r.fail("instrument.issued_at", "is after received_at")
        if kind is not None:
            instrument = Instrument(
                kind,
                reference or "",
                issued_by or "",
                issued_at or (received_at.date() if received_at else date.min),
                legal_basis or "",
                (sha or "").lower(),
                signature.lower() if signature else None,
            )

    targets: list[Target] = []
    raw_targets = doc.get("targets")
    if not isinstance(raw_targets, list) or not raw_targets:
        r.fail("targets", "is required: a non-empty list of {type, value, chain}")
    else:
        for i, t in enumerate(raw_targets):
            prefix = f"targets[{i}]."
            tobj = r.obj(t, f"targets[{i}]")
            if tobj is None:
                continue
            r.unknown_keys(tobj, {"type", "value", "chain"}, prefix)
            ttype = r.enum(tobj, "type", prefix, TargetType)
            value = r.text(tobj, "value", prefix)
            chain = r.text(tobj, "chain", prefix, required=False)
            if ttype is TargetType.EMAIL and value is not None and "@" not in value:
                r.fail(f"{prefix}value", f"{value!r} is not an email address")
            elif ttype is TargetType.PHONE and value is not None and not _PHONE.match(value):
                r.fail(f"{prefix}value", f"{value!r} is not a phone number in international form (+...)")
            elif (
                ttype in (TargetType.WALLET_ADDRESS, TargetType.COUNTERPARTY_ADDRESS, TargetType.TX_HASH)
                and chain is None
            ):
                r.fail(f"{prefix}chain", f"is required for a {ttype} target")
            elif ttype is not None and value is not None:
                norm = value.lower() if ttype is TargetType.EMAIL else value
                targets.append(Target(ttype, norm, chain.lower() if chain else None))
        if len(set(targets)) != len(targets):
            r.fail("targets", "lists the same target twice")

    categories: list[DataCategory] = []
    raw_cats = doc.get("data_categories")
    if not isinstance(raw_cats, list) or not raw_cats:
        r.fail("data_categories", f"is required: a non-empty list of {', '.join(DataCategory)}")
    else:
        for i, c in enumerate(raw_cats):
            try:
                categories.append(DataCategory(c))
            except ValueError:
                r.fail(f"data_categories[{i}]", f"unknown category {c!r}; one of {', '.join(DataCategory)}")
        if len(set(categories)) != len(categories):
            r.fail("data_categories", "lists the same category twice")

    date_range = DateRange(None, None)
    dr = r.obj(doc.get("date_range"), "date_range", required=False)
    if dr is not None:
        r.unknown_keys(dr, {"from", "to"}, "date_range.")
        start = r.day(dr, "from", "date_range.", required=False)
        end = r.day(dr, "to", "date_range.", required=False)
        if start and end and start > end:
            r.fail("date_range", f"from {start} is after to {end}")
        date_range = DateRange(start, end)

    ndo: NonDisclosure | None = None
    raw_ndo = r.obj(doc.get("non_disclosure"), "non_disclosure", required=False)
    if raw_ndo is not None:
        r.unknown_keys(raw_ndo, {"basis", "until"}, "non_disclosure.")
        basis = r.text(raw_ndo, "basis", "non_disclosure.")
        until = r.day(raw_ndo, "until", "non_disclosure.", required=False)
        if basis is not None:
            ndo = NonDisclosure(basis, until)

    emergency: Emergency | None = None
    raw_em = r.obj(doc.get("emergency"), "emergency", required=False)
    if raw_em is not None:
        r.unknown_keys(raw_em, {"nature", "persons_at_risk", "why_normal_process_insufficient"}, "emergency.")
        nature = r.text(raw_em, "nature", "emergency.")
        persons = r.text(raw_em, "persons_at_risk", "emergency.")
        why = r.text(raw_em, "why_normal_process_insufficient", "emergency.")
        if nature and persons and why:
            emergency = Emergency(nature, persons, why)
    if (
        instrument is not None
        and instrument.type is InstrumentType.EMERGENCY_DISCLOSURE_REQUEST
        and raw_em is None
    ):
        r.fail("emergency", "is required for an emergency_disclosure_request (nature, persons at risk, why)")

    offence: Offence | None = None
    raw_off = r.obj(doc.get("offence"), "offence", required=False)
    if raw_off is not None:
        r.unknown_keys(raw_off, {"description", "statute"}, "offence.")
        desc = r.text(raw_off, "description", "offence.")
        statute = r.text(raw_off, "statute", "offence.", required=False)
        if desc:
            offence = Offence(desc, statute)
    if instrument is not None and instrument.type is InstrumentType.PRESERVATION_REQUEST and offence is None:
        # Budapest Convention Art. 29(2)(b): the offence and a summary of the facts.
        r.fail("offence", "is required for a preservation request (Budapest Convention Art. 29(2)(b))")

    callback: CallbackVerification | None = None
    raw_cb = r.obj(doc.get("callback"), "callback", required=False)
    if raw_cb is not None:
        r.unknown_keys(raw_cb, {"number", "by", "at", "outcome"}, "callback.")
        number = r.text(raw_cb, "number", "callback.")
        by = r.text(raw_cb, "by", "callback.")
        at = r.instant(raw_cb, "at", "callback.")
        outcome = r.text(raw_cb, "outcome", "callback.")
        if outcome is not None and outcome not in ("confirmed", "not_confirmed"):
            r.fail("callback.outcome", "must be confirmed or not_confirmed")
        elif number and by and at and outcome:
            callback = CallbackVerification(number, by, at, outcome)

    deadline = r.day(doc, "deadline", "", required=False)
    follow_up_of = r.text(doc, "follow_up_of", "", required=False)
    sender_email = r.text(doc, "sender_email", "", required=False)
    if sender_email is not None and (sender_email.count("@") != 1 or not sender_email.split("@")[1]):
        r.fail("sender_email", f"{sender_email!r} is not an email address")
        sender_email = None
    r.done()
    assert received_at and channel and officer and instrument  # guaranteed by done()
    return LawfulRequest(
        received_at=received_at,
        channel=channel,
        agency_id=agency_id,
        agency_name=agency_name or "",
        agency_country=agency_country or "",
        officer=officer,
        instrument=instrument,
        targets=tuple(targets),
        data_categories=tuple(categories),
        date_range=date_range,
        deadline=deadline,
        non_disclosure=ndo,
        emergency=emergency,
        offence=offence,
        callback=callback,
        follow_up_of=follow_up_of,
        sender_email=sender_email.lower() if sender_email else None,
    )


# -- registries ---------------------------------------------------------------------------------------------


def parse_agency(data: Any, *, origin: str | None = None) -> Agency:
    r = _Reader(origin)
    doc = r.obj(data, "(agency)")
    if doc is None:
        r.done()
        raise AssertionError  # pragma: no cover
    r.unknown_keys(
        doc,
        {
            "id",
            "name",
            "country",
            "class",
            "parent",
            "linked",
            "domains",
            "callback_numbers",
            "public_keys",
            "verification_status",
            "verified_on",
            "aliases",
            "notes",
        },
        "",
    )
    agency_id = r.text(doc, "id", "")
    if agency_id is not None and (problem := _check_id(agency_id)):
        r.fail("id", problem)
    name = r.text(doc, "name", "")
    country = r.country(doc, "country", "")
    klass = r.enum(doc, "class", "", AgencyClass)
    parent = r.text(doc, "parent", "", required=False)
    linked = r.strings(doc, "linked", "", _check_id)
    domains = r.strings(doc, "domains", "", _check_domain)
    keys = r.strings(doc, "public_keys", "", _check_key)
    aliases = r.strings(doc, "aliases", "")
    numbers: list[CallbackNumber] = []
    raw_numbers = doc.get("callback_numbers", [])
    if not isinstance(raw_numbers, list):
        r.fail("callback_numbers", "must be a list of {number, source}")
    else:
        for i, n in enumerate(raw_numbers):
            nobj = r.obj(n, f"callback_numbers[{i}]")
            if nobj is None:
                continue
            number = r.text(nobj, "number", f"callback_numbers[{i}].")
            source = r.text(nobj, "source", f"callback_numbers[{i}].")
            if number is not None and not _PHONE.match(number):
                r.fail(f"callback_numbers[{i}].number", f"{number!r} is not in international form (+...)")
            elif source is not None and "request" in source.lower():
                r.fail(
                    f"callback_numbers[{i}].source",
                    "a callback number must be sourced independently of any request",
                )
            elif number and source:
                numbers.append(CallbackNumber(number, source))
    status = r.enum(doc, "verification_status", "", VerificationStatus, required=False)
    verified_on = r.day(doc, "verified_on", "", required=False)
    if status is VerificationStatus.VERIFIED and verified_on is None:
        r.fail("verified_on", "is required when verification_status is verified")
    notes = r.text(doc, "notes", "", required=False)
    r.done()
    assert agency_id and name and country and klass
    return Agency(
        id=agency_id,
        name=name,
        country=country,
        agency_class=klass,
        parent_id=parent,
        linked_ids=linked,
        domains=tuple(d.lower() for d in domains),
        callback_numbers=tuple(numbers),
        public_keys=tuple(k.lower() for k in keys),
        verification_status=status or VerificationStatus.UNVERIFIED,
        verified_on=verified_on,
        aliases=aliases,
        notes=notes,
    )


def parse_party(data: Any, *, origin: str | None = None) -> ProtectedParty:
    r = _Reader(origin)
    doc = r.obj(data, "(party)")
    if doc is None:
        r.done()
        raise AssertionError  # pragma: no cover
    r.unknown_keys(doc, {"id", "name", "kind", "country", "aliases", "identifiers", "addresses", "notes"}, "")
    party_id = r.text(doc, "id", "")
    if party_id is not None and (problem := _check_id(party_id)):
        r.fail("id", problem)
    name = r.text(doc, "name", "")
    kind = r.enum(doc, "kind", "", PartyKind)
    country = r.country(doc, "country", "", required=False)
    aliases = r.strings(doc, "aliases", "")
    identifiers = r.strings(doc, "identifiers", "")
    addresses: list[ProtectedAddress] = []
    raw = doc.get("addresses", [])
    if not isinstance(raw, list):
        r.fail("addresses", "must be a list of {address, chain, label}")
    else:
        for i, a in enumerate(raw):
            aobj = r.obj(a, f"addresses[{i}]")
            if aobj is None:
                continue
            address = r.text(aobj, "address", f"addresses[{i}].")
            chain = r.text(aobj, "chain", f"addresses[{i}].", required=False)
            label = r.text(aobj, "label", f"addresses[{i}].", required=False)
            if address:
                addresses.append(ProtectedAddress(address, chain.lower() if chain else None, label))
    notes = r.text(doc, "notes", "", required=False)
    r.done()
    assert party_id and name and kind
    return ProtectedParty(party_id, name, kind, country, aliases, identifiers, tuple(addresses), notes)
