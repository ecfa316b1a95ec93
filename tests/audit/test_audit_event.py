"""Canonical entries: the fast encoder is canonical JSON, decoding is strict, commitments hide payloads."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaspguard.audit import Event
from vaspguard.audit._event import (
    EntryError,
    canonical_json,
    check_entry,
    commitment,
    decode_entry,
    encode_entry,
)

text = st.text(max_size=30).filter(lambda s: s.strip() and all(ord(c) >= 0x20 and ord(c) != 0x7F for c in s))
TS = datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(
    actor=text,
    role=st.text(max_size=20),
    subjects=st.lists(st.text(min_size=1, max_size=20), max_size=4, unique=True),
    policy=st.none() | st.text(max_size=40),
    idx=st.integers(min_value=0, max_value=2**62),
)
def test_fast_encoding_is_canonical_json_and_round_trips(
    actor: str, role: str, subjects: list[str], policy: str | None, idx: int
) -> None:
    event = Event(type="x.y_z", actor=actor, actor_role=role, subjects=tuple(subjects), policy_version=policy)
    entry = encode_entry(event, idx=idx, ts=TS, commitment_hex="0" * 64)
    assert entry == canonical_json(json.loads(entry))
    decoded = decode_entry(entry)
    assert (decoded.idx, decoded.actor, decoded.actor_role, decoded.subjects, decoded.policy_version) == (
        idx,
        actor,
        role,
        tuple(subjects),
        policy,
    )
    assert decoded.time == TS


GOOD = encode_entry(Event(type="a.b", actor="x"), idx=3, ts=TS, commitment_hex="ab" * 32)


@pytest.mark.parametrize(
    "bad",
    [
        GOOD.replace(b'"v":1', b'"v":2'),
        GOOD.replace(b'"v":1', b'"v":true'),
        GOOD.replace(b'"idx":3', b'"idx":-3'),
        GOOD.replace(b'"idx":3', b'"idx":3.0'),
        GOOD.replace(b'"idx":3', b'"idx":"3"'),
        GOOD.replace(b'"type":"a.b"', b'"type":"A.B"'),
        GOOD.replace(b"2026-11-28T12:00:00.123456Z", b"2026-11-28 12:00:00"),
        GOOD.replace(b'"ab', b'"AB'),
        GOOD.replace(b'"subjects":[]', b'"subjects":"x"'),
        GOOD.replace(b'"subjects":[]', b'"subjects":[1]'),
        GOOD.replace(b'"policy_version":null', b'"policy_version":1'),
        GOOD.replace(b"{", b"{ "),  # whitespace
        GOOD.replace(b'{"actor":"x",', b'{"actor":"x","actor":"x",'),  # duplicate key
        GOOD.replace(b',"v":1}', b',"v":1,"extra":1}'),
        GOOD.replace(b'"actor":"x"', b'"actor":"\\u0078"'),  # an escape the canonical form does not use
        GOOD.replace(b'"actor":"x"', b'"actor":"\xff"'),  # not UTF-8
        b"[]",
        b"",
    ],
)
def test_non_canonical_entries_are_rejected(bad: bytes) -> None:
    check_entry(GOOD)
    with pytest.raises(EntryError):
        check_entry(bad)


def test_commitment_binds_and_hides() -> None:
    payload = canonical_json({"name": "Ivan Petrov"})
    salt1, salt2 = b"\x01" * 32, b"\x02" * 32
    assert commitment(salt1, payload) != commitment(salt2, payload)  # no dictionary attack without the salt
    assert commitment(salt1, payload) != commitment(salt1, canonical_json({"name": "Ivan Petrow"}))
    assert commitment(salt1, payload) == commitment(salt1, payload)
