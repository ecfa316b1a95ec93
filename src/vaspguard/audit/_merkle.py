"""RFC 9162 §2.1 Merkle tree hashing, proofs and their verifiers, with the RFC's names.

Definitions (RFC 9162 §2.1.1), for a list of n entries D[n] = {d(0), ..., d(n-1)}:

- ``MTH({}) = SHA-256()``
- ``MTH({d(0)}) = SHA-256(0x00 || d(0))``                               (a leaf)
- ``MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``            (k = largest power of 2 < n)

The leaf and node prefixes give second-preimage resistance. Indices are 0-based.

This module is pure (no database): the producer side (``Frontier``, ``inclusion_path``, ``consistency_proof``)
works over a ``SubtreeHash`` callable returning MTH(D[start:end]), so the same recursive definitions serve an
in-memory list of leaf hashes and the stored tree. The verifiers (§2.1.3.2, §2.1.4.2) are the bit-twiddling
algorithms of the RFC, deliberately independent of the producer code, so that a bug in one is caught by the
other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from vaspguard.errors import IntegrityViolation, ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: MTH(D[start:end]) for 0 <= start < end <= n.
SubtreeHash = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 || entry)``."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """k: the largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def mth(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, straight from the recursive definition (reference; O(n) recursion)."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = split_point(n)
    return node_hash(mth(leaf_hashes[:k]), mth(leaf_hashes[k:]))


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, built level by level: pairing neighbours and carrying an odd last node up
    unchanged builds the same tree as the recursive definition (``mth``), without recursion (for a disclosure
    package's files and records; tests check both against each other)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


class Frontier:
    """The right edge of a tree: the roots of its perfect subtrees, largest first (a "compact range").

    A tree of size n has one perfect subtree per set bit of n; appending a leaf merges equal-sized ones,
    like binary addition. ``root()`` folds them right to left, which equals MTH(D[n]). ``on_node`` (if given)
    is told of every completed perfect subtree of height >= 1 as (level, index, hash), so a store can keep
    them for proofs.
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if len(hashes) != size.bit_count():
            raise IntegrityViolation(f"frontier of a {size}-leaf tree needs {size.bit_count()} hashes")
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes, on_node: Callable[[int, int, bytes], None] | None = None) -> None:
        """Add one leaf hash at index ``self.size``."""
        h = leaf
        index = self.size
        level = 0
        while index & 1:
            h = node_hash(self.hashes.pop(), h)
            index >>= 1
            level += 1
            if on_node is not None:
                on_node(level, index, h)
        self.hashes.append(h)
        self.size += 1

    def root(self) -> bytes:
        if self.size == 0:
            return EMPTY_ROOT
        h = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            h = node_hash(left, h)
        return h

    def copy(self) -> Frontier:
        return Frontier(self.size, list(self.hashes))

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, blob: bytes) -> Frontier:
        if len(blob) != HASH_SIZE * size.bit_count():
            raise IntegrityViolation(f"stored frontier has {len(blob)} bytes, a {size}-leaf tree needs more")
        return cls(size, [blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE)])


def inclusion_path(m: int, n: int, subtree: SubtreeHash) -> list[bytes]:
    """PATH(m, D[n]) (RFC 9162 §2.1.3.1): the audit path for leaf m in the tree of size n."""
    if not 0 <= m < n:
        raise ValueError(f"leaf index {m} is outside a tree of size {n}")
    path: list[bytes] = []
    start, end = 0, n
    # Iterative form of the recursion: descend towards m, collecting the sibling subtree roots.
    while end - start > 1:
        k = split_point(end - start)
        if m - start < k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(m: int, n: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(m, D[n]) (RFC 9162 §2.1.4.1) for 0 < m <= n; empty when m == n."""
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof from size {m} to size {n}")
    return _subproof(m, 0, n, True, subtree)


def _subproof(m: int, start: int, end: int, b: bool, subtree: SubtreeHash) -> list[bytes]:
    """SUBPROOF(m, D[start:end], b), with m relative to ``start``."""
    n = end - start
    if m == n:
        return [] if b else [subtree(start, end)]
    k = split_point(n)
    if m <= k:
        return [*_subproof(m, start, start + k, b, subtree), subtree(start + k, end)]
    return [*_subproof(m - k, start + k, end, False, subtree), subtree(start, start + k)]


def subtree_from_leaves(leaf_hashes: Sequence[bytes]) -> SubtreeHash:
    """A ``SubtreeHash`` over an in-memory list of leaf hashes (for tests and small trees)."""

    def subtree(start: int, end: int) -> bytes:
        return mth(leaf_hashes[start:end])

    return subtree


def verify_inclusion(
    leaf: bytes, leaf_index: int, tree_size: int, inclusion_path: Sequence[bytes], root_hash: bytes
) -> None:
    """RFC 9162 §2.1.3.2: verify an inclusion proof; raise ``ProofError`` if it fails."""
    # 1. Compare leaf_index against tree_size. If leaf_index is greater than or equal to tree_size, fail.
    if not 0 <= leaf_index < tree_size:
        raise ProofError(f"leaf index {leaf_index} is not below tree size {tree_size}")
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = leaf_index, tree_size - 1
    # 3. Set r to hash.
    r = leaf
    # 4. For each value p in the inclusion_path array:
    for p in inclusion_path:
        _check_hash(p)
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            raise ProofError("inclusion path is longer than the tree is deep")
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # i. Set r to HASH(0x01 || p || r).
            r = node_hash(p, r)
            # ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set
            #     or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        # Otherwise: Set r to HASH(0x01 || r || p).
        else:
            r = node_hash(r, p)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r and the root_hash are
    #    equal, then the log has proven the inclusion of hash. Otherwise, fail the proof verification.
    if sn != 0:
        raise ProofError("inclusion path is truncated")
    if r != root_hash:
        raise ProofError(
            f"inclusion path for leaf {leaf_index} does not lead to the root of size {tree_size}"
        )


def verify_consistency(  # noqa: C901
    first: int, second: int, first_hash: bytes, second_hash: bytes, consistency_path: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: verify that the tree (first, first_hash) is a prefix of (second, second_hash).

    Also handles the cases the RFC leaves to the caller: ``first == second`` (the roots must be equal, the
    path empty) and ``first == 0`` (the empty tree is a prefix of every tree; the path must be empty).
    """
    if not 0 <= first <= second:
        raise ProofError(f"size {second} cannot extend size {first}")
    if first == second:
        if consistency_path:
            raise ProofError("a proof between equal sizes must be empty")
        if first_hash != second_hash:
            raise ProofError(f"two different roots for tree size {first}")
        return
    if first == 0:
        if consistency_path:
            raise ProofError("a proof from the empty tree must be empty")
        return
    for p in consistency_path:
        _check_hash(p)
    # 1. If consistency_path is an empty array, stop and fail the proof verification.
    if not consistency_path:
        raise ProofError("empty consistency proof")
    path = list(consistency_path)
    # 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # i. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set
            #     or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        # Otherwise: Set sr to HASH(0x01 || sr || c).
        else:
            sr = node_hash(sr, c)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. After completing iterating through the consistency_path array as described above, verify that the
    #    fr calculated is equal to the first_hash supplied, that the sr calculated is equal to the
    #    second_hash supplied, and that sn is 0.
    if sn != 0:
        raise ProofError("consistency proof is truncated")
    if fr != first_hash:
        raise ProofError(f"consistency proof does not lead to the root of size {first}")
    if sr != second_hash:
        raise ProofError(f"consistency proof does not lead to the root of size {second}")


def _check_hash(value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"a proof hash must be {HASH_SIZE} bytes, got {len(value)}")
