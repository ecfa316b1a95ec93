"""GET /v1/events?after=ID: a consumer replays from an event id; a list activation is an event."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.lists import import_paths
from vaspguard.store import Store

UN_2024 = "lists/un_consolidated_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sample_unsc.xml"


def test_replay_from_an_event_id(store: Store, shared_data: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "data"))
    (snap,) = import_paths(store, [shared_data / UN_2024])
    client = TestClient(create_app(store))
    assert client.get("/v1/events").status_code == 401
    reader = create_token(store, name="desk", role=Role.READER)
    assert client.get("/v1/events", headers={"Authorization": f"Bearer {reader}"}).status_code == 403
    h = {"Authorization": f"Bearer {create_token(store, name='bus', role=Role.SERVICE)}"}
    page = client.get("/v1/events", headers=h).json()
    activated = [e for e in page["items"] if e["type"] == "lists.activated"]
    assert activated[0]["data"]["snapshot_id"] == snap.id and activated[0]["subjects"][0] == "list:un_sc"
    first = page["items"][0]["id"]
    rest = client.get("/v1/events", params={"after": first}, headers=h).json()
    assert [e["id"] for e in rest["items"]] == [e["id"] for e in page["items"][1:]]
    assert client.get("/v1/events", params={"after": page["next"]}, headers=h).json()["items"] == []
    bad = client.get("/v1/events", params={"after": "yesterday"}, headers=h)
    assert bad.status_code in (400, 422) and "after" in bad.text
