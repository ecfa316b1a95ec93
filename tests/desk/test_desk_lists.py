"""The Lists page: snapshots per source, a field-by-field diff between two snapshots of one source, and a
search of the active entries."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient

from vaspguard import lists
from vaspguard.desk import User

DEMO_OFAC = Path(lists.__file__).resolve().parents[1] / "demo" / "lists" / "ofac"


def test_snapshots_search_and_a_field_diff(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    sign_in(client, make_user("ana", "analyst"))
    html = client.get("/lists").text
    assert "ofac_sdn" in html and "eu_fsf" in html and "un_sc" in html
    # a newer OFAC file: one entry's date of birth corrected
    folder = tmp_path / "ofac"
    shutil.copytree(DEMO_OFAC, folder)
    sdn = folder / "sdn.csv"
    sdn.write_text(
        sdn.read_text(encoding="utf-8").replace("DOB 14 Mar 1971", "DOB 15 Mar 1971"), encoding="utf-8"
    )
    new = lists.import_paths(demo.store, [sdn])[0]
    old = next(s for s in lists.list_snapshots(demo.store, source="ofac_sdn") if s.id != new.id)
    diff = client.get("/lists", params={"old": old.id, "new": new.id}).text
    assert "0 added, 0 removed, 1 changed." in diff and "15 Mar 1971" in diff and "14 Mar 1971" in diff
    other = next(s for s in lists.list_snapshots(demo.store) if s.source.value != "ofac_sdn")
    refused = client.get("/lists", params={"old": other.id, "new": new.id})
    assert refused.status_code == 400 and "not comparable" in refused.text
    assert client.get("/lists", params={"old": old.id}).status_code == 400
    found = client.get("/lists", params={"q": "volkovsky"}).text
    assert "ofac_sdn:90001" in found
