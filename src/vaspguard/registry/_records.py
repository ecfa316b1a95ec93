"""The registry's file records: one layout per record kind, shared by CSV, JSON Lines and Parquet.

A record is a flat mapping of the kind's fields. Facts that come in lists (a customer's names, permits,
owners, ...; an account's balances) are nested values: native lists and structs in JSON Lines and Parquet,
JSON text in a CSV cell. ``parse_*`` turns a record into a registry value or raises ``FieldError`` naming
the field (``names[1].script``); ``*_record`` turns a value back into a record of canonical Python values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from vaspguard.registry import _validate as v
from vaspguard.registry._model import (
    Account,
    Contact,
    Customer,
    KycStatus,
    Login,
    Name,
    NameKind,
    Owner,
    PermitApplication,
    PermitKind,
    PersonType,
    Price,
    Product,
    ResidencePermit,
    Transaction,
    TransactionKind,
    Visa,
)
from vaspguard.registry._validate import FieldError


class RecordKind(enum.StrEnum):
    CUSTOMERS = "customers"
    ACCOUNTS = "accounts"
    TRANSACTIONS = "transactions"
    LOGINS = "logins"
    PRICES = "prices"


GENDERS = ("female", "male", "other", "unknown")
VISA_KINDS = ("tourist", "business", "student", "work", "transit", "other")
APPLICATION_STATUSES = ("pending", "granted", "refused", "withdrawn")
ACCOUNT_STATUSES = ("open", "frozen", "closed")
CONTACT_KINDS = ("email", "phone")
ON_CHAIN = frozenset({TransactionKind.DEPOSIT, TransactionKind.WITHDRAWAL})


@dataclass(frozen=True, slots=True)
class Layout:
    """A record kind's fields, in file column order, and which of them must be present."""

    fields: tuple[str, ...]
    required: frozenset[str]


LAYOUTS: dict[RecordKind, Layout] = {
    RecordKind.CUSTOMERS: Layout(
        (
            "id",
            "type",
            "names",
            "nationalities",
            "residence",
            "established",
            "birth_date",
            "gender",
            "kyc_status",
            "residence_permits",
            "visas",
            "permit_applications",
            "owners",
            "contacts",
            "created_at",
            "updated_at",
        ),
        frozenset({"id", "type", "names", "kyc_status"}),
    ),
    RecordKind.ACCOUNTS: Layout(
        ("id", "customer_id", "product", "opened_at", "status", "balances"),
        frozenset({"id", "customer_id", "product", "opened_at"}),
    ),
    RecordKind.TRANSACTIONS: Layout(
        (
            "id",
            "customer_id",
            "account_id",
            "kind",
            "occurred_at",
            "asset",
            "amount",
            "chain",
            "address",
            "tx_hash",
            "counter_asset",
            "counter_amount",
            "counterparty_customer_id",
        ),
        frozenset({"id", "customer_id", "kind", "occurred_at", "asset", "amount"}),
    ),
    RecordKind.LOGINS: Layout(
        ("customer_id", "occurred_at", "ip", "country"), frozenset({"customer_id", "occurred_at", "ip"})
    ),
    RecordKind.PRICES: Layout(("asset", "day", "eur"), frozenset({"asset", "day", "eur"})),
}


def _items(value: Any, field: str) -> list[tuple[str, Mapping[str, Any]]]:
    out = []
    for i, item in enumerate(v.nested(value, field)):
        path = f"{field}[{i}]"
        if not isinstance(item, Mapping):
            raise FieldError(path, "expected an object")
        out.append((path, item))
    return out


def _only(item: Mapping[str, Any], path: str, allowed: tuple[str, ...]) -> None:
    for key in item:
        if key not in allowed:
            raise FieldError(f"{path}.{key}", f"unknown field; expected {', '.join(allowed)}")


