"""RFC 9162 Merkle tree: roots, inclusion and consistency proofs, and every verifier refusal path."""

from __future__ import annotations

import hashlib

import pymerkle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaspguard.audit._merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    mth,
    node_hash,
    subtree_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from vaspguard.errors import ProofError

ENTRIES = [f"entry {i}".encode() for i in range(300)]
LEAVES = [leaf_hash(e) for e in ENTRIES]


def reference_root(entries: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 transcribed as literally as possible (independent of the module's ``mth``)."""
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = 1
    while k * 2 < len(entries):
        k *= 2
    return hashlib.sha256(b"\x01" + reference_root(entries[:k]) + reference_root(entries[k:])).digest()


def frontier_root(entries: list[bytes]) -> bytes:
    frontier = Frontier()
    for e in entries:
        frontier.append(leaf_hash(e))
    return frontier.root()


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert Frontier().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_rfc_domain_separation() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=300))
def test_frontier_root_equals_recursive_definition(n: int) -> None:
    assert frontier_root(ENTRIES[:n]) == reference_root(ENTRIES[:n]) == mth(LEAVES[:n])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=64))
def test_root_of_arbitrary_entries(entries: list[bytes]) -> None:
    assert frontier_root(entries) == reference_root(entries)


def test_roots_1_to_300_match_pymerkle_oracle() -> None:
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    frontier = Frontier()
    for n, entry in enumerate(ENTRIES, start=1):
        tree.append_entry(entry)
        frontier.append(leaf_hash(entry))
        assert frontier.root() == tree.get_root(n), n


def test_frontier_reports_every_completed_subtree() -> None:
    nodes: dict[tuple[int, int], bytes] = {}
    frontier = Frontier()
    for leaf in LEAVES[:37]:
        frontier.append(leaf, lambda level, idx, h: nodes.__setitem__((level, idx), h))
    assert nodes[(5, 0)] == mth(LEAVES[:32])
    assert nodes[(2, 8)] == mth(LEAVES[32:36])
    assert (3, 4) not in nodes  # leaves 32..39 are not all there yet
    assert len(nodes) == 37 - (37).bit_count()
    restored = Frontier.from_bytes(37, frontier.to_bytes())
    assert restored.root() == mth(LEAVES[:37])


def test_rfc_example_paths() -> None:
    """RFC 9162 §2.1.5: in the 7-leaf tree, PATH(0) = [b, h, l], PATH(6) = [i, k], PROOF(3) = [c, d, g, l]."""
    d = LEAVES[:7]
    sub = subtree_from_leaves(d)
    a, b, c, dd, e, f, j = d
    g, h, i = node_hash(a, b), node_hash(c, dd), node_hash(e, f)
    k, l_ = node_hash(g, h), node_hash(i, j)
    assert inclusion_path(0, 7, sub) == [b, h, l_]
    assert inclusion_path(6, 7, sub) == [i, k]
    assert consistency_proof(3, 7, sub) == [c, dd, g, l_]
    assert consistency_proof(4, 7, sub) == [l_]
    assert consistency_proof(6, 7, sub) == [i, j, k]


def test_every_inclusion_proof_up_to_128_verifies_and_matches_pymerkle() -> None:
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for entry in ENTRIES[:128]:
        tree.append_entry(entry)
    sub = subtree_from_leaves(LEAVES)
    for n in range(1, 129):
        root = mth(LEAVES[:n])
        for m in range(n):
            path = inclusion_path(m, n, sub)
            verify_inclusion(LEAVES[m], m, n, path, root)
            oracle = tree.prove_inclusion(m + 1, n)  # pymerkle counts leaves from 1, starts with the leaf
            assert [bytes.fromhex(h) for h in oracle.serialize()["path"]] == [LEAVES[m], *path]
            pymerkle.verify_inclusion(LEAVES[m], root, oracle)


def test_every_consistency_proof_up_to_128_verifies_and_pymerkle_agrees() -> None:
    tree = pymerkle.InmemoryTree(algorithm="sha256")
    for entry in ENTRIES[:128]:
        tree.append_entry(entry)
    sub = subtree_from_leaves(LEAVES)
    roots = [mth(LEAVES[:n]) for n in range(129)]
    for n in range(1, 129):
        for m in range(1, n + 1):
            proof = consistency_proof(m, n, sub)
            verify_consistency(m, n, roots[m], roots[n], proof)
            if m < n:
                # pymerkle's proofs have their own layout; it agrees that our two roots are consistent.
                pymerkle.verify_consistency(roots[m], roots[n], tree.prove_consistency(m, n))
        verify_consistency(0, n, EMPTY_ROOT, roots[n], [])


