"""Input limits before work: the token is checked before a body is read, bodies are capped while they stream
in (413), and JSON a lenient parser would pass on to the code is refused first (422, one line)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from vaspguard.api import Role, create_app, create_token
from vaspguard.api._limits import body_problem
from vaspguard.settings import Settings
from vaspguard.store import Store

LIMIT = 1000
BATCH_LIMIT = 4000


@pytest.fixture
def app(sqlite_store: Store) -> FastAPI:
    return create_app(sqlite_store, Settings(api_body_limit=LIMIT, api_batch_body_limit=BATCH_LIMIT))


def _token(store: Store, role: Role = Role.ADMIN) -> dict[str, str]:
    return {"authorization": f"Bearer {create_token(store, name=role.value, role=role)}"}


def _call(
    app: FastAPI, path: str, chunks: Iterable[bytes], headers: dict[str, str]
) -> tuple[int, dict[str, Any], int]:
    """POST ``chunks`` to ``path`` through the app as an ASGI server would; (status, body, bytes read)."""

    async def go() -> tuple[int, dict[str, Any], int]:
        source: Iterator[bytes] = iter(chunks)
        pending = next(source, None)
        read = 0
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal pending, read
            if pending is None:
                return {"type": "http.disconnect"}
            chunk, pending = pending, next(source, None)
            read += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": pending is not None}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (k.lower().encode(), v.encode())
                for k, v in {"content-type": "application/json", **headers}.items()
            ],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
            "state": {},
        }
        await app(scope, receive, send)
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return status, json.loads(body), read

    return asyncio.run(go())


def _flood(total: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """``total`` bytes of a JSON-looking body in ``chunk``-sized pieces, made as they are asked for."""
    piece = b" " * chunk
    for _ in range(total // chunk):
        yield piece


@pytest.mark.parametrize("path", ["/v1/audit/notes", "/v1/screen", "/v1/decisions", "/v1/nowhere"])
def test_a_body_without_a_valid_token_is_refused_unread(app: FastAPI, path: str) -> None:
    for headers in ({}, {"authorization": "Bearer vg_forged"}, {"authorization": "Basic eDp5"}):
        status, body, read = _call(app, path, _flood(100 << 20), headers)
        assert (status, body["status"], read) == (401, 401, 0)


def test_a_role_that_may_not_decide_is_refused_before_the_body(app: FastAPI, sqlite_store: Store) -> None:
    status, body, read = _call(app, "/v1/decisions", _flood(100 << 20), _token(sqlite_store, Role.AUDITOR))
    assert (status, body["detail"], read) == (403, "role auditor may not do this", 0)


def test_a_declared_length_over_the_limit_is_413_unread(app: FastAPI, sqlite_store: Store) -> None:
    headers = {**_token(sqlite_store), "content-length": str(LIMIT + 1)}
    status, body, read = _call(app, "/v1/audit/notes", [b"x" * (LIMIT + 1)], headers)
    assert (status, read) == (413, 0)
    assert body["type"] == "urn:vaspguard:problem:body-too-large"
    assert body["detail"] == f"the body is larger than {LIMIT} bytes, this route's limit"


def test_a_streamed_body_is_cut_off_at_the_limit(app: FastAPI, sqlite_store: Store) -> None:
    # chunked (no length), and a length that lies: both stop being read just past the limit
    for headers in (_token(sqlite_store), {**_token(sqlite_store), "content-length": "10"}):
        status, _, read = _call(app, "/v1/audit/notes", _flood(100 << 20, chunk=100), headers)
        assert status == 413
        assert LIMIT < read <= LIMIT + 100


def test_batch_routes_take_the_batch_limit(seeded_store: Store) -> None:
    app = create_app(seeded_store, Settings(api_body_limit=LIMIT, api_batch_body_limit=BATCH_LIMIT))
    batch = json.dumps({"queries": [{"name": f"Person {i}"} for i in range(100)]}).encode()
    assert LIMIT < len(batch) <= BATCH_LIMIT
    status, body, _ = _call(app, "/v1/screen", [batch], _token(seeded_store))
    assert status == 200, body
    status, _, _ = _call(app, "/v1/screen/address", [batch], _token(seeded_store))
    assert status == 413
    status, _, read = _call(app, "/v1/decisions", _flood(BATCH_LIMIT * 2, chunk=100), _token(seeded_store))
    assert status == 413 and read <= BATCH_LIMIT + 100


def test_the_limits_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert (Settings().api_body_limit, Settings().api_batch_body_limit) == (1 << 20, 16 << 20)
    assert Settings().api_json_depth == 64
    monkeypatch.setenv("VASPGUARD_API_BODY_LIMIT", "2048")
    monkeypatch.setenv("VASPGUARD_API_JSON_DEPTH", "8")
    assert (Settings().api_body_limit, Settings().api_json_depth) == (2048, 8)


REFUSED = [
    (b'{"name": "\xff"}', "the body is not UTF-8 (byte 10)"),
    (b'{"name": "\xed\xa0\x80"}', "the body is not UTF-8 (byte 10)"),  # a surrogate written as UTF-8
    (b'{"name": "\\ud800"}', "a string holds a lone UTF-16 surrogate"),
    (b'{"name": "\\uDC00x"}', "a string holds a lone UTF-16 surrogate"),
    (b'{"name": "\\ud800\\u0041"}', "a string holds a lone UTF-16 surrogate"),
    (b'{"name": "x\\ud83d"}', "a string holds a lone UTF-16 surrogate"),
    (b'{"name": "\\\\\\ud800"}', "a string holds a lone UTF-16 surrogate"),  # \\ then \ud800
    (b'{"name": "a\\u0000b"}', "a string holds the NUL character (\\u0000)"),
    (b'{"top": NaN}', "NaN and Infinity are not JSON numbers"),
    (b'{"top": -Infinity}', "NaN and Infinity are not JSON numbers"),
    (b'{"amount_eur": 1e999999999}', "a number's exponent is out of range (at most 3 digits)"),
    (b'{"amount_eur": 1E-0001000}', "a number's exponent is out of range (at most 3 digits)"),
    (b'{"top": ' + b"9" * 101 + b"}", "a number has more than 100 digits"),
    (b"[" * 65 + b"]" * 65, "the body nests deeper than 64 levels"),
    (b'{"a": ' * 65 + b"1" + b"}" * 65, "the body nests deeper than 64 levels"),
    (b'[{"a": [{"b": [' * 13 + b"[]" + b"]}]}]" * 13, "the body nests deeper than 64 levels"),
]

PASSED = [
    b'{"name": "\\\\ud800"}',  # a backslash, then the text "ud800"
    b'{"name": "\\ud83d\\ude00 \\u00e9 \\\\u0000"}',  # a surrogate pair, an escape, "\u0000" as text
    b'{"name": "NaN Infinity 1e999999999 [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',
    b'{"top": 1e308, "x": -0.5E-300, "n": ' + b"9" * 100 + b"}",
    b"[" * 64 + b"]" * 64,
    b"{nope",  # not JSON at all: the parser's 400, not this check's
    b"[" * 200,  # unbalanced: the parser's too
]


@pytest.mark.parametrize(("raw", "why"), REFUSED)
def test_unacceptable_json_is_422_with_one_line(
    app: FastAPI, sqlite_store: Store, raw: bytes, why: str
) -> None:
    assert body_problem(raw, 64) == why
    # /v1/decisions parses strictly first and leaves numbers to the fields that read them (400 naming one)
    number = why.startswith("a number")
    for path in ("/v1/screen", "/v1/decisions", "/v1/audit/notes"):
        status, body, _ = _call(app, path, [raw], _token(sqlite_store))
        if number and path == "/v1/decisions":
            assert status == 400
            continue
        assert (status, body["detail"]) == (422, why)
        assert body["errors"] == [{"pointer": "", "detail": why}]


def test_decision_amounts_are_bounded(app: FastAPI, sqlite_store: Store) -> None:
    request = (
        b'{"customer": {"nationalities": ["DE"]}, "action": "deposit", "at": "2024-01-01", "amount_eur": '
    )
    for amount in (b"1e999999999", b'"1e999999999"', b"9" * 200):
        status, body, _ = _call(app, "/v1/decisions", [request + amount + b"}"], _token(sqlite_store))
        assert (status, body["errors"][0]["pointer"]) == (400, "/amount_eur"), body


@pytest.mark.parametrize("raw", PASSED)
def test_acceptable_or_merely_malformed_json_goes_to_the_parser(raw: bytes) -> None:
    assert body_problem(raw, 64) is None


def test_a_nul_in_the_query_string_is_422(app: FastAPI, sqlite_store: Store) -> None:
    client = TestClient(app)
    r = client.get("/v1/lists/search?q=a%00b", headers=_token(sqlite_store))
    assert r.status_code == 422 and r.json()["detail"] == "the query string holds the NUL character (%00)"


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))  # NUL: refused on purpose
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**100) + 1, max_value=10**100 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=40,
)


@given(value=_JSON, max_depth=st.integers(min_value=1, max_value=6), ascii_only=st.booleans())
def test_json_is_refused_exactly_when_it_nests_too_deep(value: Any, max_depth: int, ascii_only: bool) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only).encode()
    expected = f"the body nests deeper than {max_depth} levels" if _depth(value) > max_depth else None
    assert body_problem(raw, max_depth) == expected
