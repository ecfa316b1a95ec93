"""/docs and /redoc work offline: their HTML names no external origin, and the vendored assets load."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vaspguard.api import create_app
from vaspguard.store import Store

STATIC = Path(__file__).parents[2] / "src" / "vaspguard" / "api" / "static"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_reference_only_this_server(sqlite_store: Store, page: str) -> None:
    client = TestClient(create_app(sqlite_store))
    html = client.get(page)
    assert html.status_code == 200
    assert re.search(r"(https?:)?//[a-z0-9]", html.text) is None, "an external origin in " + page
    assets = re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", html.text)
    assert len(assets) >= 2  # the script and the favicon at least
    for asset in assets:
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 500, asset
    assert client.get("/openapi.json").json()["info"]["title"] == "vaspguard"
    if page == "/docs":  # Swagger UI's default validity badge would send the schema to validator.swagger.io
        assert '"validatorUrl": null' in html.text


def test_vendored_files_match_their_recorded_sha256() -> None:
    record = (STATIC / "VENDORED.md").read_text()
    rows = re.findall(r"^\| `([a-z-]+/[^`]+)` \| `package/[^`]+` \| `([0-9a-f]{64})` \|$", record, re.M)
    assert len(rows) == 9
    for name, digest in rows:
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, name
