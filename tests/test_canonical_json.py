"""One canonical-JSON module (issue 17): the five copies it replaced each hashed or signed bytes that are
stored (audit entries and commitments, list snapshots, lawful-request approvals and manifests, decision-log
digests, screening fingerprints). The one module must give exactly the bytes each copy gave, so every log,
snapshot, signature and fingerprint already stored still verifies. The copies are kept here, as they were,
as the specification of those bytes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaspguard._json import canonical_json, canonical_text, fingerprint_json, to_jsonable


# --- the copies, as they were -------------------------------------------------------------------------------
def audit_event(value: Any) -> bytes:  # audit/_event.py
    enc = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return enc.encode(value).encode("utf-8")


def lists_snapshots(value: Any) -> str:  # lists/_snapshots.py
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def requests_crypto(value: Any, *, plain: bool = False) -> bytes:  # requests/_crypto.py
    return json.dumps(
        value if plain else to_jsonable(value),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    return to_jsonable(value)


def policy_log(value: Any) -> bytes:  # policy/_log.py (input_digest)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    ).encode()


def screening_alerts(value: Any) -> bytes:  # screening/_alerts.py (_sha)
    return json.dumps(to_jsonable(value), sort_keys=True).encode()


# --- values of every kind those call sites see ----------------------------------------------------------
class Colour(StrEnum):
    RED = "red"


TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)  # incl. Щ, 中, control chars
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
RICH = st.recursive(
    JSON
    | st.decimals(allow_nan=False, allow_infinity=False, places=8)
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.just(Colour.RED),
    lambda inner: (
        st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(TEXT, inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_json_values_give_the_bytes_every_copy_gave(value: Any) -> None:
    assert canonical_json(value) == audit_event(value)
    assert canonical_text(value) == lists_snapshots(value)
    assert canonical_json(value, convert=True) == requests_crypto(value) == requests_crypto(value, plain=True)
    assert canonical_json(value, convert=True) == policy_log(value)
    assert fingerprint_json(value) == screening_alerts(value)


@settings(max_examples=300, deadline=None)
@given(RICH)
def test_decimals_dates_and_enums_give_the_bytes_every_copy_gave(value: Any) -> None:
    assert canonical_json(value, convert=True) == requests_crypto(value)
    assert canonical_json(value, convert=True) == policy_log(value)
    assert fingerprint_json(value) == screening_alerts(value)


def test_samples_and_what_is_refused() -> None:
    sample = {"name": "Иван Щукин", "amount": Decimal("10000.50"), "day": date(2022, 4, 8), "at": None}
    assert canonical_json(sample, convert=True) == (
        '{"amount":"10000.50","at":null,"day":"2022-04-08","name":"Иван Щукин"}'.encode()
    )
    assert fingerprint_json({"b": 1, "a": "Щ"}) == b'{"a": "\\u0429", "b": 1}'
    with pytest.raises(TypeError):  # the strict form takes JSON values only (audit payloads are checked)
        canonical_json({"amount": Decimal(1)})
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})
    with pytest.raises(TypeError):
        canonical_json({"x": object()}, convert=True)
    assert (
        canonical_json({"at": datetime(2026, 1, 1, tzinfo=UTC)}, convert=True)
        == b'{"at":"2026-01-01T00:00:00+00:00"}'
    )