def parse_customer(r: Mapping[str, Any]) -> Customer:  # noqa: C901, PLR0915
    cid = v.identifier(r.get("id"), "id")
    ptype = v.enum_value(r.get("type"), "type", PersonType)
    names = []
    for path, item in _items(r.get("names"), "names"):
        _only(item, path, ("name", "script", "kind"))
        names.append(
            Name(
                v.text(item.get("name"), f"{path}.name") or "",
                v.script(item.get("script"), f"{path}.script"),
                v.enum_value(item.get("kind"), f"{path}.kind", NameKind, default=NameKind.PRIMARY),
            )
        )
    if not names:
        raise FieldError("names", "a customer needs at least one name")
    primaries = sum(n.kind is NameKind.PRIMARY for n in names)
    if primaries != 1:
        raise FieldError("names", f"exactly one name must be of kind primary, found {primaries}")
    permits = []
    for path, item in _items(r.get("residence_permits"), "residence_permits"):
        _only(item, path, ("country", "kind", "valid_from", "valid_until"))
        start = v.day(item.get("valid_from"), f"{path}.valid_from", required=True)
        until = v.day(item.get("valid_until"), f"{path}.valid_until")
        assert start is not None
        if until is not None and until < start:
            raise FieldError(f"{path}.valid_until", f"{until} is before valid_from {start}")
        permits.append(
            ResidencePermit(
                v.country(item.get("country"), f"{path}.country", required=True) or "",
                v.enum_value(item.get("kind"), f"{path}.kind", PermitKind),
                start,
                until,
            )
        )
    visas = []
    for path, item in _items(r.get("visas"), "visas"):
        _only(item, path, ("country", "kind", "valid_from", "valid_until"))
        start_v = v.day(item.get("valid_from"), f"{path}.valid_from")
        until_v = v.day(item.get("valid_until"), f"{path}.valid_until")
        if start_v is not None and until_v is not None and until_v < start_v:
            raise FieldError(f"{path}.valid_until", f"{until_v} is before valid_from {start_v}")
        visas.append(
            Visa(
                v.country(item.get("country"), f"{path}.country", required=True) or "",
                v.choice(item.get("kind"), f"{path}.kind", VISA_KINDS, default="other"),
                start_v,
                until_v,
            )
        )
    applications = []
    for path, item in _items(r.get("permit_applications"), "permit_applications"):
        _only(item, path, ("country", "filed_on", "status"))
        applications.append(
            PermitApplication(
                v.country(item.get("country"), f"{path}.country", required=True) or "",
                v.day(item.get("filed_on"), f"{path}.filed_on"),
                v.choice(item.get("status"), f"{path}.status", APPLICATION_STATUSES, default="pending"),
            )
        )
    owners = []
    total_share = Decimal(0)
    for path, item in _items(r.get("owners"), "owners"):
        _only(
            item,
            path,
            ("name", "type", "customer_id", "nationalities", "residence", "established", "share", "control"),
        )
        share = v.amount(item.get("share"), f"{path}.share", required=False)
        if share is not None:
            if not Decimal(0) < share <= Decimal(1):
                raise FieldError(f"{path}.share", f"{share} is not a fraction in (0, 1]")
            total_share += share
        owners.append(
            Owner(
                name=v.text(item.get("name"), f"{path}.name") or "",
                type=v.enum_value(item.get("type"), f"{path}.type", PersonType, default=PersonType.NATURAL),
                customer_id=v.identifier(item.get("customer_id"), f"{path}.customer_id", required=False),
                nationalities=v.countries(item.get("nationalities"), f"{path}.nationalities"),
                residence=v.country(item.get("residence"), f"{path}.residence"),
                established=v.country(item.get("established"), f"{path}.established"),
                share=share,
                control=v.boolean(item.get("control"), f"{path}.control"),
            )
        )
    if total_share > 1:
        raise FieldError("owners", f"shares add up to {total_share}, more than 1")
    if owners and ptype is PersonType.NATURAL:
        raise FieldError("owners", "only legal persons have owners")
    if any(o.customer_id == cid for o in owners):
        raise FieldError("owners", "a customer cannot own itself")
    contacts = []
    for path, item in _items(r.get("contacts"), "contacts"):
        _only(item, path, ("kind", "value"))
        kind = v.choice(item.get("kind"), f"{path}.kind", CONTACT_KINDS)
        contacts.append(Contact(kind, v.contact_value(kind, item.get("value"), f"{path}.value")))
    birth = v.birth_date(r.get("birth_date"), "birth_date")
    gender = None if v.is_blank(r.get("gender")) else v.choice(r.get("gender"), "gender", GENDERS)
    established = v.country(r.get("established"), "established")
    if ptype is PersonType.LEGAL and (birth or gender):
        raise FieldError("birth_date" if birth else "gender", "legal persons have no date of birth or gender")
    if ptype is PersonType.NATURAL and established:
        raise FieldError("established", "only legal persons have a country of establishment")
    created = v.instant(r.get("created_at"), "created_at", required=False)
    updated = v.instant(r.get("updated_at"), "updated_at", required=False)
    if created and updated and updated < created:
        raise FieldError("updated_at", "is before created_at")
    assert cid is not None
    return Customer(
        id=cid,
        type=ptype,
        names=tuple(names),
        nationalities=tuple(sorted(v.countries(r.get("nationalities"), "nationalities"))),
        residence=v.country(r.get("residence"), "residence"),
        established=established,
        birth_date=birth,
        gender=gender,
        residence_permits=tuple(permits),
        visas=tuple(visas),
        permit_applications=tuple(applications),
        owners=tuple(owners),
        contacts=tuple(contacts),
        kyc_status=v.enum_value(r.get("kyc_status"), "kyc_status", KycStatus),
        created_at=created,
        updated_at=updated,
    )


