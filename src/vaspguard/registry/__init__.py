"""The exchange's registry: customers and their facts, accounts, balances, transactions, logins, prices.

Other capabilities read it through ``Registry`` (customer facts, ``crypto_holdings`` in EUR on a date, the
latest ``login_country``) and, on a connection of their own transaction, through ``lookup`` (customers by
account, contact, name in any script, transaction hash and address; counterparties; names). Bulk loaders
(the demo) write table rows with ``customer_rows`` and ``bulk_write``.
"""

from vaspguard.registry import _lookup as lookup
from vaspguard.registry._ingest import (
    IngestRaced,
    IngestRefused,
    IngestResult,
    KeptAnswer,
    ingest,
    keep_answer,
    key_of,
    parse_records,
    recall_answer,
)
from vaspguard.registry._io import (
    EXPORTED_AT,
    FileFormat,
    ImportReport,
    export_dataset,
    export_file,
    import_file,
    partition_keys,
    read_records,
)
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
from vaspguard.registry._rows import Rows, customer_rows
from vaspguard.registry._rows import write as bulk_write
from vaspguard.registry._store import FIAT, Holdings, Registry

__all__ = [
    "EXPORTED_AT",
    "FIAT",
    "Account",
    "Contact",
    "Customer",
    "FileFormat",
    "Holdings",
    "ImportReport",
    "IngestRaced",
    "IngestRefused",
    "IngestResult",
    "KeptAnswer",
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
    "Rows",
    "Transaction",
    "TransactionKind",
    "Visa",
    "bulk_write",
    "customer_rows",
    "export_dataset",
    "export_file",
    "import_file",
    "ingest",
    "keep_answer",
    "key_of",
    "lookup",
    "parse_records",
    "partition_keys",
    "read_records",
    "recall_answer",
]
