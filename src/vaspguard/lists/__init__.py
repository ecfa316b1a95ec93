"""Official sanctions lists read natively, as snapshots of one entity model, with diffs.

``read_path`` reads a publisher file without any database; ``import_paths`` stores files as snapshots
(atomically; one active snapshot per source); ``active_entities`` is what screening screens against;
``diff_snapshots`` says what changed between two snapshots, down to the field.
"""

from typing import Any

from vaspguard.lists._crypto import CHAINS
from vaspguard.lists._diff import EntityChange, EntityRef, FieldChange, ListDiff, diff_snapshots
from vaspguard.lists._diff import render as render_diff
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
    list_files,
    list_snapshots,
    listed_addresses,
    search,
    snapshot_entities,
    snapshot_files,
    snapshot_warnings,
)

# Fetching from the publishers loads an HTTP client: on first use only (PEP 562), so reading the store
# (``vaspguard lists show``) starts without it.
_FETCH = ("FEEDS", "feed_urls", "fetch_feed", "fetch_history")


def __getattr__(name: str) -> Any:
    if name in _FETCH:
        from vaspguard.lists import _fetch

        return getattr(_fetch, name)
    raise AttributeError(f"module 'vaspguard.lists' has no attribute {name!r}")


__all__ = [
    "CHAINS",
    "FEEDS",
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
    "feed_urls",
    "fetch_feed",
    "fetch_history",
    "get_entity",
    "get_snapshot",
    "import_parsed",
    "import_paths",
    "list_files",
    "list_snapshots",
    "listed_addresses",
    "read_path",
    "render_diff",
    "search",
    "snapshot_entities",
    "snapshot_files",
    "snapshot_warnings",
]
