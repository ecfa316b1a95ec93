"""Official sanctions lists read natively, as snapshots of one entity model, with diffs.

``read_path`` reads a publisher file without any database; the snapshot functions store, activate,
compare and read back what was imported.
"""

from vaspguard.lists._model import (
    BirthDate,
    CryptoAddress,
    DatePrecision,
    Document,
    EntityKind,
    Link,
    ListEntity,
    ListName,
    NameKind,
    ParsedList,
    PostalAddress,
    SnapshotInfo,
    Source,
)
from vaspguard.lists._read import FORMATS, read_path

__all__ = [
    "FORMATS",
    "BirthDate",
    "CryptoAddress",
    "DatePrecision",
    "Document",
    "EntityKind",
    "Link",
    "ListEntity",
    "ListName",
    "NameKind",
    "ParsedList",
    "PostalAddress",
    "SnapshotInfo",
    "Source",
    "read_path",
]
