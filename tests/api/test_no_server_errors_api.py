"""No input gets a 500: every route of the OpenAPI document (and so every route a router adds later) is sent
a corpus of malformed inputs, in each path and query parameter and, for routes with a body, as raw bodies
and as one-node mutations of a valid body. Every answer must be below 500 and RFC 9457 when it is an error.

The corpus is the one of issue 11 (integers of 2**63 and more, NaN, infinities, 1e999999999, lone surrogates,
undecodable bytes, deep nesting) and more (NUL, bidi and terminal control characters, huge strings).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.store import Store, open_store

# Values for one path or query parameter, already percent-encoded.
BAD_PARAMETERS = [
    "9223372036854775808",  # 2**63
    "-9223372036854775809",
    "-1",
    "1" + "0" * 40,
    "1e999999999",
    "NaN",
    "-Infinity",
    "1.5",
    "0x10",
    "",
    "%ED%A0%80",  # a lone surrogate, UTF-8 encoded
    "%FF",
    "%00",
    "%E2%80%AE",  # right-to-left override
    "%1B%5B31m",  # terminal colour code
    "%F0%9F%98%80",
    "..%2F..%2Fetc%2Fpasswd",
    "x" * 5000,
    "9999-12-31T23:59:59%2B99:99",
    "0001-01-01",
]

# Whole bodies, sent as they are.
BAD_BODIES = [
    b"",
    b"\xff",
    b'{"name": "\xff\xfe"}',
    b"null",
    b"[]",
    b"{}",
    b'"x"',
    b"0",
    b"1e999999999",
    b"NaN",
    b'{"name": NaN, "top": Infinity}',
    b"[" * 1000 + b"]" * 1000,
    b'{"a":' * 1000 + b"1" + b"}" * 1000,
    b"[" * 64 + b"]" * 64,
    b'{"name": "\\ud800", "message": "\\udfff", "address": "\\ud800", "reason": "\\ud800"}',
    b'{"requests": [' + b",".join([b"{}"] * 10_001) + b"]}",
    b'{"queries": [' + b",".join([b'{"name": "a"}'] * 1001) + b"]}",
    b'{"size": 9223372036854775808, "line": "- witness abcdefghijk"}',
    b'{"size": 1e999999999, "line": "- witness abcdefghijk"}',
    b'{"requests": {"a": 1}}',
    b'{"' + b"k" * 100_000 + b'": 1}',
]

# Numbers json.dumps cannot write: placed as strings, then written into the body unquoted.
RAW_NUMBERS = ["1e999999999", "-1e-999999999", "9" * 200, "1" + "0" * 30 + ".5"]

# Replacements for one node of a valid body.
BAD_VALUES: list[Any] = [
    2**63,
    -(2**63) - 1,
    10**40,
    -1,
    1.5,
    1e308,
    -1e308,
    "9999999-12-31",
    "2026-02-30",
    "",
    "x" * 20_000,
    None,
    True,
    [],
    {},
    "NaN",
    "-Infinity",
    "1e999999999",
    "\u202eevil",
    "\x1b[31mred",
    "\x00",
    "\ud800",
    *RAW_NUMBERS,
]

REQUEST_EXAMPLE = Path(__file__).parents[2] / "src/vaspguard/demo/requests/police-listed-wallet.json"
DECISION = {
    "customer": {
        "type": "natural",
        "nationalities": ["RU", "DE"],
        "residence": "RU",
        "residence_permits": [
            {"country": "ES", "kind": "temporary", "valid_from": "2022-01-01", "valid_until": "2024-12-31"}
        ],
        "owners": [],
        "listed": False,
    },
    "action": "deposit",
    "at": "2022-05-01",
    "holdings_eur": "9000",
    "amount_eur": 1000.01,
    "asset": "BTC",
    "counterparty": {"chain": "ethereum", "address": "0x52908400098527886e0f7030069857d2e4169ee7"},
    "flags": ["reduce_only"],
    "login_country": "UA-43",
}
BODIES: dict[str, Any] = {
    "/v1/screen": {
        "name": "Arkady Rotenberg",
        "dob": "1951-12-15",
        "nationality": "RU",
        "country": "RU",
        "kind": "person",
        "gender": "male",
        "documents": ["4509 123456"],
        "top": 5,
    },
    "/v1/screen/address": {"address": "bc1qqdfp0envdk87lazw5k5kde7g247al4e48wgdg8", "chain": "bitcoin"},
    "/v1/screen/alerts/{alert_id}/decision": {"decision": "false_positive", "reason": "other person"},
    "/v1/audit/notes": {"message": "checked", "subjects": ["customer:C0000001"], "region": "EU"},
    "/v1/audit/cosignatures": {"size": 1, "line": "— witness.example/w1 AAAAAAAAAAAA"},
    "/v1/audit/checkpoint": {},
    "/v1/decisions": {"requests": [DECISION, {"customer": {"id": "C0000001"}, **DECISION}]},
    "/v1/requests": json.loads(REQUEST_EXAMPLE.read_text()),
    "/v1/customers/{customer_id}": {
        "id": "C0000001",
        "type": "natural",
        "names": [{"name": "Anna Berg", "script": "Latn", "kind": "primary"}],
        "nationalities": ["SE"],
        "residence": "SE",
        "birth_date": "1980-02-03",
        "kyc_status": "verified",
        "contacts": [{"kind": "email", "value": "anna@example.com"}],
    },
    "/v1/accounts": {
        "items": [
            {
                "id": "A-NEW-1",
                "customer_id": "C0000001",
                "product": "spot",
                "opened_at": "2026-01-01T00:00:00Z",
                "balances": {"BTC": "1.5"},
            }
        ]
    },
    "/v1/transactions": {
        "items": [
            {
                "id": "T-NEW-1",
                "customer_id": "C0000001",
                "kind": "deposit",
                "occurred_at": "2026-12-01T10:00:00Z",
                "asset": "BTC",
                "amount": "0.5",
                "chain": "bitcoin",
                "address": "bc1qqdfp0envdk87lazw5k5kde7g247al4e48wgdg8",
            }
        ]
    },
    "/v1/logins": {
        "items": [
            {
                "customer_id": "C0000001",
                "occurred_at": "2026-12-01T10:00:00Z",
                "ip": "192.0.2.1",
                "country": "SE",
            }
        ]
    },
    "/v1/prices": {"items": [{"asset": "BTC", "day": "2026-12-01", "eur": "80000.5"}]},
}
PATH_VALUES = {
    "customer_id": "C0000001",
    "snapshot_id": "1",
    "key": "x",
    "alert_id": "2",
    "request_id": "LR-1",
    "index": "0",
}
REQUIRED_QUERY = {"old": "1", "new": "2", "q": "a", "first": "1"}


def _routes() -> list[tuple[str, str, dict[str, Any]]]:
    schema = create_app(open_store("sqlite://")).openapi()
    return [(method.upper(), path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


ROUTES = _routes()


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every node below the root."""
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, child in children:
        yield (*path, key)
        yield from _nodes(child, (*path, key))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    out = copy.deepcopy(value)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return out


