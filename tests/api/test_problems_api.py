"""Every error the API answers is RFC 9457 problem details, and none echoes input or internals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.errors import Refused
from vaspguard.store import Store

MEMBERS = {"type", "title", "status", "detail", "instance"}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= MEMBERS
    assert body["status"] == status
    return body


@pytest.fixture
def client(sqlite_store: Store) -> TestClient:
    app = create_app(sqlite_store)
    boom = APIRouter()

    @boom.get("/boom")
    def _boom() -> None:
        raise RuntimeError("secret connection string postgresql://u:pw@db")

    @boom.get("/refused")
    def _refused() -> None:
        raise Refused("quorum of one")

    app.include_router(boom)
    return TestClient(app, raise_server_exceptions=False)


def _auth(store: Store, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(store, name=role.value, role=role)}"}


def test_auth_errors_are_problems(client: TestClient, sqlite_store: Store) -> None:
    missing = _problem(client.get("/v1/customers"), 401)
    assert missing["type"] == "about:blank" and missing["title"] == "Unauthorized"
    assert missing["instance"] == "/v1/customers"
    assert client.get("/v1/customers").headers["www-authenticate"] == "Bearer"
    _problem(client.post("/v1/decisions", json={}), 401)
    _problem(client.get("/v1/audit/events", headers=_auth(sqlite_store, Role.READER)), 403)
    _problem(client.get("/v1/no-such-route"), 404)


def test_not_found_and_refused_and_500(client: TestClient, sqlite_store: Store) -> None:
    gone = _problem(client.get("/v1/customers/nope", headers=_auth(sqlite_store, Role.READER)), 404)
    assert gone["type"] == "urn:vaspguard:problem:not-found" and gone["error"] == "NotFound"
    _problem(client.get("/refused"), 403)
    crash = _problem(client.get("/boom"), 500)
    assert "secret" not in crash["detail"] and "RuntimeError" not in str(crash)


def test_bad_json_has_one_shape(client: TestClient, sqlite_store: Store) -> None:
    legal = _auth(sqlite_store, Role.LEGAL)
    admin = _auth(sqlite_store, Role.ADMIN)
    bodies = [
        client.post("/v1/decisions", content=b'{"at": ', headers=admin),  # plain Starlette endpoint
        client.post(
            "/v1/requests", content=b'{"at": ', headers={**legal, "content-type": "application/json"}
        ),
        client.post("/v1/screen", content=b"{nope", headers={**admin, "content-type": "application/json"}),
    ]
    shapes = [_problem(r, 400) for r in bodies]
    assert {(p["type"], p["title"], p["error"]) for p in shapes} == {
        ("urn:vaspguard:problem:invalid-json", "Malformed JSON body", "MalformedJSON")
    }


def test_validation_error_names_fields_without_echoing_input(client: TestClient, sqlite_store: Store) -> None:
    admin = _auth(sqlite_store, Role.ADMIN)
    secret = "Anna Secret-Name"
    response = client.post("/v1/screen", json={"name": secret, "top": 999}, headers=admin)
    body = _problem(response, 422)
    assert body["type"] == "urn:vaspguard:problem:validation"
    assert secret not in response.text and "input" not in response.text
    assert all(e.keys() <= {"pointer", "loc", "detail"} for e in body["errors"])
    assert "/top" in {e.get("pointer") for e in body["errors"]}
    query = _problem(client.get("/v1/customers", params={"limit": 0}, headers=admin), 422)
    assert {"loc": ["query", "limit"], "detail": query["errors"][0]["detail"]} in query["errors"]


def test_input_errors_point_at_the_field(client: TestClient, sqlite_store: Store) -> None:
    admin = _auth(sqlite_store, Role.ADMIN)
    bad = _problem(client.get("/v1/lists/search", params={"q": "x", "source": "bogus"}, headers=admin), 400)
    assert bad["type"] == "urn:vaspguard:problem:invalid-request" and bad["error"] == "InvalidRequest"
    assert bad["errors"] == [{"pointer": "/source", "detail": "'bogus' is not a list source"}]
    conflict = _problem(client.post("/v1/screen/address", json={"address": "0xABC"}, headers=admin), 409)
    assert conflict["error"] == "StoreError"


@pytest.mark.parametrize("code", ["UK", "ZZ", "DEU", "UA-43"])
def test_screen_refuses_the_country_codes_decisions_refuse(
    client: TestClient, sqlite_store: Store, code: str
) -> None:
    admin = _auth(sqlite_store, Role.ADMIN)
    for field in ("nationality", "country"):
        body = _problem(client.post("/v1/screen", json={"name": "Anna", field: code}, headers=admin), 422)
        assert f"/{field}" in {e.get("pointer") for e in body["errors"]}
    valid = client.post("/v1/screen", json={"name": "Anna", "nationality": "gb"}, headers=admin)
    assert valid.status_code != 422  # (409 here: no list imported)
