"""The verifier's inner loop over one chunk of entries, runnable in a worker process.

A chunk holds ``CHUNK`` (a power of two) consecutive entries starting at a multiple of ``CHUNK``, so a full
chunk is one perfect subtree of the RFC 9162 tree and chunks combine like leaves of a higher tree. For each
requested tree size ("cut") inside the chunk, the scan returns the roots of the perfect subtrees that make up
the chunk's prefix up to that size; the caller puts them after the frontier of the chunks before it and folds,
which gives MTH(D[0:size]).

Kept free of database and configuration imports so worker processes start quickly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from vaspguard.audit._event import EntryError, canonical_fields, check_entry

CHUNK = 1 << 16
MAX_EXAMPLES = 10


@dataclass
class ChunkResult:
    start: int
    chunk: int  # the chunk size (a power of two); count < chunk only for the last chunk
    count: int
    pieces: list[bytes]  # perfect subtree roots of the whole chunk (one hash when the chunk is full)
    cuts: dict[int, list[bytes]]  # absolute tree size -> pieces of [start, size)
    bad_entries: list[tuple[int, str]] = field(default_factory=list)  # (position, reason)
    bad_count: int = 0
    first_idx: int | None = None
    last_idx: int | None = None
    increasing: bool = True
    out_of_place: list[tuple[int, int]] = field(default_factory=list)  # (position, idx the entry claims)
    commitments: list[tuple[int, str]] = field(default_factory=list)
    timestamps: dict[int, str] = field(default_factory=dict)
    cut_off: bool = False


def _pieces(levels: list[list[bytes]], r: int) -> list[bytes]:
    """Perfect subtree roots covering the first ``r`` leaves, largest first."""
    return [levels[h][(r >> h) - 1] for h in range(r.bit_length() - 1, -1, -1) if r >> h & 1]


def scan_chunk(
    lines: list[bytes],
    start: int,
    cuts: tuple[int, ...],
    want_commitments: bool,
    want_ts: tuple[int, ...],
    chunk: int = CHUNK,
) -> ChunkResult:
    """Check every entry of the chunk (canonical encoding, own index) and hash the chunk's subtree."""
    sha256 = hashlib.sha256
    leaves: list[bytes] = []
    result = ChunkResult(start, chunk, len(lines), [], {})
    previous: int | None = None
    for offset, line in enumerate(lines):
        position = start + offset
        if line.endswith(b"\n"):
            raw = line[:-1]
        else:
            raw = line
            result.cut_off = True
        leaves.append(sha256(b"\x00" + raw).digest())
        fields = canonical_fields(raw)
        if fields is None:
            # Not on the fast path: the full decode and re-encode gives the verdict and its reason.
            try:
                obj = check_entry(raw)
            except EntryError as exc:
                result.bad_count += 1
                if len(result.bad_entries) < MAX_EXAMPLES:
                    result.bad_entries.append((position, str(exc)))
                continue
            fields = (obj["idx"], obj["commitment"], obj["ts"])
        idx, commitment_hex, ts = fields
        if result.first_idx is None:
            result.first_idx = idx
        result.last_idx = idx
        if previous is not None and idx <= previous:
            result.increasing = False
        previous = idx
        if idx != position and len(result.out_of_place) < MAX_EXAMPLES:
            result.out_of_place.append((position, idx))
        if want_commitments:
            result.commitments.append((idx, commitment_hex))
        if position in want_ts:
            result.timestamps[position] = ts
    _hash_tree(leaves, start, cuts, result)
    return result


def _hash_tree(leaves: list[bytes], start: int, cuts: tuple[int, ...], result: ChunkResult) -> None:
    """The chunk's tree, level by level (each level pairs the complete pairs of the one below): its
    pieces, and the pieces of each cut inside the chunk, into ``result``."""
    sha256 = hashlib.sha256
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [sha256(b"\x01" + below[i] + below[i + 1]).digest() for i in range(0, len(below) - 1, 2)]
        )
    if leaves:
        result.pieces = _pieces(levels, len(leaves))
    for size in cuts:
        if start < size <= start + len(leaves):
            result.cuts[size] = _pieces(levels, size - start)


def scan_span(
    path: str,
    offset: int,
    count: int,
    start: int,
    cuts: tuple[int, ...],
    want_commitments: bool,
    want_ts: tuple[int, ...],
    chunk: int = CHUNK,
) -> ChunkResult:
    """``scan_chunk`` of the ``count`` lines at byte ``offset`` of the file (a worker reads its own chunk)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        lines = [fh.readline() for _ in range(count)]
    return scan_chunk(lines, start, cuts, want_commitments, want_ts, chunk)
