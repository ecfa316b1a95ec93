"""The append and verify hot paths against the plain definitions they shortcut."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from vaspguard.audit._event import commitment, new_salts
from vaspguard.audit._log import _batch_paths, _frontier_pieces
from vaspguard.audit._merkle import (
    Frontier,
    inclusion_path,
    leaf_hash,
    mth,
    subtree_from_leaves,
    verify_inclusion,
)

LEAVES = [leaf_hash(b"entry %d" % i) for i in range(200)]


@pytest.mark.parametrize("old", [0, 1, 2, 3, 5, 8, 13, 31, 32, 64, 100])
@pytest.mark.parametrize("batch", [1, 2, 3, 7, 16, 33, 100])
def test_batch_paths_equal_rfc_paths(old: int, batch: int) -> None:
    """The per-batch paths a receipt carries are exactly PATH(m, D[n]) of RFC 9162 §2.1.3.1, computed from
    nothing but what the writer holds: the old frontier, the new leaves and the nodes they complete."""
    frontier = Frontier()
    for h in LEAVES[:old]:
        frontier.append(h)
    known = dict(_frontier_pieces(frontier))

    def on_node(level: int, idx: int, h: bytes) -> None:
        known[(level, idx)] = h

    for i in range(old, old + batch):
        known[(0, i)] = LEAVES[i]
        frontier.append(LEAVES[i], on_node)
    n = old + batch
    subtree = subtree_from_leaves(LEAVES[:n])
    paths = _batch_paths(known, old, n)
    assert len(paths) == batch
    root = mth(LEAVES[:n])
    for m, path in zip(range(old, n), paths, strict=True):
        assert path == inclusion_path(m, n, subtree)
        verify_inclusion(LEAVES[m], m, n, path, root)


def test_batch_paths_need_the_old_frontier() -> None:
    """Without the old frontier's subtree roots the batch's paths cannot be made up: a missing hash is an
    error, never a silently shorter path."""
    frontier = Frontier()
    for h in LEAVES[:5]:
        frontier.append(h)
    known = {(0, 5): LEAVES[5]}
    with pytest.raises(KeyError):
        _batch_paths(known, 5, 6)


def test_one_shot_commitment_is_hmac_sha256() -> None:
    salt, payload = b"s" * 32, b'{"a":1}'
    assert commitment(salt, payload) == hmac.new(salt, payload, hashlib.sha256).hexdigest()


def test_batch_salts_are_distinct_and_full_size() -> None:
    salts = new_salts(100)
    assert len(salts) == 100 and len(set(salts)) == 100
    assert all(len(s) == 32 for s in salts)
