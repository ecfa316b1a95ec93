"""The registry stores and loads customers, accounts, transactions and prices exactly, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from vaspguard.errors import NotFound
from vaspguard.registry import (
    Account,
    Contact,
    Customer,
    Login,
    Name,
    NameKind,
    Owner,
    PermitApplication,
    PermitKind,
    PersonType,
    Price,
    Product,
    Registry,
    ResidencePermit,
    Transaction,
    TransactionKind,
    Visa,
)
from vaspguard.store import Store

GLEB = Customer(
    id="C1",
    type=PersonType.NATURAL,
    names=(
        Name("Глеб Костарев", "Cyrl", NameKind.ORIGINAL_SCRIPT),
        Name("Gleb Kostarev", "Latn", NameKind.PRIMARY),
    ),
    nationalities=("DE", "RU"),
    residence="DE",
    birth_date="1984-07",
    residence_permits=(ResidencePermit("DE", PermitKind.PERMANENT, date(2019, 1, 1), None),),
    visas=(Visa("US", "business", date(2024, 1, 1), date(2026, 1, 1)),),
    permit_applications=(PermitApplication("FR", date(2025, 3, 1)),),
    contacts=(Contact("email", "gleb@example.org"), Contact("phone", "+4915100000000")),
)

HOLDCO = Customer(
    id="C2",
    type=PersonType.LEGAL,
    names=(Name("Severnaya Logistika GmbH"),),
    established="AT",
    owners=(
        Owner("Ivan Petrov", nationalities=("RU",), residence="RU", share=Decimal("0.51"), control=True),
    ),
)


def test_customer_round_trip(store: Store) -> None:
    reg = Registry(store)
    reg.add_customers([GLEB, HOLDCO])
    got = reg.get_customer("C1")
    assert got.names == GLEB.names
    assert got.nationalities == ("DE", "RU")
    assert got.residence_permits == GLEB.residence_permits
    assert got.visas == GLEB.visas
    assert got.permit_applications == GLEB.permit_applications
    assert got.contacts == GLEB.contacts
    assert got.primary_name == "Gleb Kostarev"
    assert reg.get_customer("C2").owners == HOLDCO.owners
    assert reg.count_customers() == 2
    assert [c.id for c in reg.iter_customers(batch_size=1)] == ["C1", "C2"]


def test_missing_customer(store: Store) -> None:
    with pytest.raises(NotFound):
        Registry(store).get_customer("nope")


def test_amounts_exact_and_holdings(store: Store) -> None:
    reg = Registry(store)
    reg.add_customers([GLEB])
    tiny = Decimal("0.000000000000000001")
    reg.add_accounts(
        [
            Account(
                "A1",
                "C1",
                Product.SPOT,
                datetime(2024, 1, 1, tzinfo=UTC),
                balances={"BTC": Decimal("0.1") + tiny, "EUR": Decimal("500")},
            ),
            Account(
                "A2", "C1", Product.EARN, datetime(2024, 1, 1, tzinfo=UTC), balances={"ETH": Decimal("2")}
            ),
        ]
    )
    reg.add_prices(
        [
            Price("BTC", date(2024, 1, 1), Decimal("40000")),
            Price("BTC", date(2024, 6, 1), Decimal("60000")),
            Price("ETH", date(2024, 1, 1), Decimal("2000.5")),
        ]
    )
    reg.add_transactions(
        [
            Transaction(
                "T1",
                "C1",
                TransactionKind.DEPOSIT,
                datetime(2024, 2, 1, tzinfo=UTC),
                "BTC",
                Decimal("0.1") + tiny,
                account_id="A1",
                chain="bitcoin",
                address="bc1qexample",
                tx_hash="ab" * 32,
            )
        ]
    )
    balances = {a.id: a.balances for a in reg.accounts("C1")}
    assert balances["A1"]["BTC"] == Decimal("0.100000000000000001")
    assert reg.transactions("C1")[0].amount == Decimal("0.100000000000000001")
    # 0.100000000000000001 * 40000 + 2 * 2000.5; the EUR balance is fiat and does not count.
    assert reg.holdings_eur("C1", date(2024, 3, 1)) == Decimal("0.100000000000000001") * 40000 + Decimal(
        "4001.0"
    )
    assert reg.holdings_eur("C1", date(2024, 6, 1)) == Decimal("0.100000000000000001") * 60000 + Decimal(
        "4001.0"
    )


def test_login_country_on_a_day(store: Store) -> None:
    reg = Registry(store)
    reg.add_customers([GLEB])
    reg.add_logins(
        [
            Login("C1", datetime(2024, 1, 1, 9, tzinfo=UTC), "192.0.2.1", "DE"),
            Login("C1", datetime(2024, 2, 1, 23, 59, tzinfo=UTC), "192.0.2.2", "RU"),
            Login("C1", datetime(2024, 3, 1, tzinfo=UTC), "192.0.2.3", None),
        ]
    )
    assert reg.login_country("C1", date(2023, 12, 31)) is None
    assert reg.login_country("C1", date(2024, 1, 31)) == "DE"
    assert reg.login_country("C1", date(2024, 2, 1)) == "RU"
    assert reg.login_country("C1", date(2024, 3, 2)) == "RU"  # a login without a country is skipped