def parse_account(r: Mapping[str, Any]) -> Account:
    product = v.enum_value(r.get("product"), "product", Product)
    balances: dict[str, Decimal] = {}
    for key, val in v.nested(r.get("balances"), "balances", mapping=True).items():
        code = v.asset(key, f"balances.{key}")
        amt = v.amount(val, f"balances.{key}")
        assert code is not None and amt is not None
        # Only leveraged products can owe: a negative spot, funding, custody or earn balance is an error.
        if amt < 0 and product not in (Product.MARGIN, Product.FUTURES):
            raise FieldError(f"balances.{key}", f"negative balance {amt} in a {product} account")
        balances[code] = amt
    opened = v.instant(r.get("opened_at"), "opened_at")
    assert opened is not None
    return Account(
        id=v.identifier(r.get("id"), "id") or "",
        customer_id=v.identifier(r.get("customer_id"), "customer_id") or "",
        product=product,
        opened_at=opened,
        status=v.choice(r.get("status"), "status", ACCOUNT_STATUSES, default="open"),
        balances=dict(sorted(balances.items())),
    )


def parse_transaction(r: Mapping[str, Any]) -> Transaction:
    kind = v.enum_value(r.get("kind"), "kind", TransactionKind)
    customer_id = v.identifier(r.get("customer_id"), "customer_id") or ""
    chain = v.text(r.get("chain"), "chain", required=kind in ON_CHAIN, max_len=16)
    address = v.text(r.get("address"), "address", required=kind in ON_CHAIN, max_len=128)
    if kind not in ON_CHAIN and (chain or address):
        raise FieldError("chain" if chain else "address", f"a {kind} has no on-chain address")
    is_trade = kind is TransactionKind.TRADE
    counter_asset = v.asset(r.get("counter_asset"), "counter_asset", required=is_trade)
    counter_amount = v.amount(r.get("counter_amount"), "counter_amount", required=is_trade, positive=True)
    if not is_trade and (counter_asset or counter_amount is not None):
        raise FieldError("counter_asset", f"only trades have a counter asset, not a {kind}")
    counterparty = v.identifier(
        r.get("counterparty_customer_id"),
        "counterparty_customer_id",
        required=kind is TransactionKind.INTERNAL_TRANSFER,
    )
    if counterparty == customer_id:
        raise FieldError("counterparty_customer_id", "an internal transfer needs another customer")
    occurred = v.instant(r.get("occurred_at"), "occurred_at")
    amt = v.amount(r.get("amount"), "amount", positive=True)
    assert occurred is not None and amt is not None
    return Transaction(
        id=v.identifier(r.get("id"), "id") or "",
        customer_id=customer_id,
        kind=kind,
        occurred_at=occurred,
        asset=v.asset(r.get("asset"), "asset") or "",
        amount=amt,
        account_id=v.identifier(r.get("account_id"), "account_id", required=False),
        chain=chain.lower() if chain else None,
        address=address,
        tx_hash=v.text(r.get("tx_hash"), "tx_hash", required=False, max_len=128),
        counter_asset=counter_asset,
        counter_amount=counter_amount,
        counterparty_customer_id=counterparty,
    )


