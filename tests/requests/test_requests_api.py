"""POST /v1/requests and the read routes: roles, field errors, the intake identity."""

from __future__ import annotations

from fastapi.testclient import TestClient
from lr_helpers import Desk, court_order

from vaspguard.api import Role, create_app, create_token
from vaspguard.store import Store


def test_post_and_read(store: Store) -> None:
    Desk(store)  # operators, agencies, the audit log key in the test's data dir (which the API opens too)
    client = TestClient(create_app(store))
    legal = {"Authorization": f"Bearer {create_token(store, name='portal', role=Role.LEGAL)}"}
    reader = {"Authorization": f"Bearer {create_token(store, name='desk', role=Role.READER)}"}

    assert client.post("/v1/requests", json=court_order()).status_code == 401
    assert client.post("/v1/requests", json=court_order(), headers=reader).status_code == 403
    bad = client.post("/v1/requests", json=court_order(channel="fax", targets=[]), headers=legal)
    assert bad.status_code == 400
    assert {e["pointer"] for e in bad.json()["errors"]} == {"/channel", "/targets"}

    created = client.post("/v1/requests", json=court_order(), headers=legal)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["tier"] == "low" and body["required_approvals"] == ["legal"]
    rid = body["request_id"]
    shown = client.get(f"/v1/requests/{rid}", headers=legal).json()
    assert shown["intake_operator"] == "api:portal" and shown["state"] == "assessed"
    assert [r["id"] for r in client.get("/v1/requests", headers=legal).json()["items"]] == [rid]
    assert client.get("/v1/requests/LR-0000-000000", headers=legal).status_code == 404
