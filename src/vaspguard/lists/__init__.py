"""Official sanctions lists read natively, as snapshots of one entity model, with diffs."""

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
    PostalAddress,
    SnapshotInfo,
    Source,
)

__all__ = [
    "BirthDate",
    "CryptoAddress",
    "DatePrecision",
    "Document",
    "EntityKind",
    "Link",
    "ListEntity",
    "ListName",
    "NameKind",
    "PostalAddress",
    "SnapshotInfo",
    "Source",
]