def parse_login(r: Mapping[str, Any]) -> Login:
    occurred = v.instant(r.get("occurred_at"), "occurred_at")
    assert occurred is not None
    return Login(
        customer_id=v.identifier(r.get("customer_id"), "customer_id") or "",
        occurred_at=occurred,
        ip=v.ip(r.get("ip"), "ip"),
        country=v.country(r.get("country"), "country"),
    )


def parse_price(r: Mapping[str, Any]) -> Price:
    d = v.day(r.get("day"), "day", required=True)
    eur = v.amount(r.get("eur"), "eur", positive=True)
    assert d is not None and eur is not None
    return Price(asset=v.asset(r.get("asset"), "asset") or "", day=d, eur=eur)


PARSERS: dict[RecordKind, Callable[[Mapping[str, Any]], Any]] = {
    RecordKind.CUSTOMERS: parse_customer,
    RecordKind.ACCOUNTS: parse_account,
    RecordKind.TRANSACTIONS: parse_transaction,
    RecordKind.LOGINS: parse_login,
    RecordKind.PRICES: parse_price,
}


# -- values back to records -------------------------------------------------------------------------------


def utc(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; the registry stores UTC, so say so."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _amt(d: Decimal | None) -> Decimal | None:
    return None if d is None else v.canonical(d)


def customer_record(c: Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "type": c.type.value,
        "names": [{"name": n.name, "script": n.script, "kind": n.kind.value} for n in c.names],
        "nationalities": list(c.nationalities),
        "residence": c.residence,
        "established": c.established,
        "birth_date": c.birth_date,
        "gender": c.gender,
        "kyc_status": c.kyc_status.value,
        "residence_permits": [
            {
                "country": p.country,
                "kind": p.kind.value,
                "valid_from": p.valid_from,
                "valid_until": p.valid_until,
            }
            for p in c.residence_permits
        ],
        "visas": [
            {"country": x.country, "kind": x.kind, "valid_from": x.valid_from, "valid_until": x.valid_until}
            for x in c.visas
        ],
        "permit_applications": [
            {"country": a.country, "filed_on": a.filed_on, "status": a.status} for a in c.permit_applications
        ],
        "owners": [
            {
                "name": o.name,
                "type": o.type.value,
                "customer_id": o.customer_id,
                "nationalities": list(o.nationalities),
                "residence": o.residence,
                "established": o.established,
                "share": _amt(o.share),
                "control": o.control,
            }
            for o in c.owners
        ],
        "contacts": [{"kind": x.kind, "value": x.value} for x in c.contacts],
        "created_at": utc(c.created_at),
        "updated_at": utc(c.updated_at),
    }


def account_record(a: Account) -> dict[str, Any]:
    return {
        "id": a.id,
        "customer_id": a.customer_id,
        "product": a.product.value,
        "opened_at": utc(a.opened_at),
        "status": a.status,
        "balances": {k: _amt(a.balances[k]) for k in sorted(a.balances)},
    }


def transaction_record(t: Transaction) -> dict[str, Any]:
    return {
        "id": t.id,
        "customer_id": t.customer_id,
        "account_id": t.account_id,
        "kind": t.kind.value,
        "occurred_at": utc(t.occurred_at),
        "asset": t.asset,
        "amount": _amt(t.amount),
        "chain": t.chain,
        "address": t.address,
        "tx_hash": t.tx_hash,
        "counter_asset": t.counter_asset,
        "counter_amount": _amt(t.counter_amount),
        "counterparty_customer_id": t.counterparty_customer_id,
    }


def login_record(x: Login) -> dict[str, Any]:
    return {"customer_id": x.customer_id, "occurred_at": utc(x.occurred_at), "ip": x.ip, "country": x.country}


def price_record(p: Price) -> dict[str, Any]:
    return {"asset": p.asset, "day": p.day, "eur": _amt(p.eur)}
