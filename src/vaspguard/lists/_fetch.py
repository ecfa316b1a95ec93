"""Fetching lists from their publishers' official URLs, with conditional requests and checksums.

A *feed* is what one publisher serves as one list: a single file (UN XML, UK XML, EU FSF XML, an OFAC
Enhanced zip) or a file set (OFAC legacy CSV: sdn.csv with add, alt and comments). Each file is fetched
with the validators of its last successful download (``If-None-Match`` / ``If-Modified-Since``); a 304
reuses the file kept from then, after checking it still has the SHA-256 recorded for it. Every attempt is
recorded in ``lists_fetches`` (URL, status, validators, SHA-256, size, where it was kept). When anything
changed the feed is imported like ``lists import`` (all or nothing, audit-logged).

URLs are the publishers' own (no aggregator). They can be replaced per deployment, e.g. with an internal
mirror: ``VASPGUARD_LISTS_BASE_URL`` (or ``--base-url``) serves every file under its local name, and
``VASPGUARD_LISTS_URLS`` (JSON ``{"un_sc": "https://..."}``) replaces single-file feeds' URLs. Plain
``http`` is refused except to the loopback interface: a list that decides who may transact is not fetched
over a channel anyone on the path could rewrite.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert, select, update

from vaspguard.errors import FetchFailed, InvalidRequest
from vaspguard.lists._config import ListsSettings
from vaspguard.lists._model import SnapshotInfo
from vaspguard.lists._tables import FetchRow
from vaspguard.settings import Settings
from vaspguard.store import Store, utcnow

_OFAC = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"

# feed -> ((local file name, official URL), ...); the first file is the one imported.
FEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ofac_sdn_csv": (
        ("sdn.csv", _OFAC + "SDN.CSV"),
        ("add.csv", _OFAC + "ADD.CSV"),
        ("alt.csv", _OFAC + "ALT.CSV"),
        ("sdn_comments.csv", _OFAC + "SDN_COMMENTS.CSV"),
    ),
    "ofac_cons_csv": (
        ("cons_prim.csv", _OFAC + "CONS_PRIM.CSV"),
        ("cons_add.csv", _OFAC + "CONS_ADD.CSV"),
        ("cons_alt.csv", _OFAC + "CONS_ALT.CSV"),
        ("cons_comments.csv", _OFAC + "CONS_COMMENTS.CSV"),
    ),
    "ofac_sdn_xml": (("sdn.xml", _OFAC + "SDN.XML"),),
    "ofac_sdn_enhanced": (("SDN_ENHANCED.ZIP", _OFAC + "SDN_ENHANCED.ZIP"),),
    "ofac_cons_enhanced": (("CONS_ENHANCED.ZIP", _OFAC + "CONS_ENHANCED.ZIP"),),
    "un_sc": (("consolidated.xml", "https://scsanctions.un.org/resources/xml/en/consolidated.xml"),),
    "eu_fsf": (
        (
            "eu_fsf.xml",
            # The Commission's public download token (published on its FSF page), not a secret.
            "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
            "?token=dG9rZW4tMjAxNw",
        ),
    ),
    "uk_fcdo": (("UK-Sanctions-List.xml", "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"),),
}
MAX_BYTES = 1024**3  # refuse a download beyond 1 GiB (the largest official file is ~100 MB)


@dataclass(frozen=True, slots=True)
class FetchedFile:
    name: str
    url: str
    status: int  # 200 downloaded, 304 not modified
    sha256: str
    size: int
    path: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    feed: str
    files: tuple[FetchedFile, ...]
    changed: bool
    snapshot: SnapshotInfo | None  # the imported snapshot (None when nothing changed)


def feed_urls(feed: str, *, base_url: str | None = None, url: str | None = None) -> list[tuple[str, str]]:
    """The (local name, URL) pairs of ``feed`` after configuration."""
    if feed not in FEEDS:
        raise InvalidRequest("feed", f"{feed!r} is not one of {', '.join(sorted(FEEDS))}")
    settings = ListsSettings()
    files = list(FEEDS[feed])
    base = base_url or settings.base_url
    if url or feed in settings.urls:
        if len(files) != 1:
            raise InvalidRequest("url", f"{feed} is a set of {len(files)} files: give a base URL instead")
        files = [(files[0][0], url or settings.urls[feed])]
    elif base:
        files = [(name, base.rstrip("/") + "/" + name) for name, _ in files]
    for _, u in files:
        _check_url(u)
    return files


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http":
        try:
            if ipaddress.ip_address(parts.hostname or "").is_loopback:
                return
        except ValueError:
            if parts.hostname == "localhost":
                return
        raise InvalidRequest("url", f"{url}: plain http is refused except to the loopback interface")
    raise InvalidRequest("url", f"{url}: only https URLs are fetched")


def _last_ok(store: Store, feed: str, url: str) -> Any:
    query = (
        select(FetchRow)
        # Only a download that was imported counts: after a file that failed to import, the next fetch
        # asks unconditionally, so the failure is met again instead of hidden behind a 304.
        .where(FetchRow.source == feed, FetchRow.url == url, FetchRow.status == 200)
        .where(FetchRow.snapshot_id.is_not(None))
        .order_by(FetchRow.id.desc())
        .limit(1)
    )
    with store.connect() as conn:
        return conn.execute(query).one_or_none()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _record(store: Store, feed: str, url: str, status: int, **values: Any) -> int:
    with store.connect() as conn:
        fetch_id: int = conn.execute(
            insert(FetchRow)
            .values(source=feed, url=url, status=status, fetched_at=utcnow(), **values)
            .returning(FetchRow.id)
        ).scalar_one()
    return fetch_id


def fetch_feed(
    store: Store,
    feed: str,
    *,
    base_url: str | None = None,
    url: str | None = None,
    dest: Path | None = None,
    client: httpx.Client | None = None,
    importer: Callable[[list[Path], dict[str, Any]], list[SnapshotInfo]] | None = None,
) -> FetchResult:
    """Fetch ``feed`` (conditionally) and, when a file changed, import it with ``importer(paths, context)``
    (``context`` names the feed and each file's URL and HTTP status, for the audit record)."""
    files = feed_urls(feed, base_url=base_url, url=url)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = (dest or Settings().data_dir / "lists") / feed / stamp
    own_client = client is None
    http = client or httpx.Client(timeout=ListsSettings().timeout, follow_redirects=True)
    fetched: list[FetchedFile] = []
    record_ids: list[int] = []
    try:
        for name, file_url in files:
            previous = _last_ok(store, feed, file_url)
            kept = Path(previous.path) if previous is not None and previous.path else None
            usable = kept is not None and kept.exists() and _sha256_file(kept) == previous.sha256
            headers = {}
            if usable and previous is not None:
                if previous.etag:
                    headers["If-None-Match"] = previous.etag
                if previous.last_modified:
                    headers["If-Modified-Since"] = previous.last_modified
            fetched_file, record_id = _download(store, http, feed, name, file_url, folder, headers, previous)
            fetched.append(fetched_file)
            record_ids.append(record_id)
    finally:
        if own_client:
            http.close()
    changed = any(f.status == 200 for f in fetched)
    if not changed:
        shutil.rmtree(folder, ignore_errors=True)
        return FetchResult(feed, tuple(fetched), False, None)
    # A set is imported from one folder: bring the unchanged members beside the new ones.
    for f in fetched:
        target = folder / f.name
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f.path, target)
    if importer is None:
        from vaspguard.lists._snapshots import import_paths

        def importer(paths: list[Path], context: dict[str, Any]) -> list[SnapshotInfo]:
            return import_paths(store, paths)

    context = {"fetched": {"feed": feed, "files": [{"url": f.url, "status": f.status} for f in fetched]}}
    (snapshot,) = importer([folder / fetched[0].name], context)
    with store.connect() as conn:
        conn.execute(update(FetchRow).where(FetchRow.id.in_(record_ids)).values(snapshot_id=snapshot.id))
    return FetchResult(feed, tuple(fetched), True, snapshot)