def _url(path: str, op: dict[str, Any], overrides: dict[str, str]) -> str:
    """``path`` with its path parameters and required query parameters filled in, then ``overrides``."""
    names = {p["name"]: p["in"] for p in op.get("parameters", [])}
    values = {
        **PATH_VALUES,
        **{n: v for n, v in REQUIRED_QUERY.items() if names.get(n) == "query"},
        **overrides,
    }
    filled = path.format(**{n: values[n] for n, where in names.items() if where == "path"})
    pairs = [f"{n}={values[n]}" for n, where in names.items() if where == "query" and n in values]
    return filled + ("?" + "&".join(pairs) if pairs else "")


def _malformed(path: str, op: dict[str, Any]) -> Iterator[tuple[str, bytes | None]]:
    """(URL, body) pairs: each parameter malformed in turn, then each bad body."""
    names = [p["name"] for p in op.get("parameters", [])]
    base = BODIES.get(path)
    body = json.dumps(base).encode() if base is not None else None
    for name in names:
        for bad in BAD_PARAMETERS:
            yield _url(path, op, {name: bad}), body
    if not names:  # parameters the route does not take are ignored, malformed or not
        for bad in BAD_PARAMETERS:
            yield f"{path}?limit={bad}&x={bad}", body
    if "requestBody" in op or base is not None:
        for raw in BAD_BODIES:
            yield _url(path, op, {}), raw


def _mutated(path: str, op: dict[str, Any]) -> Iterator[tuple[str, bytes | None]]:
    """(URL, body) pairs: the route's valid body with one node replaced by each bad value in turn."""
    base = BODIES.get(path)
    for node in _nodes(base):
        for bad in BAD_VALUES:
            body = json.dumps(_replaced(base, node, bad))
            if bad in RAW_NUMBERS:
                body = body.replace(json.dumps(bad), bad)
            yield _url(path, op, {}), body.encode()


@pytest.fixture
def client(seeded_store: Store) -> TestClient:
    return TestClient(create_app(seeded_store), raise_server_exceptions=False)


def _no_server_error(
    client: TestClient, store: Store, method: str, cases: list[tuple[str, bytes | None]]
) -> None:
    token = create_token(store, name="fuzz", role=Role.ADMIN)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    failed = []
    for url, body in cases:
        r = client.request(method, url, content=body, headers=headers)
        if r.status_code >= 500:
            failed.append(f"{r.status_code} {method} {url[:120]} {(body or b'')[:120]!r}")
        elif r.status_code >= 400:
            assert r.headers["content-type"] == "application/problem+json", (url, body)
            assert "\n" not in r.json()["detail"], (url, body)
    assert not failed, f"{len(failed)} of {len(cases)} inputs got a 5xx:\n" + "\n".join(failed[:40])


_IDS = [f"{m} {p}" for m, p, _ in ROUTES]


@pytest.mark.parametrize(("method", "path", "op"), ROUTES, ids=_IDS)
def test_no_malformed_parameter_or_body_gets_a_server_error(
    client: TestClient, seeded_store: Store, method: str, path: str, op: dict[str, Any]
) -> None:
    cases = list(_malformed(path, op))
    assert cases, "every route has malformed inputs to try"
    _no_server_error(client, seeded_store, method, cases)


BODY_ROUTES = [(m, p, op) for m, p, op in ROUTES if p in BODIES and list(_nodes(BODIES[p]))]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "op"), BODY_ROUTES, ids=[f"{m} {p}" for m, p, _ in BODY_ROUTES])
def test_no_mutated_body_gets_a_server_error(
    client: TestClient, seeded_store: Store, method: str, path: str, op: dict[str, Any]
) -> None:
    _no_server_error(client, seeded_store, method, list(_mutated(path, op)))


def test_every_route_with_a_body_has_a_valid_example() -> None:
    """A new POST route must be given an example body above, so that its mutations are tried too."""
    assert {p for m, p, op in ROUTES if "requestBody" in op} <= set(BODIES)
