"""The exchange registry's tables: customers and their facts, accounts, transactions, logins, prices.

Invariants: amounts are ``Amount`` (exact decimals); countries are ISO 3166-1 alpha-2, upper case; times are
UTC; a partial date of birth is kept as published (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from vaspguard.store import Amount, Base, utcnow


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(8))  # natural | legal
    birth_date: Mapped[str | None] = mapped_column(String(10))
    gender: Mapped[str | None] = mapped_column(String(8))
    residence: Mapped[str | None] = mapped_column(String(2), index=True)
    established: Mapped[str | None] = mapped_column(String(2))  # legal persons: country of establishment
    kyc_status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # When vaspguard stored the row (``updated_at`` is the exchange's own stamp and may lie in the past):
    # an incremental screening run screens every customer recorded, or with a transaction or login
    # recorded, since the last run.
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class CustomerNameRow(Base):
    __tablename__ = "customer_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    script: Mapped[str] = mapped_column(String(4))  # ISO 15924: Latn, Cyrl, Arab, Hani, ...
    kind: Mapped[str] = mapped_column(String(16))  # primary | alias | former | original_script


class NationalityRow(Base):
    __tablename__ = "customer_nationalities"

    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)


class ContactRow(Base):
    __tablename__ = "customer_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # email | phone
    value: Mapped[str] = mapped_column(String(320), index=True)


class ResidencePermitRow(Base):
    __tablename__ = "residence_permits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(10))  # temporary | permanent
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)


class VisaRow(Base):
    __tablename__ = "visas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(16))  # tourist | business | student | work | other
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)


class PermitApplicationRow(Base):
    __tablename__ = "permit_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    country: Mapped[str] = mapped_column(String(2))
    filed_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | granted | refused


class OwnerRow(Base):
    """An owner or controller of a legal-person customer; itself a customer or described inline."""

    __tablename__ = "owners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    owner_customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(8))  # natural | legal
    nationalities: Mapped[str] = mapped_column(String(64), default="")  # space-separated ISO codes
    residence: Mapped[str | None] = mapped_column(String(2))
    established: Mapped[str | None] = mapped_column(String(2))
    share: Mapped[Decimal | None] = mapped_column(Amount)  # fraction 0..1
    control: Mapped[bool] = mapped_column(Boolean, default=False)


class AccountRow(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    product: Mapped[str] = mapped_column(String(10))  # spot | funding | futures | margin | custody | earn
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | closed


class BalanceRow(Base):
    __tablename__ = "balances"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    asset: Mapped[str] = mapped_column(String(16), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Amount)


class TransactionRow(Base):
    """One movement. ``kind`` decides which optional columns are set:

    deposit / withdrawal: chain, address, tx_hash (on-chain); trade: counter_asset, counter_amount;
    internal_transfer: counterparty_customer_id; earn_subscribe / earn_redeem; fiat_deposit / fiat_withdrawal.
    """

    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    account_id: Mapped[str | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    asset: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Amount)
    chain: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(128), index=True)
    tx_hash: Mapped[str | None] = mapped_column(String(128), index=True)
    counter_asset: Mapped[str | None] = mapped_column(String(16))
    counter_amount: Mapped[Decimal | None] = mapped_column(Amount)
    counterparty_customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class LoginRow(Base):
    __tablename__ = "logins"
    __table_args__ = (Index("ix_logins_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip: Mapped[str] = mapped_column(String(45))
    country: Mapped[str | None] = mapped_column(String(2))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class PriceRow(Base):
    __tablename__ = "prices"

    asset: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    eur: Mapped[Decimal] = mapped_column(Amount)


class IngestKeyRow(Base):
    """An ``Idempotency-Key`` of an ingestion call and the answer it got, replayed to a retry of the same call
    (same caller, key and body) until ``expires_at``; expired keys are deleted by the next keyed call."""

    __tablename__ = "registry_ingest_keys"

    owner: Mapped[str] = mapped_column(String(40), primary_key=True)  # the caller: token:ID
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    route: Mapped[str] = mapped_column(String(100))  # method and path template: PUT /v1/customers/{id}
    body_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
