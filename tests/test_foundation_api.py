"""The API: health, token authentication and roles, registry reads."""

from __future__ import annotations

from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token, revoke_token
from vaspguard.registry import Customer, Name, PersonType, Registry
from vaspguard.store import Store


def test_health_and_auth(store: Store) -> None:
    Registry(store).add_customers(
        [Customer("C1", PersonType.NATURAL, (Name("Anna Schmidt"),), ("DE",), "DE")]
    )
    client = TestClient(create_app(store))
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/v1/customers").status_code == 401
    assert client.get("/v1/customers", headers={"Authorization": "Bearer vg_forged"}).status_code == 401

    token = create_token(store, name="desk", role=Role.READER)
    headers = {"Authorization": f"Bearer {token}"}
    body = client.get("/v1/customers", headers=headers).json()
    assert body["total"] == 1
    assert body["items"][0]["names"][0]["name"] == "Anna Schmidt"
    assert client.get("/v1/customers/C1/accounts", headers=headers).json()["items"] == []
    assert client.get("/v1/customers/nope", headers=headers).status_code == 404

    revoke_token(store, 1)
    assert client.get("/v1/customers", headers=headers).status_code == 401


def test_role_refused(store: Store) -> None:
    token = create_token(store, name="engine", role=Role.SERVICE)
    client = TestClient(create_app(store))
    assert client.get("/v1/customers", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_openapi_documents_every_route(store: Store) -> None:
    """Plain Starlette routes (kept off FastAPI's machinery for speed) are still in /openapi.json."""
    paths = TestClient(create_app(store)).get("/openapi.json").json()["paths"]
    assert "post" in paths["/v1/decisions"]
    assert "/v1/customers" in paths
    assert "/healthz" in paths
