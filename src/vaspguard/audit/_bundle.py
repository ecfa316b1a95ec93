"""Export bundles and their offline verifier.

A bundle is a directory an auditor can read with any tool:

- ``manifest.json``: format name, origin, counts, export time (informative only; nothing in it is trusted);
- ``entries.jsonl``: every entry's exact bytes, one per line, in index order (entries are canonical JSON,
  which never contains a raw newline);
- ``checkpoints.jsonl``: every signed checkpoint, ascending by size, as ``{"size": n, "note": "..."}`` with
  witness cosignature lines merged into each note;
- ``payloads.jsonl`` (only with ``--with-payloads``; it holds personal data): ``{"idx", "salt", "payload"}``
  for payloads not erased, so the auditor can check them against the leaves' commitments.

``verify_bundle`` needs no database and no vaspguard configuration: only the log's public key (and witness
keys, a quorum and a pinned checkpoint if wanted). It recomputes every leaf hash and the tree, checks every
checkpoint's signature and root, and reports every finding; the exit code names the most serious one.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from multiprocessing import get_context
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import select

from vaspguard.audit._event import commitment
from vaspguard.audit._merkle import Frontier, node_hash
from vaspguard.audit._note import (
    SignedCheckpoint,
    VerifiedSignature,
    VerifierKey,
)
from vaspguard.audit._scan import CHUNK, ChunkResult, scan_chunk, scan_span
from vaspguard.audit._tables import AuditCheckpointRow, AuditCosignatureRow, AuditLeafRow, AuditPayloadRow
from vaspguard.errors import InvalidFile, InvalidRequest, NoteFormatError, QuorumError, SignatureError

if TYPE_CHECKING:
    from vaspguard.audit._log import AuditLog

BUNDLE_FORMAT = "vaspguard-audit-bundle/1"
_MAX_EXAMPLES = 10


class VerifyCode(IntEnum):
    """Exit codes of ``vaspguard audit verify`` (also in its --help and the README)."""

    OK = 0
    MALFORMED = 2  # the bundle or an argument cannot be read at all
    BAD_SIGNATURE = 10  # a checkpoint's log signature is invalid, by an unknown key, or missing
    ROLLBACK = 11  # the bundle's newest checkpoint is older than the pinned one
    FORK = 12  # two signed, inconsistent checkpoints (same size and different roots, or not extending)
    INCONSISTENT = 13  # the entries do not produce a signed root / a consistency proof fails
    REENCODING = 14  # an entry is not the canonical encoding of a valid event
    STALE = 15  # the newest checkpoint is older than --max-age
    QUORUM = 16  # fewer witness cosignatures than --quorum on the newest checkpoint
    GAP = 17  # entries are missing (indices skip)
    REORDERED = 18  # entries are out of order
    TRUNCATED = 19  # fewer entries than the newest signed checkpoint covers
    PAYLOAD = 20  # an exported payload does not match its leaf's commitment


# When several problems are found, the exit code is the first of these present.
_SEVERITY = [
    VerifyCode.BAD_SIGNATURE,
    VerifyCode.FORK,
    VerifyCode.ROLLBACK,
    VerifyCode.REENCODING,
    VerifyCode.GAP,
    VerifyCode.REORDERED,
    VerifyCode.TRUNCATED,
    VerifyCode.INCONSISTENT,
    VerifyCode.PAYLOAD,
    VerifyCode.QUORUM,
    VerifyCode.STALE,
]


@dataclass(frozen=True)
class Finding:
    code: VerifyCode
    message: str


@dataclass
class VerifyReport:
    """The outcome of an offline verification: ``code`` 0 only when there are no findings."""

    entries: int = 0
    checkpoints: int = 0
    newest_size: int | None = None
    newest_root: str | None = None
    cosigners: list[str] = field(default_factory=list)
    unsigned_tail: int = 0
    payloads_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    fork_evidence: list[str] = field(default_factory=list)

    @property
    def code(self) -> VerifyCode:
        present = {f.code for f in self.findings}
        return next((c for c in _SEVERITY if c in present), VerifyCode.OK)

    def add(self, code: VerifyCode, message: str) -> None:
        if sum(1 for f in self.findings if f.code is code) < _MAX_EXAMPLES:
            self.findings.append(Finding(code, message))

    def to_json(self) -> dict[str, Any]:
        return {
            "result": self.code.name.lower(),
            "code": int(self.code),
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "newest_checkpoint": {
                "size": self.newest_size,
                "root": self.newest_root,
                "cosigners": self.cosigners,
            },
            "unsigned_tail": self.unsigned_tail,
            "payloads_checked": self.payloads_checked,
            "findings": [
                {"code": int(f.code), "kind": f.code.name.lower(), "message": f.message}
                for f in self.findings
            ],
            "fork_evidence": list(dict.fromkeys(self.fork_evidence)),
        }


# -- export ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportInfo:
    path: Path
    entries: int
    checkpoints: int
    payloads: int | None


def export_bundle(
    audit: AuditLog,
    directory: Path,
    *,
    with_payloads: bool = False,
    on_entries: Callable[[int], None] | None = None,
) -> ExportInfo:
    """Write the bundle of ``audit`` (an ``AuditLog``) into the new or empty ``directory``."""
    if directory.exists() and any(directory.iterdir()):
        raise InvalidRequest("directory", f"{directory} is not empty")
    directory.mkdir(parents=True, exist_ok=True)
    store = audit.store
    entries = 0
    with store.engine.connect() as conn:
        # One read transaction, one snapshot of entries and checkpoints: REPEATABLE READ on PostgreSQL, an
        # explicit read transaction on SQLite (WAL readers see the database as of their first read).
        if store.backend == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        else:
            conn.exec_driver_sql("BEGIN")
        # Checkpoints first: should the snapshot ever miss, entries then cover at least every signed size.
        cosigs: dict[int, list[str]] = {}
        for size, line in conn.execute(
            select(AuditCosignatureRow.size, AuditCosignatureRow.line).order_by(AuditCosignatureRow.witness)
        ):
            cosigs.setdefault(size, []).append(line)
        checkpoints = 0
        with _atomic(directory / "checkpoints.jsonl") as fh:
            for size, note in conn.execute(
                select(AuditCheckpointRow.size, AuditCheckpointRow.note).order_by(AuditCheckpointRow.size)
            ):
                text = note + "".join(cosigs.get(size, []))
                fh.write(json.dumps({"size": size, "note": text}, ensure_ascii=False).encode() + b"\n")
                checkpoints += 1
        with _atomic(directory / "entries.jsonl") as fh:
            rows = conn.execution_options(yield_per=10_000).execute(
                select(AuditLeafRow.entry).order_by(AuditLeafRow.idx)
            )
            for (entry,) in rows:
                fh.write(bytes(entry) + b"\n")
                entries += 1
                if on_entries is not None and entries % 10_000 == 0:
                    on_entries(entries)
        payloads = None
        if with_payloads:
            payloads = 0
            with _atomic(directory / "payloads.jsonl") as fh:
                for idx, salt, payload in conn.execution_options(yield_per=10_000).execute(
                    select(AuditPayloadRow.idx, AuditPayloadRow.salt, AuditPayloadRow.payload).order_by(
                        AuditPayloadRow.idx
                    )
                ):
                    record = {"idx": idx, "salt": bytes(salt).hex(), "payload": payload}
                    fh.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
                    payloads += 1
    manifest = {
        "format": BUNDLE_FORMAT,
        "origin": audit.origin,
        "public_key": audit.public_key.vkey,
        "entries": entries,
        "checkpoints": checkpoints,
        "payloads": payloads,
        "exported_at": datetime.now(UTC).isoformat(),
        "note": "The public key here is informative: verify with a key obtained out of band.",
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return ExportInfo(directory, entries, checkpoints, payloads)


@contextmanager
def _atomic(path: Path) -> Iterator[IO[bytes]]:
    """Write ``path`` via a temporary file renamed into place, so a failed export leaves no partial file."""
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# -- verify ---------------------------------------------------------------------------------------------


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / "manifest.json"
    if not directory.is_dir():
        raise InvalidFile(directory, "not a bundle directory")
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise InvalidFile(path, "missing: not an audit bundle") from None
    except ValueError as exc:
        raise InvalidFile(path, f"not JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        raise InvalidFile(path, f"unknown bundle format (expected {BUNDLE_FORMAT})")
    return manifest


def _read_checkpoints(directory: Path) -> Iterator[tuple[int, str]]:
    path = directory / "checkpoints.jsonl"
    if not path.exists():
        raise InvalidFile(path, "missing")
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                record = json.loads(line)
                note = record["note"]
                if not isinstance(note, str):
                    raise TypeError("note is not text")
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidFile(path, f"line {number}: {exc}") from None
            yield number, note


def verify_bundle(
    directory: Path,
    log_key: VerifierKey,
    *,
    witnesses: list[VerifierKey] | None = None,
    quorum: int = 0,
    pinned: SignedCheckpoint | None = None,
    max_age: timedelta | None = None,
    now: datetime | None = None,
    on_entries: Callable[[int], None] | None = None,
    workers: int | None = None,
    chunk: int = CHUNK,
) -> VerifyReport:
    """Verify an exported bundle offline. Raises ``InvalidFile`` only when it cannot be read at all.

    ``workers`` processes (default: the CPU count, at most 8) check chunks of ``chunk`` entries in parallel
    when the bundle has more than one chunk; the result does not depend on either.
    """
    if workers is None:
        workers = min(os.cpu_count() or 1, 8)
    witnesses = witnesses or []
    if quorum > len(witnesses):
        raise InvalidRequest("quorum", f"{quorum} exceeds the {len(witnesses)} witness key(s) given")
    _read_manifest(directory)
    report = VerifyReport()
    by_size = _check_checkpoints(directory, log_key, report)
    newest = by_size[max(by_size)] if by_size else None
    cosigned = _check_newest(newest, log_key, witnesses, quorum, report) if newest is not None else []
    pinned = _check_pinned(pinned, newest, by_size, log_key, report)

    # 3. Entries: canonical, in order, and every signed root (and the pinned one) recomputed.
    path = directory / "entries.jsonl"
    if not path.exists():
        raise InvalidFile(path, "missing")
    payload_path = directory / "payloads.jsonl"
    want_ts = (newest.size - 1,) if newest is not None else ()
    cuts = tuple(sorted(set(by_size) | ({pinned.size} if pinned is not None and pinned.size else set())))
    scan = _EntryScan(report, by_size)
    for result in _scan_entries(path, cuts, payload_path.exists(), want_ts, workers=workers, chunk=chunk):
        scan.add(result)
        if on_entries is not None:
            on_entries(scan.entries)
    scan.finish()
    if newest is not None:
        if report.entries < newest.size:
            report.add(
                VerifyCode.TRUNCATED,
                f"the bundle has {report.entries} entries but the log signed a checkpoint of size "
                f"{newest.size}",
            )
        report.unsigned_tail = max(0, report.entries - newest.size)

    # 4. The pinned checkpoint must be a prefix of what the entries (and so the newest checkpoint) say.
    if pinned is not None and pinned.size in scan.roots and scan.roots[pinned.size] != pinned.root:
        report.add(
            VerifyCode.FORK,
            f"the log's entries give another root for the pinned size {pinned.size}: the newest checkpoint "
            "does not extend the pinned one",
        )
        report.fork_evidence += [pinned.note] + ([newest.note] if newest is not None else [])

    # 5. Freshness: the newest checkpoint's time is its latest cosignature, else its last entry's time.
    if max_age is not None and newest is not None:
        _check_fresh(newest, cosigned, scan.timestamps, max_age, now or datetime.now(UTC), report)

    # 6. Payloads, if exported: each must match its leaf's commitment.
    if payload_path.exists():
        _check_payloads(payload_path, scan.commitments, report)
    return report


def _check_checkpoints(
    directory: Path, log_key: VerifierKey, report: VerifyReport
) -> dict[int, SignedCheckpoint]:
    """1. Checkpoints: strict parse, the log's signature, one root per size. Returns them by size."""
    by_size: dict[int, SignedCheckpoint] = {}
    for number, note in _read_checkpoints(directory):
        report.checkpoints += 1
        try:
            checkpoint = SignedCheckpoint.parse(note)
            checkpoint.verify(log_key, origin=log_key.name)
        except (NoteFormatError, SignatureError) as exc:
            report.add(VerifyCode.BAD_SIGNATURE, f"checkpoint on line {number}: {exc}")
            continue
        seen = by_size.get(checkpoint.size)
        if seen is not None and seen.root != checkpoint.root:
            report.add(VerifyCode.FORK, f"two signed roots for tree size {checkpoint.size}")
            report.fork_evidence += [seen.note, checkpoint.note]
            continue
        by_size[checkpoint.size] = checkpoint
    if not by_size:
        report.add(VerifyCode.BAD_SIGNATURE, f"no checkpoint signed by the trusted key {log_key.name}")
    return by_size