def _flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


@pytest.mark.parametrize(
    ("m", "n"), [(0, 1), (0, 2), (3, 7), (6, 7), (8, 16), (15, 16), (31, 100), (99, 100)]
)
def test_inclusion_verifier_refusals(m: int, n: int) -> None:
    sub = subtree_from_leaves(LEAVES)
    root = mth(LEAVES[:n])
    path = inclusion_path(m, n, sub)
    verify_inclusion(LEAVES[m], m, n, path, root)
    with pytest.raises(ProofError):  # another leaf
        verify_inclusion(LEAVES[m + 1], m, n, path, root)
    with pytest.raises(ProofError):  # wrong root
        verify_inclusion(LEAVES[m], m, n, path, _flip(root))
    with pytest.raises(ProofError):  # index beyond the tree
        verify_inclusion(LEAVES[m], n, n, path, root)
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[m], -1, n, path, root)
    if path:
        with pytest.raises(ProofError):  # forged proof element
            verify_inclusion(LEAVES[m], m, n, [*path[:-1], _flip(path[-1])], root)
        with pytest.raises(ProofError):  # truncated path
            verify_inclusion(LEAVES[m], m, n, path[:-1], root)
        with pytest.raises(ProofError):  # wrong-length hash
            verify_inclusion(LEAVES[m], m, n, [path[0][:31], *path[1:]], root)
    with pytest.raises(ProofError):  # extended path
        verify_inclusion(LEAVES[m], m, n, [*path, LEAVES[0]], root)
    if n > 1:
        with pytest.raises(ProofError):  # right path, claimed for another index
            verify_inclusion(LEAVES[m], (m + 1) % n, n, path, root)


@pytest.mark.parametrize(("m", "n"), [(1, 2), (3, 7), (4, 7), (4, 8), (6, 7), (16, 17), (32, 100), (99, 100)])
def test_consistency_verifier_refusals(m: int, n: int) -> None:
    sub = subtree_from_leaves(LEAVES)
    r1, r2 = mth(LEAVES[:m]), mth(LEAVES[:n])
    proof = consistency_proof(m, n, sub)
    verify_consistency(m, n, r1, r2, proof)
    with pytest.raises(ProofError):  # forged element
        verify_consistency(m, n, r1, r2, [*proof[:-1], _flip(proof[-1])])
    with pytest.raises(ProofError):  # truncated
        verify_consistency(m, n, r1, r2, proof[:-1])
    with pytest.raises(ProofError):  # extended
        verify_consistency(m, n, r1, r2, [*proof, r1])
    with pytest.raises(ProofError):  # fork: the old tree had another root
        verify_consistency(m, n, _flip(r1), r2, proof)
    with pytest.raises(ProofError):  # the new root is not the one proven
        verify_consistency(m, n, r1, _flip(r2), proof)
    with pytest.raises(ProofError):  # rollback: a smaller tree cannot extend a larger one
        verify_consistency(n, m, r2, r1, proof)
    with pytest.raises(ProofError):  # empty proof between different sizes
        verify_consistency(m, n, r1, r2, [])


def test_equal_sizes_need_equal_roots() -> None:
    r = mth(LEAVES[:5])
    verify_consistency(5, 5, r, r, [])
    with pytest.raises(ProofError):
        verify_consistency(5, 5, r, _flip(r), [])
    with pytest.raises(ProofError):
        verify_consistency(5, 5, r, r, [r])
    with pytest.raises(ProofError):
        verify_consistency(0, 5, EMPTY_ROOT, r, [r])


def test_power_of_two_first_size_is_handled() -> None:
    """The pitfall of verifiers that skip RFC 9162 §2.1.4.2 step 2 (prepending first_hash)."""
    sub = subtree_from_leaves(LEAVES)
    for m in (1, 2, 4, 8, 16, 32, 64):
        for n in (m + 1, 2 * m, 100):
            if n > m:
                verify_consistency(m, n, mth(LEAVES[:m]), mth(LEAVES[:n]), consistency_proof(m, n, sub))
