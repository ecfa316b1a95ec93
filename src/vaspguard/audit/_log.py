"""The audit log over a ``Store``: appends, signed checkpoints, proofs, receipts, reads and erasure.

Invariants:

- Exactly one writer: every write transaction starts with ``BEGIN IMMEDIATE`` on SQLite (the write lock is
  taken before the frontier is read, so two writers can never both extend the same tree) and with
  ``pg_advisory_xact_lock`` plus ``SELECT ... FOR UPDATE`` of the state row on PostgreSQL.
- The leaves, the completed subtree nodes, the frontier and the checkpoint of a batch are written in ONE
  transaction: a crash (kill -9) leaves either all of them or none.
- The log never signs a checkpoint inconsistent with one it signed before: before signing, the new tree is
  proven to extend the last stored checkpoint (and, with ``AuditLog.open``, the last checkpoint this key
  signed, kept beside the key, so a database restored from an old backup or rewritten cannot be signed).
- Payloads (possibly personal data) live only in ``audit_payloads``; the leaves hold a salted commitment.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, delete, insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from vaspguard.audit._config import DEFAULT_ORIGIN, AuditSettings, read_witnesses
from vaspguard.audit._event import (
    Entry,
    EntryError,
    Event,
    commitment,
    decode_entry,
    encode_entry,
    format_ts,
    new_salts,
    utc_now,
)
from vaspguard.audit._gate import require_receipts as gate_require_receipts
from vaspguard.audit._merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    node_hash,
    split_point,
    verify_consistency,
    verify_inclusion,
)
from vaspguard.audit._note import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    SignedCheckpoint,
    SignedNote,
    SigningKey,
    VerifierKey,
)
from vaspguard.audit._tables import (
    AuditCheckpointRow,
    AuditCosignatureRow,
    AuditLeafRow,
    AuditNodeRow,
    AuditPayloadRow,
    AuditStateRow,
    AuditSubjectRow,
)
from vaspguard.audit._witness import Cosignature
from vaspguard.audit._witness import cosign as witness_cosign
from vaspguard.errors import (
    IntegrityViolation,
    InvalidFile,
    InvalidRequest,
    NotFound,
    ProofError,
    Refused,
    StoreError,
)
from vaspguard.events import EventType, emit
from vaspguard.settings import read_key_file
from vaspguard.store import Backend, Store

log = logging.getLogger("vaspguard.audit")

LOG_ID = 1
# pg_advisory_xact_lock key for "the audit log writer" (ASCII "vgaudit1"); one log per database.
_PG_LOCK_KEY = int.from_bytes(b"vgaudit1", "big") & 0x7FFF_FFFF_FFFF_FFFF
_FETCH_CHUNK = 400
# The write path's statements as plain SQL (the hot path of every append: no statement building, no
# compilation); the values are ints, bytes and text, which need no SQLAlchemy type processing.
_STATE_COLUMNS = "log_id, origin, size, frontier, checkpoint_size, checkpoint_root"
_STATE_SQL = f"SELECT {_STATE_COLUMNS} FROM audit_state WHERE log_id = "
_INSERT_CHECKPOINT = insert(AuditCheckpointRow)  # built once: created_at needs its type processing


@dataclass(frozen=True)
class Receipt:
    """Proof that an entry is in the log: its bytes, index, inclusion proof and the signed checkpoint the
    proof leads to. Anyone with the log's public key can check it offline (``verify_receipt``)."""

    index: int
    entry: bytes
    leaf_hash: bytes
    inclusion_proof: tuple[bytes, ...]
    checkpoint: SignedCheckpoint

    @property
    def event(self) -> Entry:
        return decode_entry(self.entry)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "entry": self.entry.decode("utf-8"),
            "leaf_hash": base64.b64encode(self.leaf_hash).decode(),
            "inclusion_proof": [base64.b64encode(h).decode() for h in self.inclusion_proof],
            "checkpoint": self.checkpoint.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Receipt:
        try:
            return cls(
                index=int(data["index"]),
                entry=str(data["entry"]).encode("utf-8"),
                leaf_hash=base64.b64decode(data["leaf_hash"], validate=True),
                inclusion_proof=tuple(base64.b64decode(h, validate=True) for h in data["inclusion_proof"]),
                checkpoint=SignedCheckpoint.parse(str(data["checkpoint"])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRequest("receipt", f"not a receipt: {exc}") from None


@dataclass(frozen=True)
class LoggedEvent:
    """An event read back from the log, with its payload unless erased."""

    index: int
    entry: Entry
    payload: dict[str, Any] | None

    @property
    def erased(self) -> bool:
        return self.payload is None

    @property
    def type(self) -> str:
        return self.entry.type

    @property
    def actor(self) -> str:
        return self.entry.actor

    @property
    def actor_role(self) -> str:
        return self.entry.actor_role

    @property
    def actor_region(self) -> str:
        return self.entry.actor_region

    @property
    def subjects(self) -> tuple[str, ...]:
        return self.entry.subjects

    @property
    def policy_version(self) -> str | None:
        return self.entry.policy_version

    @property
    def ts(self) -> datetime:
        return self.entry.time

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready fields (``ts`` as the entry records it; ``payload`` None once erased)."""
        return {
            "index": self.index,
            "type": self.type,
            "ts": self.entry.ts,
            "actor": self.actor,
            "actor_role": self.actor_role,
            "actor_region": self.actor_region,
            "subjects": list(self.subjects),
            "policy_version": self.policy_version,
            "payload": self.payload,
        }


def verify_receipt_offline(receipt: Receipt, log_key: VerifierKey, *, origin: str | None = None) -> Entry:
    """Check a receipt with the log's public key only: signature, entry bytes, leaf hash, inclusion proof.

    Returns the decoded entry; raises ``IntegrityViolation`` (a subclass) on any failure.
    """
    receipt.checkpoint.verify(log_key, origin=origin)
    try:
        entry = decode_entry(receipt.entry)
    except EntryError as exc:
        raise IntegrityViolation(f"receipt entry {receipt.index}: {exc}") from None
    if entry.idx != receipt.index:
        raise IntegrityViolation(f"receipt claims index {receipt.index} but its entry says {entry.idx}")
    if leaf_hash(receipt.entry) != receipt.leaf_hash:
        raise IntegrityViolation(f"receipt {receipt.index}: leaf hash does not match the entry")
    verify_inclusion(
        receipt.leaf_hash,
        receipt.index,
        receipt.checkpoint.size,
        receipt.inclusion_proof,
        receipt.checkpoint.root,
    )
    return entry


def _perfect_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """The stored perfect subtrees (level, index at that level) whose MTHs give MTH(D[start:end])."""
    n = end - start
    if n & (n - 1) == 0 and start % n == 0:
        level = n.bit_length() - 1
        return [(level, start >> level)]
    k = split_point(n)
    return _perfect_pieces(start, start + k) + _perfect_pieces(start + k, end)


def _recorder(ranges: list[tuple[int, int]]) -> Callable[[int, int], bytes]:
    """A stand-in ``SubtreeHash`` that notes which subtrees a proof needs (first pass, before fetching)."""

    def record(start: int, end: int) -> bytes:
        ranges.append((start, end))
        return b""

    return record


class _Tree:
    """Subtree hashes of the stored tree: from ``known`` hashes (level, index) when given, else fetched in
    batches from the database; range hashes are memoised, as the proofs of one batch share most of them."""

    def __init__(self, conn: Connection, known: dict[tuple[int, int], bytes] | None = None) -> None:
        self.conn = conn
        self.cache: dict[tuple[int, int], bytes] = dict(known or {})
        self.ranges: dict[tuple[int, int], bytes] = {}

    def fetch(self, ranges: Iterable[tuple[int, int]]) -> None:
        pieces = {p for start, end in ranges for p in _perfect_pieces(start, end)} - set(self.cache)
        leaves = sorted(i for level, i in pieces if level == 0)
        nodes = sorted(p for p in pieces if p[0] > 0)
        for i in range(0, len(leaves), _FETCH_CHUNK):
            chunk = leaves[i : i + _FETCH_CHUNK]
            for idx, h in self.conn.execute(
                select(AuditLeafRow.idx, AuditLeafRow.leaf_hash).where(AuditLeafRow.idx.in_(chunk))
            ):
                self.cache[(0, idx)] = bytes(h)
        for i in range(0, len(nodes), _FETCH_CHUNK):
            chunk_nodes = nodes[i : i + _FETCH_CHUNK]
            for level, idx, h in self.conn.execute(
                select(AuditNodeRow.level, AuditNodeRow.idx, AuditNodeRow.hash).where(
                    tuple_(AuditNodeRow.level, AuditNodeRow.idx).in_(chunk_nodes)
                )
            ):
                self.cache[(level, idx)] = bytes(h)
        missing = pieces - set(self.cache)
        if missing:
            raise IntegrityViolation(
                f"the stored tree is missing {len(missing)} node(s), e.g. {min(missing)}"
            )

    def subtree(self, start: int, end: int) -> bytes:
        h = self.ranges.get((start, end))
        if h is None:
            n = end - start
            if n & (n - 1) == 0 and start % n == 0:
                h = self.cache[(n.bit_length() - 1, start // n)]
            else:
                k = split_point(n)
                h = node_hash(self.subtree(start, start + k), self.subtree(start + k, end))
            self.ranges[(start, end)] = h
        return h

    def inclusion_paths(self, indices: Sequence[int], size: int) -> list[list[bytes]]:
        try:
            return [inclusion_path(m, size, self.subtree) for m in indices]
        except KeyError:
            ranges: list[tuple[int, int]] = []
            for m in indices:
                inclusion_path(m, size, _recorder(ranges))
            self.fetch(ranges)
            return [inclusion_path(m, size, self.subtree) for m in indices]

    def consistency(self, first: int, second: int) -> list[bytes]:
        ranges: list[tuple[int, int]] = []
        consistency_proof(first, second, _recorder(ranges))
        self.fetch(ranges)
        return consistency_proof(first, second, self.subtree)


def _pragma(conn: Connection, setting: str) -> None:
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA {setting}")
    finally:
        cursor.close()


def _batch_paths(known: Mapping[tuple[int, int], bytes], first: int, n: int) -> list[list[bytes]]:
    """PATH(m, D[n]) for every m in ``first .. n-1`` (a batch just appended), from ``known`` perfect subtree
    roots (level, index): the old frontier, the batch's leaves and its completed nodes.

    The RFC 9162 tree of size n is the left-filled binary tree in which a right-edge node with no right child
    is its left child. So the path of m lists, level by level from the leaves up, the root of the sibling of
    m's ancestor whenever that sibling exists: a perfect subtree, or the right edge [s, n) when it is cut
    off. The right-edge hashes are computed once per batch, so each path costs a few dictionary reads
    (equal to ``inclusion_path``; a test holds them equal)."""
    height = (n - 1).bit_length()
    # edge[level] = MTH(D[s:n]) for the right-edge node at ``level``, s = ((n - 1) >> level) << level.
    edge = [known[(0, n - 1)]]
    for level in range(height):
        i = (n - 1) >> level
        edge.append(node_hash(known[(level, i - 1)], edge[level]) if i & 1 else edge[level])
    tops = [(n - 1) >> level for level in range(height)]
    paths = []
    for m in range(first, n):
        path = []
        for level, top in enumerate(tops):
            s = (m >> level) ^ 1
            if s < top:
                path.append(known[(level, s)])
            elif s == top:
                path.append(edge[level])
        paths.append(path)
    return paths


def _frontier_pieces(frontier: Frontier) -> list[tuple[tuple[int, int], bytes]]:
    """The frontier's hashes keyed (level, index at that level), largest first."""
    out: list[tuple[tuple[int, int], bytes]] = []
    start = 0
    for level in range(frontier.size.bit_length() - 1, -1, -1):
        if frontier.size >> level & 1:
            out.append(((level, start >> level), frontier.hashes[len(out)]))
            start += 1 << level
    return out


def read_key(path: Path) -> SigningKey:
    """The log's signing key from the file ``VASPGUARD_AUDIT_KEY_FILE`` names (a mounted secret): it must
    exist, be readable by no other user, and hold one ``PRIVATE+KEY+...`` line (from ``audit keygen``)."""
    text = read_key_file(path, "VASPGUARD_AUDIT_KEY_FILE")
    try:
        return SigningKey.parse(text)
    except InvalidRequest as exc:
        raise InvalidFile(path, f"VASPGUARD_AUDIT_KEY_FILE: {exc.reason}") from None


def load_or_create_key(key_dir: Path, origin: str = DEFAULT_ORIGIN) -> tuple[SigningKey, bool]:
    """The log's signing key from ``key_dir/log.key``, generated (with ``log.pub`` beside it) if absent."""
    path = key_dir / "log.key"
    if path.exists():
        return SigningKey.parse(path.read_text()), False
    key = SigningKey.generate(origin, ED25519)
    key_dir.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place: two processes starting at once end up
    # with one key, and nobody ever reads a half-written one.
    tmp = key_dir / f".log.key.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.skey + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        return SigningKey.parse(path.read_text()), False
    finally:
        tmp.unlink()
    (key_dir / "log.pub").write_text(key.verifier.vkey + "\n")
    log.warning(
        "generated a new audit log signing key at %s (public key %s, also in log.pub): keep it secret, "
        "give log.pub to auditors and witnesses",
        path,
        key.verifier.vkey,
    )
    return key, True


class AuditLog:
    """The tamper-evident audit log of one database.

    ``AuditLog.open(store)`` uses the signing key in ``Settings().data_dir / "audit"`` (generated on first
    use), or the file ``VASPGUARD_AUDIT_KEY_FILE`` names;
    ``AuditLog(store, signer=Ed25519PrivateKey)`` uses the given key (tests, HSM-backed deployments).
    """

    def __init__(
        self,
        store: Store,
        *,
        signer: Ed25519PrivateKey | SigningKey | None,
        origin: str | None = None,
        signed_state: Path | None = None,
        public_key: VerifierKey | None = None,
        witnesses: Sequence[VerifierKey] = (),
        quorum: int = 0,
    ) -> None:
        self.store = store
        self.signer: SigningKey | None
        if signer is None:
            # Read-only: proofs, reads and witness cosigning, verified with a key the reader trusts.
            if public_key is None:
                raise InvalidRequest("public_key", "a log without its signing key needs the public key")
            self.signer, self.public_key = None, public_key
        else:
            if isinstance(signer, SigningKey):
                if origin is not None and origin != signer.name:
                    raise InvalidRequest("origin", f"the log key is named {signer.name!r}, its origin")
                self.signer = signer
            else:
                self.signer = SigningKey(origin or DEFAULT_ORIGIN, ED25519, signer)
            self.public_key = self.signer.verifier
        # C2SP convention (Go sumdb, Sigstore): the checkpoint key's name is the log's origin.
        self.origin = self.public_key.name
        self.key_created: Path | None = None
        # The last checkpoint this key signed, kept outside the database (see module docstring).
        self._signed_state = signed_state
        # Witness keys and how many must cosign a checkpoint before ``require_receipts`` releases an action.
        if quorum > len(witnesses):
            raise InvalidRequest("quorum", f"{quorum} exceeds the {len(witnesses)} configured witness key(s)")
        self.witnesses = list(witnesses)
        self.quorum = quorum

    @classmethod
    def reader(cls, store: Store, public_key: VerifierKey) -> AuditLog:
        """The log without its signing key: reads, proofs and cosigning, never appends."""
        return cls(store, signer=None, public_key=public_key)

    @classmethod
    def open(cls, store: Store, *, key_dir: Path | None = None) -> AuditLog:
        """The log with the key from ``key_dir`` (default: ``AuditSettings``), generated on first use."""
        settings = AuditSettings()
        if key_dir is None and settings.key_file is not None:
            key_dir, key, created = settings.directory(), read_key(settings.key_file), False
            key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # for the signer's memory
        else:
            key_dir = key_dir or settings.directory()
            key, created = load_or_create_key(key_dir, settings.origin)
        witnesses = read_witnesses(key_dir / "witnesses")
        audit = cls(
            store,
            signer=key,
            signed_state=key_dir / "last-signed.note",
            witnesses=witnesses,
            quorum=settings.quorum,
        )
        if created:
            audit.key_created = key_dir / "log.key"
        return audit

    # -- writing --------------------------------------------------------------------------------------

    @contextmanager
    def _writer(self) -> Iterator[tuple[Connection, AuditStateRow]]:
        """One write transaction holding the single-writer lock, with the state row read under it."""
        sqlite = self.store.backend is Backend.SQLITE
        with self.store.engine.connect() as conn:
            try:
                if sqlite:
                    # FULL: the commit is on disk (WAL fsync) before append returns, even on power loss.
                    # Set on the DB-API connection outside any transaction (SQLite ignores it inside one),
                    # without a round of SQLAlchemy commits.
                    _pragma(conn, "synchronous=FULL")
                    # pysqlite would BEGIN (deferred) lazily; take the write lock before reading the frontier.
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                else:
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%(k)s)", {"k": _PG_LOCK_KEY})
                row = conn.exec_driver_sql(
                    _STATE_SQL + ("?" if sqlite else "%s FOR UPDATE"), (LOG_ID,)
                ).one_or_none()
                if row is None:
                    raise StoreError("audit_state row missing: run `vaspguard db migrate`")
                yield conn, row  # type: ignore[misc]
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            finally:
                if sqlite:
                    _pragma(conn, "synchronous=NORMAL")

    def append(self, event: Event) -> Receipt:
        """Log one event; return its receipt (index, inclusion proof, signed checkpoint)."""
        return self.append_many([event])[0]

    def append_many(self, events: Sequence[Event]) -> list[Receipt]:
        """Log events in one transaction (all or none), sign one checkpoint, return a receipt for each."""
        return self._append(events)

    def _append(
        self, events: Sequence[Event], also: Callable[[Connection, int], None] | None = None
    ) -> list[Receipt]:
        """``append_many``; ``also(conn, size before the batch)`` runs in the same transaction (erasure)."""
        if not events:
            return []
        prepared = []
        for event in events:
            if not isinstance(event, Event):
                raise InvalidRequest("event", f"expected an audit Event, got {type(event).__name__}")
            prepared.append((event, event.check()))
        sqlite = self.store.backend is Backend.SQLITE
        with self._writer() as (conn, state):
            frontier = Frontier.from_bytes(state.size, bytes(state.frontier))
            old_size, old_root = frontier.size, frontier.root()
            # Every hash a receipt of this batch needs: the old frontier, the new leaves, the new nodes.
            known: dict[tuple[int, int], bytes] = {}
            known.update(_frontier_pieces(frontier))
            leaves: list[tuple[int, bytes, bytes, str]] = []
            payloads: list[tuple[int, bytes, str]] = []
            subjects: list[tuple[str, int]] = []
            nodes: list[tuple[int, int, bytes]] = []
            now = format_ts(utc_now())  # one time for the whole batch

            def on_node(level: int, idx: int, h: bytes) -> None:
                nodes.append((level, idx, h))
                known[(level, idx)] = h

            # One read of the OS random source for the whole batch, cut into 32-byte salts.
            salts = new_salts(len(prepared))
            for (event, payload_json), salt in zip(prepared, salts, strict=True):
                idx = frontier.size
                entry = encode_entry(event, idx=idx, ts=now, commitment_hex=commitment(salt, payload_json))
                lh = leaf_hash(entry)
                known[(0, idx)] = lh
                frontier.append(lh, on_node)
                leaves.append((idx, entry, lh, event.type))
                payloads.append((idx, salt, payload_json.decode("utf-8")))
                subjects.extend((s, idx) for s in event.subjects)
            # Plain DB-API executemany: the same four statements for every batch, no ORM work per row.
            p = "?" if sqlite else "%s"
            conn.exec_driver_sql(
                f"INSERT INTO audit_leaves (idx, entry, leaf_hash, type) VALUES ({p}, {p}, {p}, {p})", leaves
            )
            conn.exec_driver_sql(
                f"INSERT INTO audit_payloads (idx, salt, payload) VALUES ({p}, {p}, {p})", payloads
            )
            if subjects:
                conn.exec_driver_sql(f"INSERT INTO audit_subjects (subject, idx) VALUES ({p}, {p})", subjects)
            if nodes:
                conn.exec_driver_sql(
                    f"INSERT INTO audit_nodes (level, idx, hash) VALUES ({p}, {p}, {p})", nodes
                )
            done = conn.exec_driver_sql(
                f"UPDATE audit_state SET size = {p}, frontier = {p} WHERE log_id = {p} AND size = {p}",
                (frontier.size, frontier.to_bytes(), LOG_ID, old_size),
            )
            if done.rowcount != 1:
                raise StoreError("audit log state changed under the writer lock")
            if also is not None:
                also(conn, old_size)
            signed = self._sign(conn, state, frontier, old_size, old_root)
            paths = _batch_paths(known, old_size, frontier.size)
        self._remember(signed)
        return [
            Receipt(idx, entry, lh, tuple(path), signed)
            for (idx, entry, lh, _), path in zip(leaves, paths, strict=True)
        ]

    def _key_hint(self) -> str:
        """What to do when a refusal may only mean that one log key met a second database."""
        if self._signed_state is None:
            return ""
        return (
            f"; the key in {self._signed_state.parent} signs one log only: if this database is meant to be "
            "a new log (not a restored or altered one), give it its own key by pointing VASPGUARD_DATA_DIR "
            "at a new directory"
        )

    def _sign(
        self, conn: Connection, state: AuditStateRow, frontier: Frontier, old_size: int, old_root: bytes
    ) -> SignedCheckpoint:
        """Sign a checkpoint of ``frontier`` after proving it extends every checkpoint signed before."""
        if state.origin is not None and state.origin != self.origin:
            raise IntegrityViolation(f"this log's origin is {state.origin!r}, not {self.origin!r}")
        new = Checkpoint(self.origin, frontier.size, frontier.root())
        previous: list[tuple[int, bytes]] = []
        if state.checkpoint_size is not None and state.checkpoint_root is not None:
            previous.append((state.checkpoint_size, bytes(state.checkpoint_root)))
        remembered = self._remembered()
        if remembered is not None:
            previous.append((remembered.size, remembered.root))
        for size, root in previous:
            if size > new.size:
                raise IntegrityViolation(
                    f"refusing to sign size {new.size}: a checkpoint of size {size} was signed before "
                    f"(rollback){self._key_hint()}"
                )
            if size == old_size:
                proof_ok = root == old_root
            elif size == new.size:
                proof_ok = root == new.root
            else:
                try:
                    verify_consistency(
                        size, new.size, root, new.root, _Tree(conn).consistency(size, new.size)
                    )
                    proof_ok = True
                except (ProofError, IntegrityViolation):
                    proof_ok = False
            if not proof_ok:
                raise IntegrityViolation(
                    f"refusing to sign size {new.size}: the tree does not extend the signed checkpoint "
                    f"of size {size} (the stored log was altered){self._key_hint()}"
                )
        if self.signer is None:
            raise Refused("this AuditLog was opened without the signing key: it cannot append or sign")
        signed = SignedCheckpoint.sign(new, self.signer)
        conn.execute(_INSERT_CHECKPOINT, {"size": new.size, "root": new.root, "note": signed.note})
        emit(
            conn,
            EventType.CHECKPOINT_SIGNED,
            (f"audit-log:{self.origin}",),
            {"size": new.size, "root": new.root.hex()},
        )
        p = "?" if self.store.backend is Backend.SQLITE else "%s"
        conn.exec_driver_sql(
            f"UPDATE audit_state SET checkpoint_size = {p}, checkpoint_root = {p}, origin = {p} "
            f"WHERE log_id = {p}",
            (new.size, new.root, self.origin, LOG_ID),
        )
        return signed

    def _remembered(self) -> Checkpoint | None:
        if self._signed_state is None or not self._signed_state.exists():
            return None
        return SignedCheckpoint.parse(self._signed_state.read_text()).checkpoint

    def _remember(self, signed: SignedCheckpoint) -> None:
        if self._signed_state is None:
            return
        # Several processes may share the key: compare and replace under an exclusive lock, so the memory
        # only ever grows.
        with open(self._signed_state.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            remembered = self._remembered()
            if remembered is not None and remembered.size >= signed.size:
                return
            tmp = self._signed_state.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(signed.note)
            os.replace(tmp, self._signed_state)

    def checkpoint(self) -> SignedCheckpoint:
        """A signed checkpoint of the whole log (signing a new one if entries were added since the last)."""
        with self._writer() as (conn, state):
            frontier = Frontier.from_bytes(state.size, bytes(state.frontier))
            if state.checkpoint_size == frontier.size:
                note = conn.execute(
                    select(AuditCheckpointRow.note).where(AuditCheckpointRow.size == frontier.size)
                ).scalar_one()
                return SignedCheckpoint.parse(note)
            signed = self._sign(conn, state, frontier, frontier.size, frontier.root())
        self._remember(signed)
        return signed

    def erase(self, index: int, *, actor: str, actor_role: str = "", reason: str) -> Receipt:
        """Erase the payload (and salt) of entry ``index``; the erasure itself is logged. The leaf stays."""
        if not reason.strip():
            raise InvalidRequest(
                "reason", "an erasure needs its legal ground (e.g. 'GDPR art. 17 request E-12')"
            )

        def remove(conn: Connection, size: int) -> None:
            if not 0 <= index < size:  # never the erasure's own new entry
                raise NotFound("audit entry", str(index))
            done = conn.execute(delete(AuditPayloadRow).where(AuditPayloadRow.idx == index))
            if done.rowcount != 1:
                raise NotFound("audit payload", str(index))

        # The erasure and its log entry commit together; the reason goes in the new entry's erasable payload.
        event = Event(
            type="audit.erase",
            actor=actor,
            actor_role=actor_role,
            subjects=(f"audit:{index}",),
            payload={"index": index, "reason": reason},
        )
        return self._append([event], also=remove)[0]

    # -- witnesses ------------------------------------------------------------------------------------

    def add_cosignature(self, size: int, line: str, witness: VerifierKey) -> SignedCheckpoint:
        """Store a witness's cosignature line for the checkpoint of ``size`` after verifying it."""
        checkpoint = self.checkpoint_at(size)
        if witness.key_type != COSIGNATURE_V1:
            raise InvalidRequest("witness", "not a cosignature/v1 witness key")
        candidate = SignedCheckpoint(
            checkpoint.checkpoint, SignedNote.parse(checkpoint.note).with_signature(line).text
        )
        SignedNote.parse(checkpoint.checkpoint.body + "\n" + line).verify([witness])
        try:
            with self.store.connect() as conn:
                conn.execute(insert(AuditCosignatureRow).values(size=size, witness=witness.name, line=line))
        except IntegrityError:
            raise InvalidRequest(
                "witness", f"{witness.name} already cosigned the checkpoint of size {size}"
            ) from None
        return candidate

    def cosign(self, witness: SigningKey, *, state_file: Path, timestamp: int | None = None) -> Cosignature:
        """Run the witness protocol against this database: cosign the latest checkpoint if it is signed by
        this log and consistent with the last one the witness cosigned (its ``state_file``)."""
        latest = self.latest_checkpoint()
        if latest is None:
            raise NotFound("audit checkpoint", "latest")
        proof: list[bytes] = []
        if state_file.exists():
            previous = SignedCheckpoint.parse(state_file.read_text())
            if 0 < previous.size <= latest.size:
                proof = self.consistency_proof(previous.size, latest.size)
        result = witness_cosign(
            witness, self.public_key, latest, state_file=state_file, proof=proof, timestamp=timestamp
        )
        self.add_cosignature(result.size, result.line, witness.verifier)
        return result

    # -- reading --------------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        with self.store.connect() as conn:
            return int(
                conn.execute(select(AuditStateRow.size).where(AuditStateRow.log_id == LOG_ID)).scalar_one()
            )

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        """The newest signed checkpoint, with any witness cosignatures merged into its note."""
        with self.store.connect() as conn:
            row = conn.execute(
                select(AuditCheckpointRow.size, AuditCheckpointRow.note)
                .order_by(AuditCheckpointRow.size.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            return self._with_cosignatures(conn, row.size, row.note)

    def checkpoint_at(self, size: int) -> SignedCheckpoint:
        with self.store.connect() as conn:
            note = conn.execute(
                select(AuditCheckpointRow.note).where(AuditCheckpointRow.size == size)
            ).scalar_one_or_none()
            if note is None:
                raise NotFound("audit checkpoint of size", str(size))
            return self._with_cosignatures(conn, size, note)

    @staticmethod
    def _with_cosignatures(conn: Connection, size: int, note: str) -> SignedCheckpoint:
        lines = conn.execute(
            select(AuditCosignatureRow.line)
            .where(AuditCosignatureRow.size == size)
            .order_by(AuditCosignatureRow.witness)
        ).scalars()
        return SignedCheckpoint.parse(note + "".join(lines))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]) from the stored tree (default size: the whole log)."""
        with self.store.connect() as conn:
            size = self._size_arg(conn, size)
            if not 0 <= index < size:
                raise InvalidRequest("index", f"{index} is not an entry of a tree of size {size}")
            return _Tree(conn).inclusion_paths([index], size)[0]

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[second]) from the stored tree (empty for first == 0 or first == second)."""
        with self.store.connect() as conn:
            second = self._size_arg(conn, second)
            if not 0 <= first <= second:
                raise InvalidRequest("first", f"size {first} is not between 0 and {second}")
            if first in (0, second):
                return []
            return _Tree(conn).consistency(first, second)

    def root(self, size: int | None = None) -> bytes:
        """MTH(D[size]) from the stored tree."""
        with self.store.connect() as conn:
            size = self._size_arg(conn, size)
            if size == 0:
                return EMPTY_ROOT
            tree = _Tree(conn)
            tree.fetch([(0, size)])
            return tree.subtree(0, size)

    @staticmethod
    def _size_arg(conn: Connection, size: int | None) -> int:
        current = int(
            conn.execute(select(AuditStateRow.size).where(AuditStateRow.log_id == LOG_ID)).scalar_one()
        )
        if size is None:
            return current
        if not 0 <= size <= current:
            raise InvalidRequest("size", f"{size} is beyond the log's size {current}")
        return size

    def entry(self, index: int) -> bytes:
        with self.store.connect() as conn:
            data = conn.execute(
                select(AuditLeafRow.entry).where(AuditLeafRow.idx == index)
            ).scalar_one_or_none()
        if data is None:
            raise NotFound("audit entry", str(index))
        return bytes(data)

    def entries(self, start: int, end: int) -> list[bytes]:
        """Entry bytes for indices ``start`` .. ``end - 1`` (as stored)."""
        with self.store.connect() as conn:
            rows = conn.execute(
                select(AuditLeafRow.entry)
                .where(AuditLeafRow.idx >= start, AuditLeafRow.idx < end)
                .order_by(AuditLeafRow.idx)
            ).scalars()
            return [bytes(e) for e in rows]

    def receipt(self, index: int, checkpoint: SignedCheckpoint | None = None) -> Receipt:
        """A fresh receipt for entry ``index`` against ``checkpoint`` (default: the latest, signing one that
        covers the entry if needed)."""
        if checkpoint is not None and index >= checkpoint.size:
            raise InvalidRequest("index", f"entry {index} is not in the checkpoint of size {checkpoint.size}")
        checkpoint = checkpoint or self.latest_checkpoint()
        if checkpoint is None or index >= checkpoint.size:
            checkpoint = self.checkpoint()
        entry = self.entry(index)
        return Receipt(
            index, entry, leaf_hash(entry), tuple(self.inclusion_proof(index, checkpoint.size)), checkpoint
        )

    def verify_receipt(self, receipt: Receipt) -> Entry:
        """Check a receipt (log signature, entry, inclusion) and that this log still extends its checkpoint.

        Raises ``IntegrityViolation`` on a forged or stale-fork receipt.
        """
        entry = verify_receipt_offline(receipt, self.public_key, origin=self.origin)
        latest = self.latest_checkpoint()
        if latest is None or latest.size < receipt.checkpoint.size:
            raise IntegrityViolation(
                f"the receipt's checkpoint (size {receipt.checkpoint.size}) is newer than this log's latest"
            )
        verify_consistency(
            receipt.checkpoint.size,
            latest.size,
            receipt.checkpoint.root,
            latest.root,
            self.consistency_proof(receipt.checkpoint.size, latest.size),
        )
        return entry

    def require_receipts(
        self,
        receipts: Sequence[Receipt],
        *,
        required: Mapping[str, int],
        subject: str | None = None,
        central_region: str | None = None,
        before: int | None = None,
        initiator: str | None = None,
    ) -> list[Entry]:
        """Log before act, against this log: check each receipt, then prove all of them included in the newest
        checkpoint that carries the configured witness quorum, and apply ``gate.require_receipts``.

        Raises ``Refused`` when the approvals are not enough or no checkpoint covering them has the quorum yet
        (witnesses have not cosigned), ``IntegrityViolation`` for a forged receipt.
        """
        for receipt in receipts:
            self.verify_receipt(receipt)
        needed = max((r.index for r in receipts), default=-1) + 1
        checkpoint = self._quorum_checkpoint(needed)
        if checkpoint is None:
            raise Refused(
                f"no checkpoint covering entry {needed - 1} carries {self.quorum} witness cosignature(s) yet"
            )
        fresh = [self.receipt(r.index, checkpoint) for r in receipts]
        return gate_require_receipts(
            fresh,
            checkpoint=checkpoint,
            public_key=self.public_key,
            required=required,
            subject=subject,
            central_region=central_region,
            before=before,
            initiator=initiator,
            witnesses=self.witnesses,
            quorum=self.quorum,
        )

    def _quorum_checkpoint(self, min_size: int) -> SignedCheckpoint | None:
        if self.quorum == 0:
            latest = self.latest_checkpoint()
            return latest if latest is not None and latest.size >= min_size else self.checkpoint()
        names = {w.name for w in self.witnesses}
        with self.store.connect() as conn:
            rows = conn.execute(
                select(AuditCosignatureRow.size, AuditCosignatureRow.witness)
                .where(AuditCosignatureRow.size >= max(min_size, 1))
                .order_by(AuditCosignatureRow.size.desc())
            ).all()
        counts: dict[int, int] = {}
        for size, witness in rows:
            if witness in names:
                counts[size] = counts.get(size, 0) + 1
        for size in sorted(counts, reverse=True):
            if counts[size] >= self.quorum:
                return self.checkpoint_at(size)
        return None

    def events(
        self,
        type_prefix: str | None = None,
        subject: str | None = None,
        *,
        start: int = 0,
        limit: int | None = None,
    ) -> list[LoggedEvent]:
        """Events in log order, optionally those whose type is ``type_prefix`` or under it (``requests``
        matches ``requests.approve``) and/or that name ``subject``. Payloads are checked against their
        commitment."""
        query = (
            select(AuditLeafRow.idx, AuditLeafRow.entry, AuditPayloadRow.salt, AuditPayloadRow.payload)
            .outerjoin(AuditPayloadRow, AuditPayloadRow.idx == AuditLeafRow.idx)
            .where(AuditLeafRow.idx >= start)
            .order_by(AuditLeafRow.idx)
        )
        if type_prefix:
            prefix = type_prefix.rstrip(".")
            query = query.where(
                (AuditLeafRow.type == prefix) | AuditLeafRow.type.startswith(prefix + ".", autoescape=True)
            )
        if subject is not None:
            query = query.where(
                AuditLeafRow.idx.in_(select(AuditSubjectRow.idx).where(AuditSubjectRow.subject == subject))
            )
        if limit is not None:
            query = query.limit(limit)
        out = []
        with self.store.connect() as conn:
            for idx, data, salt, payload in conn.execute(query):
                try:
                    entry = decode_entry(bytes(data))
                except EntryError as exc:
                    raise IntegrityViolation(f"audit entry {idx}: {exc}") from None
                value = None
                if payload is not None:
                    if commitment(bytes(salt), payload.encode("utf-8")) != entry.commitment:
                        raise IntegrityViolation(f"audit entry {idx}: payload does not match its commitment")
                    value = json.loads(payload)
                out.append(LoggedEvent(idx, entry, value))
        return out