def _check_newest(
    newest: SignedCheckpoint,
    log_key: VerifierKey,
    witnesses: list[VerifierKey],
    quorum: int,
    report: VerifyReport,
) -> list[VerifiedSignature]:
    """The newest checkpoint's witness cosignatures, checked against the quorum; returns the valid ones."""
    report.newest_size, report.newest_root = newest.size, newest.root.hex()
    try:
        cosigned = newest.verify(log_key, origin=log_key.name, witnesses=witnesses, quorum=quorum)
    except QuorumError as exc:
        report.add(VerifyCode.QUORUM, f"checkpoint of size {newest.size}: {exc}")
        return []
    except SignatureError as exc:
        report.add(VerifyCode.BAD_SIGNATURE, f"checkpoint of size {newest.size}: {exc}")
        return []
    report.cosigners = [c.key.name for c in cosigned]
    return cosigned


def _check_pinned(
    pinned: SignedCheckpoint | None,
    newest: SignedCheckpoint | None,
    by_size: dict[int, SignedCheckpoint],
    log_key: VerifierKey,
    report: VerifyReport,
) -> SignedCheckpoint | None:
    """2. The pinned checkpoint (what this verifier saw last): never accept going back or sideways.
    Returns it, or None when its own signature is bad (then it pins nothing)."""
    if pinned is None:
        return None
    try:
        pinned.verify(log_key, origin=log_key.name)
    except SignatureError as exc:
        report.add(VerifyCode.BAD_SIGNATURE, f"pinned checkpoint: {exc}")
        return None
    if newest is None:
        return pinned
    if newest.size < pinned.size:
        report.add(
            VerifyCode.ROLLBACK,
            f"newest checkpoint has size {newest.size}, older than the pinned size {pinned.size}",
        )
    same = by_size.get(pinned.size)
    if same is not None and same.root != pinned.root:
        report.add(
            VerifyCode.FORK,
            f"the bundle and the pinned checkpoint sign different roots for size {pinned.size}",
        )
        report.fork_evidence += [pinned.note, same.note]
    return pinned


