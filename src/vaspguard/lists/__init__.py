"""Official sanctions lists read natively, as snapshots of one entity model, with diffs.

``read_path`` reads a publisher file without any database; ``import_paths`` stores files as snapshots
(atomically; one active snapshot per source); ``active_entities`` is what screening screens against;
``diff_snapshots`` says what changed between two snapshots, down to the field.
"""

from vaspguard.lists._diff import EntityChange, EntityRef, FieldChange, ListDiff, diff_snapshots
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
from vaspguard.lists._snapshots import (
    ListedAddress,
    active_entities,
    active_snapshots,
    get_entity,
    get_snapshot,
    import_parsed,
    import_paths,
    list_snapshots,
    listed_addresses,
    search,
    snapshot_entities,
    snapshot_warnings,
)

__all__ = [
    "FORMATS",
    "BirthDate",
    "CryptoAddress",
    "DatePrecision",
    "Document",
    "EntityChange",
    "EntityKind",
    "EntityRef",
    "FieldChange",
    "Link",
    "ListDiff",
    "ListEntity",
    "ListName",
    "ListedAddress",
    "NameKind",
    "ParsedList",
    "PostalAddress",
    "SnapshotInfo",
    "Source",
    "active_entities",
    "active_snapshots",
    "diff_snapshots",
    "get_entity",
    "get_snapshot",
    "import_parsed",
    "import_paths",
    "list_snapshots",
    "listed_addresses",
    "read_path",
    "search",
    "snapshot_entities",
    "snapshot_warnings",
]
