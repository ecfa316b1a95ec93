"""The exchange's registry: customers and their facts, accounts, balances, transactions, logins, prices."""

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
from vaspguard.registry._store import FIAT, Registry

__all__ = [
    "FIAT",
    "Account",
    "Contact",
    "Customer",
    "KycStatus",
    "Login",
    "Name",
    "NameKind",
    "Owner",
    "PermitApplication",
    "PermitKind",
    "PersonType",
    "Price",
    "Product",
    "Registry",
    "ResidencePermit",
    "Transaction",
    "TransactionKind",
    "Visa",
]
