"""Registry values as table rows (tuples in ``COLUMNS`` order, keyed by table name) for the bulk writer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection

from vaspguard.registry import _tables  # noqa: F401  (registers the tables on metadata)
from vaspguard.registry._bulk import write_rows
from vaspguard.registry._model import Account, Customer, Login, Price, Transaction
from vaspguard.store import metadata, utcnow

# Parents before children, so foreign keys hold at every insert. Autoincrement ids are left out.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": (
        "id",
        "type",
        "birth_date",
        "gender",
        "residence",
        "established",
        "kyc_status",
        "created_at",
        "updated_at",
    ),
    "customer_names": ("customer_id", "name", "script", "kind"),
    "customer_nationalities": ("customer_id", "country"),
    "customer_contacts": ("customer_id", "kind", "value"),
    "residence_permits": ("customer_id", "country", "kind", "valid_from", "valid_until"),
    "visas": ("customer_id", "country", "kind", "valid_from", "valid_until"),
    "permit_applications": ("customer_id", "country", "filed_on", "status"),
    "owners": (
        "customer_id",
        "owner_customer_id",
        "name",
        "type",
        "nationalities",
        "residence",
        "established",
        "share",
        "control",
    ),
    "accounts": ("id", "customer_id", "product", "opened_at", "status"),
    "balances": ("account_id", "asset", "amount"),
    "transactions": (
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
    "logins": ("customer_id", "occurred_at", "ip", "country"),
    "prices": ("asset", "day", "eur"),
}

Rows = dict[str, list[tuple[Any, ...]]]  # table name -> rows


def customer_rows(customers: Iterable[Customer], *, owners: bool = True) -> Rows:
    """Rows for customers and their facts; ``owners=False`` leaves owner rows out (see ``owner_rows``)."""
    now = utcnow()
    out: Rows = defaultdict(list)
    cust, names, nats, contacts = (
        out["customers"],
        out["customer_names"],
        out["customer_nationalities"],
        out["customer_contacts"],
    )
    permits, visas, apps = (
        out["residence_permits"],
        out["visas"],
        out["permit_applications"],
    )
    for c in customers:
        created = c.created_at or now
        cust.append(
            (
                c.id,
                c.type.value,
                c.birth_date,
                c.gender,
                c.residence,
                c.established,
                c.kyc_status.value,
                created,
                c.updated_at or created,
            )
        )
        names.extend((c.id, n.name, n.script, n.kind.value) for n in c.names)
        nats.extend((c.id, country) for country in c.nationalities)
        contacts.extend((c.id, x.kind, x.value) for x in c.contacts)
        permits.extend(
            (c.id, p.country, p.kind.value, p.valid_from, p.valid_until) for p in c.residence_permits
        )
        visas.extend((c.id, x.country, x.kind, x.valid_from, x.valid_until) for x in c.visas)
        apps.extend((c.id, a.country, a.filed_on, a.status) for a in c.permit_applications)
        if owners:
            out["owners"].extend(owner_rows([c]))
    return out


def owner_rows(customers: Iterable[Customer]) -> list[tuple[Any, ...]]:
    return [
        (
            c.id,
            o.customer_id,
            o.name,
            o.type.value,
            " ".join(o.nationalities),
            o.residence,
            o.established,
            o.share,
            o.control,
        )
        for c in customers
        for o in c.owners
    ]


def account_rows(accounts: Iterable[Account]) -> Rows:
    out: Rows = defaultdict(list)
    for a in accounts:
        out["accounts"].append((a.id, a.customer_id, a.product.value, a.opened_at, a.status))
        out["balances"].extend((a.id, asset, amt) for asset, amt in a.balances.items())
    return out


def transaction_rows(txs: Iterable[Transaction]) -> Rows:
    return {
        "transactions": [
            (
                t.id,
                t.customer_id,
                t.account_id,
                t.kind.value,
                t.occurred_at,
                t.asset,
                t.amount,
                t.chain,
                t.address,
                t.tx_hash,
                t.counter_asset,
                t.counter_amount,
                t.counterparty_customer_id,
            )
            for t in txs
        ]
    }


def login_rows(logins: Iterable[Login]) -> Rows:
    return {"logins": [(x.customer_id, x.occurred_at, x.ip, x.country) for x in logins]}


def price_rows(prices: Iterable[Price]) -> Rows:
    return {"prices": [(p.asset, p.day, p.eur) for p in prices]}


# Tables whose rows carry ``recorded_at``, when vaspguard stored them (incremental screening looks for it);
# ``write`` stamps it, so the row builders (and the demo's) leave it out.
STAMPED = frozenset({"customers", "transactions", "logins"})


def write(conn: Connection, rows: Rows) -> int:
    """Write ``rows`` parents first, stamping ``recorded_at``; returns the number of rows written."""
    n = 0
    now = utcnow()
    for table, columns in COLUMNS.items():
        batch: Sequence[tuple[Any, ...]] = rows.get(table, ())
        if not batch:
            continue
        if table in STAMPED:
            stamped = ((*row, now) for row in batch)
            n += write_rows(conn, metadata.tables[table], (*columns, "recorded_at"), stamped)
        else:
            n += write_rows(conn, metadata.tables[table], columns, batch)
    return n
