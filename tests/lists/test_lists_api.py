"""The lists HTTP routes: read-only, role-checked."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.lists import import_paths
from vaspguard.store import Store

UN = "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml"
UN_2024 = "lists/un_consolidated_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sample_unsc.xml"


def test_lists_routes(store: Store, shared_data: Path) -> None:
    (old,) = import_paths(store, [shared_data / UN_2024])
    (new,) = import_paths(store, [shared_data / UN])
    client = TestClient(create_app(store))
    assert client.get("/v1/lists/snapshots").status_code == 401
    reader = create_token(store, name="desk", role=Role.READER)
    assert client.get("/v1/lists/snapshots", headers={"Authorization": f"Bearer {reader}"}).status_code == 403

    h = {"Authorization": f"Bearer {create_token(store, name='co', role=Role.COMPLIANCE)}"}
    active = client.get("/v1/lists/snapshots", headers=h).json()["items"]
    assert [s["id"] for s in active] == [new.id]
    assert len(client.get("/v1/lists/snapshots", params={"all": True}, headers=h).json()["items"]) == 2
    detail = client.get(f"/v1/lists/snapshots/{new.id}", headers=h).json()
    assert detail["counts"] == {"organisation": 273, "person": 730}
    assert detail["files"][0]["sha256"] == new.sha256
    assert client.get("/v1/lists/snapshots/999", headers=h).status_code == 404

    found = client.get("/v1/lists/search", params={"q": "badege"}, headers=h).json()["items"]
    assert [e["source_id"] for e in found] == ["6907993"]
    assert client.get("/v1/lists/search", params={"q": "x", "source": "nope"}, headers=h).status_code == 400
    e = client.get("/v1/lists/entities/un_sc:6907993", headers=h).json()
    assert e["reference"] == "CDi.001"

    keys = client.get(
        "/v1/lists/diff", params={"old": old.id, "new": new.id, "keys_only": True}, headers=h
    ).json()
    d = client.get("/v1/lists/diff", params={"old": old.id, "new": new.id}, headers=h).json()
    assert len(keys) == len(d["added"]) + len(d["removed"]) + len(d["changed"])
    assert len(d["added"]) > 900  # the 2024 excerpt holds 7 individuals, the 2026 list 1,003 entries
    assert (
        client.get("/v1/lists/addresses", headers=h).json()["items"] == []
    )  # the UN list publishes no wallets
