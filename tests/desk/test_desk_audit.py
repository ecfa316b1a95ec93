"""The Audit pages: checkpoint, entries filtered by type and subject, an entry's inclusion proof verified,
and a bundle download that ``vaspguard audit verify`` accepts."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient

from vaspguard.cli import run
from vaspguard.desk import User


def test_checkpoint_entries_and_filters(client: TestClient, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("aud", "auditor"))
    html = client.get("/audit").text
    assert "Latest signed checkpoint" in html and "Tree size" in html
    lists_only = client.get("/audit?type=lists").text
    assert "lists.import" in lists_only and "screening.disposition" not in lists_only
    assert client.get("/audit?before=-5").status_code == 200


def test_an_entry_shows_its_verified_inclusion_proof(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    sign_in(client, make_user("aud", "auditor"))
    html = client.get("/audit/entries/1").text
    assert "(proof verified)" in html and "Inclusion proof" in html
    assert client.get("/audit/entries/999999").status_code == 404
    assert client.get("/audit/entries/-1").status_code == 400


def test_the_bundle_download_verifies(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    sign_in(client, make_user("aud", "auditor"))
    response = client.get("/audit/bundle.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(response.content)).extractall(tmp_path)
    bundle = tmp_path / "bundle"
    assert run(["audit", "verify", str(bundle), "--key", str(bundle / "log.pub"), "--workers", "1"]) == 0
    # a tampered bundle fails: one byte of one entry changed
    entries = sorted(p for p in bundle.rglob("*") if p.is_file() and "entr" in p.name)
    assert entries, sorted(p.name for p in bundle.rglob("*"))
    data = bytearray(entries[0].read_bytes())
    data[len(data) // 2] ^= 0x01
    entries[0].write_bytes(bytes(data))
    assert run(["audit", "verify", str(bundle), "--key", str(bundle / "log.pub"), "--workers", "1"]) != 0
