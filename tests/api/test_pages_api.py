"""Every list endpoint answers {items, next_cursor} and walks its pages with limit and cursor."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.audit import AuditLog, Event
from vaspguard.registry import Customer, Name, PersonType, Registry
from vaspguard.store import Store


def _walk(client: TestClient, path: str, headers: dict[str, str], limit: int) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        body = client.get(path, params=params, headers=headers).json()
        assert set(body) >= {"items", "next_cursor"}, body
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_customers_walk_in_pages(sqlite_store: Store) -> None:
    Registry(sqlite_store).add_customers(
        [Customer(f"C{i}", PersonType.NATURAL, (Name(f"Person {i}"),), ("DE",), "DE") for i in range(5)]
    )
    client = TestClient(create_app(sqlite_store))
    headers = {"Authorization": f"Bearer {create_token(sqlite_store, name='r', role=Role.READER)}"}
    pages = _walk(client, "/v1/customers", headers, 2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(c["id"] for p in pages for c in p) == [f"C{i}" for i in range(5)]
    assert client.get("/v1/customers", params={"limit": 5}, headers=headers).json()["next_cursor"] is None
    assert client.get("/v1/customers", params={"limit": 5}, headers=headers).json()["total"] == 5


def test_events_cursor_is_a_log_position(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path))  # the log's signing key, not in the cwd
    log = AuditLog.open(sqlite_store)
    for n in range(5):
        log.append(Event(type="operator.note", actor="a", actor_role="legal", payload={"n": n}))
    client = TestClient(create_app(sqlite_store))
    headers = {"Authorization": f"Bearer {create_token(sqlite_store, name='a', role=Role.AUDITOR)}"}
    pages = _walk(client, "/v1/audit/events?type=operator.note", headers, 2)
    assert [e["payload"]["n"] for p in pages for e in p] == [0, 1, 2, 3, 4]


def test_list_endpoints_share_the_envelope_and_refuse_a_forged_cursor(sqlite_store: Store) -> None:
    client = TestClient(create_app(sqlite_store))
    headers = {"Authorization": f"Bearer {create_token(sqlite_store, name='x', role=Role.ADMIN)}"}
    for path in [
        "/v1/customers",
        "/v1/screen/alerts",
        "/v1/requests",
        "/v1/audit/events",
        "/v1/lists/snapshots",
        "/v1/lists/addresses",
        "/v1/lists/fetches",
        "/v1/lists/search",
    ]:
        query = {"q": "x"} if path.endswith("search") else {}
        body = client.get(path, params=query, headers=headers).json()
        assert body["items"] == [] and body["next_cursor"] is None, path
        bad = client.get(path, params={**query, "cursor": "not-a-cursor"}, headers=headers)
        assert bad.status_code == 400 and bad.json()["errors"][0]["pointer"] == "/cursor", path
