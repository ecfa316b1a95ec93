"""The exchange's registry: customers and their facts, accounts, balances, transactions, logins, prices."""

from vaspguard.registry._io import FileFormat, ImportReport, export_file, import_file, read_records
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
from vaspguard.registry._records import RecordKind
from vaspguard.registry._store import FIAT, Holdings, Registry

__all__ = [
    "FIAT",
    "Account",
    "Contact",
    "Customer",
    "FileFormat",
    "Holdings",
    "ImportReport",
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
    "RecordKind",
    "Registry",
    "ResidencePermit",
    "Transaction",
    "TransactionKind",
    "Visa",
    "export_file",
    "import_file",
    "read_records",
]
