"""The append and verify hot paths against the plain definitions they shortcut."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaspguard.audit import Event
from vaspguard.audit._event import canonical_fields, check_entry, commitment, encode_entry, new_salts
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


TS = datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)
GOOD = encode_entry(Event(type="a.b", actor="x"), idx=3, ts=TS, commitment_hex="ab" * 32)
any_text = st.text(max_size=25)  # controls, quotes, backslashes, non-ASCII: every escape the encoder makes


@settings(max_examples=400, deadline=None)
@given(
    actor=any_text.filter(lambda s: s.strip()),
    role=any_text,
    subjects=st.lists(st.text(min_size=1, max_size=15), max_size=4, unique=True),
    policy=st.none() | any_text,
    idx=st.integers(min_value=0, max_value=2**62),
    kind=st.sampled_from(["a", "requests.approve", "x_1.y2.z"]),
)
def test_fast_path_takes_every_encoder_output(
    actor: str, role: str, subjects: list[str], policy: str | None, idx: int, kind: str
) -> None:
    event = Event(type=kind, actor=actor, actor_role=role, subjects=tuple(subjects), policy_version=policy)
    entry = encode_entry(event, idx=idx, ts=TS, commitment_hex="0f" * 32)
    obj = check_entry(entry)
    assert (
        canonical_fields(entry) == (obj["idx"], obj["commitment"], obj["ts"]) == (idx, "0f" * 32, obj["ts"])
    )


@settings(max_examples=1500, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(GOOD) - 1),
    cut=st.integers(min_value=0, max_value=4),
    insert=st.binary(max_size=4) | st.sampled_from([b"\\u0078", b"\\/", b" ", b'"', b"0", b"\\", b"\xc3"]),
)
def test_fast_path_accepts_nothing_the_strict_check_refuses(position: int, cut: int, insert: bytes) -> None:
    """Mutated entries (bytes replaced, removed, inserted): whatever the fast path accepts, the full decode
    and re-encode accepts too, with the same fields; everything else falls back to the strict check."""
    line = GOOD[:position] + insert + GOOD[position + cut :]
    fields = canonical_fields(line)
    if fields is not None:
        obj = check_entry(line)
        assert fields == (obj["idx"], obj["commitment"], obj["ts"])


@pytest.mark.parametrize(
    "bad",
    [
        GOOD.replace(b'"idx":3', b'"idx":03'),
        GOOD.replace(b'"actor":"x"', b'"actor":"\\u0078"'),
        GOOD.replace(b'"actor":"x"', b'"actor":"\\u000a"'),  # the encoder writes \n
        GOOD.replace(b'"actor":"x"', b'"actor":"\\u001F"'),  # upper-case hex
        GOOD.replace(b'"actor":"x"', b'"actor":"\x01"'),  # a raw control
        GOOD.replace(b'"actor":"x"', b'"actor":"\xff"'),
        GOOD.replace(b"2026", "٢٠٢٦".encode()),  # digits, but not ASCII ones
        GOOD.replace(b'"v":1}', b'"v":1} '),
        GOOD + b'"',
        GOOD.replace(b'"actor":"x"', b'"actor":"' + b"a" * 5000),  # unterminated: no runaway backtracking
    ],
)
def test_fast_path_refuses_near_misses(bad: bytes) -> None:
    assert canonical_fields(GOOD) == (3, "ab" * 32, "2026-11-28T12:00:00.123456Z")
    assert canonical_fields(bad) is None