def _check_fresh(
    newest: SignedCheckpoint,
    cosigned: list[VerifiedSignature],
    last_ts: dict[int, str],
    max_age: timedelta,
    now: datetime,
    report: VerifyReport,
) -> None:
    times = [datetime.fromtimestamp(c.timestamp, UTC) for c in cosigned if c.timestamp is not None]
    if newest.size - 1 in last_ts:
        times.append(datetime.strptime(last_ts[newest.size - 1], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC))
    if times and now - max(times) > max_age:
        report.add(
            VerifyCode.STALE,
            f"the newest checkpoint dates from {max(times).isoformat()}, older than {max_age}",
        )


class _EntryScan:
    """Folds chunk results, in order, into the report: roots at every cut, order, encoding findings."""

    def __init__(self, report: VerifyReport, by_size: dict[int, SignedCheckpoint]) -> None:
        self.report = report
        self.by_size = by_size
        self.units = Frontier()  # the frontier of the full chunks so far, chunk roots as its leaves
        self.entries = 0
        self.roots: dict[int, bytes] = {}
        self.timestamps: dict[int, str] = {}
        self.commitments: dict[int, str] = {}
        self.increasing = True
        self.last_idx: int | None = None
        self.out_of_place: list[tuple[int, int]] = []
        self.cut_off_at: int | None = None

    def add(self, result: ChunkResult) -> None:
        report = self.report
        for position, reason in result.bad_entries:
            report.add(VerifyCode.REENCODING, f"entry {position}: {reason}")
        if result.cut_off:
            self.cut_off_at = result.start + result.count - 1
            report.add(VerifyCode.REENCODING, f"entry {self.cut_off_at}: the last line is cut off")
        for size, pieces in result.cuts.items():
            root = _fold([*self.units.hashes, *pieces])
            self.roots[size] = root
            signed = self.by_size.get(size)
            if signed is not None and signed.root != root:
                report.add(
                    VerifyCode.INCONSISTENT,
                    f"the entries do not produce the signed root of the checkpoint of size {size}",
                )
        if result.first_idx is not None:
            if not result.increasing or (self.last_idx is not None and result.first_idx <= self.last_idx):
                self.increasing = False
            self.last_idx = result.last_idx
        self.out_of_place += result.out_of_place[: 10 - len(self.out_of_place)]
        self.timestamps.update(result.timestamps)
        self.commitments.update(result.commitments)
        self.entries += result.count
        if result.count == result.chunk:
            self.units.append(result.pieces[0])

    def finish(self) -> None:
        self.report.entries = self.entries
        if not self.out_of_place:
            return
        pos, idx = self.out_of_place[0]
        if not self.increasing:
            self.report.add(
                VerifyCode.REORDERED,
                f"entry at position {pos} says it is entry {idx}: entries were reordered",
            )
        else:
            self.report.add(
                VerifyCode.GAP, f"entries {pos}..{idx - 1} are missing (position {pos} holds entry {idx})"
            )


