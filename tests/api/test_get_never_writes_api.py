"""GET never writes: every GET route of the OpenAPI document, called with valid parameters, leaves every table
as it was (a checkpoint is signed by appends, the worker or ``POST /v1/audit/checkpoint``, never by a read;
the decision engine logs its policy version when it first decides, not when ``GET /v1/policy`` builds it)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from vaspguard.api import Role, create_app, create_token
from vaspguard.store import Store

PATH_VALUES = {
    "customer_id": "C0000001",
    "snapshot_id": "1",
    "key": "x",
    "alert_id": "2",
    "request_id": "LR-1",
    "index": "0",
}
QUERY_VALUES = {"old": "1", "new": "2", "q": "Rotenberg", "first": "1"}


def _contents(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    with store.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        return {t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr) for t in tables}


def _get_routes(app: Any) -> list[str]:
    urls = []
    for path, ops in app.openapi()["paths"].items():
        op = ops.get("get")
        if op is None:
            continue
        names = {p["name"]: p["in"] for p in op.get("parameters", [])}
        query = "&".join(f"{n}={QUERY_VALUES[n]}" for n, where in names.items() if n in QUERY_VALUES)
        urls.append(path.format(**PATH_VALUES) + ("?" + query if query else ""))
    return urls


def test_no_get_route_writes(seeded_store: Store) -> None:
    app = create_app(seeded_store)
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {create_token(seeded_store, name='reader', role=Role.ADMIN)}"}
    # The log grows only by appends; sign nothing more, so a GET that signed would show a new row.
    before = _contents(seeded_store)
    urls = _get_routes(app)
    answered = {url: client.get(url, headers=headers).status_code for url in urls}
    assert len(urls) >= 20 and sum(s == 200 for s in answered.values()) >= 15, answered
    assert _contents(seeded_store) == before


def test_checkpoints_are_signed_by_a_post(seeded_store: Store) -> None:
    client = TestClient(create_app(seeded_store))

    def auth(role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {create_token(seeded_store, name=role.value, role=role)}"}

    latest = client.get("/v1/audit/checkpoint", headers=auth(Role.AUDITOR)).json()
    signed = client.post("/v1/audit/checkpoint", headers=auth(Role.SERVICE))
    assert signed.status_code == 200 and signed.json() == latest  # every append signed already
    for role in (Role.AUDITOR, Role.READER):  # reading roles may not sign
        assert client.post("/v1/audit/checkpoint", headers=auth(role)).status_code == 403