def _download(
    store: Store,
    http: httpx.Client,
    feed: str,
    name: str,
    url: str,
    folder: Path,
    headers: dict[str, str],
    previous: Any,
) -> tuple[FetchedFile, int]:
    try:
        with http.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and previous is not None:
                record = _record(
                    store, feed, url, 304, etag=previous.etag, last_modified=previous.last_modified,
                    sha256=previous.sha256, size=previous.size, path=previous.path,
                )  # fmt: skip
                return FetchedFile(name, url, 304, previous.sha256, previous.size or 0, previous.path), record
            if response.status_code != 200:
                _record(store, feed, url, response.status_code)
                raise FetchFailed(url, f"HTTP {response.status_code} {response.reason_phrase}")
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            digest = hashlib.sha256()
            size = 0
            with target.open("wb") as out:
                for chunk in response.iter_bytes(1 << 20):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise FetchFailed(url, f"larger than {MAX_BYTES} bytes: refused")
                    digest.update(chunk)
                    out.write(chunk)
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) != size:
                raise FetchFailed(url, f"got {size} bytes of the {declared} announced: incomplete download")
            sha = digest.hexdigest()
            record = _record(
                store, feed, url, 200, etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"), sha256=sha, size=size, path=str(target),
            )  # fmt: skip
            return FetchedFile(name, url, 200, sha, size, str(target)), record
    except httpx.HTTPError as exc:
        _record(store, feed, url, 0)
        raise FetchFailed(url, f"{type(exc).__name__}: {exc}") from None


def fetch_history(store: Store, feed: str | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
    """The latest fetch attempts, newest first."""
    query = select(FetchRow).order_by(FetchRow.id.desc()).limit(limit)
    if feed is not None:
        query = query.where(FetchRow.source == feed)
    with store.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {
            "id": r.id,
            "feed": r.source,
            "url": r.url,
            "fetched_at": r.fetched_at,
            "status": r.status,
            "etag": r.etag,
            "last_modified": r.last_modified,
            "sha256": r.sha256,
            "size": r.size,
            "path": r.path,
            "snapshot_id": r.snapshot_id,
        }
        for r in rows
    ]