def _fold(pieces: list[bytes]) -> bytes:
    h = pieces[-1]
    for left in reversed(pieces[:-1]):
        h = node_hash(left, h)
    return h


def _scan_entries(
    path: Path,
    cuts: tuple[int, ...],
    want_commitments: bool,
    want_ts: tuple[int, ...],
    *,
    workers: int,
    chunk: int,
) -> Iterator[ChunkResult]:
    """Chunk results in order; chunks go to ``workers`` processes when there is more than one chunk."""
    if chunk & (chunk - 1):
        raise InvalidRequest("chunk", "must be a power of two")

    def options(start: int) -> tuple[tuple[int, ...], bool, tuple[int, ...], int]:
        inside = tuple(c for c in cuts if start < c <= start + chunk)
        ts = tuple(t for t in want_ts if start <= t < start + chunk)
        return inside, want_commitments, ts, chunk

    if workers <= 1:
        for lines, start in _chunks(path, chunk):
            yield scan_chunk(lines, start, *options(start))
        return
    source = _spans(path, chunk)
    first = next(source)
    second = next(source, None)
    if second is None:
        yield scan_span(str(path), first[0], first[1], first[2], *options(first[2]))
        return
    # Spawned (not forked) workers: safe in a process with threads (the API), same result everywhere.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        pending: deque[Future[ChunkResult]] = deque()
        for offset, count, start in itertools.chain([first, second], source):
            pending.append(pool.submit(scan_span, str(path), offset, count, start, *options(start)))
            if len(pending) > 2 * workers:  # bounded read-ahead: memory stays a few chunks
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _chunks(path: Path, chunk: int) -> Iterator[tuple[list[bytes], int]]:
    """(lines, first position) of each chunk of ``chunk`` lines; an empty file is one empty chunk."""
    batch: list[bytes] = []
    start = 0
    with open(path, "rb") as fh:
        for line in fh:
            batch.append(line)
            if len(batch) == chunk:
                yield batch, start
                start += chunk
                batch = []
    if batch or start == 0:
        yield batch, start


def _spans(path: Path, chunk: int) -> Iterator[tuple[int, int, int]]:
    """(byte offset, line count, first position) of each chunk: workers read their own lines, so the
    entries are not copied through pipes."""
    offset = span_offset = count = start = 0
    with open(path, "rb") as fh:
        for line in fh:
            offset += len(line)
            count += 1
            if count == chunk:
                yield span_offset, count, start
                span_offset, count, start = offset, 0, start + chunk
    if count or start == 0:
        yield span_offset, count, start


def _check_payloads(path: Path, commitments: dict[int, str], report: VerifyReport) -> None:
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                record = json.loads(line)
                idx, salt, payload = int(record["idx"]), bytes.fromhex(record["salt"]), str(record["payload"])
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidFile(path, f"line {number}: {exc}") from None
            expected = commitments.get(idx)
            if expected is None or commitment(salt, payload.encode("utf-8")) != expected:
                report.add(VerifyCode.PAYLOAD, f"payload of entry {idx} does not match the leaf's commitment")
            else:
                report.payloads_checked += 1
