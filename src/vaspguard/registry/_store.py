"""Loading and storing registry values. Bulk paths use SQLAlchemy Core (executemany), not the ORM."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, overload

from sqlalchemy import Connection, func, insert, select

from vaspguard.errors import NotFound
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
from vaspguard.registry._tables import (
    AccountRow,
    BalanceRow,
    ContactRow,
    CustomerNameRow,
    CustomerRow,
    LoginRow,
    NationalityRow,
    OwnerRow,
    PermitApplicationRow,
    PriceRow,
    ResidencePermitRow,
    TransactionRow,
    VisaRow,
)
from vaspguard.store import Store, utcnow

_CHILD_TABLES = (
    CustomerNameRow,
    NationalityRow,
    ContactRow,
    ResidencePermitRow,
    VisaRow,
    PermitApplicationRow,
    OwnerRow,
)


def _customer_rows(customers: Sequence[Customer]) -> dict[Any, list[dict[str, Any]]]:
    now = utcnow()
    rows: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for c in customers:
        rows[CustomerRow].append(
            {
                "id": c.id,
                "type": c.type.value,
                "birth_date": c.birth_date,
                "gender": c.gender,
                "residence": c.residence,
                "established": c.established,
                "kyc_status": c.kyc_status.value,
                "created_at": c.created_at or now,
                "updated_at": c.updated_at or c.created_at or now,
            }
        )
        for n in c.names:
            rows[CustomerNameRow].append(
                {"customer_id": c.id, "name": n.name, "script": n.script, "kind": n.kind.value}
            )
        for country in c.nationalities:
            rows[NationalityRow].append({"customer_id": c.id, "country": country})
        for ct in c.contacts:
            rows[ContactRow].append({"customer_id": c.id, "kind": ct.kind, "value": ct.value})
        for p in c.residence_permits:
            rows[ResidencePermitRow].append(
                {
                    "customer_id": c.id,
                    "country": p.country,
                    "kind": p.kind.value,
                    "valid_from": p.valid_from,
                    "valid_until": p.valid_until,
                }
            )
        for v in c.visas:
            rows[VisaRow].append(
                {
                    "customer_id": c.id,
                    "country": v.country,
                    "kind": v.kind,
                    "valid_from": v.valid_from,
                    "valid_until": v.valid_until,
                }
            )
        for a in c.permit_applications:
            rows[PermitApplicationRow].append(
                {"customer_id": c.id, "country": a.country, "filed_on": a.filed_on, "status": a.status}
            )
        for o in c.owners:
            rows[OwnerRow].append(
                {
                    "customer_id": c.id,
                    "owner_customer_id": o.customer_id,
                    "name": o.name,
                    "type": o.type.value,
                    "nationalities": " ".join(o.nationalities),
                    "residence": o.residence,
                    "established": o.established,
                    "share": o.share,
                    "control": o.control,
                }
            )
    return rows


class Registry:
    """The exchange's registry on a ``Store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- writing -------------------------------------------------------------------------------------

    def add_customers(self, customers: Sequence[Customer], *, conn: Connection | None = None) -> None:
        """Insert customers with all their facts (one transaction unless ``conn`` is given)."""
        rows = _customer_rows(customers)
        if conn is not None:
            _insert_all(conn, rows, order=(CustomerRow, *_CHILD_TABLES))
            return
        with self.store.connect() as c:
            _insert_all(c, rows, order=(CustomerRow, *_CHILD_TABLES))

    def add_accounts(self, accounts: Sequence[Account], *, conn: Connection | None = None) -> None:
        rows: dict[Any, list[dict[str, Any]]] = {AccountRow: [], BalanceRow: []}
        for a in accounts:
            rows[AccountRow].append(
                {
                    "id": a.id,
                    "customer_id": a.customer_id,
                    "product": a.product.value,
                    "opened_at": a.opened_at,
                    "status": a.status,
                }
            )
            for asset, amount in a.balances.items():
                rows[BalanceRow].append({"account_id": a.id, "asset": asset, "amount": amount})
        self._write(rows, (AccountRow, BalanceRow), conn)

    def add_transactions(self, txs: Iterable[Transaction], *, conn: Connection | None = None) -> None:
        rows = {
            TransactionRow: [
                {
                    "id": t.id,
                    "customer_id": t.customer_id,
                    "account_id": t.account_id,
                    "kind": t.kind.value,
                    "occurred_at": t.occurred_at,
                    "asset": t.asset,
                    "amount": t.amount,
                    "chain": t.chain,
                    "address": t.address,
                    "tx_hash": t.tx_hash,
                    "counter_asset": t.counter_asset,
                    "counter_amount": t.counter_amount,
                    "counterparty_customer_id": t.counterparty_customer_id,
                }
                for t in txs
            ]
        }
        self._write(rows, (TransactionRow,), conn)

    def add_logins(self, logins: Iterable[Login], *, conn: Connection | None = None) -> None:
        rows = {
            LoginRow: [
                {"customer_id": x.customer_id, "occurred_at": x.occurred_at, "ip": x.ip, "country": x.country}
                for x in logins
            ]
        }
        self._write(rows, (LoginRow,), conn)

    def add_prices(self, prices: Iterable[Price], *, conn: Connection | None = None) -> None:
        rows = {PriceRow: [{"asset": p.asset, "day": p.day, "eur": p.eur} for p in prices]}
        self._write(rows, (PriceRow,), conn)

    def _write(
        self, rows: dict[Any, list[dict[str, Any]]], order: tuple[Any, ...], conn: Connection | None
    ) -> None:
        if conn is not None:
            _insert_all(conn, rows, order=order)
            return
        with self.store.connect() as c:
            _insert_all(c, rows, order=order)

    # -- reading -------------------------------------------------------------------------------------

    def count_customers(self) -> int:
        with self.store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(CustomerRow)).scalar_one())

    def get_customer(self, customer_id: str) -> Customer:
        with self.store.connect() as conn:
            found = _load_customers(conn, [customer_id])
        if not found:
            raise NotFound("customer", customer_id)
        return found[0]

    def iter_customers(self, *, batch_size: int = 5000, after: str | None = None) -> Iterator[Customer]:
        """Every customer in id order, loaded in batches (child facts fetched per batch, not per row)."""
        last = after
        while True:
            with self.store.connect() as conn:
                q = select(CustomerRow.id).order_by(CustomerRow.id).limit(batch_size)
                if last is not None:
                    q = q.where(CustomerRow.id > last)
                ids = list(conn.execute(q).scalars())
                if not ids:
                    return
                batch = _load_customers(conn, ids)
            yield from batch
            last = ids[-1]

    def list_customers(self, *, limit: int = 50, offset: int = 0) -> list[Customer]:
        with self.store.connect() as conn:
            ids = list(
                conn.execute(
                    select(CustomerRow.id).order_by(CustomerRow.id).limit(limit).offset(offset)
                ).scalars()
            )
            return _load_customers(conn, ids)

    def accounts(self, customer_id: str) -> list[Account]:
        with self.store.connect() as conn:
            accs = conn.execute(
                select(AccountRow).where(AccountRow.customer_id == customer_id).order_by(AccountRow.id)
            ).all()
            bal: dict[str, dict[str, Decimal]] = defaultdict(dict)
            if accs:
                for r in conn.execute(
                    select(BalanceRow).where(BalanceRow.account_id.in_([a.id for a in accs]))
                ):
                    bal[r.account_id][r.asset] = r.amount
        return [
            Account(
                id=a.id,
                customer_id=a.customer_id,
                product=Product(a.product),
                opened_at=_utc(a.opened_at),
                status=a.status,
                balances=bal[a.id],
            )
            for a in accs
        ]

    def transactions(
        self,
        customer_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[Transaction]:
        q = select(TransactionRow).where(TransactionRow.customer_id == customer_id)
        if since is not None:
            q = q.where(TransactionRow.occurred_at >= since)
        if until is not None:
            q = q.where(TransactionRow.occurred_at < until)
        q = q.order_by(TransactionRow.occurred_at, TransactionRow.id)
        if limit is not None:
            q = q.limit(limit)
        with self.store.connect() as conn:
            return [_transaction(r) for r in conn.execute(q)]

    def latest_transactions(self, customer_id: str, *, limit: int = 10) -> list[Transaction]:
        """The customer's ``limit`` most recent transactions, newest first."""
        q = (
            select(TransactionRow)
            .where(TransactionRow.customer_id == customer_id)
            .order_by(TransactionRow.occurred_at.desc(), TransactionRow.id.desc())
            .limit(limit)
        )
        with self.store.connect() as conn:
            return [_transaction(r) for r in conn.execute(q)]

    def stats(self) -> dict[str, Any]:
        """Row counts of every registry table, customers by type, and the spans of transactions and prices."""
        tables: dict[str, Any] = {
            "customers": CustomerRow,
            "customer_names": CustomerNameRow,
            "nationalities": NationalityRow,
            "residence_permits": ResidencePermitRow,
            "visas": VisaRow,
            "permit_applications": PermitApplicationRow,
            "owners": OwnerRow,
            "contacts": ContactRow,
            "accounts": AccountRow,
            "balances": BalanceRow,
            "transactions": TransactionRow,
            "logins": LoginRow,
            "prices": PriceRow,
        }
        out: dict[str, Any] = {}
        with self.store.connect() as conn:
            for name, table in tables.items():
                out[name] = int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for ptype, n in conn.execute(select(CustomerRow.type, func.count()).group_by(CustomerRow.type)):
                out[f"customers_{ptype}"] = int(n)
            first, last = conn.execute(
                select(func.min(TransactionRow.occurred_at), func.max(TransactionRow.occurred_at))
            ).one()
            out["transactions_from"], out["transactions_until"] = _utc(first), _utc(last)
            lo, hi, assets = conn.execute(
                select(func.min(PriceRow.day), func.max(PriceRow.day), func.count(PriceRow.asset.distinct()))
            ).one()
            out["prices_from"], out["prices_until"], out["priced_assets"] = lo, hi, int(assets)
        return out

    def prices_on(self, day: date, *, conn: Connection | None = None) -> dict[str, Decimal]:
        """The latest EUR price of every asset on or before ``day``."""
        latest = (
            select(PriceRow.asset, func.max(PriceRow.day).label("day"))
            .where(PriceRow.day <= day)
            .group_by(PriceRow.asset)
            .subquery()
        )
        q = select(PriceRow.asset, PriceRow.eur).join(
            latest, (PriceRow.asset == latest.c.asset) & (PriceRow.day == latest.c.day)
        )
        if conn is not None:
            return {r.asset: r.eur for r in conn.execute(q)}
        with self.store.connect() as c:
            return {r.asset: r.eur for r in c.execute(q)}

    def crypto_holdings(
        self, day: date, ids: Sequence[str] | None = None, *, conn: Connection | None = None
    ) -> Holdings:
        """Crypto holdings in EUR at ``day``'s prices (the latest on or before it), per customer: the one
        valuation restrictions, requests and reports use. Fiat (EUR, USD, ...) is left out: the EU 10,000
        threshold counts crypto-assets. An asset with no price on record adds nothing and is named in
        ``unpriced`` for the caller to flag. ``ids`` None: every customer."""
        if conn is None:
            with self.store.connect() as c:
                return self.crypto_holdings(day, ids, conn=c)
        prices = self.prices_on(day, conn=conn)
        q = select(AccountRow.customer_id, BalanceRow.asset, BalanceRow.amount).join(
            BalanceRow, BalanceRow.account_id == AccountRow.id
        )
        if ids is not None:
            q = q.where(AccountRow.customer_id.in_(ids))
        out = Holdings()
        for cid, asset, amount in conn.execute(q).all():
            if asset in FIAT or not amount:
                continue
            price = prices.get(asset)
            if price is None:
                out.unpriced[cid].add(asset)
            else:
                out.eur[cid] += amount * price
        return out

    def holdings_eur(self, customer_id: str, day: date) -> Decimal:
        """One customer's crypto holdings in EUR at ``day``'s prices (see ``crypto_holdings``)."""
        return self.crypto_holdings(day, [customer_id]).eur.get(customer_id, Decimal(0))

    def addresses_of(self, customer_ids: Sequence[str]) -> dict[str, set[tuple[str, str | None]]]:
        """Every on-chain (address, chain) each customer moved funds to or from, by customer."""
        q = (
            select(TransactionRow.customer_id, TransactionRow.address, TransactionRow.chain)
            .where(TransactionRow.customer_id.in_(customer_ids), TransactionRow.address.is_not(None))
            .distinct()
        )
        out: dict[str, set[tuple[str, str | None]]] = {}
        with self.store.connect() as conn:
            for cid, address, chain in conn.execute(q):
                if address:
                    out.setdefault(cid, set()).add((str(address), chain))
        return out

    def changed_since(self, since: datetime) -> set[str]:
        """Customers stored or changed at or after ``since``, or with a transaction or login stored since
        then."""
        queries = (
            select(CustomerRow.id).where(
                (CustomerRow.updated_at >= since) | (CustomerRow.recorded_at >= since)
            ),
            select(TransactionRow.customer_id).where(TransactionRow.recorded_at >= since),
            select(LoginRow.customer_id).where(LoginRow.recorded_at >= since),
        )
        with self.store.connect() as conn:
            # no DISTINCT in SQL: with it SQLite walks (customer_id, occurred_at) for the order and reads
            # every transaction; without it the recorded_at index finds the few recent rows (a set dedupes)
            return {cid for q in queries for cid in conn.execute(q).scalars()}

    def login_country(self, customer_id: str, day: date) -> str | None:
        """The country of the customer's latest login on or before ``day`` (UTC) that has one."""
        end_of_day = datetime.combine(day, time.max, tzinfo=UTC)
        with self.store.connect() as conn:
            return conn.execute(
                select(LoginRow.country)
                .where(
                    LoginRow.customer_id == customer_id,
                    LoginRow.occurred_at <= end_of_day,
                    LoginRow.country.is_not(None),
                )
                .order_by(LoginRow.occurred_at.desc())
                .limit(1)
            ).scalar()


@dataclass
class Holdings:
    """Per customer: crypto holdings in EUR, and the assets held that have no price on record."""

    eur: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    unpriced: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


FIAT = frozenset({"EUR", "USD", "GBP", "CHF", "RUB", "TRY", "AED", "CNY", "UAH", "KZT", "IRR", "BYN"})


def _insert_all(conn: Connection, rows: dict[Any, list[dict[str, Any]]], *, order: tuple[Any, ...]) -> None:
    for table in order:
        batch = rows.get(table)
        if batch:
            conn.execute(insert(table), batch)


@overload
def _utc(dt: datetime) -> datetime: ...
@overload
def _utc(dt: datetime | None) -> datetime | None: ...
def _utc(dt: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without zone; the registry stores UTC, so both backends answer alike."""
    if dt is None or dt.tzinfo is not None:
        return dt
    return dt.replace(tzinfo=UTC)


def _transaction(r: Any) -> Transaction:
    return Transaction(
        id=r.id,
        customer_id=r.customer_id,
        account_id=r.account_id,
        kind=TransactionKind(r.kind),
        occurred_at=_utc(r.occurred_at),
        asset=r.asset,
        amount=r.amount,
        chain=r.chain,
        address=r.address,
        tx_hash=r.tx_hash,
        counter_asset=r.counter_asset,
        counter_amount=r.counter_amount,
        counterparty_customer_id=r.counterparty_customer_id,
    )


def _load_customers(conn: Connection, ids: Sequence[str]) -> list[Customer]:
    if not ids:
        return []
    base = {r.id: r for r in conn.execute(select(CustomerRow).where(CustomerRow.id.in_(ids)))}
    children: dict[Any, dict[str, list[Any]]] = {}
    for table in _CHILD_TABLES:
        grouped: dict[str, list[Any]] = defaultdict(list)
        q = select(table).where(table.customer_id.in_(ids))
        if hasattr(table, "id"):
            q = q.order_by(table.id)
        for child in conn.execute(q):
            grouped[child.customer_id].append(child)
        children[table] = grouped
    out = []
    for cid in ids:
        r = base.get(cid)
        if r is None:
            continue
        out.append(
            Customer(
                id=r.id,
                type=PersonType(r.type),
                names=tuple(Name(n.name, n.script, NameKind(n.kind)) for n in children[CustomerNameRow][cid]),
                nationalities=tuple(sorted(n.country for n in children[NationalityRow][cid])),
                residence=r.residence,
                established=r.established,
                birth_date=r.birth_date,
                gender=r.gender,
                residence_permits=tuple(
                    ResidencePermit(p.country, PermitKind(p.kind), p.valid_from, p.valid_until)
                    for p in children[ResidencePermitRow][cid]
                ),
                visas=tuple(
                    Visa(v.country, v.kind, v.valid_from, v.valid_until) for v in children[VisaRow][cid]
                ),
                permit_applications=tuple(
                    PermitApplication(a.country, a.filed_on, a.status)
                    for a in children[PermitApplicationRow][cid]
                ),
                owners=tuple(
                    Owner(
                        name=o.name,
                        type=PersonType(o.type),
                        customer_id=o.owner_customer_id,
                        nationalities=tuple(o.nationalities.split()),
                        residence=o.residence,
                        established=o.established,
                        share=o.share,
                        control=o.control,
                    )
                    for o in children[OwnerRow][cid]
                ),
                contacts=tuple(Contact(c.kind, c.value) for c in children[ContactRow][cid]),
                kyc_status=KycStatus(r.kyc_status),
                created_at=_utc(r.created_at),
                updated_at=_utc(r.updated_at),
            )
        )
    return out
